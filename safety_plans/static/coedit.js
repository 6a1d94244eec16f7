// The live co-editor: enhances the plain editor forms. Every write goes through the app's one
// sync module (pwa/static/outbox-core.js), which queues, sends, retries and tells every page the
// results; this file turns typing into ops, applies results and others' changes, and keeps the
// page equal to what a fresh load would show. Without this file the page works as plain forms.
import '/assets/pwa/outbox-core.js';
import { clearFieldError, csrf, fmt, problemWith, showFieldError, uuid, watchLimits } from '/assets/pwa/helpers.js';
import {
  FIELDS, T, addFormOf, addFormValues, addRemoved, announce, clearAddForm, drawItem, dropNotices,
  dropRemoved, fillAddForm, fixArrows, inputOf, itemEl, listOf, mark, notice, root, setAuthor, setField,
  setWaiting, showRemoved, shownPlan, valuesOf,
} from './coedit-view.js';

const box = self.TryggOutbox;
const planId = T.plan;
const me = Number(T.me);
const api = `/api/v1/plans/${planId}`;
const changesUrl = `${api}/changes`;
const DEBOUNCE_MS = 600;
const POLL_MS = 4000;

let revision = Number(T.revision);
let newest = revision;          // the newest revision this page has heard of (its own ops' too)
const ownRevisions = new Set(); // revisions our own ops made: never fetched back
const mine = new Set();         // uuids of ops made on this page
const unacked = new Map();      // op uuid -> op, handed to the sync module, no answer yet
const sentValues = new Map();   // item uuid -> the field values the server has (or will have) from us
const typingTimers = new Map();
let source = null;
let pollTimer = null;
let gone = false;

const words = {
  tooLong: T.tooLong, badPhone: T.badPhone, leftOne: T.leftOne, leftMany: T.leftMany,
  overOne: T.overOne, overMany: T.overMany,
};

function nameOf(person) {
  const key = person.role === 'therapist' ? 'roleTherapist' : person.role === 'client' ? 'roleClient' : null;
  return key ? fmt(T[key], { name: person.name }) : person.name;
}

function showPresence(here) {
  const seen = new Map();
  (here || []).forEach((p) => { if (p.id !== me) seen.set(p.id, p); });
  const line = root.querySelector('[data-presence]');
  const names = [...seen.values()].map(nameOf);
  line.hidden = names.length === 0;
  line.textContent = names.length === 0 ? '' : names.length === 1 ? fmt(T.hereOne, { name: names[0] })
    : fmt(T.hereMany, { names: names.join(', ') });
}

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
    let li = itemEl(result.item);
    if (!li && op.type === 'add') li = createItem({ uuid: op.item, section: op.section, version: result.version, ...op.fields });
    // A restore, a move or a removal places the item where the server says (in the plan or in
    // the removed list): learn it from the feed.
    const placed = li && !['restore', 'move', 'delete'].includes(op.type) && result.status !== 'kept';
    if (result.revision) newest = Math.max(newest, result.revision);
    if (placed && result.revision) ownRevisions.add(result.revision);
    if (!li) { catchUp(); return; }
    if (!hasPending(result.item)) setWaiting(li, false);
    if (result.version) li.dataset.version = Math.max(Number(li.dataset.version), result.version);
    dropNotices(li, 'error');
    if (li.coRemote && li.coRemote.version <= Number(li.dataset.version)) { li.coRemote = null; dropNotices(li, 'typing'); }
    else if (li.coRemote && !hasPending(result.item) && !li.contains(document.activeElement)) mergeRemote(li);
    if (result.status === 'kept') { li.hidden = false; dropRemoved(result.item); notice(li, 'kept', T.kept); fixArrows(li.parentElement); }
    if (result.restored) { li.hidden = false; dropRemoved(result.item); }
    if (result.status === 'conflict') {
      dropNotices(li, 'typing');
      result.conflicts.forEach((c) => {
        notice(li, 'conflict', fmt(T.iOverwrote, { name: c.author_name, text: c.overwritten }), {
          label: fmt(T.bringTheirs, { name: c.author_name }),
          action: () => bringBack(li, c.field, c.overwritten),
        });
      });
    }
    if ((op.type === 'edit' || op.type === 'add') && result.status !== 'kept') announce(T.saved);
  });
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

