"""meg.evaluate on DataFrames (or paths) returns the CLI's evaluation as a dict."""
import pytest

import meg

FAST = dict(classifiers=["logistic_regression"], detection=False, privacy_rows=200, threads=2)


def split(df, frac=0.7):
    train = df.sample(frac=frac, random_state=0)
    return train, df.drop(train.index)


def test_evaluate_dataframes(car, tmp_path):
    train, test = split(car)
    model = meg.MEG(seed=0, threads=2).fit(train)
    synthetic = model.sample(len(train))
    r = meg.evaluate(train, test, synthetic, "class", **FAST)
    assert {"utility", "fidelity", "privacy"} <= set(r)
    lr = [c for c in r["utility"]["classifiers"] if c["name"] == "logistic_regression"][0]
    assert 0.5 < lr["tstr"]["accuracy"] <= 1.0
    assert 0.5 < lr["trtr"]["accuracy"] <= 1.0
    text = meg.format_evaluation(r)
    assert "logistic_regression" in text
    meg.write_report(r, tmp_path / "report.html")
    assert (tmp_path / "report.html").read_text().lstrip().lower().startswith("<!doctype html")


def test_evaluate_errors(car):
    train, test = split(car)
    with pytest.raises(TypeError, match="target"):
        meg.evaluate(train, test, train, 3)
    with pytest.raises(ValueError):
        meg.evaluate(train, test, train, "nope", **FAST)
    with pytest.raises(TypeError, match="synthetic: expected a pandas DataFrame or a CSV path"):
        meg.evaluate(train, test, [1], "class", **FAST)
    with pytest.raises(ValueError):
        meg.evaluate(train, test, train, "class", classifiers=["svm"], detection=False)
