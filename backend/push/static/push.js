// The notification settings page: turn push on or off for this browser.
// The permission prompt appears only after a tap (iOS requires it, and it is kinder anyway).
// Without PushManager (an iPhone browser tab, not the Home Screen app) we explain what to do.

const section = document.getElementById('push-device');

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

function keyBytes(base64url) {
  const padded = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function show(selector, visible) {
  const el = section.querySelector(selector);
  if (el) el.hidden = !visible;
}

function say(key) {
  section.querySelector('[data-push-status]').textContent = section.dataset[key] || '';
}

function looksLikeIos() {
  return /iPhone|iPad|iPod/.test(navigator.userAgent)
    || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
}

async function registration() {
  const existing = await navigator.serviceWorker.getRegistration('/');
  if (!existing) await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  return navigator.serviceWorker.ready;
}

async function api(method, body) {
  const response = await fetch('/api/v1/push/subscriptions', {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
    body: JSON.stringify(body),
  });
  if (!response.ok && response.status !== 204) throw new Error(`subscription API said ${response.status}`);
}

async function refresh() {
  const reg = await registration();
  const subscription = await reg.pushManager.getSubscription();
  const on = Boolean(subscription) && Notification.permission === 'granted';
  show('[data-push-enable]', !on && Notification.permission !== 'denied');
  show('[data-push-disable]', on);
  say(on ? 'msgOn' : (Notification.permission === 'denied' ? 'msgDenied' : 'msgOff'));
  // Keep the server's copy current (a browser may have renewed its subscription).
  if (on) await api('POST', subscription.toJSON());
}

async function enable() {
  say('msgWorking');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    await refresh();
    return;
  }
  const reg = await registration();
  let subscription = await reg.pushManager.getSubscription();
  if (!subscription) {
    subscription = await reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(section.dataset.publicKey),
    });
  }
  await api('POST', subscription.toJSON());
  window.location.reload();  // the device list comes from the server
}

async function disable() {
  say('msgWorking');
  const reg = await registration();
  const subscription = await reg.pushManager.getSubscription();
  if (subscription) {
    await api('DELETE', { endpoint: subscription.endpoint });
    await subscription.unsubscribe();
  }
  window.location.reload();
}

function guard(action) {
  return () => action().catch((error) => {
    console.warn('push:', error);
    say('msgFailed');
  });
}

if (section) {
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  if (!supported) {
    show(looksLikeIos() ? '[data-push-ios]' : '[data-push-unsupported]', true);
  } else {
    section.querySelector('[data-push-enable]').addEventListener('click', guard(enable));
    section.querySelector('[data-push-disable]').addEventListener('click', guard(disable));
    guard(refresh)();
  }
}
