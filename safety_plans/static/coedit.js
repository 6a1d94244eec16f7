// The live co-editor: enhances the plain editor forms. Typing saves as ops (debounced, and on
// blur), others' changes arrive through server-sent events and are applied without a reload,
// conflicts are told to both authors with a one-tap way back, and ops made offline wait in the
// outbox until the server has them. Without this file the page still works as plain forms.
const root = document.getElementById('coedit');
const T = root ? root.dataset : {};
const planId = T.plan;
const me = Number(T.me);
const api = `/api/v1/plans/${planId}`;
const DEBOUNCE_MS = 600;
const POLL_MS = 4000;

let revision = Number(T.revision);
const queue = [];             // ops not yet handed to the server or the outbox
const waiting = new Map();    // op uuid -> op, sent to the outbox and not yet acknowledged
const mine = new Set();       // uuids of ops made on this page (their feed entries are ours)
const sentValues = new Map(); // item uuid -> the field values the server has (or will have) from us
const typingTimers = new Map();
let sending = false;
let pollTimer = null;
let source = null;

const fmt = (template, values) => (template || '').replace(/\{(\w+)\}/g, (_, key) => values[key] ?? '');
const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);
const itemEl = (id) => document.querySelector(`li[data-item="${CSS.escape(id)}"]`);
const FIELDS = ['text', 'phone', 'sms_message', 'agreed'];

function announce(message) {
  const region = root.querySelector('[data-announce]');
  region.textContent = '';
  setTimeout(() => { region.textContent = message; }, 50);
}

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
  line.textContent = names.length === 1 ? fmt(T.hereOne, { name: names[0] }) : fmt(T.hereMany, { names: names.join(', ') });
}

// --- reading and writing an item's fields ---------------------------------------------------------
function inputOf(li, name) {
  return li.querySelector(`form[data-form="edit"] [name="${name}"]:not([type="hidden"])`);
}

function valuesOf(li) {
  const values = {};
  FIELDS.forEach((name) => {
    const input = inputOf(li, name);
    if (input) values[name] = input.type === 'checkbox' ? input.checked : input.value.trim();
  });
  return values;
}

function setField(li, name, value) {
  const input = inputOf(li, name);
  if (!input) return;
  if (input.type === 'checkbox') input.checked = Boolean(value); else input.value = value ?? '';
  li.querySelectorAll(`[data-show="${name}"]`).forEach((el) => { el.textContent = value ?? ''; });
}

function remember(li) { sentValues.set(li.dataset.item, valuesOf(li)); }

function notice(li, kind, text, button) {
  li.querySelectorAll(`.co-notice[data-kind="${kind}"]`).forEach((n) => n.remove());
  const box = document.createElement('div');
  box.className = 'co-notice';
  box.dataset.kind = kind;
  box.setAttribute('role', 'status');
  const p = document.createElement('p');
  p.textContent = text;
  box.append(p);
  if (button) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button';
    b.textContent = button.label;
    b.addEventListener('click', () => { box.remove(); button.action(); });
    box.append(b);
  }
  li.prepend(box);
  announce(text);
  return box;
}

function mark(li, who) {
  li.querySelectorAll('.co-mark').forEach((m) => m.remove());
  const tag = document.createElement('span');
  tag.className = 'co-mark';
  tag.textContent = fmt(T.changedBy, { name: who });
  li.querySelector('summary').append(tag);
  li.classList.add('co-changed');
  setTimeout(() => { tag.remove(); li.classList.remove('co-changed'); }, 8000);
}

function setWaiting(li, on) {
  if (!li) return;
  let tag = li.querySelector('.co-waiting');
  if (on && !tag) {
    tag = document.createElement('span');
    tag.className = 'co-waiting';
    tag.textContent = T.waiting;
    li.querySelector('summary').append(tag);
  } else if (!on && tag) tag.remove();
}

function fixArrows(list) {
  const items = [...list.children].filter((li) => li.matches('li[data-item]'));
  items.forEach((li, n) => {
    li.querySelector('button[value="up"]').hidden = n === 0;
    li.querySelector('button[value="down"]').hidden = n === items.length - 1;
  });
}

function createItem(snapshot) {
  const template = document.querySelector(`template[data-item-template="${CSS.escape(snapshot.section)}"]`);
  if (!template) return null;
  const holder = document.createElement('div');
  holder.innerHTML = template.innerHTML.replaceAll('__ITEM__', snapshot.uuid);
  const li = holder.querySelector('li');
  li.dataset.version = snapshot.version || 0;
  FIELDS.forEach((name) => setField(li, name, snapshot[name]));
  enhanceItem(li);
  document.querySelector(`ol[data-list="${CSS.escape(snapshot.section)}"]`).append(li);
  remember(li);
  return li;
}

