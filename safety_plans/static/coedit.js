// The live co-editor: enhances the plain editor forms. Every write goes through the app's one
// sync module (pwa/static/outbox-core.js), which queues, sends, retries and tells every page the
// results; this file turns typing into ops, applies results and others' changes, and keeps the
// page equal to what a fresh load would show. Without this file the page works as plain forms.
import '/assets/pwa/outbox-core.js';
import {
  csrf, fmt, oneAtATime, planChanged, problemWith, showFieldError, tellWorker, uuid,
} from '/assets/pwa/helpers.js';
import {
  FIELDS, T, addFormOf, announce, drawItem, dropNotices, dropRemoved, dropUndo, dropUndoExcept, fillAddForm, fixArrows,
  inputOf, itemEl, listOf, mark, notice, root, setAuthor, setField, setWaiting, showGone, showPresence, showRemoved,
  shownPlan, valuesOf, words, writingIn,
} from './coedit-view.js';
import { checkFields, enhanceForms, enhanceItem, fieldOfError, stopTyping, wireRestore } from './coedit-forms.js';
import { liveChannel } from './coedit-live.js';

const box = self.TryggOutbox;
const planId = root.dataset.plan;
const me = Number(root.dataset.me);
const api = `/api/v1/plans/${planId}`;
const changesUrl = `${api}/changes`;

let revision = Number(root.dataset.revision);
let newest = revision;          // the newest revision this page has heard of (its own ops' too)
const ownRevisions = new Set(); // revisions our own ops made: never fetched back
const mine = new Set();         // uuids of ops made on this page
const unacked = new Map();      // op uuid -> op, handed to the sync module, no answer yet
const sentValues = new Map();   // item uuid -> the field values the server has (or will have) from us
let gone = false;

function known(li, fields) {
  sentValues.set(li.dataset.item, { ...(sentValues.get(li.dataset.item) || {}), ...fields });
}

/** Fields of an item that an op of ours still carries to the server (not to be overwritten). */
function pendingFields(itemUuid) {
  const fields = new Set();
  unacked.forEach((op) => { if (op.item === itemUuid) Object.keys(op.fields || {}).forEach((f) => fields.add(f)); });
  return fields;
}

const hasPending = (itemUuid) => [...unacked.values()].some((op) => op.item === itemUuid);

// --- whose words were replaced --------------------------------------------------------------------
// The rule is the server's (safety_plans/ops.py, `_replaced_words`): an edit that changes a field
// whose words another person set at the same time (after the edit's base version), or saved at
// most 120 s before (on purpose or by autosave), reports them in its result and in the feed. The
// person whose words were replaced gets "… replaced what you wrote: “…”" with "Get my text back",
// the one who replaced them "Your change replaced what … wrote" with "Bring …'s text back" (each
// brings the words back as a new edit, in the history). A notice lasts while it is true: it goes
// once a later change (a higher revision) sets the field to the words it offers, or changes the
// field and is by the person whose words they were (they wrote anew), or removes the item. The
// person's own later words replacing their own are not a reason: the offered words are still gone.
const writes = new Map();    // `${item} ${field}` -> [{ revision, author, value }] heard, newest last
const removals = new Map();  // item uuid -> the latest revision that removed it

function heard(itemUuid, fields, revision, author) {
  if (!revision) return;
  Object.entries(fields || {}).forEach(([name, value]) => {
    const key = `${itemUuid} ${name}`;
    writes.set(key, [...(writes.get(key) || []), { revision, author: String(author), value: String(value) }].slice(-50));
  });
}

function heardRemoval(itemUuid, revision) {
  if (revision) removals.set(itemUuid, Math.max(removals.get(itemUuid) || 0, revision));
}

/** Whether a notice about replaced words (see `notice`'s `about`) has stopped being true. */
function isPast(itemUuid, about) {
  const after = Number(about.revision);
  if ((removals.get(itemUuid) || 0) > after) return true;
  return (writes.get(`${itemUuid} ${about.field}`) || [])
    .some((w) => w.revision > after && (w.value === String(about.offer) || w.author === String(about.writer)));
}

function dropPast(li) {
  if (!li) return;
  li.querySelectorAll(':scope > .co-notice[data-kind="conflict"][data-field]').forEach((box) => {
    if (isPast(li.dataset.item, box.dataset)) box.remove();
  });
}

/** Offer replaced words back (`c` as the server reports them), unless that is already past. */
function offerBack(li, c, revision, text, label) {
  const about = { field: c.field, offer: c.overwritten, writer: c.author_id, revision };
  if (isPast(li.dataset.item, about)) return;
  notice(li, 'conflict', text, { label, action: () => bringBack(li, c.field, c.overwritten) }, about);
}

