// The shell's one live client. Every page that listens to the server uses it: the co-editor
// (through coedit-live.js), the session page, and every page that follows a plan.
//
// Following a plan: a page that shows a plan to someone who can lose it (a therapist's crisis view,
// sessions, history, print, media) has <main data-plan-follow="<plan id>"> (pwa/templates/base.html).
// When the reader's access ends, the page lets go at once: its content gives way to a calm notice,
// and the service worker is told, which drops what it kept of the plan and tells every window it
// controls, so a tab whose own stream was refused lets go at the same moment. A page that is also
// `data-plan-live` (the client's own crisis view) brings in each new version of itself in place: no
// reload, what the reader is reading stays where it is on the screen, and what they were doing (an
// open choice, a choice not sent, the focus) is left as it was.
import { messageBox, oneAtATime, planChanged, tellWorker } from './helpers.js';

const POLL_MS = 4000;
const POLL_FOR_MS = 60000;

/**
 * A live channel: the server-sent events of `url`, each named event handed to `on.events[name]`
 * with its data. When the server refuses the stream (busy past its cap, signed out, no access) or
 * the browser has no EventSource, `on.catchUp()` runs at once and then every few seconds for a
 * minute (after `on.polling()`, if given), and the stream is tried again. Offline it waits; the
 * network or the tab coming back opens it again (its `hello` tells what was missed).
 */
export function liveChannel(url, on) {
  let source = null;
  let pollTimer = null;
  let pollEnd = null;
  let started = false;
  let closed = false;

  function stopPolling() {
    clearInterval(pollTimer);
    clearTimeout(pollEnd);
    pollTimer = null;
  }

  function poll() {
    if (pollTimer || closed) return;
    if (on.polling) on.polling();
    on.catchUp();  // now: a refused stream may mean the access just ended
    pollTimer = setInterval(on.catchUp, POLL_MS);
    pollEnd = setTimeout(() => { stopPolling(); connect(); }, POLL_FOR_MS);
  }

  function connect() {
    started = true;
    if (closed || pollTimer || !navigator.onLine) return;
    if (!window.EventSource) { poll(); return; }
    if (source && source.readyState !== EventSource.CLOSED) return;
    const opened = new EventSource(url);
    source = opened;
    Object.entries(on.events).forEach(([name, handle]) => {
      opened.addEventListener(name, (e) => handle(JSON.parse(e.data || '{}')));
    });
    opened.addEventListener('error', () => {
      // A refused stream closes for good: poll instead.
      if (opened.readyState === EventSource.CLOSED && navigator.onLine) poll();
    });
  }

  /** Offline: drop the stream (it opens again when the network is back). */
  function pause() {
    if (source) { source.close(); source = null; }
  }

  /** For good (the access ended). */
  function close() {
    closed = true;
    pause();
    stopPolling();
  }

  const again = () => { if (started && !document.hidden) connect(); };
  window.addEventListener('online', again);
  window.addEventListener('offline', pause);
  document.addEventListener('visibilitychange', again);
  window.addEventListener('pageshow', (e) => { if (e.persisted) again(); });
  return { connect, pause, close };
}

// --- bringing in a page's new version in place ----------------------------------------------------

const kind = (a, b) => a.nodeType === b.nodeType && a.nodeName === b.nodeName && (a.id || '') === (b.id || '');
// A message the page showed when it opened ("Saved.") is not in a version fetched later: it stays.
const drop = (node) => { if (!(node.matches && node.matches('.flashes'))) node.remove(); };
const adopt = (node) => document.importNode(node, true);

/** `old` made like `next` by the smallest change: an element's own state (a <details> the reader
 * opened or closed, a form with a choice not sent) stays the reader's. */
function morph(old, next) {
  if (old.nodeType !== Node.ELEMENT_NODE) {
    if (old.nodeValue !== next.nodeValue) old.nodeValue = next.nodeValue;
    return;
  }
  if (old.isEqualNode(next) || old.matches('form[data-dirty="true"]')) return;
  const own = (name) => name === 'open' && old.nodeName === 'DETAILS';
  [...old.attributes].forEach(({ name }) => { if (!own(name) && !next.hasAttribute(name)) old.removeAttribute(name); });
  [...next.attributes].forEach(({ name, value }) => {
    if (!own(name) && old.getAttribute(name) !== value) old.setAttribute(name, value);
  });
  morphChildren(old, next);
}

/** The children of `old` made like those of `next`: equal ones stay (with the focus in them), new
 * ones are put in, gone ones taken out, the rest changed in place. */
function morphChildren(old, next) {
  const have = [...old.childNodes];
  const want = [...next.childNodes];
  let at = 0;  // the first of `have` not matched yet
  want.forEach((node, n) => {
    const here = have[at];
    if (here && here.isEqualNode(node)) { at += 1; return; }
    if (here && want.slice(n + 1).some((later) => here.isEqualNode(later))) {
      old.insertBefore(adopt(node), here);  // new: what stands here comes later
      return;
    }
    const equal = have.findIndex((h, i) => i > at && h.isEqualNode(node));
    if (equal > 0) {  // what stands before its equal is gone
      have.slice(at, equal).forEach(drop);
      at = equal + 1;
      return;
    }
    if (here && kind(here, node)) { morph(here, node); at += 1; return; }
    old.insertBefore(adopt(node), here || null);
  });
  have.slice(at).forEach(drop);
}

/** The first element starting inside the window: what the reader is reading. */
function reading(scope) {
  if (window.scrollY <= 0) return null;  // at the top, new lines simply appear where they belong
  return [...scope.querySelectorAll('h2, h3, li, p, dt, dd, summary')]
    .find((el) => el.getBoundingClientRect().top >= 0) || null;
}

