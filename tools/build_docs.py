#!/usr/bin/env python
"""The docs site without Quarto (`make docs`; open `_docs/index.html`). `nbdev-docs` needs Quarto, which needs the
internet to install; this builds the same pages offline from the same input, nbdev's processed notebooks:

1. every notebook nbdev would document (`nbglob`: `nbs/**/*.ipynb`, not `_*` or `.*`) goes through nbdev's own
   `FilterDefaults` processors, as `nbdev-proc-nbs` does for Quarto (`#| hide`/`export` cells dropped, `show_doc`
   cells added and rendered, doc links added), in worker processes, cached in `_proc/` by content hash.
   Before that each notebook is executed as `nbdev-test` executes it (every cell but those flagged `slow`/`cuda`,
   i.e. settings.ini's `tst_flags`, from `nbs/`), on a hidden copy whose outputs the page shows: the chapters carry
   their tables and figures without storing outputs in the committed notebooks (`--no-exec`: stored outputs only);
2. the processed notebooks are rendered with markdown-it-py (+ mdit-py-plugins for Quarto's `{attrs}` and `:::` divs,
   latex2mathml for `$math$`, so no MathJax from a CDN) and Pygments, honouring the Quarto cell options nbdev leaves
   (`echo`, `output`, `include`, `eval`, `code-fold`, `output: asis`); headings get pandoc's ids, so nbdev's doc links
   (`core.html#inputerror`) land where they do on a Quarto site;
3. plus the API reference (an index, and one page per module with its `show_doc` entries) and a Reports page (`reports/**/*.png` shown,
   `reports/**/*.html` linked), all with one sidebar.

A notebook that nbdev cannot process is named with nbdev's error, gets an error page, and the build exits 1.
Usage: `python tools/build_docs.py [--out _docs] [--reports DIR] [--proc _proc] [--nbs nbs] [--workers 2] [--force] [--no-exec]`."""
import argparse, base64, hashlib, html, json, os, re, shutil, string, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent/'docs_template'
MARKER = '.xsd_docs'   # marks a folder this tool wrote, the only kind it deletes
# nbdev never makes a page whose name starts with `_` (it skips `_*` notebooks): no clash with a notebook's page
API, REPORTS, STYLE, FIGURES, REPORT_FILES = '_api.html', '_reports.html', '_style.css', '_figures', '_reports'
SEARCH, SEARCH_UI = '_search.js', '_search_ui.js'

def contents(body: str) -> str:
    "A page's contents box: its h2/h3 headings (with ids) as links, when it has at least three."
    hs = re.findall(r'<h([23])[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', body, re.S)
    if len(hs) < 3: return ''
    items = ''.join(f'<li class="toc-h{lvl}"><a href="#{hid}">{re.sub(r"<[^>]+>", "", txt).strip()}</a></li>' for lvl, hid, txt in hs)
    return f'<nav class="toc" aria-label="On this page"><strong>On this page</strong><ul>{items}</ul></nav>\n'

def plain_text(body: str) -> str:
    "A page body as plain text, for the search index: no tags, images or styles, spaces collapsed."
    t = re.sub(r'<(script|style)[^>]*>.*?</\1>|<img[^>]*>', ' ', body, flags=re.S)
    return re.sub(r'\s+', ' ', html.unescape(re.sub(r'<[^>]+>', ' ', t))).strip()

def hint(err: str) -> str:
    "What usually causes an error nbdev raised while processing a notebook (it names the cell), and the fix."
    if 'in cell' not in err: return ''
    if re.search(r'^show_doc\(', err, re.M):
        return ("`show_doc` could not document that symbol: usually a type annotation (its own or a base class's) "
                "naming a type the notebook never imports; import it in the notebook's exported imports cell")
    if 'NameError' in err:
        return ("nbdev runs a notebook's exported cells, `show_doc` cells and every cell containing an import, to "
                "render `show_doc`; a cell that imports and also uses names defined in other (unexported) cells fails "
                "there: move its imports into the notebook's imports cell")
    return ''

class DocsError(Exception): "A notebook or page that cannot be built; the message names it."

# ---------------------------------------------------------------- 1. processing (nbdev's own processors)

