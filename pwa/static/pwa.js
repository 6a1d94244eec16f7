// The app shell's script on every page: service worker, install and update, offline notices,
// the outbox, and forgetting a user's data at sign-out. Everything feature-detects: without it
// the pages work as plain HTML.
import './outbox-core.js';
import { fmt as format, messageBox } from './helpers.js';

const outbox = self.TryggOutbox;
const bar = document.getElementById('pwa-bar');
const strings = bar ? JSON.parse(bar.dataset.words) : {};  // pwa/words/bar.json
const signedIn = document.body.dataset.signedIn === 'true';

function say(text, action) {
  if (!bar) return;
  messageBox(text, action && { label: action.label, action: action.run }, bar);
  bar.hidden = false;
}

function hush() { if (bar) { bar.hidden = true; bar.replaceChildren(); } }


function savedAt() {
  const meta = document.querySelector('meta[name="trygg-rendered-at"]');
  if (!meta) return '';
  const when = new Date(meta.content);
  return new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(when);
}

function hasUnsavedInput() {
  return [...document.querySelectorAll('form[data-dirty="true"]')].length > 0
    || (document.activeElement && ['INPUT', 'TEXTAREA'].includes(document.activeElement.tagName)
      && document.activeElement.value !== document.activeElement.defaultValue);
}

document.addEventListener('input', (event) => {
  const form = event.target.closest && event.target.closest('form');
  if (form) form.dataset.dirty = 'true';
});

// --- the menu is open on wide screens, a one-line "Menu" on phones ------------------------------
const menu = document.querySelector('[data-menu]');
const wide = window.matchMedia('(min-width: 48rem)');
function fitMenu() { if (menu) menu.open = wide.matches; }
fitMenu();
wide.addEventListener('change', fitMenu);

// --- offline notice -------------------------------------------------------------------------
// `servedOffline`: the worker opened this page from the device because the network failed, though
// the browser may still believe it is online.
let servedOffline = false;
function showConnection() {
  const offline = !navigator.onLine || servedOffline;
  if (offline) say(format(strings.offline || '', { time: savedAt() }));
  else if (bar && bar.dataset.kind === 'offline') hush();
  if (bar) bar.dataset.kind = offline ? 'offline' : '';
}
window.addEventListener('offline', showConnection);
window.addEventListener('online', () => { servedOffline = false; showConnection(); sendOutbox(); });
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'served-offline') { servedOffline = true; showConnection(); }
  });
}

// Is the server there? navigator.onLine says only that some network is: a dead Wi-Fi or a captive
// portal says "online" too, and a form posted then would be lost behind the browser's error page.
async function reachable() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 3000);
  try {
    const response = await fetch('/healthz', { cache: 'no-store', signal: controller.signal });
    return response.status < 500;
  } catch (e) {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// --- outbox ---------------------------------------------------------------------------------
const waitingBadge = document.getElementById('outbox-status');

async function showWaiting() {
  if (!outbox || !waitingBadge) return;
  let count = 0;
  try { count = (await outbox.pending()).length; } catch (e) { return; }
  waitingBadge.hidden = count === 0;
  waitingBadge.textContent = format((count === 1 ? strings.waitingOne : strings.waitingMany) || '', { n: count });
}

// The sync module retries by itself while anything waits; a page load, `online` and coming
// back to the page are chances to send at once.
async function sendOutbox() {
  if (!outbox) return;
  try { await outbox.kick(); } catch (e) { /* it tries again by itself */ }
  showWaiting();
}
document.addEventListener('visibilitychange', () => { if (!document.hidden) sendOutbox(); });

// A plain form is sent once: a double click or tap does not post it twice. Coming back to the
// page (Back) makes it usable again.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.dataset.outboxUrl && !navigator.onLine) return;
  if (form.dataset.sending) { event.preventDefault(); return; }
  setTimeout(() => { if (!event.defaultPrevented) form.dataset.sending = '1'; }, 0);
});
window.addEventListener('pageshow', () => {
  document.querySelectorAll('form[data-sending]').forEach((form) => { delete form.dataset.sending; });
  document.querySelectorAll('form[data-checked]').forEach((form) => { delete form.dataset.checked; });
});

if (outbox) {
  outbox.subscribe((event) => {
    if (event && event.type === 'needs-sign-in') {
      say(strings.signInToSend, {
        label: strings.signIn,
        run: () => { window.location.href = `/auth/login?next=${encodeURIComponent(window.location.pathname)}`; },
      });
    }
    showWaiting();
  });
}

