// The print view's Print button: shown only where the browser can print.
const button = document.querySelector('[data-print]');
const hint = document.querySelector('[data-print-hint]');
if (button && typeof window.print === 'function') {
  button.hidden = false;
  if (hint) hint.hidden = true;
  button.addEventListener('click', () => window.print());
}
