/* Trygg service worker. Rendered by the server so it knows this deploy's files.
 *
 * Strategies (named as in Workbox):
 *  - shell (CSS, JS, icons, offline page): precached under content-hashed names; cache-first.
 *  - pages the server marks `Trygg-Keep` (a client's own plan, editor, commitments, grounding):
 *    stale-while-revalidate — shown from the cache at once, then revalidated with the version
 *    the server stated (ETag → 304); open pages hear of a new version only when it changed.
 *    After a write, or a page's word that the plan changed, the kept plan pages are revalidated
 *    once things are quiet, so what was kept is current before the network goes.
 *  - any other page: network-first, then a saved copy, then the offline page.
 *  - writes are never cached: the sync module (outbox-core.js) keeps them until acknowledged.
 * Saved pages belong to one person: every response names the signed-in person (`Trygg-User`),
 * and the moment another person (or nobody) is seen, every saved page is dropped. A therapist's
 * pages are never marked, so a therapist's device keeps no client's plan.
 * A new version waits until the user taps "Update" (no unconditional skipWaiting).
 *
 * Messages between the pages and this worker, all of them:
 *  from a page  'skip-waiting'            the person tapped "Update"
 *               'warm' {urls, home}       keep these pages (after sign-in); `home` is where "/" leads
 *               'forget-user'             sign-out: drop everything (answered on the message's port)
 *               'forget-pages' {prefix}   access to a plan ended: drop its pages, and tell every window
 *               'plan-changed'            a plan changed: revalidate the kept plan pages soon
 *  to the pages 'page-updated' {path, version}  a newer copy of that page is kept (pwa.js, live.js)
 *               'pages-forgotten' {prefix}      a page under it lets go of what it shows (live.js)
 */
'use strict';
const VERSION = {{ version|tojson }};
const PREFIX = {{ prefix|tojson }};
const SHELL_CACHE = PREFIX + 'shell-' + VERSION;
const PAGES_CACHE = {{ pages_cache|tojson }};
const PRECACHE = {{ precache|tojson }};
const OFFLINE_URL = '/offline';
const OWNER_KEY = '/__trygg/owner';  // who the saved pages belong to
const USER_HEADER = 'Trygg-User';
const KEEP_HEADER = 'Trygg-Keep';
const HOME_HEADER = 'Trygg-Home';  // this kept page is where "/" leads for its person
const OWN_PLAN = /^\/plans\/\d+$/;
const NOBODY = '-';
{% for url in imports %}importScripts({{ url|tojson }});
{% endfor %}

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX + 'shell-') && name !== SHELL_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'skip-waiting') self.skipWaiting();  // only when the user tapped "Update"
  if (data.type === 'warm') event.waitUntil(warm(data.urls || [], data.home));
  if (data.type === 'forget-user') event.waitUntil(forgetUser(event));
  if (data.type === 'forget-pages' && data.prefix) {
    // Every window lets go at once (a tab whose own stream was refused too), then the pages go.
    event.waitUntil(tellWindows({ type: 'pages-forgotten', prefix: data.prefix }).then(() => forgetPages(data.prefix)));
  }
  if (data.type === 'plan-changed') event.waitUntil(refreshKeptSoon());
});

// Warming runs one page at a time and never follows a redirect (a signed-out answer must not
// become a saved page). Sign-out aborts it and waits, so no request of the old session is still
// on its way when the next person signs in.
let warming = null;
let warmAbort = null;

function warm(urls, home) {
  if (!warming) {
    warmAbort = new AbortController();
    warming = warmAll(urls, home, warmAbort.signal).finally(() => { warming = null; });
  }
  return warming;
}

async function warmAll(urls, home, signal) {
  const mediaBefore = await savedMedia();  // only these may be pruned: one saved meanwhile is new
  // What the home-screen icon opens comes first: "/" and the page it leads to (then the rest in
  // the server's order), so an app closed a second after sign-in still opens the plan offline.
  if (home) await (await caches.open(PAGES_CACHE)).put('/', Response.redirect(home, 302));
  const first = home ? [home, ...urls.filter((url) => url !== home)] : urls;
  for (const url of [...first, OFFLINE_URL]) {
    if (signal.aborted) return;
    try {
      const response = await fetch(url, { credentials: 'same-origin', redirect: 'manual', signal });
      if (!signal.aborted) await keep(url, response, url === OFFLINE_URL);
      // Sent to sign-in: this person is signed out (a warming that outlived its session).
      // Stop here: every further request would go out with whoever's cookie comes next.
      if (response.type === 'opaqueredirect') return;
    } catch (e) { /* offline or aborted: the next visit will try again */ }
  }
  if (!signal.aborted) {
    const cache = await caches.open(PAGES_CACHE);
    await Promise.all(mediaBefore.filter((path) => !urls.includes(path)).map((path) => cache.delete(path)));
  }
}

// Photos and recordings the person removed (or that no longer fit the budget) leave the device
// at the next warming, whose list names every file they should have.
async function savedMedia() {
  const keys = await (await caches.open(PAGES_CACHE)).keys();
  return keys.map((request) => new URL(request.url).pathname).filter((path) => MEDIA_FILE.test(path));
}

