// Small helpers every page script uses: filling message templates, the CSRF token, ids, and
// showing a message next to a form field the same way the server renders it.

/** Fill "{name}" placeholders of a translated template (the server renders the templates). */
export const fmt = (template, values) => (template || '').replace(/\{(\w+)\}/g, (_, key) => values[key] ?? '');

/** The page's CSRF token, for JSON writes. */
export const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

/** A fresh v4 UUID for an op, an item or a session (crypto.randomUUID needs a secure context;
 * getRandomValues does not). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A message with an optional button that acts once: the shape of every notice and bar in the
 * app. Returns the filled `box` (a new <div> unless one is given).
 */
export function messageBox(text, button, box = document.createElement('div')) {
  const message = document.createElement('p');
  message.textContent = text;
  box.replaceChildren(message);
  if (button) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button';
    b.textContent = button.label;
    b.addEventListener('click', () => button.action(box), { once: true });
    box.append(' ', b);
  }
  return box;
}

/**
 * Run `task` one at a time: a call while it runs asks for one more run once it ends (so nothing
 * asked for is lost and two never overlap); `task` may also return true to ask for that run. The
 * returned function gives the running promise; `.busy()` says whether a run is under way.
 */
export function oneAtATime(task) {
  let running = null;
  let again = false;
  const run = (...args) => {
    if (running) { again = true; return running; }
    running = (async () => {
      try {
        if (await task(...args)) again = true;
      } finally {
        running = null;
        if (again) { again = false; run(); }
      }
    })();
    return running;
  };
  run.busy = () => running !== null;
  return run;
}

/**
 * Tell the service worker the plan changed (this page's write was saved, or a co-editor's change
 * arrived), so the copies it keeps for offline are brought up to date before the network goes.
 */
export function planChanged() {
  tellWorker({ type: 'plan-changed' });
}

/** A message to the service worker that controls this page, if one does. */
export function tellWorker(message) {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) worker.postMessage(message);
}

/** One or many: our three languages all use "one" for exactly 1. */
export const plural = (n, one, many) => fmt(n === 1 ? one : many, { n });

/** Show `message` next to `input`, as the server renders a field error (and tell screen readers). */
export function showFieldError(input, message) {
  const field = input.closest('.field') || input.parentElement;
  let error = field.querySelector(':scope > p.error');
  if (!error) {
    error = document.createElement('p');
    error.className = 'error';
    error.id = `err-js-${input.id || uuid()}`;
    error.setAttribute('role', 'alert');
    input.after(error);
  }
  error.textContent = message;
  field.classList.add('field-invalid');
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', [...new Set([...(input.getAttribute('aria-describedby') || '').split(' '), error.id])]
    .filter(Boolean).join(' '));
}

/** Take a field's error away again. */
export function clearFieldError(input) {
  const field = input.closest('.field') || input.parentElement;
  const error = field.querySelector(':scope > p.error');
  if (error) {
    input.setAttribute('aria-describedby', (input.getAttribute('aria-describedby') || '').split(' ')
      .filter((id) => id && id !== error.id).join(' '));
    error.remove();
  }
  field.classList.remove('field-invalid');
  input.removeAttribute('aria-invalid');
}

/**
 * A counter under fields with `data-limit`: quiet until the last tenth of the limit (at least 10
 * characters), then "N characters left", and "N too many" past the limit (nothing is ever cut
 * off silently). `words` holds the templates: leftOne, leftMany, overOne, overMany.
 */
export function watchLimits(scope, words) {
  scope.querySelectorAll('[data-limit]').forEach((input) => {
    if (input.dataset.watched) return;
    input.dataset.watched = '1';
    const counter = document.createElement('p');
    counter.className = 'hint char-count';
    counter.setAttribute('aria-live', 'polite');
    counter.hidden = true;
    input.after(counter);
    const update = () => {
      const limit = Number(input.dataset.limit);
      const near = Math.max(10, Math.round(limit / 10));
      const left = limit - input.value.length;
      counter.hidden = left > near;
      counter.classList.toggle('over', left < 0);
      counter.textContent = left >= 0 ? plural(left, words.leftOne, words.leftMany)
        : plural(-left, words.overOne, words.overMany);
    };
    input.addEventListener('input', update);
    update();
  });
}

/** The first problem with a field's value by the same rules as the server, or ''. */
export function problemWith(input, words) {
  const value = input.value.trim();
  const limit = Number(input.dataset.limit || 0);
  if (limit && value.length > limit) return fmt(words.tooLong, { limit });
  if (input.name === 'phone' && value && (!/^[0-9+()\- ]*$/.test(value) || (value.match(/\d/g) || []).length < 2)) {
    return words.badPhone;
  }
  return '';
}
