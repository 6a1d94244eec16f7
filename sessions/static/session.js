// The session page, live: each step's form is saved as JSON through the app's one sync module
// (pwa/static/outbox-core.js), and the other person's saves appear without a reload. Without this
// file the page works as plain forms (POST, redirect).
import '/assets/pwa/outbox-core.js';
import { csrf, messageBox, oneAtATime, tellWorker, uuid } from '/assets/pwa/helpers.js';
import { liveChannel } from '/assets/pwa/live.js';

const root = document.querySelector('[data-session]');
const box = self.TryggOutbox;
const api = root && root.dataset.api;
const status = root && root.querySelector('[data-live-status]');
let version = root ? Number(root.dataset.version) : 0;
let gone = false;
let inFlight = 0;  // saves this page awaits itself (their refusals are handled where they were sent)
let behind = false; // a form was left alone while someone typed in it

const say = (text) => { if (status) status.textContent = text; };

/** After the client's own check-in: the calm help block when the answers ask for it (a very low
 * mood, or "yes" to unsafe behaviour), hidden otherwise. The rule is the server's (sessions/help.py;
 * the page states its number), applied here too, so a check-in kept offline gets the block at once.
 * The block itself came with the page, in the reader's language, with their own people in it. */
function helpAfter(body) {
  const block = root.querySelector('[data-help-block]');
  if (!block || !body.fields || root.dataset.helpMood === undefined) return;
  const { mood, unsafe } = body.fields;
  const wanted = (typeof mood === 'number' && mood <= Number(root.dataset.helpMood)) || unsafe === true;
  block.hidden = !wanted;
  if (wanted) {
    block.scrollIntoView({ block: 'start' });
    block.focus({ preventScroll: true });  // read out from its heading; the call buttons come next
  }
}

/** The JSON save a step's form stands for: the same mapping as the server's plain-form path. */
function bodyOf(form) {
  const data = new FormData(form);
  const step = form.dataset.sessionForm;
  const body = { uuid: `${uuid()}`.slice(0, 48), base_version: Number(data.get('base_version')) };
  const text = (name) => String(data.get(name) ?? '');
  const scale = (name) => (data.get(name) === null ? null : Number(data.get(name)));
  if (step === 'checkin') {
    body.fields = { mood: scale('mood'), coping: text('coping'), unsafe_note: text('unsafe_note') };
    if (data.get('unsafe') !== null) body.fields.unsafe = data.get('unsafe') === 'yes';
    body.commitments = [...form.querySelectorAll('[data-commitment]')].map((el) => {
      const id = Number(el.dataset.commitment);
      return { id, status: String(data.get(`c-${id}-status`) || ''), note: text(`c-${id}-note`) };
    }).filter((c) => c.status);
  } else if (step === 'review') {
    body.review = { next_review: text('next_review') || null };
  } else if (step === 'checkout') {
    body.fields = { takeaway: text('takeaway') };
    if (text('new_text').trim()) body.new_commitments = [{ text: text('new_text'), due: text('new_due') || null }];
  } else if (step === 'feedback') {
    body.fields = {};
    for (const name of ['fb_heard', 'fb_wanted', 'fb_fit', 'fb_overall', 'hope']) body.fields[name] = scale(name);
    body.fields.not_right = text('not_right');
  }
  return body;
}

function problemBox(form, text) {
  let el = form.parentElement.querySelector('[data-problem]');
  if (!el) {
    el = document.createElement('div');
    el.className = 'error-summary';
    el.setAttribute('role', 'alert');
    el.dataset.problem = '';
    form.before(el);
  }
  messageBox(text, null, el);
}