function fieldOfError(body, form) {
  if (body && body.error === 'bad_phone') return 'phone';
  const inputs = [...form.querySelectorAll('[data-limit]')];
  const over = inputs.find((input) => input.value.trim().length > Number(input.dataset.limit));
  return over ? over.name : 'text';
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
  dropNotices(li, 'conflict', 'typing');
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

function checkFields(li, fields) {
  let ok = true;
  Object.keys(fields).forEach((name) => {
    const input = inputOf(li, name);
    const problem = name === 'text' && !fields.text ? T.empty : problemWith(input, words);
    if (problem) { showFieldError(input, problem); ok = false; } else clearFieldError(input);
  });
  return ok;
}

function saveItem(li) {
  clearTimeout(typingTimers.get(li.dataset.item));
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

function enhanceItem(li) {
  const form = li.querySelector('form[data-form="edit"]');
  if (!form) { known(li, valuesOf(li)); return; }  // read only here: others' changes still arrive
  watchLimits(form, words);
  form.addEventListener('input', () => {
    clearTimeout(typingTimers.get(li.dataset.item));
    typingTimers.set(li.dataset.item, setTimeout(() => saveItem(li), DEBOUNCE_MS));
  });
  form.addEventListener('change', (e) => { if (e.target.type === 'checkbox') saveItem(li); });
  form.addEventListener('focusout', (e) => {
    if (form.contains(e.relatedTarget)) return;
    saveItem(li);
    mergeRemote(li);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saveItem(li);
    mergeRemote(li);
    if (!form.querySelector('[aria-invalid="true"]')) {
      // Saved: close the item and put the focus on it (a hidden field must not stay focused, or
      // changes from others would wait for a "typing" that is over).
      li.querySelector('details').open = false;
      li.querySelector('summary').focus();
    }
  });
  li.querySelector('form[data-form="row"]').addEventListener('submit', (e) => {
    e.preventDefault();
    const action = e.submitter && e.submitter.value;
    if (action === 'delete') removeItem(li); else moveItem(li, action, e.submitter);
  });
  known(li, valuesOf(li));
}

function createItem(snapshot) {
  const li = drawItem(snapshot);
  if (li) enhanceItem(li);
  return li;
}

function removeItem(li) {
  saveItem(li);
  const text = (sentValues.get(li.dataset.item) || {}).text || '';
  submit([{ type: 'delete', item: li.dataset.item, base_version: Number(li.dataset.version) }]);
  li.hidden = true;
  fixArrows(li.parentElement);
  addRemoved({ uuid: li.dataset.item, text }, wireRestore);
  const status = document.createElement('li');
  status.className = 'co-undo';
  status.dataset.undo = li.dataset.item;
  notice(status, 'undo', fmt(T.removed, { text }), { label: T.restore, action: () => restoreItem(li.dataset.item) });
  li.after(status);
  setTimeout(() => status.remove(), 30000);
}

function moveItem(li, action, button) {
  const list = li.parentElement;
  const siblings = [...list.querySelectorAll(':scope > li[data-item]:not([hidden])')];
  const index = siblings.indexOf(li);
  const to = action === 'up' ? Math.max(0, index - 1) : Math.min(siblings.length - 1, index + 1);
  if (to === index) return;
  if (action === 'up') siblings[to].before(li); else siblings[to].after(li);
  fixArrows(list);
  submit([{ type: 'move', item: li.dataset.item, position: to }]);
  button.focus();
}

function restoreItem(itemUuid) {
  document.querySelectorAll(`li[data-undo="${CSS.escape(itemUuid)}"]`).forEach((n) => n.remove());
  dropRemoved(itemUuid);
  const li = itemEl(itemUuid);
  if (li) { li.hidden = false; fixArrows(li.parentElement); }
  submit([{ type: 'restore', item: itemUuid }]);
}

function wireRestore(li) {
  li.querySelector('form').addEventListener('submit', (e) => { e.preventDefault(); restoreItem(li.dataset.removed); });
}

async function addFromForm(form, fields, button) {
  const section = form.querySelector('[name="section"]').value;
  const text = form.querySelector('[name="text"]:not([type="hidden"])');
  if (form.dataset.busy) return;  // a double click adds once
  form.dataset.busy = '1';
  if (button) button.disabled = true;
  const op = { type: 'add', item: uuid(), section, fields };
  try {
    const outcome = await submit([op]);
    if (outcome.type === 'waiting') {
      // Kept on this device: show it now, marked as waiting, and free the form.
      if (!itemEl(op.item)) createItem({ uuid: op.item, section, version: 0, ...fields });
      setWaiting(itemEl(op.item), true);
    }
    if (outcome.type !== 'refused' && text) { clearAddForm(form); clearFieldError(text); }
  } finally {
    delete form.dataset.busy;
    if (button) button.disabled = false;
  }
}

function enhanceForms() {
  document.querySelectorAll('li[data-item]').forEach(enhanceItem);
  document.querySelectorAll('#removed li[data-removed]').forEach(wireRestore);
  document.querySelectorAll('form[data-form="add"]').forEach((form) => {
    watchLimits(form, words);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const fields = addFormValues(form);
      const text = form.querySelector('[name="text"]:not([type="hidden"])');
      const inputs = [...form.querySelectorAll('input[type="text"], input[type="tel"]')];
      inputs.forEach(clearFieldError);
      if (!fields.text) { showFieldError(text, T.empty); text.focus(); announce(T.empty); return; }
      const wrong = inputs.find((input) => problemWith(input, words));
      if (wrong) { showFieldError(wrong, problemWith(wrong, words)); wrong.focus(); return; }
      addFromForm(form, fields, e.submitter);
    });
  });
  document.querySelectorAll('form[data-form="idea"]').forEach((form) => form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (e.submitter && e.submitter.value) addFromForm(form, { text: e.submitter.value }, e.submitter);
  }));
}