def executed(src: Path) -> dict:
    "Notebook `src` with the outputs of its fast cells: run by nbdev's own `test_nb` on a hidden copy beside it, saved there."
    from fastcore.nbio import read_nb
    from nbdev.config import get_config
    from nbdev.test import test_nb
    import io
    tmp = src.with_name(f'.exec_{os.getpid()}_{src.name}')   # beside it: its cells' relative paths hold; hidden: no glob finds it
    shutil.copy(src, tmp)
    err, stderr = io.StringIO(), sys.__stderr__                 # test_nb writes a failing cell's traceback there
    try:
        sys.__stderr__ = err
        try: ok, _ = test_nb(tmp, skip_flags=str(get_config().tst_flags).split(), save=True)
        finally: sys.__stderr__ = stderr
        if not ok: raise DocsError(f"a cell failed when the notebook was executed for its outputs (`nbdev-test {_rel(src)}` "
                                   f"shows the same):\n{err.getvalue()[-3000:]}")
        nb = read_nb(tmp); nb['path_'] = str(src)   # the page is the notebook's, not the copy's
        return nb
    finally: tmp.unlink(missing_ok=True)

def proc_one(src, dst, execute:bool=True):
    "Run nbdev's docs processors on notebook `src` (executed first, see `executed`), write the result to `dst`, as `nbdev-proc-nbs` does."
    from fastcore.nbio import read_nb, write_nb
    from nbdev.processors import FilterDefaults
    nb = executed(Path(src)) if execute else read_nb(src)
    FilterDefaults()(nb)
    tmp = Path(str(dst) + '.tmp')
    write_nb(nb, tmp); os.replace(tmp, dst)

def _init_worker():
    # as nbdev's docs build: `IN_TEST` turns `nbdev_export()` calls etc. into no-ops; one thread each (2 cores)
    os.environ.update(IN_TEST='1', MPLBACKEND='Agg', OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    import multiprocessing as mp   # a spawned worker would spawn the cells' own process pools too, which cannot find functions
    if 'fork' in mp.get_all_start_methods(): mp.set_start_method('fork', force=True)   # defined in a notebook: fork, as nbdev-test
    os.chdir(ROOT)
    import warnings; warnings.simplefilter('ignore')

def _proc_worker(src, dst, execute=True):
    "`proc_one` in a pool worker: returns (error text or None, seconds); what the notebook's cells print is dropped."
    import io
    from contextlib import redirect_stdout, redirect_stderr
    t = time.time()
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()): proc_one(src, dst, execute)
    except Exception as e:
        msg = f"{type(e).__name__}: {e}"   # nbdev's message: notebook, cell number, the cell's source, the error
        return (msg if len(msg) < 4000 else msg[:1500] + '\n[...]\n' + msg[-2000:]), time.time() - t
    return None, time.time() - t

def _cache_key(src: Path, lib: Path, execute=True) -> str:
    """What a processed notebook depends on: its bytes, the library (show_doc, doc links), nbdev and its config, and
    (executed) the committed result files and data its cells read."""
    import nbdev
    h = hashlib.sha256(f'{nbdev.__version__} {execute}'.encode())
    extra = [*sorted(p for p in (ROOT/'reports'/'reference').rglob('*') if p.is_file()),
             *sorted(p for p in (ROOT/'data'/'pretrained').rglob('*.json'))] if execute else []
    for p in [src, ROOT/'pyproject.toml', ROOT/'settings.ini', *sorted(lib.rglob('*.py')), *extra]: h.update(p.name.encode()); h.update(p.read_bytes())
    return h.hexdigest()

