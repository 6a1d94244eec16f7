// The offline page lists the pages this device has saved, so a person can still reach them.
const list = document.querySelector('[data-saved-pages]');

function label(path) {
  if (/^\/plans\/\d+\/?$/.test(path)) return list.dataset.labelPlan;
  if (/^\/plans\/\d+\/edit$/.test(path)) return list.dataset.labelEdit;
  if (/^\/grounding\/?$/.test(path)) return list.dataset.labelGrounding;
  return null;
}

async function showSavedPages() {
  if (!list || !('caches' in self)) return;
  const cache = await caches.open('trygg-pages');
  const paths = (await cache.keys()).map((request) => new URL(request.url).pathname);
  for (const path of paths) {
    const text = label(path);
    if (!text) continue;
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = path;
    link.textContent = text;
    item.append(link);
    list.append(item);
  }
}

showSavedPages();
