#!/usr/bin/env python3
"""Process-level measurements for bench/README.md: whole processes, startup included, on
page-cached images made by `xsk save` from an emulated BMG VF (driver-shaped: 512 MiB VRAM chunks).

    bench/scripts/measure.py process [--lmem 4GiB] [--runs 5] [--json out.json]
        cat image > /dev/null against xsk validate (file, stdin, pipe; with and without --digest)
        and xsk inspect; peak RSS of each against the bare runtime (xsk --version).
    bench/scripts/measure.py peers [--sizes 256MiB,1GiB,2GiB,4GiB] [--runs 3] [--json out.json]
        the parser the official Kaitai compiler generates (JavaScript), a straightforward Python
        struct reader, and xsk, on the same images: time, peak RSS, and where each stops working.

Times are wall-clock medians (time.perf_counter around fork/exec/wait4); peak RSS is the
peak RSS GNU time reports (%M) for the measured command alone. Images go to --dir (default $TMPDIR or /tmp) and are deleted.
The 1-minute load average is printed before and after: measure on a quiet machine.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
XSK = os.path.join(ROOT, "src", "XeStreamKit.Cli", "bin", "Release", "net10.0", "xsk")
SPEC = os.path.join(ROOT, "spec", "xe_sriov_migration.ksy")
UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def size(text):
    m = re.fullmatch(r"(\d+)(KiB|MiB|GiB)?", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text}: expected e.g. 4GiB")
    return int(m.group(1)) * UNITS.get(m.group(2), 1)


def human(n):
    for unit in ("GiB", "MiB", "KiB"):
        if n >= UNITS[unit]:
            return f"{n / UNITS[unit]:.1f} {unit}"
    return f"{n} B"


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def build():
    subprocess.run(["dotnet", "build", "-c", "Release", os.path.join(ROOT, "src", "XeStreamKit.Cli")], check=True, stdout=subprocess.DEVNULL)


def make_image(directory, lmem):
    path = os.path.join(directory, f"image-{lmem}.bin")
    subprocess.run([XSK, "save", "--device", f"emulated:bmg,lmem={lmem}", "-o", path], check=True, stdout=subprocess.DEVNULL)
    # Write-back of a freshly written image keeps a CPU busy for seconds: wait for it, then read
    # the file once so that it is page-cached, and run the runtime once so that it is too.
    os.sync()
    warm(path)
    subprocess.run([XSK, "--version"], check=True, stdout=subprocess.DEVNULL)
    return path


def warm(path):
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 20):
            pass


def run_once(argv, stdin_path=None, pipe_from=None, timeout=900):
    """Runs argv (or `cat pipe_from | argv`); returns (seconds, peak RSS bytes, exit code, last
    stderr line). The peak RSS comes from GNU time (%M) wrapping argv alone: a child forked from
    this Python process would count Python's pages in its ru_maxrss."""
    err = tempfile.TemporaryFile()
    rss_file = tempfile.NamedTemporaryFile(delete=False)
    rss_file.close()
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    feeder = None
    start = time.perf_counter()
    if pipe_from:
        feeder = subprocess.Popen(["cat", pipe_from], stdout=subprocess.PIPE)
        stdin = feeder.stdout
    child = subprocess.Popen(["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file.name, *argv], stdin=stdin, stdout=subprocess.DEVNULL, stderr=err)
    try:
        code = child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        code = child.wait()
    if feeder:
        feeder.stdout.close()
        feeder.wait()
    seconds = time.perf_counter() - start
    if stdin_path:
        stdin.close()
    with open(rss_file.name) as f:
        rss_text = f.read().split()
    os.unlink(rss_file.name)
    rss = int(rss_text[-1]) * 1024 if rss_text and rss_text[-1].isdigit() else 0
    err.seek(0)
    lines = [l for l in err.read().decode(errors="replace").strip().splitlines() if not l.startswith("Command exited with non-zero status")]
    return seconds, rss, code, (lines[-1] if lines else "")


def measure(name, argv, runs, **kw):
    times, rss, codes, errors = [], [], [], []
    for _ in range(runs):
        t, m, code, last = run_once(argv, **kw)
        times.append(t)
        rss.append(m)
        codes.append(code)
        errors.append(last)
        if code != 0:
            break
    ok = all(c == 0 for c in codes)
    return {"name": name, "argv": " ".join(argv), "ok": ok, "exitCode": codes[-1], "error": "" if ok else errors[-1],
            "runs": len(times), "medianSeconds": statistics.median(times), "bestSeconds": min(times), "maxRssBytes": max(rss)}


def process_suite(args):
    directory = tempfile.mkdtemp(prefix="xsk-measure-", dir=args.dir)
    try:
        print(f"load before: {load():.2f}", file=sys.stderr)
        image = make_image(directory, args.lmem)
        length = os.path.getsize(image)
        rows = [
            measure("cat image > /dev/null", ["cat", image], args.runs),
            measure("xsk --version (bare runtime)", [XSK, "--version"], args.runs),
            measure("xsk inspect image", [XSK, "inspect", image], args.runs),
            measure("xsk validate image --profile strict (file: seeks over VRAM)", [XSK, "validate", image, "--profile", "strict"], args.runs),
            measure("xsk validate - --profile strict < image (reads every byte)", [XSK, "validate", "-", "--profile", "strict"], args.runs, stdin_path=image),
            measure("cat image | cat > /dev/null (pipe)", ["cat"], args.runs, pipe_from=image),
            measure("cat image | xsk validate - --profile strict (pipe)", [XSK, "validate", "-", "--profile", "strict"], args.runs, pipe_from=image),
            measure("xsk validate image --profile strict --digest", [XSK, "validate", image, "--profile", "strict", "--digest"], args.runs),
            measure("xsk validate - --profile strict --digest < image", [XSK, "validate", "-", "--profile", "strict", "--digest"], args.runs, stdin_path=image),
        ]
        after = load()
        cat, bare = rows[0], rows[1]
        print(f"load after: {after:.2f}", file=sys.stderr)
        print(f"\nImage: {human(length)} ({length} bytes), page-cached; {args.runs} runs each, medians.\n")
        print("| process | s | GB/s | x cat | peak RSS | above bare runtime |")
        print("|---|---:|---:|---:|---:|---:|")
        for r in rows:
            gbps = length / r["medianSeconds"] / 1e9 if r is not bare else None
            ratio = cat["medianSeconds"] / r["medianSeconds"] if r is not bare else None
            print(f"| {r['name']} | {r['medianSeconds']:.3f} | {'' if gbps is None else f'{gbps:.2f}'} | {'' if ratio is None else f'{ratio:.2f}'} | "
                  f"{r['maxRssBytes'] / 2**20:.1f} MiB | {(r['maxRssBytes'] - bare['maxRssBytes']) / 2**20:+.1f} MiB |" + ("" if r["ok"] else f" FAILED: {r['error']}"))
        return {"suite": "process", "imageBytes": length, "runs": args.runs, "rows": rows}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def peers_suite(args):
    results = []
    print(f"load before: {load():.2f}", file=sys.stderr)
    for lmem in args.sizes:
        directory = tempfile.mkdtemp(prefix="xsk-peers-", dir=args.dir)
        try:
            image = make_image(directory, lmem)
            length = os.path.getsize(image)
            print(f"{human(length)} image", file=sys.stderr)
            rows = [
                measure("Kaitai (official compiler, JavaScript)", ["node", os.path.join(ROOT, "bench", "peers", "kaitai_parse.js"), SPEC, image], args.runs),
                measure("Python struct, reads payloads", [sys.executable, os.path.join(ROOT, "bench", "peers", "struct_reader.py"), image], args.runs),
                measure("Python struct, seeks over payloads", [sys.executable, os.path.join(ROOT, "bench", "peers", "struct_reader.py"), "--seek", image], args.runs),
                measure("xsk validate --profile strict (file)", [XSK, "validate", image, "--profile", "strict"], args.runs),
                measure("xsk validate --profile strict < image (every byte)", [XSK, "validate", "-", "--profile", "strict"], args.runs, stdin_path=image),
            ]
            results.append({"imageBytes": length, "rows": rows})
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    print(f"load after: {load():.2f}", file=sys.stderr)
    names = [r["name"] for r in results[0]["rows"]]
    print(f"\n{args.runs} runs each, medians; page-cached images.\n")
    print("| reader | " + " | ".join(human(r["imageBytes"]) for r in results) + " |")
    print("|---|" + "---:|" * len(results))
    for i, name in enumerate(names):
        cells = []
        for r in results:
            row = r["rows"][i]
            cells.append(f"{row['medianSeconds']:.2f} s, {row['maxRssBytes'] / 2**20:.0f} MiB" if row["ok"] else f"fails: {row['error'][:90]}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    return {"suite": "peers", "runs": args.runs, "sizes": results}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="suite", required=True)
    pp = sub.add_parser("process")
    pp.add_argument("--lmem", type=size, default=4 << 30)
    pp.add_argument("--runs", type=int, default=5)
    pe = sub.add_parser("peers")
    pe.add_argument("--sizes", type=lambda t: [size(x) for x in t.split(",")], default=[256 << 20, 1 << 30, 2 << 30, 4 << 30])
    pe.add_argument("--runs", type=int, default=3)
    for q in (pp, pe):
        q.add_argument("--dir", default=os.environ.get("TMPDIR", "/tmp"))
        q.add_argument("--json")
        q.add_argument("--no-build", action="store_true")
    args = p.parse_args()
    if not args.no_build:
        build()
    result = process_suite(args) if args.suite == "process" else peers_suite(args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