def process(nbs, nbs_path: Path, proc: Path, lib: Path, workers=2, force=False, say=print, execute=True):
    """Processed copies of `nbs` under `proc`; returns {src: (processed path or None, error or None, seconds or None
    when cached)}. Worker processes are reused across notebooks (as nbdev's `proc_nbs` does), so torch and
    transformers are imported once per worker, not once per notebook."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build_docs as bd   # the workers find `_proc_worker` by module name (not `__main__`, which spawn re-runs)
    res, todo = {}, []
    for src in nbs:
        dst = proc/src.relative_to(nbs_path); stamp = dst.with_name(dst.name + '.key'); key = _cache_key(src, lib, execute)
        if not force and dst.exists() and stamp.exists() and stamp.read_text() == key: res[src] = (dst, None, None)
        else: dst.parent.mkdir(parents=True, exist_ok=True); stamp.unlink(missing_ok=True); todo.append((src, dst, stamp, key))
    if not todo: return res
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=mp.get_context('spawn'),
                             initializer=bd._init_worker) as ex:
        futs = [(src, dst, stamp, key, ex.submit(bd._proc_worker, src, dst, execute)) for src, dst, stamp, key in todo]
        for src, dst, stamp, key, fut in futs:
            try: err, dt = fut.result()
            except Exception as e: err, dt = f"the worker processing it died: {type(e).__name__}: {e}", None
            if not err: stamp.write_text(key)
            say(f"  {'processed' if not err else 'FAILED   '} {_rel(src)}" + (f" ({dt:.1f}s)" if dt else ''))
            res[src] = (None if err else dst, err, dt)
    return res

# ---------------------------------------------------------------- 2. rendering

def pandoc_id(text: str) -> str:
    "Pandoc's automatic identifier (what Quarto gives a heading): `Config.from_name` -> `config.from_name`."
    s = ''.join(c for c in text.lower() if c.isalnum() or c in '_-.' or c.isspace())
    s = '-'.join(s.split())
    while s and not s[0].isalpha(): s = s[1:]   # identifiers start with a letter
    return s or 'section'

_re_ansi = re.compile(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])')
_re_hdr_attrs = re.compile(r'\s*\{#([\w.:-]+)[^}]*\}\s*$')   # pandoc's `## Heading {#id}`

def _highlight(code, lang, attrs=''):
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name, TextLexer
    try: lexer = get_lexer_by_name(lang or 'text')
    except Exception: lexer = TextLexer()
    return f'<pre class="highlight"><code>{highlight(code, lexer, HtmlFormatter(nowrap=True))}</code></pre>'

def _math(content, opts):
    from latex2mathml.converter import convert
    display = opts.get('display_mode', False)
    try: return convert(content, display='block' if display else 'inline')
    except Exception as e: raise DocsError(f"cannot render the formula ${content}$ ({type(e).__name__}: {e})") from e

def _div(self, tokens, idx, options, env):
    "Quarto's fenced divs `::: {.callout-note}`: a div with those classes/id."
    t = tokens[idx]
    if t.nesting != 1: return '</div>\n'
    info = t.info.strip().strip('{}')
    classes = [w[1:] for w in info.split() if w.startswith('.')] or ([info] if info and '=' not in info and not info.startswith('#') else [])
    ids = [w[1:] for w in info.split() if w.startswith('#')]
    return f'<div class="{html.escape(" ".join(classes))}"' + (f' id="{html.escape(ids[-1])}"' if ids else '') + '>\n'

def make_md():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    md = MarkdownIt('commonmark', {'html': True, 'highlight': _highlight}).enable(['table', 'strikethrough'])
    md.use(attrs_plugin)   # `[source](url){target="_blank" style=...}`, as show_doc writes for Quarto
    md.use(container_plugin, name='div', validate=lambda params, *a: True, render=_div)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, renderer=_math)   # pandoc's `$` rules
    return md

class Site:
    "The pages being built: shared state for link rewriting, assets and the navigation."
    def __init__(self, out: Path, nbs_path: Path, cfg):
        self.out, self.nbs_path, self.md = out, nbs_path, make_md()
        self.doc_url = (str(cfg.get('doc_host', '')).rstrip('/') + '/' + str(cfg.get('doc_baseurl', '/')).strip('/')).rstrip('/') + '/'
        self.git_url, self.branch = str(cfg.get('git_url', '')).rstrip('/'), str(cfg.get('branch', 'main'))
        self.nb_pages = {}   # notebook (abs path) -> page path relative to the site
        self.known_ids, self.warnings = None, set()   # anchors of each notebook page, once known
        self.heading_ids = []

    def markdown(self, src: str, page: str, ids: dict, src_dir: Path = None, attachments=None, id_prefix='') -> str:
        "Render markdown for `page`, giving headings unique pandoc ids (counted in `ids`) and fixing links/images."
        env, self.heading_ids = {}, []   # the ids this call gave, in order
        tokens = self.md.parse(src, env)
        for i, t in enumerate(tokens):
            if t.type == 'heading_open' and not t.attrGet('id'):
                inline = tokens[i+1]
                kids = inline.children or []
                if kids and kids[-1].type == 'text' and (m := _re_hdr_attrs.search(kids[-1].content)):
                    kids[-1].content = kids[-1].content[:m.start()]; hid = m.group(1)
                else: hid = pandoc_id(''.join(k.content for k in kids if k.type in ('text', 'code_inline')))
                hid = id_prefix + hid
                n = ids.get(hid, 0); ids[hid] = n + 1
                if n: hid = f'{hid}-{n}'   # pandoc's rule for repeated headings
                t.attrSet('id', hid); self.heading_ids.append(hid)
            for k in (t.children or []):
                if k.type == 'link_open': k.attrSet('href', self.link(k.attrGet('href') or '', page, src_dir))
                elif k.type == 'image': k.attrSet('src', self.image(k.attrGet('src') or '', page, src_dir, attachments))
        return self.md.renderer.render(tokens, self.md.options, env)

    def link(self, href: str, page: str, src_dir: Path) -> str:
        "nbdev's absolute doc links -> relative; links to notebooks -> their pages."
        up = '../' * page.count('/')
        if self.doc_url != '/' and href.startswith(self.doc_url): return up + self.doc_link(href[len(self.doc_url):], page)
        blob = f'{self.git_url}/blob/{self.branch}/'
        if self.git_url and href.startswith(blob):              # show_doc's [source] links: the local file, from the site's folder
            path = href[len(blob):].partition('#')[0]
            return os.path.relpath(ROOT/path, (self.out/page).parent).replace(os.sep, '/')
        if src_dir and not re.match(r'^[a-z][\w+.-]*:|^#|^/', href):
            path, _, frag = href.partition('#')
            if path.endswith('.ipynb') and (tgt := (src_dir/path).resolve()) in self.nb_pages:
                return up + self.nb_pages[tgt] + (f'#{frag}' if frag else '')
        return href

    def doc_link(self, target: str, page: str) -> str:
        """nbdev links every backticked name it knows to `page.html#name`, also a method or private name that has no
        `show_doc` entry (on a Quarto site that anchor is missing too): point those at the class, else the page."""
        tgt, _, frag = target.partition('#')
        ids = (self.known_ids or {}).get(tgt)
        if not frag or ids is None or frag in ids: return target   # first pass, or not a page we know: as nbdev made it
        if '.' in frag and (cls := frag.rsplit('.', 1)[0]) in ids: return f'{tgt}#{cls}'
        self.warnings.add(f"{page}: `{frag}` has no show_doc entry on {tgt}; linked to the page")
        return tgt

    def image(self, src: str, page: str, src_dir: Path, attachments) -> str:
        "Markdown images: notebook attachments and files next to the notebook are copied into the site."
        if src.startswith('attachment:') and attachments:
            name = src[len('attachment:'):]
            data = attachments.get(name) or {}
            mime = next((m for m in data if m.startswith('image/')), None)
            if not mime: raise DocsError(f"{page}: attachment {name!r} not found in its cell")
            return self.asset(page, name, base64.b64decode(data[mime]))
        if src_dir and not re.match(r'^[a-z][\w+.-]*:|^/', src):
            f = (src_dir/src).resolve()
            if not f.is_file(): raise DocsError(f"{page}: image {src!r} not found next to the notebook ({f})")
            rel = f.relative_to(self.nbs_path.resolve()).as_posix()   # same place relative to the page as in nbs/
            (self.out/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, self.out/rel)
        return src

    def asset(self, page: str, name: str, data: bytes) -> str:
        "Write `data` as `_figures/<page>/<name>`; returns its URL relative to `page`."
        rel = f"{FIGURES}/{page.removesuffix('.html')}/{name}"
        (self.out/rel).parent.mkdir(parents=True, exist_ok=True); (self.out/rel).write_bytes(data)
        return '../' * page.count('/') + rel

def _directives(src: str):
    "Quarto cell options left in a processed cell (`#| echo: false`) -> (dict, code without them)."
    lines, d = src.split('\n'), {}
    while lines and (m := re.match(r'^#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$', lines[0])):
        d[m.group(1)] = m.group(2).strip('"\'').lower() if m.group(1) != 'code-summary' else m.group(2).strip('"\'')
        lines.pop(0)
    return d, '\n'.join(lines).strip('\n')

def _txt(x): return ''.join(x) if isinstance(x, list) else (x or '')

def render_output(site: Site, o, page, ids, n_fig):
    "One stored output as HTML (the richest format we can show without running anything)."
    kind = o.get('output_type')
    if kind == 'stream':
        return f'<pre class="stream {o.get("name", "")}">{html.escape(_re_ansi.sub("", _txt(o.get("text"))))}</pre>', None
    if kind == 'error':
        return f'<pre class="error">{html.escape(_re_ansi.sub("", chr(10).join(o.get("traceback", []))))}</pre>', None
    data = o.get('data', {})
    if 'text/html' in data: return _txt(data['text/html']), None
    if 'text/markdown' in data: return site.markdown(_txt(data['text/markdown']), page, ids), _txt(data['text/markdown'])
    if 'image/svg+xml' in data: return _txt(data['image/svg+xml']), None
    for mime, ext in (('image/png', 'png'), ('image/jpeg', 'jpg'), ('image/gif', 'gif')):
        if mime in data:
            n_fig[0] += 1
            url = site.asset(page, f'fig{n_fig[0]}.{ext}', base64.b64decode(_txt(data[mime])))
            w = (o.get('metadata', {}).get(mime) or {}).get('width')
            alt = html.escape(_txt(data.get('text/plain', 'figure')))
            return f'<img src="{url}" alt="{alt}"' + (f' width="{int(w)}"' if w else '') + '>', None
    if 'text/latex' in data: return f'<pre>{html.escape(_txt(data["text/latex"]))}</pre>', None
    if 'text/plain' in data: return f'<pre>{html.escape(_re_ansi.sub("", _txt(data["text/plain"])))}</pre>', None
    return '', None

def render_notebook(site: Site, nb: dict, page: str, src: Path):
    "A processed notebook -> (front matter, body HTML, [(show_doc markdown, its anchor)])."
    import yaml
    fm, parts, docs, ids, n_fig = {}, [], [], {}, [0]
    for c in nb['cells']:
        s = _txt(c.get('source'))
        if c['cell_type'] == 'raw':
            if (m := re.match(r'^\s*---\s*\n(.*?)\n---\s*$', s, re.S)) and not fm: fm = yaml.safe_load(m.group(1)) or {}
            continue
        if c['cell_type'] == 'markdown':
            parts.append(site.markdown(s, page, ids, src.parent, c.get('attachments'))); continue
        d, code = _directives(s)
        if d.get('include') == 'false': continue
        out = []
        if d.get('echo') != 'false' and code.strip():
            block = _highlight(code, c.get('metadata', {}).get('language', 'python'))
            if d.get('code-fold') in ('true', 'show'):
                summary = html.escape(d.get('code-summary', 'Code'))
                block = f'<details{" open" if d["code-fold"] == "show" else ""}><summary>{summary}</summary>{block}</details>'
            out.append(block)
        if d.get('output') != 'false' and d.get('eval') != 'false':
            outs = []
            for o in c.get('outputs', []):
                h, md_src = render_output(site, o, page, ids, n_fig)
                if md_src and re.search(r'^show_doc\(', code, re.M):   # remember the entry and the anchor it got
                    docs.append((md_src, site.heading_ids[0] if site.heading_ids else None))
                if h: outs.append(h)
            if outs: out.append('<div class="cell-output">' + '\n'.join(outs) + '</div>')
        if out: parts.append('<div class="cell">' + '\n'.join(out) + '</div>')
    return fm, '\n'.join(parts), docs

def _raw_title(src: Path):
    "Title of an unprocessed notebook (its first `# heading`), for the error page of one nbdev could not process."
    try:
        for c in json.loads(src.read_text())['cells']:
            if c['cell_type'] == 'markdown' and (m := re.match(r'^#\s+(.+)', _txt(c['source']).strip())): return m.group(1).strip()
    except (OSError, ValueError, KeyError): pass   # not even valid JSON: the file name will do for the error page
    return src.stem

_re_default_exp = re.compile(r'^\s*#\|\s*default_exp\s+(\S+)', re.M)
def default_exp(src: Path):
    "The module a notebook exports to (`#| default_exp name`), or None."
    for c in json.loads(src.read_text())['cells']:
        if c['cell_type'] == 'code' and (m := _re_default_exp.search(_txt(c['source']))): return m.group(1)

# ---------------------------------------------------------------- 3. API and reports pages

def api_page(mod: str) -> str:
    "The API page of module `mod` (`_api_core.html` for `xmodal_sd.core`): one page per module, as nbdev's sites have."
    return f"_api_{mod.rsplit('.', 1)[-1]}.html"

def api_pages(site: Site, mods):
    """The API index (`_api.html`: each module with its description and its number of entries) and one page per module
    (`api_page`) with its `show_doc` entries, each linking to its place in the module's notebook."""
    pages, rows = [], []
    for mod, nb_page, title, desc, docs in mods:
        page, ids, entries = api_page(mod), {}, []
        for md_src, anchor in docs:
            body = site.markdown(md_src, page, ids, id_prefix=f'{mod}.')
            jump = f'<p class="api-jump"><a href="{nb_page}#{anchor}">in {html.escape(title)} →</a></p>' if anchor else ''
            entries.append(body + jump)
        body = (f'<section class="api-module" id="{pandoc_id(mod)}"><p>{html.escape(desc or "")} '
                f'<a href="{nb_page}">Notebook: {html.escape(title)}</a> (its tests and explanation).</p>'
                + ('\n'.join(entries) or '<p>No documented exports.</p>') + '</section>')
        pages.append((page, mod, f'{len(docs)} exported functions and classes of {mod}.', body))
        rows.append(f'<li><a href="{page}"><code>{html.escape(mod)}</code></a> — {html.escape(desc or title)} '
                    f'<span class="report-file">({len(docs)} entries)</span></li>')
    index = ('<p>The <code>show_doc</code> entries of every exported function and class as nbdev renders them, one page '
             'per module; each entry links to its place in the module\'s notebook.</p><ul>' + ''.join(rows) + '</ul>')
    return index, pages