// --- whose pages these are ---------------------------------------------------------------------
let owner = null;  // the person the saved pages belong to (read back after a restart)

async function savedOwner() {
  if (owner === null) {
    const marker = await (await caches.open(PAGES_CACHE)).match(OWNER_KEY);
    owner = marker ? await marker.text() : NOBODY;
  }
  return owner;
}

// Every response from our server says who is signed in. Someone else (or nobody): drop it all.
async function seen(response) {
  const who = response && response.headers.get(USER_HEADER);
  if (!who || who === await savedOwner()) return;
  owner = who;
  await caches.delete(PAGES_CACHE);
  if (who !== NOBODY) await (await caches.open(PAGES_CACHE)).put(OWNER_KEY, new Response(who));
}

// Save a page only when the server marked it as this person's to keep (the offline page is
// always kept: it holds crisis lines for anyone). Anything else under that name is dropped: an
// answer of 404 or a sign-in redirect means the page is no longer this person's to see.
async function keep(key, response, always = false) {
  await seen(response);
  const cache = await caches.open(PAGES_CACHE);
  if (response.ok && response.type === 'basic' && (always || response.headers.get(KEEP_HEADER))) {
    await cache.put(key, response.clone());
    if (response.headers.get(HOME_HEADER)) await cache.put('/', Response.redirect(key, 302));
  } else if (response.status !== 304 && !(response.status >= 500)) {
    await cache.delete(key);
  }
}

// `prefix` is a path and what is under it: "/plans/4" is not "/plans/42" ("/" is everything).
async function forgetPages(prefix) {
  const cache = await caches.open(PAGES_CACHE);
  const under = prefix.endsWith('/') ? prefix : `${prefix}/`;
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if ((path === prefix || path.startsWith(under)) && path !== OWNER_KEY) await cache.delete(request);
  }
}

async function tellWindows(message) {
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(message);
}

async function forgetUser(event) {
  if (warmAbort) warmAbort.abort();
  keptGeneration += 1;  // a refresh still waiting was for the person who just left
  refreshing = null;    // the next person's first write starts their own
  if (warming) await warming.catch(() => null);
  await caches.delete(PAGES_CACHE);
  owner = NOBODY;
  if (self.TryggOutbox) await self.TryggOutbox.clear();
  if (event.ports && event.ports[0]) event.ports[0].postMessage({ done: true });
}

// After the person changed something (a form post, a write the sync module sent), the saved
// pages may be older than what they just did: for a while, each page's next load goes to the
// network first (the saved copy if the network is slow or gone), and is then fresh again.
const AFTER_WRITE_MS = 5 * 60 * 1000;
const SLOW_NETWORK_MS = 2500;
let lastWriteAt = 0;
const freshSinceWrite = new Set();

function markWrite() {
  lastWriteAt = Date.now();
  freshSinceWrite.clear();
}
if (self.TryggOutbox) {
  self.TryggOutbox.subscribe((event) => {
    if (event && event.type === 'sent') { markWrite(); refreshKeptSoon(); }
  });
}

// The kept copies of a plan's pages follow every change to the plan, also when the person never
// opens those pages again before losing the network: someone who adds a person in session and
// then opens the app offline at home must find that person in their crisis view. After a write
// (or a page's word that the plan changed, its own or a co-editor's), once things are quiet, each
// kept plan page is revalidated: a conditional request, 304 when nothing in it changed.
const PLAN_PAGE = /^\/(plans\/\d+(\/[a-z-]+)?|now)$/;
const REFRESH_QUIET_MS = 1500;      // after the last write: a burst of typing asks once
const REFRESH_AT_LATEST_MS = 15000; // while writes keep coming, still ask this often
let keptGeneration = 0;             // moves on at sign-out: a waiting refresh is then dropped
let refreshing = null;
let refreshAt = 0;

function refreshKeptSoon() {
  refreshAt = Date.now() + REFRESH_QUIET_MS;
  if (!refreshing) {
    const generation = keptGeneration;
    const latest = Date.now() + REFRESH_AT_LATEST_MS;
    const run = (async () => {
      while (Date.now() < Math.min(refreshAt, latest)) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(refreshAt, latest) - Date.now()));
      }
      if (refreshing === run) refreshing = null;  // a write from now on asks again
      if (generation === keptGeneration) await refreshKept(generation);
    })().catch(() => { if (refreshing === run) refreshing = null; });
    refreshing = run;
  }
  return refreshing;
}

async function refreshKept(generation) {
  const cache = await caches.open(PAGES_CACHE);
  for (const request of await cache.keys()) {
    const key = new URL(request.url).pathname;
    if (generation !== keptGeneration || !PLAN_PAGE.test(key)) continue;
    const cached = await cache.match(request);
    if (cached && cached.status === 200) await revalidate(key, cached).catch(() => null);
  }
}

