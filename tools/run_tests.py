#!/usr/bin/env python
"""The project's test command (`make test`, `.ci/run`), in CI's order:
1. `nbdev-export` leaves `xmodal_sd/` unchanged (the module is in sync with the notebooks);
2. the notebooks are clean (`nbdev-clean` changes nothing) and README.md is generated from index.ipynb;
3. `nbdev-test` on every notebook (cells flagged `slow`/`cuda` skipped), one test per notebook;
4. the integration tests in `tests/` (the toy pipeline at a small size, covering the `slow` cells).
nbdev-test prints no count, so this prints the closing line `N passed, N failed`."""
import os, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
results = []   # (name, ok, seconds)

def snapshot(paths): return {p: p.read_bytes() for p in paths}
def changed(before, after): return sorted(str(p.relative_to(ROOT)) for p in set(before) | set(after) if before.get(p) != after.get(p))

def check(name, fn):
    t = time.time()
    try: ok, msg = fn()
    except Exception as e: ok, msg = False, f"{type(e).__name__}: {e}"
    results.append((name, ok, time.time() - t))
    print(f"{'PASS' if ok else 'FAIL'} {name} ({time.time() - t:.1f}s){'' if ok else ': ' + msg}", flush=True)

def unchanged_by(cmd, folder, glob, msg):
    "Run the nbdev command `cmd`; pass when it leaves the `glob` files under `folder` byte-for-byte unchanged."
    files = lambda: snapshot(sorted((ROOT/folder).rglob(glob)))
    before = files()
    r = subprocess.run([BIN/cmd], cwd=ROOT, capture_output=True, text=True)
    if r.returncode: return False, r.stderr[-2000:]
    diff = changed(before, files())
    return not diff, msg.format(diff)

export_in_sync = lambda: unchanged_by('nbdev-export', 'xmodal_sd', '*.py', "nbdev-export changed {}: edit the notebooks, export, commit both")
notebooks_clean = lambda: unchanged_by('nbdev-clean', 'nbs', '*.ipynb', "not clean (now cleaned, commit them): {}")

def templates_clean():
    "The report templates (nbs/_reports, which nbdev's own globbing skips) are clean and keep their `parameters` tag."
    files = sorted((ROOT/'nbs'/'_reports').glob('*.ipynb'))
    before = snapshot(files)
    for f in files:
        r = subprocess.run([BIN/'nbdev-clean', '--fname', str(f)], cwd=ROOT, capture_output=True, text=True)
        if r.returncode: return False, r.stderr[-2000:]
    diff = changed(before, snapshot(files))
    return not diff, f"not clean (now cleaned, commit them): {diff}"

def run_nb(fn):
    "One notebook under `nbdev-test`, in its own process (cells flagged slow/cuda are skipped by its config)."
    t = time.time()
    r = subprocess.run([BIN/'nbdev-test', str(fn)], cwd=ROOT, capture_output=True, text=True)
    if r.returncode: print(r.stdout[-4000:], r.stderr[-4000:], sep='\n', flush=True)
    return str(Path(fn).relative_to(ROOT)), r.returncode == 0, time.time() - t

def main():
    os.chdir(ROOT)
    os.environ.setdefault('MPLBACKEND', 'Agg')
    check('nbdev-export leaves xmodal_sd/ unchanged', export_in_sync)
    check('notebooks are clean', notebooks_clean)
    check('report templates are clean', templates_clean)
    def readme():
        r = subprocess.run([sys.executable, ROOT/'tools'/'make_readme.py', '--check'], cwd=ROOT, capture_output=True, text=True)
        return r.returncode == 0, r.stdout.strip()
    check('README.md is generated from nbs/index.ipynb', readme)
    nbs = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb')
                 if not any(part.startswith(('_', '.')) for part in p.relative_to(ROOT/'nbs').parts))
    with ThreadPoolExecutor(max_workers=int(os.environ.get('XSD_TEST_WORKERS', 2))) as ex:
        for name, ok, dt in ex.map(run_nb, nbs):
            results.append((f'nbdev-test {name}', ok, dt))
            print(f"{'PASS' if ok else 'FAIL'} nbdev-test {name} ({dt:.1f}s)", flush=True)
    for t in sorted((ROOT/'tests').glob('test_*.py')):
        def _run(t=t):
            r = subprocess.run([sys.executable, t], cwd=ROOT)
            return r.returncode == 0, f"exit code {r.returncode}"
        check(f'integration {t.relative_to(ROOT)}', _run)
    n_ok = sum(ok for _, ok, _ in results); n_bad = len(results) - n_ok
    print(f"{n_ok} passed, {n_bad} failed")
    sys.exit(1 if n_bad or not results else 0)

if __name__ == '__main__': main()