// --- sending: everything goes through the sync module ---------------------------------------------
function submit(ops) {
  ops.forEach((op) => { op.uuid = op.uuid || uuid(); mine.add(op.uuid); unacked.set(op.uuid, op); });
  return box.send({ url: changesUrl, method: 'POST', body: { ops }, kind: 'plan-ops', label: T.outboxLabel, csrf: csrf() })
    .then((outcome) => {
      if (outcome.type === 'waiting') ops.forEach((op) => setWaiting(itemEl(op.item), true));
      return outcome;
    });
}

function advance() {
  while (ownRevisions.has(revision + 1)) { ownRevisions.delete(revision + 1); revision += 1; }
}

function handleResults(ops, results) {
  (results || []).forEach((result, n) => {
    const op = ops[n] || {};
    if (!mine.has(result.op)) { catchUp(); return; }  // another tab's op: the feed shows it
    unacked.delete(result.op);
    if (result.status !== 'kept' && ['add', 'edit'].includes(op.type)) heard(result.item, op.fields, result.revision, me);
    if (result.status !== 'kept' && op.type === 'delete') heardRemoval(result.item, result.revision);
    let li = itemEl(result.item);
    if (!li && op.type === 'add') li = createItem({ uuid: op.item, section: op.section, version: result.version, ...op.fields });
    // A restore, a move or a removal places the item where the server says (in the plan or in
    // the removed list): learn it from the feed.
    const placed = li && !['restore', 'move', 'delete'].includes(op.type) && result.status !== 'kept';
    if (result.revision) newest = Math.max(newest, result.revision);
    if (placed && result.revision) ownRevisions.add(result.revision);
    if (!li) { catchUp(); return; }
    if (!hasPending(result.item)) setWaiting(li, false);
    // A removal that was kept changed nothing of ours: its version is the server's, with words
    // this page may not have yet (the feed brings them), so it is not ours to claim.
    if (result.version && result.status !== 'kept') li.dataset.version = Math.max(Number(li.dataset.version), result.version);
    if (op.type === 'edit' && result.version && result.status !== 'kept') settleHeld(li, op, result.version);
    dropNotices(li, 'error');
    if (li.coRemote && li.coRemote.version <= Number(li.dataset.version)) { li.coRemote = null; dropNotices(li, 'typing'); }
    else if (li.coRemote && !hasPending(result.item) && !writingIn(li)) mergeRemote(li);
    if (result.status === 'kept') {
      li.hidden = false;
      dropRemoved(result.item);
      dropUndo(result.item);  // it was not removed: no "Removed … Restore" under it
      notice(li, 'kept', T.kept);
      fixArrows(li.parentElement);
    }
    if (result.restored) {
      // Our edit brought back an item someone removed: "removed while you wrote" is past.
      li.hidden = false;
      dropRemoved(result.item);
      dropUndo(result.item);
      if (li.coDeleted) { li.coDeleted = false; if (!li.coRemote) dropNotices(li, 'typing'); }
    }
    if (result.status === 'conflict') {
      dropNotices(li, 'typing');
      result.conflicts.forEach((c) => offerBack(li, c, result.revision,
        fmt(T.iReplaced, { name: c.author_name, text: c.overwritten }), fmt(T.bringTheirs, { name: c.author_name })));
    }
    dropPast(li);
    if ((op.type === 'edit' || op.type === 'add') && result.status !== 'kept') announce(T.saved);
  });
  if ((results || []).length) planChanged();
  advance();
  settle();
}

function refused(ops, body) {
  const index = (body && body.op_index) || 0;
  const message = (body && body.message) || '';
  if (body && body.status === 404 && body.error !== 'unknown_item') { letGo(); return; }
  ops.forEach((op) => unacked.delete(op.uuid));
  const op = ops[index] || ops[0];
  if (!op) return;
  const li = itemEl(op.item);
  if (op.type === 'add') {
    // Roll the add back: the words go back into the form, with the reason beside the field.
    if (li) { const list = li.parentElement; li.remove(); fixArrows(list); }
    const form = addFormOf(op.section);
    if (form) {
      const input = form.querySelector('[name="text"]:not([type="hidden"])');
      if (!input.value.trim()) fillAddForm(form, op.fields || {});
      const field = (body && body.field) || fieldOfError(body, form);
      showFieldError(form.querySelector(`[name="${field}"]:not([type="hidden"])`) || input, message);
    } else announce(message);
    return;
  }
  if (!li) { announce(message); return; }
  setWaiting(li, hasPending(op.item));
  li.hidden = false;
  if (op.type === 'edit') {
    // The words stay in the field to be put right; the server's copy is what we last knew.
    const values = sentValues.get(op.item) || {};
    Object.keys(op.fields || {}).forEach((name) => { delete values[name]; });
    const field = Object.keys(op.fields || {}).find((name) => problemWith(inputOf(li, name) || {}, words)) || Object.keys(op.fields || {})[0];
    const input = inputOf(li, field);
    li.querySelector('details').open = true;
    if (input) showFieldError(input, message); else notice(li, 'error', message);
  } else notice(li, 'error', message);
}

