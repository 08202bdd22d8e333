#!/usr/bin/env python3
"""What the best in-bin decoding could give: real rows re-decoded inside their own bins.

    python3 bench/bin_ceiling.py TRAIN.csv OUT.csv --decode indep|donor [--bins 20]
        [--columns all|NAME,NAME...] [--jitter 0.1] [--seed 0]
    meg evaluate --train TRAIN.csv --test TEST.csv --synthetic OUT.csv --target T

Every chosen numeric column of the real training rows is cut into --bins rank-quantile bins
(evenly filled, like the codec's bins). Each row keeps its own bins, so the joint
distribution at bin level is exactly the data's, and its values inside the bins are drawn
again:
  indep  each cell alone: a uniform rank inside its bin (the decoding with joint_decode=false)
  donor  every cell takes the in-bin rank of one donor, the other training row whose bin
         vector is nearest (L1 over the chosen columns, ties at random), plus a uniform
         jitter of +-jitter (reflected at 0 and 1): the row model's idea with a perfect match
The scores of `meg evaluate` on OUT.csv are then a ceiling for any change made only inside
the bins: what meg's rows lose beyond them is lost at the level of the bins the networks
choose. Columns that are not numeric are copied. Needs numpy only.
"""
import argparse
import csv

import numpy as np


def read_table(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    numeric = []
    for j in range(len(header)):
        try:
            [float(r[j]) for r in body]
            numeric.append(j)
        except ValueError:
            pass
    return header, body, numeric


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("train")
    ap.add_argument("out")
    ap.add_argument("--decode", choices=["indep", "donor"], required=True)
    ap.add_argument("--bins", type=int, default=20)
    ap.add_argument("--columns", default="all")
    ap.add_argument("--jitter", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    header, body, numeric = read_table(a.train)
    if a.columns != "all":
        numeric = [j for j in numeric if header[j] in a.columns.split(",")]
    n, nb = len(body), a.bins
    values = np.array([[float(r[j]) for j in numeric] for r in body])
    bins = np.empty(values.shape, dtype=np.int64)
    rank = np.empty(values.shape)
    sorted_values = []
    for c in range(len(numeric)):
        order = np.argsort(values[:, c], kind="stable")
        rank[order, c] = np.arange(n)
        bins[:, c] = np.minimum((rank[:, c] * nb / n).astype(np.int64), nb - 1)
        sorted_values.append(values[order, c])
    lo = np.ceil(bins * n / nb)
    hi = np.ceil((bins + 1) * n / nb)
    if a.decode == "indep":
        pos = rng.random(values.shape)
    else:
        own = np.empty(values.shape)
        for c in range(len(numeric)):  # each row's own rank inside its bin, in [0, 1)
            own[:, c] = (rank[:, c] - lo[:, c] + rng.random(n)) / (hi[:, c] - lo[:, c])
        fb = bins.astype(np.float32)
        donor = np.empty(n, dtype=np.int64)
        step = 64
        for s in range(0, n, step):
            e = min(s + step, n)
            d = np.abs(fb[s:e, None, :] - fb[None, :, :]).sum(axis=2)
            d += rng.random(d.shape).astype(np.float32) * 0.5  # ties at random
            d[np.arange(e - s), np.arange(s, e)] = np.inf  # never the row itself
            donor[s:e] = d.argmin(axis=1)
        pos = np.abs(own[donor] + rng.uniform(-a.jitter, a.jitter, values.shape))
        pos = np.where(pos >= 1, np.nextafter(2 - pos, 0), pos)
    index = np.minimum((lo + pos * (hi - lo)).astype(np.int64), n - 1)
    for c, j in enumerate(numeric):
        for i in range(n):
            body[i][j] = repr(float(sorted_values[c][index[i, c]])).removesuffix(".0")
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)


if __name__ == "__main__":
    main()
