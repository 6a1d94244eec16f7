// The co-editor's live channel to one plan: the shell's one live client (pwa/static/live.js) with
// the editor's events (hello, change, presence, gone), and its poll whenever the server refuses the
// stream. It only listens: what a message means is decided by coedit.js.
import { liveChannel as channel } from '/assets/pwa/live.js';

/**
 * `on` holds the handlers: hello(data), change(data), presence(here), gone(), polling() and
 * catchUp() (called every few seconds while polling).
 */
export function liveChannel(url, on) {
  return channel(url, {
    events: { hello: on.hello, change: on.change, presence: (data) => on.presence(data.here), gone: () => on.gone() },
    polling: on.polling,
    catchUp: on.catchUp,
  });
}
