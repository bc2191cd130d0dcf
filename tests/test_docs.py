#!/usr/bin/env python
"""Integration test of the offline docs site (`make docs`, tools/build_docs.py), run by `make test`.

1. A small site from two synthetic notebooks checks the rendering rules (nbdev's `#|` directives, `show_doc`, math,
   stored figures) and that a notebook nbdev cannot process fails the build by name.
2. The project's own site, built from every notebook in nbs/ plus a reports folder holding a plot and an HTML report:
   the build succeeds, every notebook, the API reference (an index and a page per module) and the Reports page are pages.
3. Both sites are crawled from index.html: every page loads with its title, every internal link (file or `#anchor`)
   resolves, every image exists and decodes, every page is reachable through the navigation. The crawl is done in
   headless Chromium (Debian's `chromium`, driven through the DevTools protocol over a pipe: no browser download, no
   extra package) and, always, by a plain HTML parser. Without Chromium the browser half is skipped, loudly, except
   under CI (`CI` set), where that is a failure."""
import base64, io, json, os, select, shutil, subprocess, sys, tempfile, time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse, unquote

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT/'tools'/'build_docs.py'
sys.path.insert(0, str(ROOT/'tools'))
import build_docs as bd
tmp = Path(tempfile.mkdtemp(prefix='xsd_docs_'))
problems = []

def check(ok, msg):
    if not ok and msg not in problems: problems.append(msg); print('FAIL', msg, flush=True)
    return ok

def png_bytes(w=40, h=30, rgb=(200, 30, 30)):
    from PIL import Image
    b = io.BytesIO(); Image.new('RGB', (w, h), rgb).save(b, 'PNG'); return b.getvalue()

def png_ok(path: Path) -> bool:
    "The file is a PNG/JPEG/GIF that decodes to a non-empty image."
    from PIL import Image
    try:
        with Image.open(path) as im: im.load(); return im.width > 0 and im.height > 0
    except Exception: return False

def build(*args):
    t = time.time()
    r = subprocess.run([sys.executable, BUILD, *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    return r, time.time() - t

# ------------------------------------------------------------------ the two loaders: Python's parser and Chromium

class _Page(HTMLParser):
    def __init__(self):
        super().__init__(); self.title, self.h1, self.ids, self.links, self.imgs, self.text = '', '', [], [], [], 0
        self._in = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'id' in a: self.ids.append(a['id'])
        if tag == 'a' and a.get('name'): self.ids.append(a['name'])
        if tag == 'a' and a.get('href') is not None: self.links.append(a['href'])
        if tag == 'img': self.imgs.append(a.get('src', ''))
        if tag in ('title', 'h1'): self._in = tag
    def handle_endtag(self, tag): self._in = None if tag == self._in else self._in
    def handle_data(self, data):
        self.text += len(data.strip())
        if self._in == 'title': self.title += data
        elif self._in == 'h1': self.h1 += data

def load_python(url):
    "What a page offers, read with Python's HTML parser: links resolved to absolute file URLs as a browser would."
    from urllib.parse import urljoin
    p = _Page(); p.feed(Path(unquote(urlparse(url).path)).read_text())
    imgs = [(urljoin(url, s), s.startswith('data:') or png_ok(Path(unquote(urlparse(urljoin(url, s)).path)))) for s in p.imgs]
    return dict(title=p.title.strip(), h1=p.h1.strip(), text=p.text, ids=p.ids, imgs=imgs,
                links=[urljoin(url, h) for h in p.links])

class Chromium:
    "Headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe` (fds 3 and 4)."
    JS = """(() => ({title: document.title, h1: (document.querySelector('h1') || {}).textContent || '',
      text: document.body ? document.body.innerText.trim().length : 0,
      ids: [...document.querySelectorAll('[id]')].map(e => e.id).concat([...document.querySelectorAll('a[name]')].map(e => e.name)),
      imgs: [...document.images].map(i => [i.currentSrc || i.src, i.complete && i.naturalWidth > 0]),
      links: [...document.querySelectorAll('a[href]')].map(a => a.href)}))()"""
    def __init__(self, exe):
        import fcntl
        to_chrome, from_chrome = os.pipe(), os.pipe()
        # move the child's ends above fd 10 first, so the dup2 onto 3 and 4 below cannot clobber one another
        r, w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_chrome[0], from_chrome[1]))
        def child(): os.dup2(r, 3); os.dup2(w, 4)   # dup2 leaves 3 and 4 inheritable: Chromium's pipe
        self.profile = tempfile.mkdtemp(prefix='xsd_chromium_')
        self.p = subprocess.Popen([exe, '--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
                                   '--no-first-run', '--no-default-browser-check', '--disable-extensions',
                                   '--disable-background-networking', '--disable-sync', '--mute-audio',
                                   f'--user-data-dir={self.profile}', 'about:blank'],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  preexec_fn=child, close_fds=False)
        for fd in (to_chrome[0], from_chrome[1], r, w): os.close(fd)
        self.wfd, self.rfd, self.buf, self.n = to_chrome[1], from_chrome[0], b'', 0
        tid = self.send('Target.createTarget', url='about:blank')['targetId']
        self.session = self.send('Target.attachToTarget', targetId=tid, flatten=True)['sessionId']

    def send(self, method, session=None, timeout=30, **params):
        self.n += 1
        msg = {'id': self.n, 'method': method, 'params': params} | ({'sessionId': session} if session else {})
        os.write(self.wfd, json.dumps(msg).encode() + b'\0')
        end = time.time() + timeout
        while True:
            while b'\0' not in self.buf:
                left = end - time.time()
                if left <= 0 or not select.select([self.rfd], [], [], left)[0]: raise TimeoutError(f'{method}: no answer from Chromium')
                chunk = os.read(self.rfd, 1 << 20)
                if not chunk: raise RuntimeError(f'{method}: Chromium closed the pipe (exit code {self.p.poll()})')
                self.buf += chunk
            raw, _, self.buf = self.buf.partition(b'\0')
            m = json.loads(raw)
            if m.get('id') == self.n:
                if 'error' in m: raise RuntimeError(f"{method}: {m['error']}")
                return m['result']

    def load(self, url, timeout=30):
        "Open `url`, wait for its load event (images decoded), return what the page offers."
        self.send('Page.navigate', self.session, url=url)
        end = time.time() + timeout
        js = f"document.readyState === 'complete' && location.href === {json.dumps(url)}"
        while not self.send('Runtime.evaluate', self.session, expression=js, returnByValue=True)['result'].get('value'):
            if time.time() > end: raise TimeoutError(f'{url} did not finish loading in {timeout}s')
            time.sleep(0.05)
        return self.send('Runtime.evaluate', self.session, expression=self.JS, returnByValue=True)['result']['value']

    def close(self):
        try: self.send('Browser.close', timeout=5)
        except Exception: pass
        try: self.p.wait(10)
        except subprocess.TimeoutExpired: self.p.kill(); self.p.wait()
        os.close(self.wfd); os.close(self.rfd); shutil.rmtree(self.profile, ignore_errors=True)

