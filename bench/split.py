#!/usr/bin/env python3
"""Seeded 80/20 split of a CSV, stratified on a target column (standard library only).

usage: split.py DATA.csv TARGET OUT_TRAIN.csv OUT_TEST.csv [--seed 0] [--test-fraction 0.2]
                [--no-stratify]

Rows are grouped by the target value (one group with --no-stratify, for a numeric
target); each group is shuffled with random.Random(seed) and its first
round(fraction * size) rows go to the test set (a class with a single row stays in
train). Fields are read with the csv module (quoted fields allowed; no field may hold
a line break); row order within each output follows the input order, and the bytes
of every row are kept verbatim.
"""
import argparse
import csv
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("target")
    ap.add_argument("train_out")
    ap.add_argument("test_out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument("--no-stratify", action="store_true")
    a = ap.parse_args()
    with open(a.data, newline="") as f:
        lines = f.read().split("\n")
    header, rows = lines[0], [r for r in lines[1:] if r]
    col = next(csv.reader([header])).index(a.target)
    groups = {}
    for i, r in enumerate(rows):
        key = "" if a.no_stratify else next(csv.reader([r]))[col]
        groups.setdefault(key, []).append(i)
    rng = random.Random(a.seed)
    test = set()
    for key in sorted(groups):
        idx = groups[key][:]
        rng.shuffle(idx)
        k = round(a.test_fraction * len(idx)) if len(idx) > 1 else 0
        test.update(idx[:k])
    with open(a.train_out, "w", newline="") as f:
        f.write("\n".join([header] + [r for i, r in enumerate(rows) if i not in test]) + "\n")
    with open(a.test_out, "w", newline="") as f:
        f.write("\n".join([header] + [r for i, r in enumerate(rows) if i in test]) + "\n")


if __name__ == "__main__":
    main()