def report_summary(f: Path) -> tuple[str, str, int]:
    "An HTML report's title (its first h1), headline (the paragraph after it) and number of plots, for the Reports page."
    t = f.read_text(errors='replace')
    h1 = re.search(r'<h1[^>]*>(.*?)</h1>(.*?)(?=<h[12]|$)', t, re.S)
    clean = lambda x: re.sub(r'\s+', ' ', html.unescape(re.sub(r'<[^>]+>', ' ', x))).strip().replace('¶', '').strip()
    head = clean(re.search(r'<p>(.*?)</p>', h1.group(2), re.S).group(1)) if h1 and re.search(r'<p>(.*?)</p>', h1.group(2), re.S) else ''
    return (clean(h1.group(1)) if h1 else ''), head, len(re.findall(r'<img\b', t))

def reports_body(site: Site, reports: Path):
    """`reports/**/*.html` listed with each report's title, headline and plot count, `reports/**/*.png` shown (both
    copied into the site), grouped by folder."""
    pngs = sorted(reports.rglob('*.png')) if reports.is_dir() else []
    htmls = sorted(reports.rglob('*.html')) if reports.is_dir() else []
    how = ('<p>Reports are made by the pipeline: <code>make main</code> runs the whole toy pipeline and writes them, '
           'and the batch runner <code>xsd_report</code> (see <code>xsd_report --help</code>) runs the report '
           'notebooks with papermill. Both write executed notebooks, HTML and PNG plots under <code>reports/</code> '
           '(or <code>$XSD_REPORTS</code>); then run <code>make docs</code> again.</p>')
    if not pngs and not htmls:
        return f'<p class="no-reports">No report plots or HTML reports yet (looked in <code>{html.escape(str(reports))}</code>).</p>' + how
    groups = {}
    for f in pngs + htmls: groups.setdefault(f.parent.relative_to(reports).as_posix(), []).append(f)
    parts, ids = [f'<p>From <code>{html.escape(str(reports))}</code>: {len(pngs)} plots, {len(htmls)} HTML reports.</p>'], {}
    for folder in sorted(groups):
        name = 'reports/' if folder == '.' else f'reports/{folder}/'   # as the user knows them
        hid = pandoc_id(name); n = ids.get(hid, 0); ids[hid] = n + 1; hid = f'{hid}-{n}' if n else hid
        parts.append(f'<h2 id="{hid}">{html.escape(name)}</h2>')
        links, figs = [], []
        first = lambda f: (['summary', 'e2e', 'frames'].index(next((k for k in ('summary', 'e2e', 'frames') if f.stem.startswith(k)), 'frames'))
                           if f.stem.startswith(('summary', 'e2e', 'frames')) else 3, f.name)   # the summary report first
        for f in sorted(groups[folder], key=first):
            rel = f'{REPORT_FILES}/' + f.relative_to(reports).as_posix()
            (site.out/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, site.out/rel)
            if f.suffix == '.html':
                title, head, n_fig = report_summary(f)
                links.append(f'<li><a href="{html.escape(rel)}">{html.escape(title or f.name)}</a>'
                             + (f' <span class="report-file">({html.escape(f.name)}, {n_fig} plot{"s" * (n_fig != 1)})</span>' if title else '')
                             + (f'<p class="report-headline">{html.escape(head)}</p>' if head else '') + '</li>')
            else: figs.append(f'<figure><img src="{html.escape(rel)}" alt="{html.escape(f.stem)}" loading="eager">'
                              f'<figcaption>{html.escape(name + f.name)}</figcaption></figure>')
        if links: parts.append('<ul class="report-links">' + ''.join(links) + '</ul>')
        parts.extend(figs)
    return '\n'.join(parts) + how

