#!/usr/bin/env python3
"""Seeded generators of benchmark tables that the bundled datasets do not cover.

usage: gen_tables.py KIND OUT.csv [--rows N] [--cols D] [--seed S]

KIND:
  hospital  admissions: 48 columns, three diagnosis codes of 700 Zipf-distributed levels each
            (diag_1 depends on the department, diag_2 on diag_1, diag_3 on diag_2), ages,
            stays, costs and lab values that depend on them (default 100,000 rows)
  ids       customers: a unique text key (customer_id), a unique integer key (claim_no), a
            column of about 100,000 distinct levels (street), and ordinary columns that depend
            on each other (default 100,000 rows)
  wide      D columns (default 1,000) of 2-5 level categoricals and numbers driven by a latent
            5-level factor and by the previous column (default 5,000 rows)

Needs numpy (Debian's /usr/bin/python3). The same arguments give the same bytes.
"""
import argparse
import csv
import sys

import numpy as np


def zipf_probs(k, s=1.1):
    p = 1.0 / np.arange(1, k + 1) ** s
    return p / p.sum()


def draw(rng, probs_rows):
    """One categorical draw per row, row i from the distribution probs_rows[i]."""
    cum = np.cumsum(probs_rows, axis=1)
    u = rng.random(len(probs_rows))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs_rows.shape[1] - 1)