def crawl(site: Path, load, who):
    "From index.html follow every local link; check titles, links, anchors, images; every page must be reached."
    start = (site/'index.html').as_uri()
    seen, queue, anchors, infos = set(), [start], [], {}
    while queue:
        url = queue.pop(0)
        if url in seen: continue
        seen.add(url)
        path = Path(unquote(urlparse(url).path))
        if not check(path.is_file(), f'[{who}] missing page {path.relative_to(site)}'): continue
        try: info = load(url)
        except Exception as e: check(False, f'[{who}] {path.relative_to(site)} did not load: {e}'); continue
        infos[path.relative_to(site).as_posix()] = info
        name = path.relative_to(site).as_posix()
        if not name.startswith(bd.REPORT_FILES + '/'):   # pages of the site (copied HTML reports are nbconvert's own)
            check(info['text'] > 0 and info['h1'].strip() and info['title'].startswith(info['h1'].strip()),
                  f'[{who}] {name}: empty page or no title (title={info["title"]!r}, h1={info["h1"]!r})')
        for src, ok in info['imgs']: check(ok, f'[{who}] {name}: image {src} missing or does not decode')
        for href in info['links']:
            u, frag = urldefrag(href)
            if urlparse(u).scheme != 'file': continue   # outside links (GitHub source links) are not ours to check
            tgt = Path(unquote(urlparse(u).path))
            if not check(tgt.is_file(), f'[{who}] {name}: broken link {href}'): continue
            if frag: anchors.append((name, tgt, unquote(frag)))
            if tgt.suffix == '.html' and site in tgt.parents: queue.append(tgt.as_uri())
    for name, tgt, frag in anchors:
        ids = infos.get(tgt.relative_to(site).as_posix(), {}).get('ids', [])
        check(frag in ids, f'[{who}] {name}: link to {tgt.name}#{frag}: no such anchor')
    pages = {p.relative_to(site).as_posix() for p in site.rglob('*.html')}
    check(pages <= set(infos), f'[{who}] pages not reachable from index.html: {sorted(pages - set(infos))}')
    return infos

