#!/usr/bin/env python3
"""Prints the Markdown tables of BENCHMARKS.md from bench/run.sh results.

usage: summarize.py RESULTS_DIR

Results of the same dataset and configuration with several seeds (SEEDS=... bench/run.sh) are
averaged; TSTR accuracies then show "mean ± standard deviation" and the seeds column their count.
"""
import json
import math
import pathlib
import statistics
import sys

ORDER = ["default", "kdb", "loglik", "k0", "k1", "k2", "k3", "kdb_k3", "uniform",
         "reference", "softmax", "trained_sf", "trained_none"]


def regression(ev):
    return ev["utility"].get("task") == "regression"


def acc(ev, name, which):
    """Accuracy of a classifier, or R2 of the regressor of the same family (numeric target)."""
    if regression(ev):
        name = {"logistic_regression": "ridge_regression", "random_forest": "random_forest",
                "gradient_boosting": "gradient_boosting"}[name]
        models, score = ev["utility"]["regressors"], "r2"
    else:
        models, score = ev["utility"]["classifiers"], "accuracy"
    for c in models:
        if c["name"] == name and c.get("available", True):
            return c[which][score]
    return float("nan")


def attack(pri, name):
    for a in pri.get("attacks", []):
        if a["name"] == name:
            return a["roc_auc"]
    return float("nan")


def metrics(r):
    ev = r["evaluate"]
    fid, pri = ev["fidelity"], ev["privacy"]
    return {
        "lr": acc(ev, "logistic_regression", "tstr"),
        "rf": acc(ev, "random_forest", "tstr"),
        "gbt": acc(ev, "gradient_boosting", "tstr"),
        "col": fid["mean_column_distance"]["synthetic"],
        "pair": fid["pairwise"]["error"]["synthetic"],
        "det": fid["detection"]["roc_auc"],
        "copy": pri["exact_copy_rate"]["synthetic"],
        "copy_test": pri["exact_copy_rate"]["test"],
        "dcr": pri["dcr"]["synthetic"]["median"],
        "dcr_test": pri["dcr"]["test"]["median"],
        "mia_dist": attack(pri, "distance"),
        "mia_dens": attack(pri, "density_ratio"),
        "fit": r["fit_seconds"],
        "rss": r["fit_rss_kb"] / 1024,
        "sample": r["sample_seconds"],
    }


def fmt_acc(values):
    mean = statistics.fmean(values)
    if len(values) < 2 or any(math.isnan(v) for v in values):
        return f"{mean:.3f}"
    return f"{mean:.3f} ± {statistics.stdev(values):.3f}"


def main():
    results = [json.load(open(p)) for p in sorted(pathlib.Path(sys.argv[1]).glob("*.json"))]
    datasets = []
    for r in results:
        if r["dataset"] not in datasets:
            datasets.append(r["dataset"])
    for ds in datasets:
        groups = {}
        for r in results:
            if r["dataset"] == ds:
                groups.setdefault(r["config"], []).append(r)
        configs = sorted(groups, key=lambda c: (ORDER.index(c) if c in ORDER else 99, c))
        ev0 = groups[configs[0]][0]["evaluate"]
        reg = regression(ev0)
        base = ("R2 (numeric target)" if reg else
                f"majority {ev0['utility']['majority_class_rate']:.3f}")
        lin = "ridge" if reg else "LR"
        print(f"### {ds} ({groups[configs[0]][0]['rows']} training rows; "
              f"TRTR {lin} {acc(ev0, 'logistic_regression', 'trtr'):.3f}, "
              f"RF {acc(ev0, 'random_forest', 'trtr'):.3f}, GBT {acc(ev0, 'gradient_boosting', 'trtr'):.3f}; "
              f"{base})\n")
        print(f"| config | fit args | seeds | TSTR {lin} | TSTR RF | TSTR GBT | column dist | pairwise "
              "| detection AUC | exact copies (test) | DCR median (test) | attack AUC distance "
              "| attack AUC density | fit s | fit RSS MB | sample s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for cfg in configs:
            rs = groups[cfg]
            ms = [metrics(r) for r in rs]
            mean = {k: statistics.fmean(m[k] for m in ms) for k in ms[0]}
            col = {k: [m[k] for m in ms] for k in ("lr", "rf", "gbt")}
            print(f"| {cfg} | `{rs[0]['fit_args'] or '(defaults)'}` | {len(rs)} "
                  f"| {fmt_acc(col['lr'])} | {fmt_acc(col['rf'])} | {fmt_acc(col['gbt'])} "
                  f"| {mean['col']:.4f} | {mean['pair']:.4f} | {mean['det']:.3f} "
                  f"| {mean['copy']:.4f} ({mean['copy_test']:.4f}) "
                  f"| {mean['dcr']:.3f} ({mean['dcr_test']:.3f}) "
                  f"| {mean['mia_dist']:.3f} | {mean['mia_dens']:.3f} "
                  f"| {mean['fit']:.2f} | {mean['rss']:.0f} | {mean['sample']:.2f} |")
        print()


if __name__ == "__main__":
    main()