// --- sending ops ----------------------------------------------------------------------------------
function send(op) {
  op.uuid = op.uuid || uuid();
  mine.add(op.uuid);
  queue.push(op);
  flushSoon();
}

let flushTimer = null;
function flushSoon() {
  clearTimeout(flushTimer);
  flushTimer = setTimeout(sendQueue, 0);
}

async function outbox() {
  if (!self.TryggOutbox) {
    try { await import('/assets/pwa/outbox-core.js'); } catch (e) { /* no outbox on this browser */ }
  }
  return self.TryggOutbox || null;
}

async function toOutbox(ops) {
  const box = await outbox();
  if (!box) { queue.unshift(...ops); setTimeout(sendQueue, POLL_MS); return; }
  await box.add({ url: `${api}/changes`, method: 'POST', body: { ops }, kind: 'plan-ops', label: T.outboxLabel, csrf: csrf() });
  ops.forEach((op) => { waiting.set(op.uuid, op); setWaiting(itemEl(op.item), true); });
}

async function post(ops) {
  const response = await fetch(`${api}/changes`, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
    body: JSON.stringify({ ops }),
  });
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  return { status: response.status, body };
}

async function sendQueue() {
  if (sending || queue.length === 0) return;
  sending = true;
  const ops = queue.splice(0, 100);
  try {
    // Anything already waiting in the outbox goes first, so later ops never overtake it.
    if (waiting.size || !navigator.onLine) { await toOutbox(ops); return; }
    let answer;
    try { answer = await post(ops); } catch (e) { await toOutbox(ops); return; }
    if (answer.status >= 200 && answer.status < 300) handleResults(ops, answer.body.results);
    else if (answer.status >= 500 || [401, 403, 408, 429].includes(answer.status)) await toOutbox(ops);
    else refused(ops, answer.body);
  } finally {
    sending = false;
    if (queue.length) flushSoon();
  }
}

function refused(ops, body) {
  const op = ops[(body && body.op_index) || 0] || ops[0];
  const li = op && itemEl(op.item);
  const message = (body && body.message) || '';
  if (li) { li.hidden = false; notice(li, 'error', message); } else announce(message);
}

function handleResults(ops, results) {
  (results || []).forEach((result, n) => {
    const op = ops[n] || {};
    waiting.delete(result.op);
    const li = itemEl(result.item);
    if (!li) return;
    if (![...waiting.values()].some((w) => w.item === result.item)) setWaiting(li, false);
    if (result.version) li.dataset.version = Math.max(Number(li.dataset.version), result.version);
    li.querySelectorAll('.co-notice[data-kind="error"]').forEach((x) => x.remove());
    if (result.status === 'kept') { li.hidden = false; notice(li, 'kept', T.kept); }
    if (result.restored) li.hidden = false;
    if (result.status === 'conflict') {
      result.conflicts.forEach((c) => {
        notice(li, 'conflict', fmt(T.iOverwrote, { name: c.author_name, text: c.overwritten }), {
          label: fmt(T.bringTheirs, { name: c.author_name }),
          action: () => bringBack(li, c.field, c.overwritten),
        });
      });
    }
    if (op.type === 'edit' || op.type === 'add') announce(T.saved);
  });
}

function bringBack(li, field, text) {
  setField(li, field, text);
  send({ type: 'edit', item: li.dataset.item, base_version: Number(li.dataset.version), fields: { [field]: text } });
  remember(li);
}

// After the outbox sends our ops (now or from another tab), ask again for their results: the ops
// are idempotent, so the server answers with the first results (conflicts included).
let reconciling = false;
async function reconcile() {
  if (reconciling || waiting.size === 0) return;
  reconciling = true;
  try {
    const box = await outbox();
    const still = new Set();
    for (const entry of await box.pending()) (entry.body.ops || []).forEach((op) => still.add(op.uuid));
    const done = [...waiting.values()].filter((op) => !still.has(op.uuid));
    if (done.length) {
      const answer = await post(done);
      if (answer.status >= 200 && answer.status < 300) handleResults(done, answer.body.results);
    }
    catchUp();
  } catch (e) { /* next time */ } finally { reconciling = false; }
}

async function online() {
  const box = await outbox();
  if (box) {
    try {
      for (const { entry, answer } of await box.flush()) {
        if (entry.kind === 'plan-ops' && entry.url === `${api}/changes` && answer) handleResults(entry.body.ops, answer.results);
      }
    } catch (e) { /* still offline */ }
  }
  await reconcile();
  sendQueue();
  catchUp();
  connect();
}

