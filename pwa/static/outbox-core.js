/* The offline outbox: writes made without a network wait in IndexedDB until the server has them.
 * A classic script (no import/export) so the service worker can importScripts() it for
 * Background Sync and pages can import it as a module; both use self.TryggOutbox.
 * An entry leaves the outbox only when the server answered 2xx (acknowledged, including
 * "already had it" for a retried idempotent write); a refusal (4xx) is kept and marked.
 */
(function () {
  'use strict';
  const DB_NAME = 'trygg-outbox';
  const STORE = 'requests';
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('trygg-outbox') : null;
  const listeners = new Set();  // a BroadcastChannel does not hear its own messages
  let flushing = null;

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

  function announce() {
    listeners.forEach((callback) => callback({ type: 'changed' }));
    if (channel) channel.postMessage({ type: 'changed' });
  }

  async function add(entry) {
    const id = await tx('readwrite', (store) => store.add({
      url: entry.url, method: entry.method || 'POST', body: entry.body, kind: entry.kind || 'write',
      label: entry.label || '', csrf: entry.csrf || '', created: Date.now(), rejected: null,
    }));
    announce();
    if (self.registration && self.registration.sync) {
      self.registration.sync.register('trygg-outbox').catch(() => {});
    } else if (typeof navigator !== 'undefined' && navigator.serviceWorker && navigator.serviceWorker.ready) {
      navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register('trygg-outbox')).catch(() => {});
    }
    return id;
  }

  function all() { return tx('readonly', (store) => store.getAll()); }
  async function pending() { return (await all()).filter((entry) => !entry.rejected); }
  function remove(id) { return tx('readwrite', (store) => store.delete(id)); }
  function put(entry) { return tx('readwrite', (store) => store.put(entry)); }
  async function clear() { await tx('readwrite', (store) => store.clear()); announce(); }

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

  // Sends in the order written. Stops at the first network failure or server trouble, so
  // nothing overtakes an earlier write.
  async function runFlush() {
    const results = [];
    for (const entry of await pending()) {
      let outcome;
      try {
        outcome = await sendOne(entry);
      } catch (e) {
        break;  // still offline
      }
      if (outcome.status >= 200 && outcome.status < 300) {
        await remove(entry.id);
        results.push({ entry, answer: outcome.answer });
      } else if (outcome.status === 401) {
        listeners.forEach((callback) => callback({ type: 'needs-sign-in' }));
        break;  // kept until the person signs in again
      } else if ([403, 408, 429].includes(outcome.status) || outcome.status >= 500) {
        break;  // try again later (busy or broken server)
      } else {
        entry.rejected = { status: outcome.status, answer: outcome.answer };
        await put(entry);
      }
    }
    announce();
    return results;
  }

  function flush() {
    if (!flushing) flushing = runFlush().finally(() => { flushing = null; });
    return flushing;
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

  self.TryggOutbox = { add, all, pending, flush, clear, subscribe };
}());