# ---------------------------------------------------------------- the site

def _page(site_title, page, title, desc, body, nav, footer):
    tpl = string.Template((TEMPLATE/'page.html').read_text())
    root = '../' * page.count('/')
    items = []
    for section, entries in nav:
        items.append(f'<h2>{html.escape(section)}</h2><ul>')
        for p, t, failed in entries:
            cls = ' '.join(c for c in ('active' if p == page else '', 'failed' if failed else '') if c)
            items.append(f'<li><a href="{root}{p}"' + (f' class="{cls}"' if cls else '') +
                         (' aria-current="page"' if p == page else '') + f'>{html.escape(t)}</a></li>')
        items.append('</ul>')
    return tpl.substitute(site=html.escape(site_title), title=html.escape(title), root=root, nav='\n'.join(items),
                          description=f'<p class="description">{html.escape(desc)}</p>' if desc else '',
                          body=body, footer=footer)

def render_notebooks(site: Site, nbs, pnb, done, cfg):
    "Every notebook's page body, or an error page for one that nbdev could not process or that does not render."
    rendered, mods, failures = [], [], {}
    for src in nbs:
        page, nb, rel, err = site.nb_pages[src], pnb[src], _rel(src), done[src][1]
        if nb is not None:
            try:
                fm, body, docs = render_notebook(site, nb, page, src)
                title, desc = str(fm.get('title') or src.stem), str(fm.get('description') or '')
                if (mod := default_exp(src)): mods.append((f"{cfg.lib_name}.{mod}", page, title, desc, docs))
            except DocsError as e: err = str(e)
            except Exception as e: err = f"rendering failed: {type(e).__name__}: {e}"
        if err:
            failures[rel] = err
            title, desc = _raw_title(src), ''
            body = (f'<div class="build-error"><p><strong>nbdev could not process <code>{html.escape(rel)}</code>'
                    f'</strong>, so this page has no content. Fix the notebook and run <code>make docs</code> again.</p>'
                    f'<pre>{html.escape(err)}</pre>' + (f'<p>{html.escape(hint(err))}.</p>' if hint(err) else '')
                    + '</div>')
        rendered.append((page, title, desc, body, rel, bool(err)))
    return rendered, mods, failures

