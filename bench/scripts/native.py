#!/usr/bin/env python3
"""Native AOT xsk against the JIT build, whole processes, for bench/README.md:

    bench/scripts/native.py --native <dir>/xsk [--sizes 1GiB,2GiB] [--runs 5] [--json out.json]

On page-cached images made by `xsk save` of an emulated BMG VF (512 MiB VRAM chunks): start
(`--version`), validate (file: seeks over VRAM), validate of stdin (every byte), validate
--digest, save of the emulated VF to a file, restore of the image into a second emulated VF; and
the peers of measure.py (cat, the Kaitai-generated JavaScript parser, a Python struct reader).
The JIT and native runs of one operation alternate, so load drifts hit both alike. Medians of
wall time (fork/exec/wait), peak RSS from GNU time. Builds the JIT xsk in Release first unless
--no-build; the native binary is whatever --native names (build/package.sh or dotnet publish).
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402  (shared helpers: run_once, make_image, size, human, load)


def row(name, commands, runs, **kw):
    """commands: {label: argv}; alternates the labels run by run."""
    samples = {label: [] for label in commands}
    for _ in range(runs):
        for label, argv in commands.items():
            kwargs = kw.get(label, kw.get("*", {}))
            if callable(argv):
                argv = argv()
            t, rss, code, last = measure.run_once(argv, **kwargs)
            samples[label].append((t, rss, code, last))
    out = {"name": name}
    for label, s in samples.items():
        ok = all(c == 0 for _, _, c, _ in s)
        out[label] = {"ok": ok, "error": "" if ok else s[-1][3], "medianSeconds": statistics.median(t for t, _, _, _ in s),
                      "bestSeconds": min(t for t, _, _, _ in s), "maxRssBytes": max(r for _, r, _, _ in s)}
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--native", required=True)
    p.add_argument("--sizes", type=lambda t: [measure.size(x) for x in t.split(",")], default=[1 << 30, 2 << 30])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--dir", default=os.environ.get("TMPDIR", "/tmp"))
    p.add_argument("--json")
    p.add_argument("--no-build", action="store_true")
    args = p.parse_args()
    if not args.no_build:
        measure.build()
    jit, native = measure.XSK, os.path.abspath(args.native)
    builds = {"jit": jit, "native": native}
    print(f"load before: {measure.load():.2f}", file=sys.stderr)
    results = []
    for lmem in args.sizes:
        directory = tempfile.mkdtemp(prefix="xsk-native-", dir=args.dir)
        try:
            image = measure.make_image(directory, lmem)
            saved = os.path.join(directory, "saved.bin")
            length = os.path.getsize(image)
            print(f"{measure.human(length)} image", file=sys.stderr)
            each = lambda *a: {k: [x, *a] for k, x in builds.items()}  # noqa: E731
            rows = [
                row("start (xsk --version)", each("--version"), args.runs),
                row("validate image --profile strict (seeks over VRAM)", {"cat": ["cat", image], **each("validate", image, "--profile", "strict")}, args.runs),
                row("validate - --profile strict < image (every byte)", {"cat": ["cat"], **each("validate", "-", "--profile", "strict")}, args.runs, **{"*": {"stdin_path": image}}),
                row("validate image --digest (CRC-32C of every byte)", each("validate", image, "--digest"), args.runs),
                row("save --device emulated:bmg,lmem=<image size> -o file",
                    each("save", "--device", f"emulated:bmg,lmem={lmem}", "-o", saved), args.runs),
                row("restore image --device emulated:bmg (VF 2)", each("restore", image, "--device", f"emulated:bmg,lmem={lmem},vf=2"), args.runs),
                row("peers", {
                    "kaitai": ["node", os.path.join(measure.ROOT, "bench", "peers", "kaitai_parse.js"), measure.SPEC, image],
                    "struct": [sys.executable, os.path.join(measure.ROOT, "bench", "peers", "struct_reader.py"), image],
                    "struct-seek": [sys.executable, os.path.join(measure.ROOT, "bench", "peers", "struct_reader.py"), "--seek", image],
                }, max(1, args.runs // 2)),
            ]
            results.append({"imageBytes": length, "rows": rows})
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    print(f"load after: {measure.load():.2f}", file=sys.stderr)

    def cell(r):
        return f"{r['medianSeconds']:.3f} s, {r['maxRssBytes'] / 2**20:.0f} MiB" if r["ok"] else "fails: " + r["error"][:80]

    print(f"\n{args.runs} runs each (peers: {max(1, args.runs // 2)}), medians, JIT and native alternating.\n")
    print("| operation | " + " | ".join(f"{measure.human(r['imageBytes'])}: JIT | native | native/JIT" for r in results) + " |")
    print("|---|" + "---:|---:|---:|" * len(results))
    for i, first in enumerate(results[0]["rows"]):
        if first["name"] == "peers":
            continue
        cells = []
        for r in results:
            x = r["rows"][i]
            cells.append(f"{cell(x['jit'])} | {cell(x['native'])} | {x['native']['medianSeconds'] / x['jit']['medianSeconds']:.2f}")
        print(f"| {first['name']} | " + " | ".join(cells) + " |")
    for r in results:
        peers = r["rows"][-1]
        cat = [x for x in r["rows"] if "cat" in x]
        print(f"\n{measure.human(r['imageBytes'])}: " + "; ".join(f"{k} {cell(v)}" for k, v in peers.items() if k != "name")
              + "; " + "; ".join(f"cat for '{x['name']}' {cell(x['cat'])}" for x in cat))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": args.runs, "native": native, "sizes": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
