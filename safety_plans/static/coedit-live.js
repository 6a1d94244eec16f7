// The live channel to one plan: server-sent events (hello, change, presence, gone), and polling
// for a minute whenever the server refuses the stream (busy, or the page was signed out). It
// only listens; what a message means is decided by coedit.js.
const POLL_MS = 4000;
const POLL_FOR_MS = 60000;

/**
 * `on` holds the handlers: hello(data), change(data), presence(here), gone(), polling() and
 * catchUp() (called every few seconds while polling).
 */
export function liveChannel(url, on) {
  let source = null;
  let pollTimer = null;
  let closed = false;

  function poll() {
    if (pollTimer) return;
    on.polling();
    pollTimer = setInterval(on.catchUp, POLL_MS);
    setTimeout(() => { clearInterval(pollTimer); pollTimer = null; connect(); }, POLL_FOR_MS);
  }

  function connect() {
    if (closed || !window.EventSource || !navigator.onLine) return;
    if (source && source.readyState !== EventSource.CLOSED) return;
    source = new EventSource(url);
    source.addEventListener('hello', (e) => on.hello(JSON.parse(e.data)));
    source.addEventListener('change', (e) => on.change(JSON.parse(e.data)));
    source.addEventListener('presence', (e) => on.presence(JSON.parse(e.data).here));
    source.addEventListener('gone', () => on.gone());
    source.addEventListener('error', () => {
      // A refused stream closes for good: poll instead.
      if (source.readyState === EventSource.CLOSED && navigator.onLine) poll();
    });
  }

  /** Offline: drop the stream (connect() opens a new one when the network is back). */
  function pause() {
    if (source) { source.close(); source = null; }
  }

  /** For good: access to the plan ended. */
  function close() {
    closed = true;
    pause();
    clearInterval(pollTimer);
  }

  return { connect, pause, close };
}