/** Run `change` and keep what the reader is reading where it was on the screen (rows added or
 * taken out above it move the page, not the words under their eyes). The browser's own scroll
 * anchoring is held off meanwhile, so the page is not moved twice (and Safari has none). */
function keepingPlace(scope, change) {
  const anchor = reading(scope);
  const before = anchor && anchor.getBoundingClientRect().top;
  const page = document.documentElement;
  page.style.overflowAnchor = 'none';
  change();
  if (anchor && anchor.isConnected) {
    const moved = anchor.getBoundingClientRect().top - before;
    if (moved) window.scrollBy({ top: moved, behavior: 'instant' });
  }
  requestAnimationFrame(() => { page.style.overflowAnchor = ''; });
}

// --- following a plan -------------------------------------------------------------------------------

function calmNotice(words) {
  const box = document.createElement('div');
  box.className = 'flash';
  box.setAttribute('role', 'status');
  const text = document.createElement('p');
  text.textContent = words.gone;
  const home = document.createElement('a');
  home.href = '/';
  home.textContent = words.goHome;
  box.append(text, home);
  return box;
}

/** "This page now shows the latest changes.", in the shell's bar (pwa/words/bar.json), as after a reload. */
function sayUpdated() {
  const bar = document.getElementById('pwa-bar');
  const text = bar && JSON.parse(bar.dataset.words || '{}').updated;
  if (!text) return;
  messageBox(text, null, bar);
  bar.hidden = false;
}

/** Is this window's page under `prefix` (a path: "/plans/4" is not "/plans/42")? */
const under = (prefix) => `${window.location.pathname}/`.startsWith(prefix.replace(/\/?$/, '/'));

/** This page as the server has it now: its <main> and version; 'gone' when the reader may no
 * longer see it; null when nothing is newer (304), or offline, or signed out. */
async function newerPage() {
  const shown = document.querySelector('meta[name="trygg-version"]');
  let response;
  try {
    response = await fetch(window.location.pathname, {
      credentials: 'same-origin', headers: shown ? { 'If-None-Match': `"${shown.content}"` } : {},
    });
  } catch (e) { return null; }  // offline: the next event or `online` asks again
  if (response.status === 404) return 'gone';
  if (response.status !== 200 || response.redirected) return null;
  const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
  const next = fresh.querySelector('main[data-plan-follow]');
  const version = fresh.querySelector('meta[name="trygg-version"]');
  return next ? { next, version: version && version.content } : null;
}

/** What the service worker tells every window: a plan's pages forgotten, a page's newer copy kept. */
function fromWorker(handle) {
  if (!navigator.serviceWorker) return;
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data || {};
    if (data.type === 'pages-forgotten' && data.prefix && under(data.prefix)) handle.forgotten();
    if (data.type === 'page-updated' && data.path === window.location.pathname) handle.updated();
  });
}

function follow(main) {
  const plan = main.dataset.planFollow;
  const live = main.hasAttribute('data-plan-live');
  const words = JSON.parse(main.dataset.words || '{}');  // pwa/words/live.json
  const state = (now) => { main.dataset.following = now; };  // also what tests wait for
  let revision = Number(main.dataset.revision || 0);
  let gone = false;
  let opened = true;  // until its first news: what was missed is told, as after a reload
  // A live page keeps itself current: pwa.js never reloads it under its reader.
  if (live) main.dataset.livePage = '';

  function letGo() {
    if (gone) return;
    gone = true;
    channel.close();
    const focused = main.contains(document.activeElement);
    main.replaceChildren(calmNotice(words));
    delete main.dataset.livePage;
    state('gone');
    document.title = 'Trygg';
    if (focused) main.focus({ preventScroll: true });
    // The worker drops what it kept of the plan and tells every other window of it.
    tellWorker({ type: 'forget-pages', prefix: `/plans/${plan}` });
  }

  const refresh = oneAtATime(async () => {
    const stale = opened;
    const newer = await newerPage();
    if (newer === 'gone') { letGo(); return; }
    if (!newer || gone) return;
    keepingPlace(main, () => morphChildren(main, newer.next));
    revision = Math.max(revision, Number(newer.next.dataset.revision || 0));
    const shown = document.querySelector('meta[name="trygg-version"]');
    if (shown && newer.version) shown.content = newer.version;
    planChanged();  // the copy the service worker keeps follows
    // A page opened older than the plan (a kept copy) says it changed; a change while it is read
    // simply appears, as in the editor.
    if (stale) sayUpdated();
  });

  function heard(data) {
    if (!gone) state('live');
    if (Number(data.revision) > revision) {
      revision = Number(data.revision);
      if (live) refresh();
    }
    opened = false;
  }

  async function catchUp() {
    if (gone || !navigator.onLine) return;
    try {
      const response = await fetch(`/api/v1/plans/${plan}/changes?since=${revision}`, { credentials: 'same-origin' });
      if (response.status === 404) { letGo(); return; }
      if (response.ok) {
        const body = await response.json();
        if (!gone) { heard({ revision: body.revision }); state('polling'); }
      }
    } catch (e) { /* offline: the next poll or `online` asks again */ }
  }

  const channel = liveChannel(`/api/v1/plans/${plan}/events?follow=1`, {  // never "here too"
    events: { hello: heard, change: heard, gone: letGo },
    polling: () => state('polling'),
    catchUp,
  });
  fromWorker({ forgotten: letGo, updated: () => { if (live) refresh(); } });
  state('starting');
  channel.connect();
}

const main = document.querySelector('main[data-plan-follow]');
if (main && !main.dataset.following) follow(main);

// Whoever draws a page of a plan whose access ended (the editor and the session page let go of
// their content themselves), its title stops naming the person at once.
fromWorker({ forgotten: () => { document.title = 'Trygg'; }, updated: () => {} });