// --- forms that can wait for the network ----------------------------------------------------
// <form data-outbox-url="/api/…" data-outbox-method="PATCH" data-outbox-fields="op:uuid status note">
// Offline, such a form is kept in the outbox as JSON (the named fields, renamed from:to) and
// sent when the network is back; online it posts as usual.
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!form.dataset.outboxUrl || !outbox || form.dataset.checked) return;
  event.preventDefault();
  // Online by the browser's word: post as usual once the server answers (a click on the same
  // button again is the plain post, so nothing waits on this check twice).
  if (navigator.onLine && await reachable()) {
    form.dataset.checked = '1';
    form.requestSubmit(event.submitter || undefined);
    return;
  }
  const data = new FormData(form);
  const body = {};
  for (const spec of (form.dataset.outboxFields || '').split(/\s+/).filter(Boolean)) {
    const [from, to] = spec.split(':');
    if (data.get(from) !== null) body[to || from] = data.get(from);
  }
  await outbox.send({
    url: form.dataset.outboxUrl, method: form.dataset.outboxMethod || 'POST', body,
    kind: form.dataset.outboxKind || 'form', csrf: String(data.get('csrf_token') || ''),
  });
  form.dataset.dirty = 'false';
  let note = form.querySelector('.outbox-note');
  if (!note) {
    note = document.createElement('p');
    note.className = 'outbox-note';
    note.setAttribute('role', 'status');
    form.append(note);
  }
  note.textContent = strings.keptOffline;
});

// --- sign-out forgets this user's saved pages and unsent writes (after a warning) -----------
async function forgetUser() {
  if (outbox) await outbox.clear().catch(() => {});
  sessionStorage.clear();
  // The service worker owns the saved pages and drops them (it alone writes them).
  const registration = navigator.serviceWorker && await navigator.serviceWorker.getRegistration();
  if (registration && registration.active) {
    await new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = resolve;
      registration.active.postMessage({ type: 'forget-user' }, [channel.port2]);
      setTimeout(resolve, 1000);
    });
  }
}

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!form.matches('[data-logout]') || form.dataset.confirmed) return;
  event.preventDefault();
  await sendOutbox();
  const left = outbox ? (await outbox.pending().catch(() => [])).length : 0;
  const warning = format((left === 1 ? strings.logoutWarningOne : strings.logoutWarning) || '', { n: left });
  if (left > 0 && !window.confirm(warning)) return;
  await forgetUser();
  form.dataset.confirmed = 'true';
  form.submit();
});

// --- install ---------------------------------------------------------------------------------
let installEvent = null;
const installButton = document.querySelector('[data-install]');
window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();
  installEvent = event;
  if (installButton) installButton.hidden = false;
});
if (installButton) {
  installButton.addEventListener('click', async () => {
    if (!installEvent) return;
    installEvent.prompt();
    await installEvent.userChoice.catch(() => null);
    installEvent = null;
    installButton.hidden = true;
  });
}
const standalone = window.matchMedia('(display-mode: standalone)').matches || navigator.standalone;
const iosHint = document.querySelector('[data-ios-hint]');
if (iosHint && /iphone|ipad|ipod/i.test(navigator.userAgent) && !standalone) iosHint.hidden = false;

// --- service worker: register, warm the cache, offer updates ---------------------------------
async function warmCache(registration) {
  if (!signedIn || !registration.active) return;
  const last = Number(sessionStorage.getItem('trygg-warmed') || 0);
  if (Date.now() - last < 10 * 60 * 1000 || !navigator.onLine) return;
  try {
    const response = await fetch('/api/v1/offline', { credentials: 'same-origin' });
    if (!response.ok) return;
    const { urls, home } = await response.json();
    registration.active.postMessage({ type: 'warm', urls, home });
    sessionStorage.setItem('trygg-warmed', String(Date.now()));
  } catch (e) { /* offline: next time */ }
}

function offerUpdate(worker) {
  say(strings.updateReady, {
    label: strings.updateButton,
    run: () => {
      sessionStorage.setItem('trygg-updating', '1');
      worker.postMessage({ type: 'skip-waiting' });
    },
  });
}

// A saved page is stale only when the server states a different version of it than the one
// shown. A live page (the co-editor) keeps itself current and is never reloaded.
function isStale(data) {
  const shown = document.querySelector('meta[name="trygg-version"]');
  const content = (version) => String(version).split('.')[0];  // not the deploy part
  return data.path === window.location.pathname && shown && content(shown.content) !== content(data.version)
    && !document.querySelector('[data-live-page]:not([hidden])');
}

// Listen at once: messages that arrive before a listener exists are lost.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (!event.data || event.data.type !== 'page-updated' || !isStale(event.data)) return;
    if (hasUnsavedInput()) {
      say(strings.newer, { label: strings.showNewer, run: () => window.location.reload() });
    } else {
      sessionStorage.setItem('trygg-refreshed', window.location.pathname);
      window.location.reload();
    }
  });
}

async function startServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const firstInstall = !navigator.serviceWorker.controller;
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker.addEventListener('statechange', () => {
      if (worker.state !== 'installed') return;
      if (navigator.serviceWorker.controller) offerUpdate(worker);
      else if (firstInstall) say(strings.offlineReady);
    });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Swap only when the user asked for it, never under their hands.
    if (sessionStorage.getItem('trygg-updating')) {
      sessionStorage.removeItem('trygg-updating');
      window.location.reload();
    }
  });
  const ready = await navigator.serviceWorker.ready;
  warmCache(ready);
  if (signedIn && navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then((done) => done || navigator.storage.persist()).catch(() => {});
  }
}

if (sessionStorage.getItem('trygg-refreshed') === window.location.pathname) {
  sessionStorage.removeItem('trygg-refreshed');
  say(strings.updated);
}
showConnection();
showWaiting();
sendOutbox();
startServiceWorker().catch(() => { /* the pages still work online without it */ });
