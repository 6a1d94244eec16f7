// The co-editor's view: reading and writing an item's fields, notices, marks, the removed-items
// list and the add forms. No network here: coedit.js decides, this file draws.
import { fmt, messageBox } from '/assets/pwa/helpers.js';

export const root = document.getElementById('coedit');
export const T = root ? JSON.parse(root.dataset.words) : {};  // safety_plans/words/editor.json
export const FIELDS = ['text', 'phone', 'sms_message', 'agreed'];

/** Message templates for the length and phone checks (pwa/static/helpers.js). */
export const words = {
  tooLong: T.tooLong, badPhone: T.badPhone, leftOne: T.leftOne, leftMany: T.leftMany,
  overOne: T.overOne, overMany: T.overMany,
};

export const itemEl = (id) => document.querySelector(`li[data-item="${CSS.escape(id)}"]`);

export function announce(message) {
  const region = root.querySelector('[data-announce]');
  region.textContent = '';
  setTimeout(() => { region.textContent = message; }, 50);
}

export function inputOf(li, name) {
  return li.querySelector(`form[data-form="edit"] [name="${name}"]:not([type="hidden"])`);
}

export function valuesOf(li) {
  const values = {};
  FIELDS.forEach((name) => {
    const input = inputOf(li, name);
    if (input) values[name] = input.type === 'checkbox' ? input.checked : input.value.trim();
  });
  // An item this person only reads (the therapist's line in My hope) shows its words, no form.
  if (li.hasAttribute('data-readonly')) values.text = (li.querySelector('[data-show="text"]') || {}).textContent || '';
  return values;
}

/** The person's cursor is in one of the item's fields (not merely on it, as after saving). */
export function writingIn(li) {
  const active = document.activeElement;
  return Boolean(active && li.contains(active) && active.matches('input, textarea, select'));
}

export function setField(li, name, value) {
  const input = inputOf(li, name);
  if (!input && !li.hasAttribute('data-readonly')) return;
  if (input && input.type === 'checkbox') input.checked = Boolean(value); else if (input) input.value = value ?? '';
  li.querySelectorAll(`[data-show="${name}"]`).forEach((el) => { el.textContent = value ?? ''; });
}

/** Whose words an item is (the therapist's line in My hope names its writer). */
export function setAuthor(li, name) {
  if (name) li.querySelectorAll('[data-show-author]').forEach((el) => { el.textContent = name; });
}

/**
 * A notice on an item; one of each kind at a time, so a conflict is told once. A notice `about`
 * one field ({ field, offer, writer, revision }: the words it offers back, whose they are and the
 * revision that replaced them) is one per field, and keeps those so the editor can tell when it is past.
 */
export function notice(li, kind, text, button, about) {
  if (about) li.querySelectorAll(`:scope > .co-notice[data-kind="${kind}"]`).forEach((n) => { if (n.dataset.field === about.field) n.remove(); });
  else dropNotices(li, kind);
  const box = messageBox(text, button && { label: button.label, action: (self) => { self.remove(); button.action(); } });
  box.className = 'co-notice';
  box.dataset.kind = kind;
  if (about) Object.entries(about).forEach(([key, value]) => { box.dataset[key] = String(value); });
  box.setAttribute('role', 'status');
  // "Changed while you were writing" goes when the person leaves the field, which pressing another
  // notice's button does: below the others, its going never moves that button from under the pointer.
  const others = [...li.querySelectorAll(':scope > .co-notice:not([data-kind="typing"])')];
  if (kind === 'typing' && others.length) others[others.length - 1].after(box); else li.prepend(box);
  announce(text);
  return box;
}

export function dropNotices(li, ...kinds) {
  kinds.forEach((kind) => li.querySelectorAll(`:scope > .co-notice[data-kind="${kind}"]`).forEach((n) => n.remove()));
}

export function mark(li, who) {
  li.querySelectorAll('.co-mark').forEach((m) => m.remove());
  const tag = document.createElement('span');
  tag.className = 'co-mark';
  tag.textContent = fmt(T.changedBy, { name: who });
  li.querySelector('summary, [data-summary]').append(tag);
  li.classList.add('co-changed');
  setTimeout(() => { tag.remove(); li.classList.remove('co-changed'); }, 8000);
}

export function setWaiting(li, on) {
  if (!li) return;
  let tag = li.querySelector('.co-waiting');
  if (on && !tag) {
    tag = document.createElement('span');
    tag.className = 'co-waiting';
    tag.textContent = T.waiting;
    li.querySelector('summary, [data-summary]').append(tag);
  } else if (!on && tag) tag.remove();
}

export function fixArrows(list) {
  const items = [...list.children].filter((li) => li.matches('li[data-item]:not([hidden])'));
  items.forEach((li, n) => {
    const up = li.querySelector('button[value="up"]');
    const down = li.querySelector('button[value="down"]');
    if (up) up.hidden = n === 0;
    if (down) down.hidden = n === items.length - 1;
  });
}

export function listOf(section) {
  return document.querySelector(`ol[data-list="${CSS.escape(section)}"]`);
}

/** A new item drawn from its section's <template>; the caller wires it up. */
export function drawItem(snapshot) {
  const template = document.querySelector(`template[data-item-template="${CSS.escape(snapshot.section)}"]`);
  const list = listOf(snapshot.section);
  if (!template || !list) return null;
  const holder = document.createElement('div');
  holder.innerHTML = template.innerHTML.replaceAll('__ITEM__', snapshot.uuid);
  const li = holder.querySelector('li');
  li.dataset.version = snapshot.version || 0;
  FIELDS.forEach((name) => setField(li, name, snapshot[name]));
  list.append(li);
  fixArrows(list);
  return li;
}