// --- the user's own edits -------------------------------------------------------------------------
function changedFields(li) {
  const now = valuesOf(li);
  const before = sentValues.get(li.dataset.item) || {};
  const fields = {};
  Object.keys(now).forEach((name) => { if (now[name] !== before[name]) fields[name] = now[name]; });
  return fields;
}

function saveItem(li) {
  clearTimeout(typingTimers.get(li.dataset.item));
  const fields = changedFields(li);
  if (Object.keys(fields).length === 0) return;
  if ('text' in fields && !fields.text) { notice(li, 'error', T.empty); return; }
  li.querySelectorAll('.co-notice[data-kind="error"]').forEach((x) => x.remove());
  Object.entries(fields).forEach(([name, value]) => {
    li.querySelectorAll(`[data-show="${name}"]`).forEach((el) => { el.textContent = value; });
  });
  send({ type: 'edit', item: li.dataset.item, base_version: Number(li.dataset.version), fields });
  remember(li);
}

function mergeRemote(li) {
  const remote = li.coRemote;
  if (!remote) return;
  li.coRemote = null;
  li.querySelectorAll('.co-notice[data-kind="typing"]').forEach((x) => x.remove());
  const ours = changedFields(li);
  FIELDS.forEach((name) => { if (!(name in ours) && name in remote) setField(li, name, remote[name]); });
  li.dataset.version = Math.max(Number(li.dataset.version), remote.version);
  const known = sentValues.get(li.dataset.item) || {};
  FIELDS.forEach((name) => { if (!(name in ours) && name in remote) known[name] = remote[name]; });
  sentValues.set(li.dataset.item, known);
}

function enhanceItem(li) {
  const form = li.querySelector('form[data-form="edit"]');
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
  form.addEventListener('submit', (e) => { e.preventDefault(); saveItem(li); mergeRemote(li); li.querySelector('details').open = false; });
  li.querySelector('form[data-form="row"]').addEventListener('submit', (e) => {
    e.preventDefault();
    const action = e.submitter && e.submitter.value;
    const list = li.parentElement;
    if (action === 'delete') {
      saveItem(li);
      send({ type: 'delete', item: li.dataset.item, base_version: Number(li.dataset.version) });
      li.hidden = true;
      const text = (sentValues.get(li.dataset.item) || {}).text || '';
      const status = document.createElement('li');
      status.className = 'co-undo';
      notice(status, 'undo', fmt(T.removed, { text }), {
        label: T.restore,
        action: () => { status.remove(); li.hidden = false; send({ type: 'restore', item: li.dataset.item }); },
      });
      li.after(status);
      setTimeout(() => status.remove(), 30000);
      return;
    }
    const siblings = [...list.querySelectorAll(':scope > li[data-item]:not([hidden])')];
    const index = siblings.indexOf(li);
    const to = action === 'up' ? Math.max(0, index - 1) : Math.min(siblings.length - 1, index + 1);
    if (to === index) return;
    if (action === 'up') siblings[to].before(li); else siblings[to].after(li);
    fixArrows(list);
    send({ type: 'move', item: li.dataset.item, position: to });
    e.submitter.focus();
  });
  remember(li);
}

function addFromForm(form, text, extra) {
  const section = form.querySelector('[name="section"]').value;
  const id = uuid();
  const fields = { text, ...extra };
  const li = createItem({ uuid: id, section, version: 0, text, phone: fields.phone || '', sms_message: fields.sms_message || '', agreed: Boolean(fields.agreed) });
  fixArrows(li.parentElement);
  send({ type: 'add', item: id, section, fields });
}

function enhanceForms() {
  document.querySelectorAll('li[data-item]').forEach(enhanceItem);
  document.querySelectorAll('form[data-form="add"]').forEach((form) => form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const text = (data.get('text') || '').trim();
    if (!text) { form.querySelector('[name="text"]').focus(); announce(T.empty); return; }
    const extra = {};
    ['phone', 'sms_message'].forEach((name) => { const v = (data.get(name) || '').trim(); if (v) extra[name] = v; });
    if (data.get('agreed') === 'y') extra.agreed = true;
    addFromForm(form, text, extra);
    form.querySelectorAll('input[type="text"], input[type="tel"]').forEach((i) => { i.value = ''; });
    form.querySelectorAll('input[type="checkbox"]').forEach((i) => { i.checked = false; });
  }));
  document.querySelectorAll('form[data-form="idea"]').forEach((form) => form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (e.submitter && e.submitter.value) addFromForm(form, e.submitter.value, {});
  }));
  document.querySelectorAll('form[data-form="restore"]').forEach((form) => form.addEventListener('submit', (e) => {
    e.preventDefault();
    send({ type: 'restore', item: form.querySelector('[name="item"]').value });
    form.closest('li').remove();
  }));
}

