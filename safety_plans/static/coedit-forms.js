// The person's own actions in the co-editor: typing, saving, adding, moving, removing and
// restoring items. Each action becomes a call on the editor (coedit.js), which makes the ops and
// owns what was sent; this file only listens to the forms.
import { clearFieldError, fmt, problemWith, showFieldError, uuid, watchLimits } from '/assets/pwa/helpers.js';
import {
  T, addFormValues, addRemoved, announce, clearAddForm, dropRemoved, dropUndo, fixArrows, inputOf, itemEl, notice,
  setWaiting, valuesOf, words,
} from './coedit-view.js';

const DEBOUNCE_MS = 600;
const typingTimers = new Map();  // item uuid -> the pending "save after a pause in typing"
let editor = null;               // { submit, save, leave, known, sentText, createItem } from coedit.js

/** Typing in an item has stopped mattering (it is being saved now): forget its pending save. */
export function stopTyping(itemUuid) {
  clearTimeout(typingTimers.get(itemUuid));
}

/** Check the fields about to be saved; each problem is shown beside its field. */
export function checkFields(li, fields) {
  let ok = true;
  Object.keys(fields).forEach((name) => {
    const input = inputOf(li, name);
    const problem = name === 'text' && !fields.text ? T.empty : problemWith(input, words);
    if (problem) { showFieldError(input, problem); ok = false; } else clearFieldError(input);
  });
  return ok;
}

/** Which field of an add form a refusal is about. */
export function fieldOfError(body, form) {
  if (body && body.error === 'bad_phone') return 'phone';
  const inputs = [...form.querySelectorAll('[data-limit]')];
  const over = inputs.find((input) => input.value.trim().length > Number(input.dataset.limit));
  return over ? over.name : 'text';
}

export function enhanceItem(li) {
  const form = li.querySelector('form[data-form="edit"]');
  if (!form) { editor.known(li, valuesOf(li)); return; }  // read only here: others' changes still arrive
  watchLimits(form, words);
  form.addEventListener('input', () => {
    clearTimeout(typingTimers.get(li.dataset.item));
    typingTimers.set(li.dataset.item, setTimeout(() => editor.save(li), DEBOUNCE_MS));
  });
  form.addEventListener('change', (e) => { if (e.target.type === 'checkbox') editor.save(li); });
  form.addEventListener('focusout', (e) => {
    if (form.contains(e.relatedTarget)) return;
    editor.leave(li);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    editor.leave(li);
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
  editor.known(li, valuesOf(li));
}

function removeItem(li) {
  editor.save(li);
  const text = editor.sentText(li.dataset.item);
  editor.submit([{ type: 'delete', item: li.dataset.item, base_version: Number(li.dataset.version) }]);
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
  editor.submit([{ type: 'move', item: li.dataset.item, position: to }]);
  button.focus();
}

function restoreItem(itemUuid) {
  dropUndo(itemUuid);
  dropRemoved(itemUuid);
  const li = itemEl(itemUuid);
  if (li) { li.hidden = false; fixArrows(li.parentElement); }
  editor.submit([{ type: 'restore', item: itemUuid }]);
}

export function wireRestore(li) {
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
    const outcome = await editor.submit([op]);
    if (outcome.type === 'waiting') {
      // Kept on this device: show it now, marked as waiting, and free the form.
      if (!itemEl(op.item)) editor.createItem({ uuid: op.item, section, version: 0, ...fields });
      setWaiting(itemEl(op.item), true);
    }
    if (outcome.type !== 'refused' && text) { clearAddForm(form); clearFieldError(text); }
  } finally {
    delete form.dataset.busy;
    if (button) button.disabled = false;
  }
}

/** Wire every form on the page to `actions` (coedit.js): the one way this file changes the plan. */
export function enhanceForms(actions) {
  editor = actions;
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