/** The sync module's news, for this page's ops and for ops other tabs of ours made. */
function onSync(event) {
  if (!event || !event.entry || event.entry.url !== changesUrl) return;
  const ops = (event.entry.body && event.entry.body.ops) || [];
  if (event.type === 'sent' && event.answer) handleResults(ops, event.answer.results);
  if (event.type === 'refused' && ops.some((op) => mine.has(op.uuid))) {
    refused(ops, event.answer);
    box.dismiss(event.entry.id);  // shown to the person, with their words back in the form
    settle();
  }
}

function bringBack(li, field, text) {
  dropNotices(li, 'typing');
  li.coRemote = null;
  setField(li, field, text);
  submit([{ type: 'edit', item: li.dataset.item, base_version: Number(li.dataset.version), fields: { [field]: text } }]);
  known(li, { [field]: text });
}

// --- the person's own edits -----------------------------------------------------------------------
function changedFields(li) {
  const now = valuesOf(li);
  const before = sentValues.get(li.dataset.item) || {};
  const fields = {};
  Object.keys(now).forEach((name) => { if (now[name] !== before[name]) fields[name] = now[name]; });
  return fields;
}

function saveItem(li) {
  stopTyping(li.dataset.item);
  const fields = changedFields(li);
  if (Object.keys(fields).length === 0 || !checkFields(li, fields)) return;
  dropNotices(li, 'error');
  Object.entries(fields).forEach(([name, value]) => {
    li.querySelectorAll(`[data-show="${name}"]`).forEach((el) => { el.textContent = value; });
  });
  submit([{ type: 'edit', item: li.dataset.item, base_version: Number(li.dataset.version), fields }]);
  known(li, fields);
}

function mergeRemote(li) {
  if (li.coDeleted) {
    li.coDeleted = false;
    dropNotices(li, 'typing');
    if (!hasPending(li.dataset.item)) { const list = li.parentElement; li.remove(); fixArrows(list); }
    else catchUp();  // our edit brings it back: the feed says where it stands
    return;
  }
  const remote = li.coRemote;
  if (!remote) return;
  dropNotices(li, 'typing');
  if (remote.version <= Number(li.dataset.version)) { li.coRemote = null; return; }  // ours came later
  const ours = { ...changedFields(li) };
  const pending = pendingFields(li.dataset.item);
  pending.forEach((name) => { ours[name] = true; });
  const applied = {};
  FIELDS.forEach((name) => { if (!(name in ours) && name in remote) { setField(li, name, remote[name]); applied[name] = remote[name]; } });
  known(li, applied);
  // While an op of ours on this item is unanswered, which came first on the server is unknown:
  // keep their change until the answer says (a later version of ours supersedes it).
  if (pending.size === 0) {
    li.coRemote = null;
    li.dataset.version = Math.max(Number(li.dataset.version), remote.version);
  }
}

// Someone's change of a field an unanswered op of ours carries: which came first on the server is
// unknown, so it is held until our answer says (its version older than theirs: theirs is shown).
function hold(li, name, value, version) {
  li.coHeld = li.coHeld || {};
  if (!li.coHeld[name] || li.coHeld[name].version < version) li.coHeld[name] = { value, version };
}

function settleHeld(li, op, version) {
  const held = li.coHeld || {};
  const pending = pendingFields(li.dataset.item);
  const unsent = changedFields(li);
  Object.keys(op.fields || {}).forEach((name) => {
    const theirs = held[name];
    if (!theirs || pending.has(name)) return;  // another op of ours carries it: that answer decides
    delete held[name];
    if (theirs.version > version && !(name in unsent)) {
      setField(li, name, theirs.value);
      known(li, { [name]: theirs.value });
    }
  });
}

function createItem(snapshot) {
  const li = drawItem(snapshot);
  if (li) enhanceItem(li);
  return li;
}

