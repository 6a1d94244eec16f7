// Photos in the walk-through and the crisis view: "Show full screen" where the browser can. The
// page shows every photo large without this script; it only offers the full screen.
for (const button of document.querySelectorAll('[data-fullscreen]')) {
  const figure = button.closest('figure');
  if (!figure || !document.fullscreenEnabled) continue;
  button.hidden = false;
  button.addEventListener('click', () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else figure.requestFullscreen().catch(() => {});
  });
}
