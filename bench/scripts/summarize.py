#!/usr/bin/env python3
"""Condenses a BenchmarkDotNet run of bench/XeStreamKit.Benchmarks into the tables of
bench/README.md: one table per class, a row per operation, a column per parameter value, each
cell "GB/s (ratio)" from the *-throughput.json files the suite exports.

    bench/scripts/summarize.py [BenchmarkDotNet.Artifacts/results]
"""
import glob
import json
import os
import sys

RATIO = {"StreamBenchmarks": ("xMemcpy", "x memcpy"), "ReadChunkBenchmarks": ("xFileRead", "x read"), "HeaderDecodeBenchmarks": ("xMemcpy", "x memcpy")}


def human(n):
    n = int(n)
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return str(n)


def main(argv):
    folder = argv[0] if argv else "BenchmarkDotNet.Artifacts/results"
    files = sorted(glob.glob(os.path.join(folder, "*-throughput.json")))
    if not files:
        print(f"no *-throughput.json in {folder}", file=sys.stderr)
        return 1
    for path in files:
        doc = json.load(open(path))
        rows = doc["benchmarks"]
        if not rows:
            continue
        kind = rows[0]["type"]
        key, label = RATIO.get(kind, ("xMemcpy", "x memcpy"))
        params = []
        for r in rows:
            p = tuple(r["parameters"].items())
            if p not in params:
                params.append(p)
        methods = []
        for r in rows:
            if r["method"] not in methods:
                methods.append(r["method"])
        print(f"\n{kind} ({doc['machine']}); cells: GB/s ({label}), allocated per operation\n")
        head = [", ".join(f"{k}={human(v)}" for k, v in p) or "-" for p in params]
        print("| operation | " + " | ".join(head) + " |")
        print("|---|" + "---:|" * len(params))
        for m in methods:
            cells = []
            for p in params:
                r = next((x for x in rows if x["method"] == m and tuple(x["parameters"].items()) == p), None)
                if r is None or "gbPerSecond" not in r:
                    cells.append("-")
                    continue
                g = r["gbPerSecond"]
                ratio = r.get(key)
                alloc = r.get("allocatedBytesPerOperation")
                a = "" if alloc is None else (", 0 B" if alloc == 0 else f", {alloc:,} B")
                cells.append(f"{g:.0f}" if g >= 100 else f"{g:.2f}")
                cells[-1] += f" ({ratio:.0f})" if ratio is not None and ratio >= 100 else (f" ({ratio:.2f})" if ratio is not None else "")
                cells[-1] += a
            print(f"| {m} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