// --- others' changes ------------------------------------------------------------------------------
function applyChange(change) {
  const snap = change.after;
  if (!snap || !snap.section || !['add', 'edit', 'move', 'delete', 'restore'].includes(change.op)) return;
  if (snap.deleted) heardRemoval(change.item, change.revision);
  else if (['add', 'edit'].includes(change.op)) {
    const wrote = {};
    FIELDS.forEach((name) => { if (name in snap && (!change.before || change.before[name] !== snap[name])) wrote[name] = snap[name]; });
    heard(change.item, wrote, change.revision, change.author_id);
  }
  placeChange(change);
  dropPast(itemEl(change.item));
}

function placeChange(change) {
  const snap = change.after;
  const ours = mine.has(change.op_uuid) || change.author_id === me;
  const who = change.author || T.someone;
  let li = itemEl(change.item);
  if (snap.deleted) {
    // Removed before a change of ours that brought it back (an edit does): already past.
    if (li && snap.version < Number(li.dataset.version)) return;
    if (li && writingIn(li) && !ours) {
      // Removed while this person writes in it: keep it until they leave; saving brings it back.
      li.coDeleted = true;
      notice(li, 'typing', fmt(T.removedWhileTyping, { name: who }));
    } else if (li && !hasPending(change.item)) { const list = li.parentElement; li.remove(); fixArrows(list); }
    if (!ours) announce(fmt(T.removedBy, { name: who, text: snap.text }));
    return;
  }
  dropRemoved(change.item);
  // The item is back (restored, or an edit brought it back): "Removed … Restore" is past, unless a
  // removal of ours waits for its answer or came later.
  if (!hasPending(change.item) && change.revision > (removals.get(change.item) || 0)) dropUndo(change.item);
  const drawn = !li;
  if (drawn) li = createItem(snap);
  if (!li) return;
  // Told whatever this page shows of the item: a newer version of ours may be another field's.
  (change.conflicts || []).forEach((c) => {
    if (c.author_id !== me || mine.has(change.op_uuid)) return;
    offerBack(li, c, change.revision, fmt(T.theyReplaced, { name: who, text: c.overwritten }), T.getMine);
  });
  if (!drawn && (snap.version < Number(li.dataset.version) || (snap.version === Number(li.dataset.version) && !ours))) {
    // We have a newer version (our own later change). Our own change at our version is still
    // applied: the server's item after it holds what others changed in other fields meanwhile.
    return;
  }
  li.hidden = false;
  const pending = pendingFields(change.item);
  const changed = FIELDS.filter((name) => !change.before || change.before[name] !== snap[name]);
  // The cursor is in a field they changed, typed in or not: someone who has just clicked into it
  // (or selected its words to type over them) would go on typing into the other person's text.
  const typingIn = changed.some((name) => inputOf(li, name) === document.activeElement);
  if (typingIn && !ours) {
    // Never replace text under the cursor: say so, and merge when they leave the item.
    li.coRemote = snap;
    notice(li, 'typing', fmt(T.typingNotice, { name: who }), { label: T.showTheirs, action: () => showTheirs(li) });
  } else {
    const applied = {};
    const unsaved = changedFields(li);  // words typed here and not sent yet are never replaced
    FIELDS.forEach((name) => {
      if (name in unsaved || !(name in snap)) return;
      if (pending.has(name)) {
        if (changed.includes(name) && !mine.has(change.op_uuid)) hold(li, name, snap[name], snap.version);
        return;
      }
      setField(li, name, snap[name]);
      applied[name] = snap[name];
    });
    known(li, applied);
    li.dataset.version = snap.version;
    if ('text' in applied && changed.includes('text')) setAuthor(li, change.author);
  }
  if (!ours) {
    mark(li, who);
    const key = { add: 'addedBy', edit: 'editedBy', move: 'movedBy', restore: 'addedBy' }[change.op];
    announce(fmt(T[key], { name: who, text: snap.text }));
  }
}

function showTheirs(li) {
  const remote = li.coRemote;
  if (!remote) return;
  li.coRemote = null;
  FIELDS.forEach((name) => setField(li, name, remote[name]));
  li.dataset.version = Math.max(Number(li.dataset.version), remote.version);
  known(li, valuesOf(li));
}

function applyOrder(order) {
  Object.entries(order || {}).forEach(([section, uuids]) => {
    const list = listOf(section);
    if (!list) return;
    // Move only what is out of place: moving a node blurs a field inside it.
    const wanted = uuids.map(itemEl).filter((li) => li && li.parentElement === list);
    wanted.forEach((li, n) => {
      const here = [...list.querySelectorAll(':scope > li[data-item]')];
      if (here[n] !== li) here[n].before(li);
    });
    [...list.querySelectorAll(':scope > li[data-item]')].forEach((li) => {
      if (!uuids.includes(li.dataset.item) && !hasPending(li.dataset.item)) li.remove();
    });
    fixArrows(list);
  });
}

