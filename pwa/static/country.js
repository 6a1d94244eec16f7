// The emergency number before sign-in is where the person is, not what their browser's language
// suggests (an English phone in Oslo needs 113, not 911). The server draws the page from the
// language's region and, while this browser remembers no country, puts this script and a small
// table on the help strip. The device's time zone then names the country: remember it (a cookie
// the server reads from the next page on) and put its number in place: same size, nothing moves.
// Parts of the page that list a country's lines (the sign-in page's, /help's) are taken from the
// same page asked for again. Without this script the language's guess stands, and the strip's
// country button and /help let the person choose.
const COOKIE = 'trygg_country';
const YEAR = 365 * 24 * 3600;
const strip = document.querySelector('[data-country-guess]');

function deviceZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    return '';
  }
}

function remember(country) {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${COOKIE}=${country}; Path=/; Max-Age=${YEAR}; SameSite=Lax${secure}`;
}

function showCall(country, guess) {
  const [number, tel, name] = guess.calls[country];
  document.querySelectorAll('[data-emergency-call]').forEach((link) => {
    link.href = tel;
    const shown = link.querySelector('[data-emergency-number]');
    if (shown) shown.textContent = number;
  });
  document.querySelectorAll('[data-country-code]').forEach((code) => { code.textContent = country; });
  document.querySelectorAll('[data-country-name]').forEach((label) => { label.textContent = ` (${name})`; });
  document.querySelectorAll('[data-country-menu] button[name="country"]').forEach((button) => {
    if (button.value === country) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  });
}

// A country choice nobody has touched yet (registration's, /help's) follows the guess.
function preselect(country) {
  document.querySelectorAll('select[name="country"]').forEach((select) => {
    const drawn = select.querySelector('option[selected]');
    const untouched = !drawn || select.value === drawn.value;
    if (untouched && select.querySelector(`option[value="${country}"]`)) select.value = country;
  });
}

// Replace each [data-country-part] (by id) with the same part of this page drawn again, now
// with the remembered country. Only pages that mark such parts ask again.
async function redrawParts() {
  const parts = [...document.querySelectorAll('[data-country-part][id]')];
  if (!parts.length) return;
  try {
    const response = await fetch(window.location.pathname + window.location.search,
      { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    parts.forEach((part) => {
      const replacement = fresh.getElementById(part.id);
      if (replacement && replacement.hasAttribute('data-country-part')) part.replaceWith(replacement);
    });
  } catch (e) { /* offline or refused: the number on the strip is right already */ }
}

function guessFromZone() {
  if (!strip || document.cookie.split('; ').some((c) => c.startsWith(`${COOKIE}=`))) return;
  let guess;
  try {
    guess = JSON.parse(strip.dataset.countryGuess);
  } catch (e) {
    return;
  }
  const country = guess.zones[deviceZone()];
  if (!country || !guess.calls[country]) return; // a zone we have no numbers for: the language's guess stands
  remember(country);
  preselect(country);
  if (country === guess.country) return;
  showCall(country, guess);
  redrawParts();
}

guessFromZone();