def hospital(n, rng):
    levels = 700
    chapters = 20  # 35 codes per chapter
    codes = np.array([f"{chr(65 + c // 35 % 26)}{c % 35:02d}.{(c * 7) % 10}" for c in range(levels)])
    dept_names = np.array(["cardiology", "oncology", "orthopedics", "neurology", "pediatrics",
                           "emergency", "surgery", "maternity", "psychiatry", "geriatrics",
                           "nephrology", "dermatology"])
    dept = rng.choice(len(dept_names), size=n, p=zipf_probs(len(dept_names), 0.8))
    age = np.clip(np.where(dept == 4, rng.integers(0, 18, n),
                           np.where(dept == 9, rng.normal(78, 7, n), rng.normal(52, 18, n))),
                  0, 102).astype(int)
    sex = np.where(dept == 7, 1, (rng.random(n) < 0.5).astype(int))
    # Each department prefers three chapters; within a chapter the codes are Zipf-distributed.
    base = zipf_probs(levels, 1.05)
    perm = rng.permutation(levels)
    global_p = base[np.argsort(perm)]
    dept_p = np.zeros((len(dept_names), levels))
    for d in range(len(dept_names)):
        pref = rng.choice(chapters, size=3, replace=False)
        mask = np.isin(np.arange(levels) // 35, pref)
        p = global_p * np.where(mask, 25.0, 1.0)
        dept_p[d] = p / p.sum()
    diag1 = draw(rng, dept_p[dept])
    chapter_p = np.zeros((chapters, levels))
    for c in range(chapters):
        p = global_p * np.where(np.arange(levels) // 35 == c, 60.0, 1.0)
        chapter_p[c] = p / p.sum()
    diag2 = draw(rng, chapter_p[diag1 // 35])
    diag3 = draw(rng, chapter_p[diag2 // 35])
    diag3_missing = rng.random(n) < 0.3
    severity = np.clip((diag1 % 35) // 9 + (age > 70) + rng.integers(0, 2, n), 0, 4)
    stay = np.maximum(1, np.round(rng.gamma(1.5 + severity, 1.8 + (dept == 1) * 2.0))).astype(int)
    cost = np.round(stay * rng.lognormal(7.2 + 0.15 * severity, 0.35), 2)
    admission = np.where(dept == 5, 0, rng.choice(4, size=n, p=[0.3, 0.4, 0.2, 0.1]))
    insurance = rng.choice(6, size=n, p=[0.35, 0.25, 0.15, 0.1, 0.1, 0.05])
    insurance = np.where(age > 65, 5, insurance)
    region = rng.choice(20, size=n, p=zipf_probs(20, 0.6))
    outcome = np.where(rng.random(n) < 0.01 + 0.03 * severity + 0.002 * np.maximum(age - 60, 0),
                       "died", np.where(stay > 10, "transferred", "home"))
    cols = {
        "age": age, "sex": np.array(["F", "M"])[sex], "department": dept_names[dept],
        "admission_type": np.array(["emergency", "urgent", "elective", "newborn"])[admission],
        "diag_1": codes[diag1], "diag_2": codes[diag2],
        "diag_3": np.where(diag3_missing, "", codes[diag3]),
        "severity": severity, "length_of_stay": stay, "cost": cost,
        "insurance": np.array(["private", "public", "employer", "self", "other", "medicare"])[insurance],
        "region": np.array([f"R{r:02d}" for r in range(20)])[region],
        "outcome": outcome,
    }
    # Lab values and flags: numbers and small categoricals tied to severity, age and department.
    lab = 0
    while len(cols) < 48:
        if lab % 3 == 2:
            k = 2 + lab % 4
            p = (severity[:, None] + 1) * np.linspace(1, 2, k)[None, :] + (dept[:, None] % k == np.arange(k))
            cols[f"flag_{lab:02d}"] = np.array([f"L{v}" for v in range(k)])[draw(rng, p / p.sum(1, keepdims=True))]
        else:
            cols[f"lab_{lab:02d}"] = np.round(rng.normal(10 + lab + severity * (lab % 5), 1 + 0.1 * lab, n)
                                              + 0.05 * age, 1)
        lab += 1
    return cols


def ids(n, rng):
    cust = rng.permutation(n) + 10_000_000
    claim = rng.choice(9 * 10**9, size=n, replace=False) + 10**9
    pool = 200_000
    street_pool = np.array([f"{rng.integers(1, 9999)} {w} {s}" for w, s in zip(
        rng.choice(["Oak", "Pine", "Maple", "Cedar", "Elm", "Birch", "Lake", "Hill", "Park", "Mill"], pool),
        rng.choice(["St", "Ave", "Rd", "Ln", "Way", "Ct"], pool))])
    street = street_pool[rng.integers(0, pool, n)]
    age = np.clip(rng.normal(45, 15, n), 18, 95).astype(int)
    segment = np.where(age < 30, rng.choice(3, n, p=[0.6, 0.3, 0.1]), rng.choice(3, n, p=[0.2, 0.5, 0.3]))
    product = (segment + rng.choice(4, n, p=[0.5, 0.3, 0.15, 0.05])) % 5
    amount = np.round(rng.lognormal(5 + 0.4 * segment, 0.6), 2)
    region = rng.choice(8, n)
    churn = np.where(rng.random(n) < 0.1 + 0.1 * (segment == 0) + 0.05 * (product == 4), "yes", "no")
    return {
        "customer_id": np.array([f"C{c:08d}" for c in cust]), "claim_no": claim, "street": street,
        "age": age, "segment": np.array(["basic", "plus", "premium"])[segment],
        "product": np.array(["auto", "home", "life", "travel", "pet"])[product],
        "amount": amount, "region": np.array([f"region_{r}" for r in range(8)])[region], "churn": churn,
    }


def wide(n, d, rng):
    z = rng.choice(5, n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    cols = {}
    prev = z.copy()
    for j in range(d):
        if j % 4 == 3:
            v = np.round(rng.normal(z * (1 + j % 3) + 0.5 * prev, 1.0), 3)
            cols[f"x{j:04d}"] = v
            prev = np.clip(np.round(v), 0, 4).astype(int)
        else:
            k = 2 + j % 4
            p = np.ones((n, k)) + 3.0 * (np.arange(k)[None, :] == (z[:, None] + j) % k) \
                + 2.0 * (np.arange(k)[None, :] == prev[:, None] % k)
            v = draw(rng, p / p.sum(1, keepdims=True))
            cols[f"c{j:04d}"] = np.array([f"v{t}" for t in range(k)])[v]
            prev = v
    return cols


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=["hospital", "ids", "wide"])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int)
    ap.add_argument("--cols", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    if a.kind == "hospital":
        cols = hospital(a.rows or 100_000, rng)
    elif a.kind == "ids":
        cols = ids(a.rows or 100_000, rng)
    else:
        cols = wide(a.rows or 5_000, a.cols, rng)
    names = list(cols)
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        w.writerows(zip(*(cols[c].tolist() for c in names)))
    print(f"{a.out}: {len(next(iter(cols.values())))} rows x {len(names)} columns", file=sys.stderr)


if __name__ == "__main__":
    main()
