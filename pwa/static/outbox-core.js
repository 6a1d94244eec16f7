/* The one owner of client-side sync: every write from the browser (plan ops, commitments,
 * grounding sessions) is queued here in IndexedDB, sent in the order written, retried with
 * backoff, and its result told to every open page (BroadcastChannel) and to this page's own
 * listeners. Pages render; they do not send writes of their own.
 *
 * A classic script (no import/export) so the service worker can importScripts() it for
 * Background Sync and pages can import it as a module; both use self.TryggOutbox.
 *
 * An entry leaves the queue only when the server answered 2xx (acknowledged, including "already
 * had it" for a retried idempotent write). A refusal (4xx) is kept and marked, so nothing typed is
 * lost, until a page has shown it to the person and dismissed it. Network failures and server
 * trouble (5xx, 408, 429, 403) are retried on a timer with backoff, so an outage the browser never
 * noticed ends by itself within seconds. One context flushes at a time (Web Locks), so two tabs
 * never send the same entry at once.
 *
 * Events: {type: 'changed'} (the queue changed), {type: 'sent', entry, status, answer},
 * {type: 'refused', entry, status, answer}, {type: 'needs-sign-in'}.
 */
(function () {
  'use strict';
  const DB_NAME = 'trygg-outbox';
  const SYNC_TAG = DB_NAME;  // Background Sync's tag for "send the outbox"
  const STORE = 'requests';
  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 8000;
  const RETRY_LATER = [403, 408, 429];
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(DB_NAME) : null;
  const listeners = new Set();  // a BroadcastChannel does not hear its own messages
  let flushing = null;  // the flush now running
  let queued = null;    // the flush asked for while one runs: it starts when that one ends
  let retryTimer = null;
  let retryDelay = RETRY_MIN_MS;

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function tx(mode, work) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const t = db.transaction(STORE, mode);
        const result = work(t.objectStore(STORE));
        t.oncomplete = () => resolve(result && 'result' in result ? result.result : result);
        t.onerror = () => reject(t.error);
      });
    } finally {
      db.close();
    }
  }

  function tell(event) {
    listeners.forEach((callback) => { try { callback(event); } catch (e) { /* one page's bug stays there */ } });
    if (channel) channel.postMessage(event);
  }

  async function add(entry) {
    const id = await tx('readwrite', (store) => store.add({
      url: entry.url, method: entry.method || 'POST', body: entry.body, kind: entry.kind || 'write',
      label: entry.label || '', csrf: entry.csrf || '', created: Date.now(), rejected: null,
    }));
    tell({ type: 'changed' });
    if (self.registration && self.registration.sync) {
      self.registration.sync.register(SYNC_TAG).catch(() => {});
    } else if (typeof navigator !== 'undefined' && navigator.serviceWorker && navigator.serviceWorker.ready) {
      navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register(SYNC_TAG)).catch(() => {});
    }
    return id;
  }

  function all() { return tx('readonly', (store) => store.getAll()); }
  async function pending() { return (await all()).filter((entry) => !entry.rejected); }
  async function rejected() { return (await all()).filter((entry) => entry.rejected); }
  function get(id) { return tx('readonly', (store) => store.get(id)); }
  function remove(id) { return tx('readwrite', (store) => store.delete(id)); }
  function put(entry) { return tx('readwrite', (store) => store.put(entry)); }
  async function clear() { await tx('readwrite', (store) => store.clear()); tell({ type: 'changed' }); }
  async function dismiss(id) { await remove(id); tell({ type: 'changed' }); }

  function currentToken(entry) {
    if (typeof document !== 'undefined') {
      const meta = document.querySelector('meta[name="csrf-token"]');
      if (meta && meta.content) return meta.content;
    }
    return entry.csrf;
  }

  async function sendOne(entry) {
    const response = await fetch(entry.url, {
      method: entry.method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': currentToken(entry) },
      body: JSON.stringify(entry.body),
    });
    let answer = null;
    try { answer = await response.json(); } catch (e) { answer = null; }
    return { status: response.status, answer };
  }

  // Sends in the order written; stops at the first network failure or server trouble, so nothing
  // overtakes an earlier write. Returns 'done', 'retry' (try again later) or 'sign-in'.
  async function runFlush() {
    // Known to be offline: nothing can go, and `online` will kick us. (An outage the browser did
    // not notice still looks online, and is retried on the timer.)
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return 'offline';
    for (const entry of await pending()) {
      let outcome;
      try {
        outcome = await sendOne(entry);
      } catch (e) {
        return 'retry';  // no network, or the server is down
      }
      if (outcome.status >= 200 && outcome.status < 300) {
        await remove(entry.id);
        tell({ type: 'sent', entry, status: outcome.status, answer: outcome.answer });
      } else if (outcome.status === 401) {
        tell({ type: 'needs-sign-in' });
        return 'sign-in';  // kept until the person signs in again
      } else if (RETRY_LATER.includes(outcome.status) || outcome.status >= 500) {
        return 'retry';  // busy or broken server
      } else {
        entry.rejected = { status: outcome.status, answer: outcome.answer };
        await put(entry);
        tell({ type: 'refused', entry, status: outcome.status, answer: outcome.answer });
      }
    }
    return 'done';
  }

  function scheduleRetry() {
    if (retryTimer || typeof setTimeout !== 'function') return;
    retryTimer = setTimeout(() => { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(RETRY_MAX_MS, retryDelay * 2);
  }

  function locked(work) {
    const locks = typeof navigator !== 'undefined' && navigator.locks;
    return locks ? locks.request('trygg-outbox-flush', work) : work();
  }

  // Send everything waiting now. Safe to call often: one flush at a time per context, one
  // context at a time (a lock), and a failed attempt schedules the next one. A call while a
  // flush runs gets one more flush right after it: the running one read the queue before this
  // call's write was in it, and a browser without Background Sync has nobody else to send it.
  function flush() {
    if (flushing) {
      if (!queued) queued = flushing.then(() => { queued = null; return flush(); });
      return queued;
    }
    flushing = locked(runFlush).then((state) => {
      if (state === 'retry') scheduleRetry();
      else { retryDelay = RETRY_MIN_MS; }
      tell({ type: 'changed' });
      return state;
    }).catch(() => { scheduleRetry(); return 'retry'; }).finally(() => { flushing = null; });
    return flushing;
  }

  // Somebody saw the server answer (a page load, a live event): whatever waits can go now.
  function kick() {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    retryDelay = RETRY_MIN_MS;
    return flush();
  }

  function subscribe(callback) {
    const listener = (event) => callback(event.data);
    listeners.add(callback);
    if (channel) channel.addEventListener('message', listener);
    return () => {
      listeners.delete(callback);
      if (channel) channel.removeEventListener('message', listener);
    };
  }

  // Queue a write and try to send it now. Resolves with what became of it: {type: 'sent' |
  // 'refused', entry, status, answer} once the server answered, or {type: 'waiting', entry} when
  // it stays queued (offline, server down) — it is then sent later and the answer told as events.
  function send(entry) {
    return new Promise((resolve) => {
      let id = null;
      let done = false;
      const finish = (event) => { if (!done) { done = true; stop(); resolve(event); } };
      const stop = subscribe((event) => {
        if (event && event.entry && event.entry.id === id && (event.type === 'sent' || event.type === 'refused')) finish(event);
      });
      add(entry).then(async (newId) => {
        id = newId;
        await flush();
        const still = await get(id);
        if (still && still.rejected) finish({ type: 'refused', entry: still, ...still.rejected });
        else if (still) finish({ type: 'waiting', entry: still });
        else setTimeout(() => finish({ type: 'sent', entry: { ...entry, id }, status: 200, answer: null }), 2000);
      }).catch(() => finish({ type: 'waiting', entry }));
    });
  }

  self.TryggOutbox = { SYNC_TAG, add, send, all, pending, rejected, dismiss, flush, kick, clear, subscribe };
}());