async function save(event) {
  const form = event.target.closest('form[data-session-form]');
  if (!form || !box || gone) return;
  event.preventDefault();
  const body = bodyOf(form);
  const button = form.querySelector('button[type="submit"]');
  if (button) button.disabled = true;
  const heading = form.closest('section') && form.closest('section').querySelector('h2');
  inFlight += 1;
  const result = await box.send({ url: api, method: 'PATCH', body, kind: 'session', csrf: csrf(),
    label: heading ? heading.textContent : '' }).finally(() => { inFlight -= 1; });
  if (button) button.disabled = false;
  if (result.type === 'sent') {
    form.dataset.dirty = '';
    const old = form.parentElement.querySelector('[data-problem]');
    if (old) old.remove();
    say(root.dataset.tSaved);
    await refresh({ force: form });
    if (form.dataset.sessionForm === 'checkin') helpAfter(body);
  } else if (result.type === 'refused') {
    // Nothing was saved and nothing typed is lost: the words stay in the form, with the reason.
    const answer = result.answer || {};
    problemBox(form, answer.message || root.dataset.tHeld);
    if (box.dismiss && result.entry && result.entry.id) box.dismiss(result.entry.id);
    if (result.status === 409) {
      // The next save is based on what the server has now (the message named who changed it),
      // and the words saved meanwhile are shown next to the person's own.
      await refresh({ keep: form });
      const base = form.querySelector('[data-base-version]');
      if (base) base.value = String(version);
      const now = await fetch(api, { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
      const theirs = answer.field && typeof now[answer.field] === 'string' ? now[answer.field] : '';
      const box2 = form.parentElement.querySelector('[data-problem]');
      if (theirs && box2) {
        const line = document.createElement('p');
        const quote = document.createElement('q');
        quote.textContent = theirs;
        line.append(`${root.dataset.tTheirs} `, quote);
        box2.append(line);
      }
    }
  } else {
    form.dataset.dirty = '';
    say(root.dataset.tWaiting);
    if (form.dataset.sessionForm === 'checkin') helpAfter(body);
  }
}

/** A save that waited (offline) and was refused later: its words go back into their form. */
function putBack(entry, answer) {
  const fields = (entry.body && entry.body.fields) || {};
  const names = Object.keys(fields);
  const form = [...root.querySelectorAll('form[data-session-form]')]
    .find((f) => names.some((n) => f.elements[n])) || root.querySelector('form[data-session-form]');
  if (!form) return;
  for (const name of names) {
    const value = fields[name];
    const el = form.elements[name];
    if (!el) continue;
    if (el instanceof RadioNodeList || el.type === 'radio') {
      const wanted = value === true ? 'yes' : value === false ? 'no' : String(value);
      for (const radio of form.querySelectorAll(`input[name="${name}"]`)) radio.checked = radio.value === wanted;
    } else if (typeof value === 'string') {
      el.value = value;
    }
  }
  form.dataset.dirty = '1';
  problemBox(form, (answer && answer.message) || root.dataset.tHeld);
  if (box.dismiss) box.dismiss(entry.id);
}

/** Load the page again in the background and bring in what others saved: every form nobody is
 * typing in is replaced; a form with words not saved, or with the focus, is left alone. */
const refresh = oneAtATime(async ({ force = null, keep = null } = {}) => {
  const response = await fetch(`${window.location.pathname}?live=1`, { credentials: 'same-origin' });
  if (response.status === 404 || response.redirected) { letGo(); return; }
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
  const next = fresh.querySelector('[data-session]');
  if (!next) return;
  version = Number(next.dataset.version);
  root.dataset.version = String(version);
  for (const el of root.querySelectorAll('[data-show]')) {
    // The plan review's co-editor keeps itself current (coedit.js): not this page's to replace.
    if (el.closest('[data-coedit-area]')) continue;
    const other = next.querySelector(`[data-show="${el.dataset.show}"]:not([data-coedit-area] *)`);
    // The help block stays as it is while it is shown on both sides: a list opened in it, or the
    // focus on one of its call buttons, is not taken away by someone else's save.
    const stays = (page) => page.querySelector('[data-help-block]:not([hidden])');
    if (other && el.dataset.show === 'help' && stays(el) && stays(other)) continue;
    if (other) el.innerHTML = other.innerHTML;
  }
  behind = false;
  for (const form of root.querySelectorAll('form[data-session-form]')) {
    const other = next.querySelector(`form[data-session-form="${form.dataset.sessionForm}"]`);
    const busy = form.dataset.dirty === '1' || form.contains(document.activeElement);
    if (!other || form === keep) continue;
    if (busy && form !== force) { behind = true; continue; }
    form.replaceWith(other);
  }
});

function letGo() {
  if (gone) return;
  gone = true;
  channel.close();
  const message = document.createElement('div');
  message.className = 'error-summary';
  message.setAttribute('role', 'alert');
  message.textContent = root.dataset.tGone;
  root.replaceChildren(message);
  // The worker drops what it kept of the plan and tells every other window of it to let go.
  tellWorker({ type: 'forget-pages', prefix: window.location.pathname.replace(/^(\/plans\/\d+).*/, '$1') });
}

function seen(data) {
  if (box) box.kick();
  if (data.version > version) refresh();
}

// The shell's live client: past the stream cap (or refused) it polls the page instead.
const channel = liveChannel(`${api}/events`, {
  events: { hello: seen, change: seen, plan: () => refresh(), gone: letGo },  // plan: the plan or its commitments changed
  catchUp: () => { if (!gone) refresh(); },
});

if (root && api) {
  const mark = (e) => { const f = e.target.closest('form[data-session-form]'); if (f) f.dataset.dirty = '1'; };
  root.addEventListener('input', mark);
  root.addEventListener('change', mark);
  // A form left with nothing unsaved catches up with what arrived meanwhile.
  root.addEventListener('focusout', () => setTimeout(() => {
    const form = document.activeElement && document.activeElement.closest && document.activeElement.closest('form');
    if (behind && !(form && form.dataset.dirty === '1')) refresh();
  }, 0));
  root.addEventListener('submit', save);
  if (box) {
    // Refusals of saves made offline arrive later (or were kept while no page showed them).
    box.subscribe((event) => {
      if (event && event.type === 'refused' && event.entry && event.entry.url === api && inFlight === 0) {
        putBack(event.entry, event.answer);
      }
    });
    if (box.rejected) {
      box.rejected().then((entries) => entries.filter((e) => e.url === api)
        .forEach((e) => putBack(e, e.rejected && e.rejected.answer))).catch(() => {});
    }
  }
  channel.connect();
}