// --- others' changes ------------------------------------------------------------------------------
function applyChange(change) {
  const snap = change.after;
  if (!snap || !snap.section || !['add', 'edit', 'move', 'delete', 'restore'].includes(change.op)) return;
  const ours = mine.has(change.op_uuid);
  const who = change.author || T.someone;
  let li = itemEl(change.item);
  if (snap.deleted) {
    if (li && !ours) {
      li.remove();
      announce(fmt(T.removedBy, { name: who, text: snap.text }));
    }
    return;
  }
  if (!li) {
    li = createItem(snap);
    if (!li) return;
  } else if (ours) {
    li.dataset.version = Math.max(Number(li.dataset.version), snap.version);
    return;
  }
  li.hidden = false;
  if (!ours) {
    const changed = FIELDS.filter((name) => change.before && change.before[name] !== snap[name]);
    const typingIn = changed.some((name) => inputOf(li, name) === document.activeElement);
    if (typingIn) {
      // Never replace text under the cursor: say so, and merge when they leave the item.
      li.coRemote = snap;
      notice(li, 'typing', fmt(T.typingNotice, { name: who }), { label: T.showTheirs, action: () => showTheirs(li) });
    } else {
      FIELDS.forEach((name) => setField(li, name, snap[name]));
      li.dataset.version = snap.version;
      remember(li);
    }
    mark(li, who);
    const key = { add: 'addedBy', edit: 'editedBy', move: 'movedBy', restore: 'addedBy' }[change.op];
    announce(fmt(T[key], { name: who, text: snap.text }));
  }
  (change.conflicts || []).forEach((c) => {
    if (c.author_id !== me || ours) return;
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
  remember(li);
}

function applyOrder(order) {
  Object.entries(order || {}).forEach(([section, uuids]) => {
    const list = document.querySelector(`ol[data-list="${CSS.escape(section)}"]`);
    if (!list) return;
    // Move only what is out of place: moving a node blurs a field inside it.
    const wanted = uuids.map(itemEl).filter((li) => li && li.parentElement === list);
    wanted.forEach((li, n) => {
      const here = [...list.querySelectorAll(':scope > li[data-item]')];
      if (here[n] !== li) here[n].before(li);
    });
    [...list.querySelectorAll(':scope > li[data-item]')].forEach((li) => {
      if (!uuids.includes(li.dataset.item) && ![...waiting.values(), ...queue].some((op) => op.item === li.dataset.item)) li.remove();
    });
    fixArrows(list);
  });
}

let catching = null;
let again = false;
function catchUp() {
  if (!navigator.onLine) return null;
  if (catching) { again = true; return catching; }
  catching = (async () => {
    try {
      let more = true;
      while (more) {
        const response = await fetch(`${api}/changes?since=${revision}`, { credentials: 'same-origin' });
        if (!response.ok) return;
        const body = await response.json();
        body.changes.forEach((change) => { if (change.revision > revision) { applyChange(change); revision = change.revision; } });
        more = body.more;
        if (!more) {
          revision = Math.max(revision, body.revision);
          if (!queue.length && !sending) applyOrder(body.order);
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
  if (!window.EventSource || !navigator.onLine || (source && source.readyState !== EventSource.CLOSED)) return;
  source = new EventSource(`${api}/events`);
  source.addEventListener('hello', (e) => {
    const data = JSON.parse(e.data);
    showPresence(data.here);
    if (data.revision > revision) catchUp();
  });
  source.addEventListener('change', (e) => { if (JSON.parse(e.data).revision > revision) catchUp(); });
  source.addEventListener('presence', (e) => showPresence(JSON.parse(e.data).here));
  source.addEventListener('error', () => {
    // A refused stream (503 busy, or the page is signed out) closes for good: poll instead.
    if (source.readyState === EventSource.CLOSED) { if (navigator.onLine) poll(); }
  });
}

if (root && window.fetch && window.CSS && CSS.escape) {
  root.hidden = false;
  enhanceForms();
  connect();
  window.addEventListener('online', online);
  window.addEventListener('offline', () => { if (source) { source.close(); source = null; } });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) { catchUp(); reconcile(); connect(); } });
  outbox().then((box) => box && box.subscribe(() => reconcile()));
}
