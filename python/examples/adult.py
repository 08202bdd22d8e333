"""Fit MEG on Adult and print a few synthetic rows.

    .venv/bin/python python/examples/adult.py    # after `pip install .` (README, Python)
"""
import logging
import pathlib

import pandas as pd

import meg

logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")  # meg's progress
data = pathlib.Path(__file__).resolve().parents[2] / "data"

# '?' marks a missing value in Adult: read it as NaN.
train = pd.read_csv(data / "adult_train.csv", keep_default_na=False, na_values=["?"])
test = pd.read_csv(data / "adult_test.csv", keep_default_na=False, na_values=["?"])

model = meg.MEG(k=2, seed=0).fit(train)
synthetic = model.sample(len(train))  # same columns and dtypes as `train`, NaN where missing
print(synthetic.head(8).to_string())

# Rows of the rare class only, and a quick utility check (train on synthetic, test on real).
print(model.sample(3, where={"income": ">50K"}).to_string())
result = meg.evaluate(train, test, synthetic, "income", classifiers=["logistic_regression"], detection=False)
lr = result["utility"]["classifiers"][0]
print(f"logistic regression accuracy on real test rows: trained on real {lr['trtr']['accuracy']:.3f}, "
      f"on synthetic {lr['tstr']['accuracy']:.3f}")

model.save("/tmp/adult.meg")  # `meg sample /tmp/adult.meg -n 1000 -o more.csv` gives the same rows as model.sample(1000)
