// The offline page names the pages a person may have saved (the server lists them from the
// packages' offline registry); this shows the ones this device really has.
async function showSavedPages() {
  const list = document.querySelector('[data-saved-pages]');
  if (!list || !('caches' in self)) return;
  const cache = await caches.open(list.dataset.savedPages);  // the service worker's name for it
  const saved = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
  document.querySelectorAll('[data-saved-page]').forEach((item) => { item.hidden = !saved.has(item.dataset.savedPage); });
}

showSavedPages();