let layoutStale = false;  // the last catch-up left the order alone: ask again once all is answered

function settle() {
  if (unacked.size === 0 && layoutStale) catchUp();
}

// Fetch what changed since our revision, one fetch at a time (a call meanwhile fetches once more after).
const catchUp = oneAtATime(async () => {
  if (gone || !navigator.onLine) return false;
  let again = false;
  try {
    let more = true;
    while (more) {
      const response = await fetch(`${changesUrl}?since=${revision}`, { credentials: 'same-origin' });
      if (response.status === 404) { letGo(); return; }
      if (!response.ok) return;
      box.kick();  // the server answers: whatever waits can go now
      const body = await response.json();
      body.changes.forEach((change) => {
        if (change.revision > revision) { applyChange(change); revision = change.revision; ownRevisions.delete(change.revision); }
      });
      if (body.changes.length) planChanged();
      more = body.more;
      if (!more) {
        revision = Math.max(revision, body.revision);
        newest = Math.max(newest, body.revision);
        // Our unanswered ops may move or bring back items, and an answer older than one of ours
        // does not know our latest: the order waits until both are settled.
        layoutStale = unacked.size > 0 || body.revision < newest;
        if (!layoutStale) {
          applyOrder(body.order);
          showRemoved(body.removed || [], wireRestore);
          dropUndoExcept(body.removed || []);  // brought back meanwhile, by anyone
        }
        else if (unacked.size === 0) again = true;
      }
    }
  } catch (e) { /* offline: the next event, poll or `online` tries again */ }
  return again;
});

// Access to this plan ended (the client ended the link): let go of it everywhere on this device.
function letGo() {
  if (gone) return;
  gone = true;
  channel.close();
  showGone();
  tellWorker({ type: 'forget-pages', prefix: `/plans/${planId}` });
}

// Writes still waiting on this device (from before a restart) are shown as they will be; refused
// ones go back into their forms with the reason, so nothing typed is lost.
async function resume() {
  for (const entry of await box.all()) {
    if (entry.url !== changesUrl) continue;
    const ops = (entry.body && entry.body.ops) || [];
    ops.forEach((op) => { mine.add(op.uuid); unacked.set(op.uuid, op); });
    if (entry.rejected) { refused(ops, entry.rejected.answer); box.dismiss(entry.id); continue; }
    ops.forEach((op) => {
      let li = itemEl(op.item);
      if (op.type === 'add' && !li) li = createItem({ uuid: op.item, section: op.section, version: 0, ...op.fields });
      if (!li) return;
      if (op.type === 'edit') { Object.entries(op.fields || {}).forEach(([name, value]) => setField(li, name, value)); known(li, op.fields); }
      if (op.type === 'delete') li.hidden = true;
      if (op.type === 'restore') li.hidden = false;
      setWaiting(li, true);
    });
  }
}

// --- the live channel -----------------------------------------------------------------------------
const channel = liveChannel(`${api}/events`, {
  hello(data) {
    showPresence(data.here, me);
    box.kick();
    advance();
    if (data.revision > revision) catchUp();
  },
  change(data) { advance(); if (data.revision > revision) catchUp(); },
  presence: (here) => showPresence(here, me),
  gone: letGo,
  polling: () => announce(T.polling),
  catchUp,
});

if (root && window.fetch && window.CSS && CSS.escape && box) {
  root.hidden = false;
  enhanceForms({
    submit, save: saveItem, leave(li) { saveItem(li); mergeRemote(li); }, known,
    sentText: (itemUuid) => (sentValues.get(itemUuid) || {}).text || '', createItem,
  });
  box.subscribe(onSync);
  resume().catch(() => null).finally(() => { channel.connect(); box.kick(); });
  window.addEventListener('online', () => { box.kick(); catchUp(); channel.connect(); });
  window.addEventListener('offline', () => channel.pause());
  document.addEventListener('visibilitychange', () => { if (!document.hidden) { box.kick(); catchUp(); channel.connect(); } });
  window.addEventListener('pageshow', (e) => { if (e.persisted) { catchUp(); channel.connect(); } });
  // For tests and the convergence check: what the page shows, and whether it is quiet.
  window.TryggEditor = { shown: shownPlan, quiet: () => unacked.size === 0 && !catchUp.busy(), revision: () => revision };
}
