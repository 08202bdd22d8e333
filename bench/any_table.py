#!/usr/bin/env python3
"""Tables that `meg evaluate` must handle in bounded time and memory (standard library only).

usage: any_table.py OUT_DIR [--rows 100000] [--levels 100000] [--seed 0]

Writes OUT_DIR/train.csv (ROWS rows), test.csv (ROWS / 4) and synthetic.csv (ROWS; drawn
from the same distribution with another seed, so it behaves like a good generator's output):
  key      a unique customer id per row ("C" + 9 digits; fresh ids in every file)
  account  an integer key, unique per row
  code     one of LEVELS levels: half the rows one of 20 common codes, the rest uniform over
           all LEVELS (about 0.4 x ROWS distinct values in a file)
  region   10 levels; segment 4 levels; age integer 18..90; income continuous; score
  churn    yes/no, depending on segment, age and the common codes (the target)
Then, e.g.:
  /usr/bin/time -v build/meg evaluate --train OUT/train.csv --test OUT/test.csv \\
      --synthetic OUT/synthetic.csv --target churn
"""
import argparse
import math
import os
import random


def write(path, n, seed, levels, key_offset):
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        f.write("key,account,code,region,segment,age,income,score,churn\n")
        for i in range(n):
            common = rng.random() < 0.5
            code = rng.randrange(20) if common else rng.randrange(levels)
            segment = rng.randrange(4)
            age = rng.randint(18, 90)
            income = math.exp(rng.gauss(10 + 0.1 * segment, 0.5))
            score = rng.gauss(0.02 * age, 1.0)
            logit = -1.0 + 0.6 * segment - 0.03 * (age - 50) + (0.8 if common and code < 5 else 0)
            churn = "yes" if rng.random() < 1 / (1 + math.exp(-logit)) else "no"
            f.write(f"C{key_offset + i:09d},{7 * (key_offset + i) + 3},K{code},"
                    f"r{rng.randrange(10)},s{segment},{age},{income:.2f},{score:.4f},{churn}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--levels", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    write(os.path.join(a.out_dir, "train.csv"), a.rows, a.seed, a.levels, 0)
    write(os.path.join(a.out_dir, "test.csv"), a.rows // 4, a.seed + 1, a.levels, a.rows)
    write(os.path.join(a.out_dir, "synthetic.csv"), a.rows, a.seed + 2, a.levels, 2 * a.rows)


if __name__ == "__main__":
    main()