def _safe_clear(out: Path):
    "Empty `out`, which must be missing, empty, or a site this tool wrote (never someone's folder)."
    if out.exists():
        if any(out.iterdir()) and not (out/MARKER).exists():
            raise SystemExit(f"refusing to delete {out}: not empty and not written by build_docs.py (no {MARKER})")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out/MARKER).write_text('written by tools/build_docs.py; deleted and rebuilt by it\n')

def _rel(p: Path) -> str:
    p = Path(p).absolute()
    return p.relative_to(ROOT).as_posix() if p.is_relative_to(ROOT) else str(p)

def build(out=None, reports=None, proc=None, workers=2, force=False, quiet=False, nbs_path=None, execute=True):
    "Build the site into `out`; returns (pages {path: title}, failures {notebook: error}, seconds)."
    t0 = time.time()
    os.chdir(ROOT)
    from nbdev.config import get_config, nbpath2html
    from nbdev.doclinks import nbglob
    cfg = get_config()
    nbs_path, lib = Path(nbs_path or cfg.nbs_path).resolve(), Path(cfg.lib_path)
    out = Path(out or cfg.doc_path).absolute()
    proc = Path(proc or ROOT/'_proc').absolute()
    if reports is None:
        from xmodal_sd.core import reports_dir
        reports = reports_dir()
    reports = Path(reports).absolute()
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))

    nbs = sorted(Path(p).resolve() for p in nbglob(nbs_path))   # what nbdev documents: no `_*`, no `.*`
    nbs.sort(key=lambda p: (p.relative_to(nbs_path).as_posix() != 'index.ipynb', p.relative_to(nbs_path).as_posix()))
    if not nbs: raise SystemExit(f"no notebooks found under {nbs_path}")
    say(f"processing {len(nbs)} notebooks with nbdev's processors ({workers} at a time)...")
    done = process(nbs, nbs_path, proc, lib, workers=workers, force=force, say=say, execute=execute)

    _safe_clear(out)
    site = Site(out, nbs_path, cfg)
    site_title = str(cfg.get('title', cfg.get('lib_name', 'docs')))
    pnb = {}
    for src in nbs:   # page names first (links between notebooks need them all)
        dst = done[src][0]
        nb = json.loads(dst.read_text()) if dst else None
        fm_cell = _txt(nb['cells'][0]['source']) if nb and nb['cells'] and nb['cells'][0]['cell_type'] == 'raw' else ''
        m = re.search(r'^output-file:\s*(\S+)', fm_cell, re.M)
        rel_dir = src.parent.relative_to(nbs_path).as_posix()
        name = m.group(1) if m else nbpath2html(src).name   # Quarto's page name: `output-file`, as nbdev sets it
        page = name if rel_dir == '.' else f'{rel_dir}/{name}'
        if page in site.nb_pages.values() or page in (API, REPORTS) or page.startswith('_api_'):
            other = next((_rel(k) for k, v in site.nb_pages.items() if v == page), 'this tool')
            raise SystemExit(f"{_rel(src)} and {other} would both be the page {page}: rename one notebook")
        site.nb_pages[src], pnb[src] = page, nb
    # twice: the first pass learns every page's anchors, so the second can point nbdev's doc links at existing ones
    for _ in range(2):
        rendered, mods, failures = render_notebooks(site, nbs, pnb, done, cfg)
        site.known_ids = {p: set(re.findall(r'\bid="([^"]+)"', body)) for p, _, _, body, _, failed in rendered if not failed}
    for w in sorted(site.warnings): say(f"note: {w}")

    api_index, api = api_pages(site, mods)
    nav = [('Notebooks', [(p, t, f) for p, t, _, _, _, f in rendered]),
           ('Reference', [(API, 'API reference', False), (REPORTS, 'Report plots', False)]),   # `Reports` may be a notebook's title
           ('API by module', [(p, m.rsplit('.', 1)[-1], False) for p, m, _, _ in api])]
    def src_link(rel, page):                                    # the notebook itself, from the page's folder
        if rel.startswith('/'): return html.escape(rel)
        return f'<a href="{os.path.relpath(ROOT/rel, (out/page).parent)}">{html.escape(rel)}</a>'
    pages, index = {}, []
    def write(page, title, desc, body, footer):
        f = out/page; f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(_page(site_title, page, title, desc, contents(body) + body, nav, footer)); pages[page] = title
        index.append(dict(page=page, title=title, text=plain_text(body)[:30000]))
    how = 'executed (fast cells) and processed by nbdev' if execute else 'stored outputs, processed by nbdev'
    for page, title, desc, body, rel, _ in rendered:
        write(page, title, desc, body, f'From {src_link(rel, page)} ({how}) by tools/build_docs.py.')
    for page, mod, desc, body in api:
        write(page, mod, desc, body, 'Rendered from the notebook\'s <code>show_doc</code> output by tools/build_docs.py.')
    write(API, 'API reference', f'The exported functions and classes of {cfg.lib_name}, one page per module.',
          api_index, 'Rendered from the notebooks\' <code>show_doc</code> output by tools/build_docs.py.')
    write(REPORTS, 'Reports', 'Plots and HTML reports written by the pipeline.', reports_body(site, reports),
          'Copied from the reports folder by tools/build_docs.py.')
    from pygments.formatters import HtmlFormatter
    (out/STYLE).write_text((TEMPLATE/'style.css').read_text() + '\n' + HtmlFormatter().get_style_defs('.highlight') + '\n')
    # the search index as a script (a page opened from disk may not fetch JSON), and the search box's code
    (out/SEARCH).write_text('window.XSD_SEARCH = ' + json.dumps(index) + ';\n'); shutil.copy(TEMPLATE/'search.js', out/SEARCH_UI)

    dt = time.time() - t0
    n_cached = sum(1 for v in done.values() if v[2] is None and not v[1])
    say(f"wrote {len(pages)} pages to {out} in {dt:.1f}s ({len(nbs)} notebooks, {n_cached} processed ones from cache)")
    for rel, err in failures.items():
        print(f"FAILED {rel}: {err}" + (f"\n  ({hint(err)})" if hint(err) else ''), file=sys.stderr)
    return pages, failures, dt

def main(argv=None):
    ap = argparse.ArgumentParser(description="Build the docs site offline (no Quarto) from nbdev's processed notebooks.")
    ap.add_argument('--out', help="site folder (default: nbdev's doc_path, _docs)")
    ap.add_argument('--reports', help='reports folder to show (default: $XSD_REPORTS or reports/)')
    ap.add_argument('--proc', help='cache of processed notebooks (default: _proc)')
    ap.add_argument('--workers', type=int, default=min(4, os.cpu_count() or 1),
                    help='notebooks processed at once (each imports torch: about 1 GB)')
    ap.add_argument('--nbs', help="notebooks folder (default: nbdev's nbs_path, nbs/)")
    ap.add_argument('--force', action='store_true', help='process every notebook again, ignoring the cache')
    ap.add_argument('--no-exec', action='store_true', help="don't execute the notebooks: pages show their stored outputs only")
    a = ap.parse_args(argv)
    _, failures, _ = build(a.out, a.reports, a.proc, a.workers, a.force, nbs_path=a.nbs, execute=not a.no_exec)
    if failures:
        print(f"docs build FAILED: {len(failures)} notebook(s): {', '.join(failures)}", file=sys.stderr); sys.exit(1)

if __name__ == '__main__': main()
