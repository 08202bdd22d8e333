#!/usr/bin/env python3
"""Prints the Markdown tables of BENCHMARKS.md from bench/run.sh results.

usage: summarize.py RESULTS_DIR
"""
import json
import pathlib
import sys

ORDER = ["default", "k0", "k1", "k2", "k3", "uniform", "reference", "softmax", "trained_sf",
         "trained_none"]


def acc(ev, name, which):
    for c in ev["utility"]["classifiers"]:
        if c["name"] == name and c.get("available", True):
            return c[which]["accuracy"]
    return float("nan")


def main():
    results = [json.load(open(p)) for p in sorted(pathlib.Path(sys.argv[1]).glob("*.json"))]
    datasets = []
    for r in results:
        if r["dataset"] not in datasets:
            datasets.append(r["dataset"])
    for ds in datasets:
        rows = sorted((r for r in results if r["dataset"] == ds),
                      key=lambda r: ORDER.index(r["config"]) if r["config"] in ORDER else 99)
        ev0 = rows[0]["evaluate"]
        print(f"### {ds} ({rows[0]['rows']} training rows; TRTR LR {acc(ev0, 'logistic_regression', 'trtr'):.3f}, "
              f"RF {acc(ev0, 'random_forest', 'trtr'):.3f}, GBT {acc(ev0, 'gradient_boosting', 'trtr'):.3f}; "
              f"majority {ev0['utility']['majority_class_rate']:.3f})\n")
        print("| config | fit args | TSTR LR | TSTR RF | TSTR GBT | column dist | pairwise | detection AUC "
              "| exact copies (test) | DCR median (test) | fit s | fit RSS MB | sample s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            ev = r["evaluate"]
            fid, pri = ev["fidelity"], ev["privacy"]
            print(f"| {r['config']} | `{r['fit_args'] or '(defaults)'}` "
                  f"| {acc(ev, 'logistic_regression', 'tstr'):.3f} | {acc(ev, 'random_forest', 'tstr'):.3f} "
                  f"| {acc(ev, 'gradient_boosting', 'tstr'):.3f} "
                  f"| {fid['mean_column_distance']['synthetic']:.4f} | {fid['pairwise']['error']['synthetic']:.4f} "
                  f"| {fid['detection']['roc_auc']:.3f} "
                  f"| {pri['exact_copy_rate']['synthetic']:.4f} ({pri['exact_copy_rate']['test']:.4f}) "
                  f"| {pri['dcr']['synthetic']['median']:.3f} ({pri['dcr']['test']['median']:.3f}) "
                  f"| {r['fit_seconds']:.2f} | {r['fit_rss_kb'] / 1024:.0f} | {r['sample_seconds']:.2f} |")
        print()


if __name__ == "__main__":
    main()
