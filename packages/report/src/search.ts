import { createHash } from 'node:crypto';

/**
 * The report's one piece of script: a search box over the taxonomy table that hides the labels whose name,
 * description, phrases and examples do not hold every word typed, and marks the examples that do. Without script
 * the box stays hidden (`hidden` attribute) and the page reads as before: every label shown. The script is inline
 * and allowed by its hash in the page's Content-Security-Policy, so no other script can run.
 */
export const SEARCH_SCRIPT = `(function () {
  var box = document.getElementById('label-search');
  if (!box) return;
  var input = box.querySelector('input');
  var count = box.querySelector('.count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#taxonomy table.labels tbody tr'));
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  function holds(text, words) { return words.every(function (w) { return text.indexOf(w) >= 0; }); }
  function run() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (r, i) {
      var ok = holds(texts[i], words);
      r.hidden = !ok;
      if (ok) shown++;
      Array.prototype.forEach.call(r.querySelectorAll('li'), function (li) {
        li.classList.toggle('hit', words.length > 0 && holds(li.textContent.toLowerCase(), words));
      });
    });
    count.textContent = words.length ? shown + ' of ' + rows.length + ' labels match' : '';
  }
  box.hidden = false;
  input.addEventListener('input', run);
})();`;

/** The CSP source that allows exactly SEARCH_SCRIPT. */
export const SEARCH_SCRIPT_CSP = `'sha256-${createHash('sha256').update(SEARCH_SCRIPT, 'utf8').digest('base64')}'`;

/** The search box (hidden until the script shows it). */
export function searchBox(labels: number): string {
  return `<div id="label-search" class="search" hidden><label>Search labels and examples <input type="search" placeholder="e.g. refund, card arrived" aria-label="search ${labels} labels and their examples"></label> <span class="count muted" aria-live="polite"></span></div>`;
}

export const SEARCH_CSS = `.search{position:sticky;top:0;z-index:1;background:var(--bg);padding:6px 0;margin:8px 0}
.search input{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:6px;width:320px;max-width:60vw;margin-left:6px}
ul.examples li.hit{background:#fff8c5}`;
