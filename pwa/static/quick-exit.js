// Quick exit, after GOV.UK's "Exit this page": the button, or the Shift key pressed three times
// within five seconds, blanks the page at once and replaces it with a neutral site via
// location.replace (so Back does not return to this page). Without JavaScript the button is a
// plain link to the same site. A one-time note says what it can and cannot hide.
const button = document.querySelector('[data-quick-exit]');
const SHIFT_PRESSES = 3;
const WINDOW_MS = 5000;
const EXPLAINED = 'trygg.exit-explained';

function leave(event) {
  if (event) event.preventDefault();
  document.body.classList.add('exiting');
  document.title = '\u00a0';
  window.location.replace(button.href);
}

if (button) {
  button.addEventListener('click', leave);
  let presses = 0;
  let timer = null;
  document.addEventListener('keyup', (event) => {
    if (event.key !== 'Shift') { presses = 0; return; }  // typing a capital letter resets it
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(() => { presses = 0; }, WINDOW_MS);
    if (presses >= SHIFT_PRESSES) leave();
  });

  const note = document.querySelector('[data-exit-note]');
  let explained = true;
  try { explained = localStorage.getItem(EXPLAINED) === 'yes'; } catch (e) { /* storage off: say nothing */ }
  if (note && !explained) {
    note.hidden = false;
    note.querySelector('[data-exit-ok]').addEventListener('click', () => {
      try { localStorage.setItem(EXPLAINED, 'yes'); } catch (e) { /* shown again next time */ }
      note.hidden = true;
      button.focus();
    });
  }
}