def crawl_both(site, chrome, who):
    py = crawl(site, load_python, f'{who}/python')
    if chrome: crawl(site, chrome.load, f'{who}/chromium')
    return py

# ------------------------------------------------------------------ 1. rendering rules and failure, on a small site

def nb(*cells):
    mk = lambda t, s, **kw: dict(cell_type=t, source=s, metadata={}, **kw)
    cs = [mk('markdown', c[1]) if c[0] == 'md' else
          mk('code', c[1], outputs=c[2] if len(c) > 2 else [], execution_count=None) for c in cells]
    return json.dumps(dict(cells=cs, metadata=dict(kernelspec=dict(display_name='python3', language='python', name='python3')),
                           nbformat=4, nbformat_minor=5))

mini = tmp/'mini_nbs'; mini.mkdir()
fig = base64.b64encode(png_bytes()).decode()
(mini/'index.ipynb').write_text(nb(('md', '# Mini\n\n> A site of two notebooks.'), ('md', 'See [good](01_good.ipynb).')))
(mini/'01_good.ipynb').write_text(nb(
    ('md', '# Good page\n\n> Rendering rules.'),
    ('code', '#| export\ndef double(x:int, # a number\n          )->int: # twice `x`\n    "Twice `x`."\n    return 2*x'),
    ('md', '## Maths and links\n\nInline $a^2+b_i$, [to double](#double), [to the API](_api.html).\n\n| a | b |\n|---|---|\n| 1 | 2 |'),
    ('code', '#| hide\nsecret_hidden_cell = 1'),
    ('code', "#| echo: false\nprint('HIDDEN-SOURCE')", [dict(output_type='stream', name='stdout', text='shown output\n')]),
    ('code', "#| output: false\nprint('x')", [dict(output_type='stream', name='stdout', text='HIDDEN-OUTPUT\n')]),
    ('code', 'plot_cell = 1', [dict(output_type='display_data', metadata={},
                                    data={'image/png': fig, 'text/plain': '<Figure size 40x30>'})])))
(mini/'02_bad.ipynb').write_text(nb(('md', '# Bad page'), ('code', "#| export\nraise ValueError('boom: cannot process')")))
(mini/'_scratch.ipynb').write_text(nb(('md', '# Scratch')))   # `_` notebooks are not documented, as in nbdev
reports = tmp/'reports'; (reports/'L1_1f').mkdir(parents=True)
(reports/'L1_1f'/'acceptance.png').write_bytes(png_bytes(64, 48, (30, 90, 200)))
(reports/'L1_1f'/'adapter_report.html').write_text('<!doctype html><title>Adapter report</title><h1>Adapter report</h1><p>ok</p>')

chrome_exe = shutil.which('chromium') or shutil.which('chromium-browser') or os.environ.get('CHROMIUM')
chrome = None
if chrome_exe:
    try: chrome = Chromium(chrome_exe)
    except Exception as e: check(False, f'chromium ({chrome_exe}) is installed but does not start: {e}')
elif os.environ.get('CI'):   # CI installs it (.ci/run): a missing browser there is a broken set-up, not a skip
    check(False, 'CI has no `chromium` on PATH: install it first (Debian: `apt-get install -y chromium`)')
else:
    print('SKIPPED the browser checks: no `chromium` on PATH (Debian: `apt-get install -y chromium`); '
          'links, anchors and images are still checked with Python', flush=True)

