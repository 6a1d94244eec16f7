/* Push notifications for Trygg's service worker.
 *
 * Loaded by the service worker (/sw.js, owned by the shell) with importScripts(); a classic
 * script, not a module. It shows what the server sent — by default only "Trygg: you have a
 * reminder", since nothing from the plan leaves the server unless the person opted in — and on a
 * tap focuses an open Trygg window (moving it to the right page) or opens one.
 */
'use strict';

(() => {
  const FALLBACK = { title: 'Trygg', body: '', url: '/', tag: 'trygg' };
  const ICON = '/assets/pwa/icons/icon-192.png';

  // Only our own pages: a payload can never send a tap to another site.
  function sameOriginUrl(url) {
    try {
      const target = new URL(url || '/', self.location.origin);
      return target.origin === self.location.origin ? target.href : new URL('/', self.location.origin).href;
    } catch (error) {
      return new URL('/', self.location.origin).href;
    }
  }

  function readPayload(event) {
    if (!event.data) return { ...FALLBACK };
    try {
      return { ...FALLBACK, ...event.data.json() };
    } catch (error) {
      return { ...FALLBACK };
    }
  }

  function notificationFor(payload) {
    const actions = Array.isArray(payload.actions) ? payload.actions.slice(0, 2) : [];
    const urls = { default: sameOriginUrl(payload.url) };
    actions.forEach((a) => { urls[a.action] = sameOriginUrl(a.url); });
    return [String(payload.title || 'Trygg'), {
      body: String(payload.body || ''),
      tag: String(payload.tag || 'trygg'),
      icon: ICON,
      badge: ICON,
      data: { urls },
      actions: actions.map((a) => ({ action: String(a.action), title: String(a.title) })),
    }];
  }

  // Focus a Trygg window already on that page; else move the most recent Trygg window there;
  // else open a new one.
  async function openOrFocus(url) {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const exact = windows.find((client) => client.url === url);
    if (exact) return exact.focus();
    const ours = windows.find((client) => new URL(client.url).origin === self.location.origin);
    if (ours) {
      const moved = ('navigate' in ours) ? await ours.navigate(url).catch(() => null) : null;
      return (moved || ours).focus();
    }
    return self.clients.openWindow(url);
  }

  // A tool or test may dispatch these events itself; waitUntil then throws, and that is fine.
  function extend(event, promise) {
    try {
      event.waitUntil(promise);
    } catch (error) {
      promise.catch(() => {});
    }
  }

  self.addEventListener('push', (event) => {
    const [title, options] = notificationFor(readPayload(event));
    extend(event, self.registration.showNotification(title, options));
  });

  self.addEventListener('notificationclick', (event) => {
    const urls = (event.notification.data && event.notification.data.urls) || {};
    const url = urls[event.action] || urls.default || sameOriginUrl('/');
    event.notification.close();
    extend(event, openOrFocus(url));
  });

  self.tryggPush = { notificationFor, openOrFocus, sameOriginUrl };
})();