function staleAfterWrite(key) {
  return Date.now() - lastWriteAt < AFTER_WRITE_MS && !freshSinceWrite.has(key);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== 'GET') {
    markWrite();
    if (!url.pathname.startsWith('/auth/')) event.waitUntil(refreshKeptSoon());  // not a sign-in or -out
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else if (MEDIA_FILE.test(url.pathname)) {
    event.respondWith(mediaFile(url.pathname));
  } else if (request.mode === 'navigate') {
    event.respondWith(navigate(event, url));
  }
});

// Saved pages are keyed by path: `/?source=home-screen` opens the saved home, and a page's
// version does not depend on its query (an undo note or a conflict mark is not a new version).
async function navigate(event, url) {
  const key = url.pathname;
  const cached = await (await caches.open(PAGES_CACHE)).match(key);
  // A query asks for something the saved copy is not (?lang=sv, an undo note): the network
  // answers first, and the saved copy is only what an offline or very slow visit gets.
  if (cached && cached.status === 200 && !staleAfterWrite(key) && !url.search) {
    event.waitUntil(revalidate(key, cached).catch(() => tellOffline(event.resultingClientId)));
    return cached;
  }
  const network = (async () => {
    const response = await fetch(event.request);
    // A page asked with a query (an undo note, a conflict) is not the page to keep.
    if (response.type === 'basic' && !response.redirected && !url.search) await keep(key, response);
    if (response.status === 200) freshSinceWrite.add(key);
    return response;
  })();
  // The query's page is not kept, but what it changed (?lang= is remembered) reaches the kept copy.
  if (url.search && cached) event.waitUntil(network.then(() => revalidate(key, cached)).catch(() => null));
  try {
    if (!cached) return await network;
    // Network first, but a person never waits long for a page they have on the device.
    const slow = new Promise((resolve) => setTimeout(() => resolve(null), SLOW_NETWORK_MS));
    return (await Promise.race([network, slow])) || cached;
  } catch (e) {
    // Offline: the saved copy, else a page every browser keeps (the public crisis lines), else
    // the offline page.
    event.waitUntil(tellOffline(event.resultingClientId));
    return cached || (key === '/' && await keptHome()) || (await caches.match(key, { cacheName: SHELL_CACHE }))
      || offlineFallback();
  }
}

// Ask the server whether the saved copy is still current: it answers 304 (nothing to do) or the
// new version, which is saved; open windows showing that page are told its version.
async function revalidate(key, cached) {
  const etag = cached.headers.get('ETag');
  const response = await fetch(key, {
    credentials: 'same-origin', redirect: 'manual', headers: etag ? { 'If-None-Match': etag } : {},
  });
  if (response.type === 'opaqueredirect') {
    // A saved page that now redirects: signed out (or access gone). Nothing saved is theirs now.
    await forgetPages('/');
    return;
  }
  await keep(key, response);
  const version = response.status === 200 && response.headers.get('ETag');
  if (version && version !== etag) await tellPage(key, version.replace(/^W\//, '').replace(/"/g, ''));
}

// A client's photos and recordings (hope_media): immutable names, so cache-first from the person's
// saved pages (dropped with them at sign-out or when someone else signs in). Not saved yet: the
// worker fetches it itself (the server lets only the owner's worker keep it) and saves it if marked.
const MEDIA_FILE = /^\/plans\/\d+\/media\/[0-9a-f]{64}\.[a-z0-9]+$/;

async function mediaFile(key) {
  const cached = await (await caches.open(PAGES_CACHE)).match(key);
  if (cached) return cached;
  const response = await fetch(key, { credentials: 'same-origin', redirect: 'manual' });
  if (response.type === 'basic') await keep(key, response);
  return response;
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL_CACHE)).put(request, response.clone());
  return response;
}

async function tellPage(key, version) {
  // Every open window showing that page learns that a newer version is now saved. A window that
  // has only just opened from the cache may not be listed yet: look again for a moment.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const windows = await self.clients.matchAll({ type: 'window' });
    const showing = windows.filter((client) => new URL(client.url).pathname === key);
    if (showing.length) {
      showing.forEach((client) => client.postMessage({ type: 'page-updated', path: key, version }));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The page just opened is a kept copy because the network failed: say so to it ("You are offline"),
// also where the browser believes it is online (a captive portal, a dead Wi-Fi: navigator.onLine lies).
async function tellOffline(clientId) {
  for (let attempt = 0; clientId && attempt < 20; attempt += 1) {
    const client = await self.clients.get(clientId);
    if (client) { client.postMessage({ type: 'served-offline' }); return; }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// "/" was never kept, but the person's own plan was: that is where "/" leads for them.
async function keptHome() {
  const cache = await caches.open(PAGES_CACHE);
  const plan = (await cache.keys()).find((request) => OWN_PLAN.test(new URL(request.url).pathname));
  return plan ? Response.redirect(new URL(plan.url).pathname, 302) : null;
}

async function offlineFallback() {
  return (await caches.match(OFFLINE_URL, { cacheName: PAGES_CACHE }))
    || (await caches.match(OFFLINE_URL))
    || new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain' } });
}

self.addEventListener('sync', (event) => {
  if (self.TryggOutbox && event.tag === self.TryggOutbox.SYNC_TAG) {
    event.waitUntil(self.TryggOutbox.flush());
  }
});
