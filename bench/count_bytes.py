#!/usr/bin/python3
"""Bytes the counts of one fit of a model's units would take in a data-parallel fit's
allreduce (docs/distributed.md, "Distributing the counts"), from `meg inspect MODEL`:
per feature X of a unit with class C and parents P, a dense table of
r_X * r_C * prod(r_P) cells, each a count over all rows and one over the held-out rows.

    build/meg inspect model.meg | bench/count_bytes.py [--count-bytes 4]
"""
import re
import sys


def main():
    count_bytes = 4
    if len(sys.argv) == 3 and sys.argv[1] == "--count-bytes":
        count_bytes = int(sys.argv[2])
    elif len(sys.argv) != 1:
        sys.exit("usage: meg inspect MODEL | bench/count_bytes.py [--count-bytes N]")
    levels, units, unit = {}, [], None
    for line in sys.stdin:
        m = re.match(r"^  (\S+)\s+\S+\s+(\d+) codes", line)
        if m:
            levels[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r"^  unit (\S+)", line)
        if m:
            unit = (m.group(1), [])
            units.append(unit)
            continue
        m = re.match(r"^      (\S+)\s+<- (.*)$", line)
        if m and unit:
            parents = [] if m.group(2).strip() == "-" else [p.strip() for p in m.group(2).split(",")]
            unit[1].append((m.group(1), parents))
    if not units:
        sys.exit("count_bytes.py: no units in the input (expected `meg inspect` output)")
    total, largest = 0, (0, "")
    for cls, features in units:
        for x, parents in features:
            cells = levels[x] * levels[cls]
            for p in parents:
                cells *= levels[p]
            total += cells
            if cells > largest[0]:
                largest = (cells, f"{x} | {cls}, {', '.join(parents)}")
    print(f"columns {len(levels)}, units {len(units)}, features {sum(len(f) for _, f in units)}")
    print(f"dense cells per fit of the units: {total:,}")
    print(f"bytes per fit ({count_bytes}-byte counts, all rows + held-out): {2 * count_bytes * total:,}")
    print(f"largest table: {largest[0]:,} cells ({largest[1]})")


if __name__ == "__main__":
    main()