try:
    r, t_mini = build('--nbs', mini, '--out', tmp/'mini_site', '--proc', tmp/'mini_proc', '--reports', tmp/'no_reports', '--no-exec')   # stored outputs
    site = tmp/'mini_site'
    check(r.returncode == 1, f'a notebook that nbdev cannot process must fail the build (exit code {r.returncode})')
    check('02_bad.ipynb' in r.stderr and 'boom: cannot process' in r.stderr, f'the failure names the notebook and the error:\n{r.stderr[-1500:]}')
    check('01_good.ipynb' not in r.stderr, 'only the bad notebook is reported')
    check(sorted(p.name for p in site.glob('*.html')) == ['_api.html', '_reports.html', 'bad.html', 'good.html', 'index.html'],
          f'pages: {sorted(p.name for p in site.glob("*.html"))}')
    good = (site/'good.html').read_text()
    check('id="double"' in good and 'Twice' in good, 'show_doc of the exported function, with its anchor')
    check('<math' in good and '<table' in good, 'math as MathML and tables')
    check('shown output' in good and 'HIDDEN-SOURCE' not in good, '`echo: false` hides the source, not the output')
    check('HIDDEN-OUTPUT' not in good and 'secret_hidden_cell' not in good, '`output: false` and `hide` are honoured')
    check(png_ok(site/'_figures'/'good'/'fig1.png'), 'the stored figure is written out as a PNG')
    check('href="good.html"' in (site/'index.html').read_text(), 'a link to a notebook leads to its page')
    check('boom: cannot process' in (site/'bad.html').read_text(), "the failed notebook's page shows the error")
    check('make main' in (site/'_reports.html').read_text() and '<img' not in (site/'_reports.html').read_text(),
          'without reports, the Reports page says how to make them')
    crawl_both(site, chrome, 'mini')
    # nbdev links a backticked method to `page#cls.meth` even when only the class has a show_doc entry
    from types import SimpleNamespace
    fake = SimpleNamespace(known_ids={'a.html': {'cls', 'f'}}, warnings=set())
    check([bd.Site.doc_link(fake, t, 'x.html') for t in ('a.html#f', 'a.html#cls.meth', 'a.html#_private', 'b.html#g')]
          == ['a.html#f', 'a.html#cls', 'a.html', 'b.html#g'] and len(fake.warnings) == 1, 'doc links to missing anchors')

    # ------------------------------------------------------------------ 2. the project's site
    out = tmp/'site'
    r, t_cold = build('--out', out, '--proc', tmp/'proc', '--reports', reports)
    print(r.stdout[-3000:], flush=True)
    check(r.returncode == 0, f'`build_docs.py` failed (exit code {r.returncode}):\n{r.stderr[-6000:]}')
    import re
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    os.chdir(ROOT)
    cfg = get_config()
    infos = crawl_both(out, chrome, 'site')
    titles = {i['h1'].strip() for i in infos.values()}
    for src in map(Path, nbglob(cfg.nbs_path)):
        cells = json.loads(src.read_text())['cells']
        title = next((m.group(1).strip() for c in cells if c['cell_type'] == 'markdown'
                      for m in [re.match(r'#\s+(.+)', ''.join(c['source']).strip())] if m), None)
        check(title in titles, f'{src.name}: no page titled {title!r}')
        mod = bd.default_exp(src)
        if mod:
            page = out/bd.api_page(f'{cfg.lib_name}.{mod}')
            check(page.exists() and f'id="{cfg.lib_name}.{mod}"' in page.read_text() and f'href="{page.name}"' in (out/'_api.html').read_text(),
                  f'API reference: no page for {cfg.lib_name}.{mod}, or the index does not link it')
    # the chapters are executed for the site (not their committed copies): their figures and tables are on the pages
    check(all('<img' in (out/f'{p}.html').read_text() for p in ('toyworld', 'evaluate', 'bench')), 'executed chapters show their figures')
    check('<table' in (out/'toypair.html').read_text() and 'answers equal' in (out/'bench.html').read_text(), 'and their printed results')
    idx = json.loads((out/'_search.js').read_text().removeprefix('window.XSD_SEARCH = ').rstrip().rstrip(';'))
    check({e['page'] for e in idx} == {p.relative_to(out).as_posix() for p in out.rglob('*.html') if not p.relative_to(out).as_posix().startswith('_reports/')} and all(e['text'] for e in idx),
          'the search index holds every page, with its text')
    check('class="toc"' in (out/'bench.html').read_text() and 'id="xsd-q"' in (out/'index.html').read_text(), 'contents box and search box')
    rep = (out/'_reports.html').read_text()
    check('src="_reports/L1_1f/acceptance.png"' in rep and 'href="_reports/L1_1f/adapter_report.html"' in rep,
          'the Reports page shows the plot and links the HTML report')
    t_warm = float('nan')
    if r.returncode == 0:   # every notebook processed: a second build takes them all from the cache
        r2, t_warm = build('--out', out, '--proc', tmp/'proc', '--reports', reports)
        n = len(list(nbglob(cfg.nbs_path)))
        check(r2.returncode == 0 and f'{n} notebooks, {n} processed ones from cache' in r2.stdout,
              f'a second build reuses every processed notebook:\n{r2.stdout[-500:]}')
    warm = f'{t_warm:.1f}s from cache' if r.returncode == 0 else 'no cached rebuild (the build failed)'
    print(f'docs: small site {t_mini:.1f}s, project site {t_cold:.1f}s cold, {warm}; '
          f'browser checks {"done in " + chrome_exe if chrome else "SKIPPED (no chromium)"}')
finally:
    if chrome: chrome.close()

if problems:
    print(f'{len(problems)} problem(s) in the docs site (sites left in {tmp})', file=sys.stderr); sys.exit(1)
shutil.rmtree(tmp, ignore_errors=True)
print('docs site ok')