// --- others' changes ------------------------------------------------------------------------------
function applyChange(change) {
  const snap = change.after;
  if (!snap || !snap.section || !['add', 'edit', 'move', 'delete', 'restore'].includes(change.op)) return;
  const ours = mine.has(change.op_uuid) || change.author_id === me;
  const who = change.author || T.someone;
  let li = itemEl(change.item);
  if (snap.deleted) {
    if (li && li.contains(document.activeElement) && !ours) {
      // Removed while this person writes in it: keep it until they leave; saving brings it back.
      li.coDeleted = true;
      notice(li, 'typing', fmt(T.removedWhileTyping, { name: who }));
    } else if (li && !hasPending(change.item)) { const list = li.parentElement; li.remove(); fixArrows(list); }
    if (!ours) announce(fmt(T.removedBy, { name: who, text: snap.text }));
    return;
  }
  dropRemoved(change.item);
  if (!li) {
    li = createItem(snap);
    if (!li) return;
  } else if (snap.version < Number(li.dataset.version) || (snap.version === Number(li.dataset.version) && !ours)) {
    // We have a newer version (our own later change). Our own change at our version is still
    // applied: the server's item after it holds what others changed in other fields meanwhile.
    return;
  }
  li.hidden = false;
  const pending = pendingFields(change.item);
  const changed = FIELDS.filter((name) => !change.before || change.before[name] !== snap[name]);
  const unsent = changedFields(li);  // typed here and not sent yet
  const typingIn = changed.some((name) => inputOf(li, name) === document.activeElement && name in unsent);
  if (typingIn && !ours) {
    // Never replace text under the cursor: say so, and merge when they leave the item.
    li.coRemote = snap;
    notice(li, 'typing', fmt(T.typingNotice, { name: who }), { label: T.showTheirs, action: () => showTheirs(li) });
  } else {
    const applied = {};
    const unsaved = changedFields(li);  // words typed here and not sent yet are never replaced
    FIELDS.forEach((name) => {
      if (pending.has(name) || name in unsaved || !(name in snap)) return;
      setField(li, name, snap[name]);
      applied[name] = snap[name];
    });
    known(li, applied);
    li.dataset.version = snap.version;
    if ('text' in applied && changed.includes('text')) setAuthor(li, change.author);
  }
  if (!ours) {
    if (changed.length) dropNotices(li, 'conflict');  // someone settled it: the old notice is past
    mark(li, who);
    const key = { add: 'addedBy', edit: 'editedBy', move: 'movedBy', restore: 'addedBy' }[change.op];
    announce(fmt(T[key], { name: who, text: snap.text }));
  }
  (change.conflicts || []).forEach((c) => {
    if (c.author_id !== me || mine.has(change.op_uuid)) return;
    notice(li, 'conflict', fmt(T.theyOverwrote, { name: who }), {
      label: T.bringMine, action: () => bringBack(li, c.field, c.overwritten),
    });
  });
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

let catching = null;
let again = false;
let layoutStale = false;  // the last catch-up left the order alone: ask again once all is answered

function settle() {
  if (unacked.size === 0 && layoutStale) catchUp();
}
function catchUp() {
  if (gone || !navigator.onLine) return null;
  if (catching) { again = true; return catching; }
  catching = (async () => {
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
        more = body.more;
        if (!more) {
          revision = Math.max(revision, body.revision);
          newest = Math.max(newest, body.revision);
          // Our unanswered ops may move or bring back items, and an answer older than one of ours
          // does not know our latest: the order waits until both are settled.
          layoutStale = unacked.size > 0 || body.revision < newest;
          if (!layoutStale) { applyOrder(body.order); showRemoved(body.removed || [], wireRestore); }
          else if (unacked.size === 0) again = true;
        }
      }
    } catch (e) { /* offline: the next event, poll or `online` tries again */ } finally {
      catching = null;
      if (again) { again = false; catchUp(); }
    }
  })();
  return catching;
}

