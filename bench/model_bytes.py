#!/usr/bin/env python3
"""Where a meg model file's bytes go: the payload's size per path of its tree.

usage: model_bytes.py MODEL.meg [--top 20]

A model file is a 32-byte header and a CBOR tree (docs/design.md §11). This walks the
tree (standard library only) and adds up the bytes of every leaf (a number, a text, a
binary blob such as a packed integer array) under its path of map keys, list positions
dropped: "units/model/counts/entries/entries" sums that field over every unit. Printed
largest first, in MB (10^6 bytes), after the file's size. Used for docs/performance.md,
"Where a model file's bytes go".
"""
import argparse
import collections
import sys


class Payload:
    def __init__(self, data):
        self.data = data
        self.sizes = collections.Counter()

    def head(self, at):
        """(major type, argument, position after the head) of the item at `at`."""
        ib = self.data[at]
        major, ai = ib >> 5, ib & 31
        if ai < 24:
            return major, ai, at + 1
        if ai > 27:
            sys.exit(f"unexpected CBOR item at payload byte {at}")
        n = 1 << (ai - 24)
        return major, int.from_bytes(self.data[at + 1:at + 1 + n], "big"), at + 1 + n

    def walk(self, at, path):
        """Reads the item at `at` under `path`; returns the position after it."""
        start = at
        major, value, at = self.head(at)
        if major in (2, 3):  # bytes, text
            at += value
        elif major == 4:  # list: every element under the same path
            for _ in range(value):
                at = self.walk(at, path)
            return at
        elif major == 5:  # map: each value under path/key
            for _ in range(value):
                kmajor, klen, kat = self.head(at)
                key = bytes(self.data[kat:kat + klen]).decode() if kmajor == 3 else "?"
                at = self.walk(at, path)  # the key's own bytes count to the map
                at = self.walk(at, f"{path}/{key}" if path else key)
            return at
        self.sizes[path] += at - start
        return at


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--top", type=int, default=20)
    a = ap.parse_args()
    with open(a.model, "rb") as f:
        raw = f.read()
    if raw[:8] != b"MEGMODEL":
        sys.exit(f"{a.model}: not a meg model file (no MEGMODEL signature)")
    payload = Payload(memoryview(raw)[32:])
    payload.walk(0, "")
    print(f"{len(raw) / 1e6:9.2f} MB  (file)")
    for path, n in payload.sizes.most_common(a.top):
        print(f"{n / 1e6:9.2f} MB  {path or '(keys of the top level)'}")


if __name__ == "__main__":
    main()
