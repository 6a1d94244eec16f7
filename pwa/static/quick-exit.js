// Quick exit, after GOV.UK's "Exit this page": the button, or the Shift key pressed three times
// within five seconds, blanks the page at once and replaces it with a neutral site via
// location.replace (so Back does not return to this page). Without JavaScript the button is a
// plain link to the same site. A one-time note says what it can and cannot hide.
const button = document.querySelector('[data-quick-exit]');
const SHIFT_PRESSES = 3;
const WINDOW_MS = 5000;

function leave(event) {
  if (event) event.preventDefault();
  document.body.classList.add('exiting');
  document.title = '\u00a0';
  window.location.replace(button.href);
}

if (button) {
  button.addEventListener('click', leave);
  // It is a link that looks and acts like a button (as GOV.UK's): Space works too.
  button.addEventListener('keydown', (event) => { if (event.key === ' ') leave(event); });
  let presses = 0;
  let timer = null;
  document.addEventListener('keyup', (event) => {
    if (event.key !== 'Shift') { presses = 0; return; }  // typing a capital letter resets it
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(() => { presses = 0; }, WINDOW_MS);
    if (presses >= SHIFT_PRESSES) leave();
  });

  // "I understand": remember it in this browser's storage; the page's HTML stays the same.
  const note = document.querySelector('[data-exit-note]');
  const form = note && note.querySelector('[data-exit-ok]');
  if (form) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      try { localStorage.setItem('trygg.exit-explained', 'yes'); } catch (e) { /* shown again next time */ }
      document.documentElement.classList.add('exit-explained');
      button.focus();
    });
  }
}