// --- the live channel -----------------------------------------------------------------------------
function poll() {
  if (pollTimer) return;
  announce(T.polling);
  pollTimer = setInterval(catchUp, POLL_MS);
  setTimeout(() => { clearInterval(pollTimer); pollTimer = null; connect(); }, 60000);
}

function connect() {
  if (gone || !window.EventSource || !navigator.onLine || (source && source.readyState !== EventSource.CLOSED)) return;
  source = new EventSource(`${api}/events`);
  source.addEventListener('hello', (e) => {
    const data = JSON.parse(e.data);
    showPresence(data.here);
    box.kick();
    advance();
    if (data.revision > revision) catchUp();
  });
  source.addEventListener('change', (e) => { advance(); if (JSON.parse(e.data).revision > revision) catchUp(); });
  source.addEventListener('presence', (e) => showPresence(JSON.parse(e.data).here));
  source.addEventListener('gone', letGo);
  source.addEventListener('error', () => {
    // A refused stream (503 busy, or the page is signed out) closes for good: poll instead.
    if (source.readyState === EventSource.CLOSED && navigator.onLine) poll();
  });
}

// Access to this plan ended (the client ended the link): let go of it everywhere on this device.
function letGo() {
  if (gone) return;
  gone = true;
  if (source) source.close();
  clearInterval(pollTimer);
  const main = document.getElementById('main');
  const message = document.createElement('div');
  message.className = 'error-summary';
  message.setAttribute('role', 'alert');
  const p = document.createElement('p');
  p.textContent = T.gone;
  const link = document.createElement('a');
  link.href = '/';
  link.textContent = T.goHome;
  message.append(p, link);
  main.replaceChildren(message);
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: 'forget-pages', prefix: `/plans/${planId}` });
  }
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

if (root && window.fetch && window.CSS && CSS.escape && box) {
  root.hidden = false;
  enhanceForms();
  box.subscribe(onSync);
  resume().catch(() => null).finally(() => { connect(); box.kick(); });
  window.addEventListener('online', () => { box.kick(); catchUp(); connect(); });
  window.addEventListener('offline', () => { if (source) { source.close(); source = null; } });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) { box.kick(); catchUp(); connect(); } });
  window.addEventListener('pageshow', (e) => { if (e.persisted) { catchUp(); connect(); } });
  // For tests and the convergence check: what the page shows, and whether it is quiet.
  window.TryggEditor = { shown: shownPlan, quiet: () => unacked.size === 0 && !catching, revision: () => revision };
}
