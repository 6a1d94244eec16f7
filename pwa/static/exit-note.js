// Runs before the quick-exit note is drawn (a classic script just above it): if this browser has
// already said "I understand", the note is hidden before the first paint, so nothing moves.
try {
  if (localStorage.getItem('trygg.exit-explained') === 'yes') document.documentElement.classList.add('exit-explained');
} catch (e) { /* storage off: the note shows */ }
