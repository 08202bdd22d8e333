#!/usr/bin/env python3
"""Where a detector finds synthetic rows: which columns, pairs and scales give them away.

    python3 bench/detect_diag.py REAL.csv SYNTHETIC.csv [--what full,cols,pairs,drop,binned]

A boosted-tree detector (scikit-learn's HistGradientBoostingClassifier, one thread
recommended: OMP_NUM_THREADS=1) is trained on up to 10,000 real and as many synthetic
rows and scored (ROC AUC) on a stratified 30% hold-out:
  full    every column, values as written
  cols    each column alone (its marginal)
  pairs   each pair of columns (the 20 highest printed)
  drop    every column but one: the AUC lost without it (the columns the detector leans on)
  binned  numeric columns replaced by their bin among 4 and 8 quantile bins of the real
          rows: what a detector sees in the coarse joint distribution, without the values
          inside the bins
Categorical columns enter as integer codes. Needs numpy, pandas and scikit-learn.
"""
import argparse
import itertools

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("real")
    ap.add_argument("synthetic")
    ap.add_argument("--what", default="full,cols,binned")
    ap.add_argument("--rows", type=int, default=10000)
    args = ap.parse_args()
    what = set(args.what.split(","))

    real = pd.read_csv(args.real)
    syn = pd.read_csv(args.synthetic)[real.columns]
    n = min(len(real), len(syn), args.rows)
    real = real.sample(n, random_state=0)
    syn = syn.sample(n, random_state=0)
    cols = list(real.columns)
    numeric = [c for c in cols if pd.api.types.is_numeric_dtype(real[c])
               and pd.api.types.is_numeric_dtype(syn[c])]
    X = pd.concat([real, syn]).reset_index(drop=True)
    for c in cols:
        if c not in numeric:
            X[c] = pd.Categorical(X[c].astype(str)).codes
    y = np.r_[np.zeros(n), np.ones(n)]
    train, test = train_test_split(np.arange(2 * n), test_size=0.3, random_state=0, stratify=y)

    def auc(frame, columns, rounds):
        clf = HistGradientBoostingClassifier(max_iter=rounds, random_state=0)
        clf.fit(frame.loc[train, columns], y[train])
        return roc_auc_score(y[test], clf.predict_proba(frame.loc[test, columns])[:, 1])

    full = auc(X, cols, 200)
    print(f"full: {full:.3f}")
    if "cols" in what:
        r = sorted(((auc(X, [c], 50), c) for c in cols), reverse=True)
        print("one column:", " ".join(f"{c}={a:.3f}" for a, c in r))
    if "pairs" in what:
        r = sorted(((auc(X, [a, b], 50), a, b) for a, b in itertools.combinations(cols, 2)),
                   reverse=True)
        print("pairs (top 20):", " ".join(f"{a},{b}={v:.3f}" for v, a, b in r[:20]))
    if "drop" in what:
        r = sorted(((full - auc(X, [d for d in cols if d != c], 200), c) for c in cols),
                   reverse=True)
        print("AUC lost without:", " ".join(f"{c}={a:.3f}" for a, c in r))
    if "binned" in what:
        for k in (4, 8):
            B = X.copy()
            for c in numeric:
                edges = np.unique(np.quantile(real[c].dropna(), np.linspace(0, 1, k + 1)[1:-1]))
                B[c] = np.searchsorted(edges, X[c].values, side="right")
            print(f"binned {k}: {auc(B, cols, 200):.3f}")


if __name__ == "__main__":
    main()
