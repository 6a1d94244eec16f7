// "I need help now": one step per screen. The page is complete without this script (every step
// in order, "Next step" jumps down); the script shows one step at a time, moves focus to its
// heading so a screen reader reads it, and keeps the screen awake where the browser can.
// It sends nothing: the walk-through only reads the plan already on the page.
const root = document.querySelector('[data-walkthrough]');

if (root) {
  const steps = [...root.querySelectorAll('[data-step]')];
  let current = 0;

  const show = (index, focus) => {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((step, n) => { step.hidden = n !== current; });
    root.dataset.current = String(current + 1);
    if (focus) {
      // Remember the step in the address (a reload stays there), then start the screen at the top.
      // Not on the first show: a fragment set while the page loads makes the browser scroll to it.
      history.replaceState(null, '', `#${steps[current].id}`);
      window.scrollTo(0, 0);
      steps[current].querySelector('.now-title').focus({ preventScroll: true });
    }
  };

  root.addEventListener('click', (event) => {
    const link = event.target.closest('[data-next], [data-back], [data-restart]');
    if (!link) return;
    event.preventDefault();
    if (link.hasAttribute('data-next')) show(current + 1, true);
    else if (link.hasAttribute('data-back')) show(current - 1, true);
    else show(0, true);
  });

  const start = steps.findIndex((step) => `#${step.id}` === window.location.hash);
  root.classList.add('is-stepping');
  show(start > 0 ? start : 0, false);

  // Keep the screen on while someone reads and calls (Screen Wake Lock, where available).
  let lock = null;
  const keepAwake = async () => {
    if (!('wakeLock' in navigator) || document.visibilityState !== 'visible' || lock) return;
    try {
      lock = await navigator.wakeLock.request('screen');
      root.dataset.awake = 'true';
      lock.addEventListener('release', () => { lock = null; root.dataset.awake = 'false'; });
    } catch (e) { root.dataset.awake = 'false'; /* not allowed now (battery saver, no gesture) */ }
  };
  document.addEventListener('visibilitychange', keepAwake);
  root.addEventListener('click', keepAwake);
  keepAwake();
}