// --- the add forms -------------------------------------------------------------------------------
export function addFormOf(section) {
  const input = document.querySelector(`form[data-form="add"] input[name="section"][value="${CSS.escape(section)}"]`);
  return input ? input.closest('form') : null;
}

export function addFormValues(form) {
  const data = new FormData(form);
  const fields = { text: (data.get('text') || '').trim() };
  ['phone', 'sms_message'].forEach((name) => { const v = (data.get(name) || '').trim(); if (v) fields[name] = v; });
  if (data.get('agreed') === 'y') fields.agreed = true;
  return fields;
}

export function fillAddForm(form, fields) {
  Object.entries(fields).forEach(([name, value]) => {
    const input = form.querySelector(`[name="${name}"]:not([type="hidden"])`);
    if (!input) return;
    if (input.type === 'checkbox') input.checked = Boolean(value); else input.value = value ?? '';
    input.dispatchEvent(new Event('input', { bubbles: true }));  // counters follow
  });
}

export function clearAddForm(form) {
  form.querySelectorAll('input[type="text"], input[type="tel"]').forEach((i) => { i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true })); });
  form.querySelectorAll('input[type="checkbox"]').forEach((i) => { i.checked = false; });
}

// --- removed items -------------------------------------------------------------------------------
const removedSection = () => document.getElementById('removed');

function drawRemoved(entry) {
  const template = document.querySelector('template[data-removed-template]');
  const holder = document.createElement('div');
  holder.innerHTML = template.innerHTML.replaceAll('__ITEM__', entry.uuid);
  const li = holder.querySelector('li');
  li.querySelectorAll('[data-show="text"]').forEach((el) => { el.textContent = entry.text; });
  return li;
}

/** Show exactly these removed items (as the server lists them), in this order. */
export function showRemoved(entries, wire) {
  const section = removedSection();
  if (!section) return;
  const list = section.querySelector('[data-removed-list]');
  const keep = new Map([...list.children].map((li) => [li.dataset.removed, li]));
  list.replaceChildren(...entries.map((entry) => {
    const old = keep.get(entry.uuid);
    if (old) return old;
    const li = drawRemoved(entry);
    wire(li);
    return li;
  }));
  section.hidden = entries.length === 0;
}

export function addRemoved(entry, wire) {
  const section = removedSection();
  if (!section || section.querySelector(`[data-removed="${CSS.escape(entry.uuid)}"]`)) return;
  const li = drawRemoved(entry);
  wire(li);
  section.querySelector('[data-removed-list]').append(li);
  section.hidden = false;
}

/** The "Removed: … Restore" line under an item: gone once the item is back or was never removed. */
export function dropUndo(uuid) {
  document.querySelectorAll(`li[data-undo="${CSS.escape(uuid)}"]`).forEach((n) => n.remove());
}

/** Every "Removed: … Restore" line of an item not among `removed` (the server's list) is past. */
export function dropUndoExcept(removed) {
  const still = new Set(removed.map((entry) => entry.uuid));
  document.querySelectorAll('li[data-undo]').forEach((n) => { if (!still.has(n.dataset.undo)) n.remove(); });
}

export function dropRemoved(uuid) {
  const section = removedSection();
  if (!section) return;
  section.querySelectorAll(`[data-removed="${CSS.escape(uuid)}"]`).forEach((li) => li.remove());
  section.hidden = section.querySelector('[data-removed-list]').children.length === 0;
}

/** The plan as this page shows it: for tests and for comparing with a fresh load. */
export function shownPlan() {
  const sections = {};
  document.querySelectorAll('ol[data-list]').forEach((list) => {
    sections[list.dataset.list] = [...list.querySelectorAll(':scope > li[data-item]:not([hidden])')]
      .map((li) => ({ uuid: li.dataset.item, ...valuesOf(li) }));
  });
  const removed = [...document.querySelectorAll('#removed li[data-removed]')].map((li) => li.dataset.removed);
  return { sections, removed };
}

function nameOf(person) {
  const key = person.role === 'therapist' ? 'roleTherapist' : person.role === 'client' ? 'roleClient' : null;
  return key ? fmt(T[key], { name: person.name }) : person.name;
}

/** "Dr Berg is here too": everyone on the plan's page but me. */
export function showPresence(here, me) {
  const seen = new Map();
  (here || []).forEach((p) => { if (p.id !== me) seen.set(p.id, p); });
  const line = root.querySelector('[data-presence]');
  const names = [...seen.values()].map(nameOf);
  line.hidden = names.length === 0;
  line.textContent = names.length === 0 ? '' : names.length === 1 ? fmt(T.hereOne, { name: names[0] })
    : fmt(T.hereMany, { names: names.join(', ') });
}

/** Access to the plan ended: the editor gives way to a message and a way home. */
export function showGone() {
  const message = document.createElement('div');
  message.className = 'error-summary';
  message.setAttribute('role', 'alert');
  const p = document.createElement('p');
  p.textContent = T.gone;
  const link = document.createElement('a');
  link.href = '/';
  link.textContent = T.goHome;
  message.append(p, link);
  document.getElementById('main').replaceChildren(message);
}
