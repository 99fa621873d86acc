#!/usr/bin/env python3
"""Peer: a straightforward reader of the Xe migration stream in Python with struct.

    python3 bench/peers/struct_reader.py [--seek] <stream>

Reads each 24-byte header with struct.unpack('<BBBBIQQ'), then the payload with f.read(size)
(what a first reader does; it checks that the payload is complete), or with --seek skips it
with f.seek. Prints one JSON line: packets per type, bytes, seconds.
"""
import json
import struct
import sys
import time

HEADER = struct.Struct("<BBBBIQQ")
TYPES = {1: "descriptor", 2: "trailer", 3: "ggtt", 4: "mmio", 5: "guc", 6: "vram"}


def main(argv):
    seek = "--seek" in argv
    paths = [a for a in argv if a != "--seek"]
    if len(paths) != 1:
        print(__doc__, file=sys.stderr)
        return 1
    start = time.perf_counter()
    types = {}
    packets = payload_bytes = 0
    with open(paths[0], "rb", buffering=0) as f:
        while True:
            raw = f.read(HEADER.size)
            if not raw:
                break
            if len(raw) < HEADER.size:
                raise ValueError(f"packet #{packets}: header truncated, {len(raw)} of 24 bytes")
            version, ptype, tile, gt, flags, offset, size = HEADER.unpack(raw)
            if version != 1:
                raise ValueError(f"packet #{packets}: version {version}")
            if seek:
                f.seek(size, 1)
            else:
                payload = f.read(size)
                if len(payload) != size:
                    raise ValueError(f"packet #{packets}: payload truncated, {len(payload)} of {size} bytes")
            name = TYPES.get(ptype, f"type{ptype}")
            types[name] = types.get(name, 0) + 1
            packets += 1
            payload_bytes += size
    print(json.dumps({"packets": packets, "types": types, "payloadBytes": payload_bytes, "seconds": time.perf_counter() - start}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
