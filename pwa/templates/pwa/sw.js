/* Trygg service worker. Rendered by the server so it knows this deploy's files.
 *
 * Strategies (named as in Workbox):
 *  - shell (CSS, JS, icons, offline page): precached under content-hashed names; cache-first.
 *  - the user's pages (crisis view, co-editor, grounding): stale-while-revalidate — shown from the
 *    cache at once, refreshed in the background; open pages are told when a newer copy arrived.
 *  - any other page: network-first, then a saved copy, then the offline page.
 *  - writes are never cached: the pages' outbox keeps them until the server acknowledges them.
 * A new version waits until the user taps "Update" (no unconditional skipWaiting).
 */
'use strict';
const VERSION = {{ version|tojson }};
const PREFIX = 'trygg-';
const SHELL_CACHE = PREFIX + 'shell-' + VERSION;
const PAGES_CACHE = PREFIX + 'pages';
const PRECACHE = {{ precache|tojson }};
const OFFLINE_URL = '/offline';
// Pages a person needs most when things are hard: kept offline, served from cache at once.
const OFFLINE_PAGES = [/^\/$/, /^\/plans\/\d+\/?$/, /^\/plans\/\d+\/edit$/, /^\/plans\/\d+\/commitments$/, /^\/grounding\/?$/,
  /^\/grounding\/[a-z0-9-]+$/, /^\/grounding\/custom\/\d+$/, /^\/offline$/, /^\/now$/];
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
  const cache = await caches.open(PAGES_CACHE);
  for (const url of [...urls, OFFLINE_URL]) {
    if (signal.aborted) return;
    try {
      const response = await fetch(url, { credentials: 'same-origin', redirect: 'manual', signal });
      if (response.ok && response.type === 'basic' && !signal.aborted) await cache.put(url, response);
    } catch (e) { /* offline or aborted: the next visit will try again */ }
  }
  if (home && !signal.aborted) await cache.put('/', Response.redirect(home, 302));
}

async function forgetUser(event) {
  if (warmAbort) warmAbort.abort();
  if (warming) await warming.catch(() => null);
  await caches.delete(PAGES_CACHE);
  if (self.TryggOutbox) await self.TryggOutbox.clear();
  if (event.ports && event.ports[0]) event.ports[0].postMessage({ done: true });
}

function isOfflinePage(url) {
  return OFFLINE_PAGES.some((pattern) => pattern.test(url.pathname));
}

// After the person changed something (a form post, an API write), the page it leads to must show
// it: the next page load (redirects followed) goes to the network first, not to the saved copy.
const FRESH_AFTER_WRITE_MS = 10000;
let lastWriteAt = 0;  // 0 once a page has loaded since the last write

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== 'GET') { lastWriteAt = Date.now(); return; }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === 'navigate') {
    const fresh = Date.now() - lastWriteAt < FRESH_AFTER_WRITE_MS;
    if (isOfflinePage(url) && !fresh) {
      event.respondWith(staleWhileRevalidate(event, url));
    } else {
      event.respondWith(networkFirst(request, isOfflinePage(url) ? url.pathname : null).then((response) => {
        if (response.status === 200) lastWriteAt = 0;
        return response;
      }));
    }
  }
});

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL_CACHE)).put(request, response.clone());
  return response;
}

// Parts of a page that change on every render and say nothing about its content.
function fingerprint(html) {
  return html
    .replace(/name="csrf_token" value="[^"]*"/g, '')
    .replace(/<meta name="(csrf-token|trygg-rendered-at)" content="[^"]*">/g, '');
}

async function staleWhileRevalidate(event, url) {
  const cache = await caches.open(PAGES_CACHE);
  const key = url.pathname;
  const cached = await cache.match(key);
  // The page gets `cached`; the comparison below needs its own copy of the body.
  const saved = cached ? cached.clone() : null;
  const refresh = (async () => {
    const response = await fetch(event.request);
    if (response.redirected || response.type === 'opaqueredirect' || !response.ok) return response;
    let changed = false;
    if (saved && saved.type !== 'opaqueredirect' && saved.status === 200) {
      const [before, after] = await Promise.all([saved.text(), response.clone().text()]);
      changed = fingerprint(before) !== fingerprint(after);
    }
    await cache.put(key, response.clone());
    if (changed) await tellPage(key);  // after saving, so a reload gets it
    return response;
  })();
  if (cached) {
    event.waitUntil(refresh.catch(() => null));
    return cached;
  }
  try {
    return await refresh;
  } catch (e) {
    return offlineFallback();
  }
}

async function tellPage(path) {
  // Every open window showing that page learns that a newer copy is now saved. A window that has
  // only just opened from the cache may not be listed yet: look again for a moment.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const windows = await self.clients.matchAll({ type: 'window' });
    const showing = windows.filter((client) => new URL(client.url).pathname === path);
    if (showing.length) {
      showing.forEach((client) => client.postMessage({ type: 'page-updated', path }));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function networkFirst(request, pageKey) {
  try {
    const response = await fetch(request);
    if (pageKey && response.ok && !response.redirected) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(pageKey, response.clone());
    }
    return response;
  } catch (e) {
    const cached = await caches.match(pageKey || request, { ignoreSearch: true });
    return cached || offlineFallback();
  }
}

async function offlineFallback() {
  return (await caches.match(OFFLINE_URL, { cacheName: PAGES_CACHE }))
    || (await caches.match(OFFLINE_URL))
    || new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain' } });
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'trygg-outbox' && self.TryggOutbox) {
    event.waitUntil(self.TryggOutbox.flush());
  }
});
