// Client-side search over the site's pages (index: _search.js, written by tools/build_docs.py). Every word typed must
// appear on a page; pages rank by title matches, then by how often the words occur; each hit shows a snippet.
(function () {
  const box = document.getElementById('xsd-q'), hits = document.getElementById('xsd-hits');
  if (!box || !window.XSD_SEARCH) return;
  const root = box.dataset.root || '';
  const esc = s => s.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  const count = (text, w) => { let n = 0, i = -1; while ((i = text.indexOf(w, i + 1)) >= 0) n++; return n; };
  box.addEventListener('input', () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(w => w.length > 1);
    hits.innerHTML = '';
    if (!words.length) return;
    const found = [];
    for (const p of window.XSD_SEARCH) {
      const text = p.text.toLowerCase(), title = p.title.toLowerCase();
      if (!words.every(w => text.includes(w) || title.includes(w))) continue;
      const score = words.reduce((s, w) => s + 50 * title.includes(w) + count(text, w), 0);
      const at = Math.max(0, text.indexOf(words[0]) - 60);
      found.push({p, score, snip: p.text.slice(at, at + 160)});
    }
    found.sort((a, b) => b.score - a.score);
    hits.innerHTML = found.slice(0, 12).map(h =>
      `<li><a href="${root}${h.p.page}">${esc(h.p.title)}</a><span>${esc(h.snip)}…</span></li>`).join('')
      || '<li class="none">no page has every word</li>';
  });
})();
