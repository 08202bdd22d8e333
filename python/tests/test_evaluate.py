"""meg.evaluate on DataFrames (or paths) returns the CLI's evaluation as a dict."""
import pandas as pd
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


def test_evaluate_lift(car, tmp_path):
    train, test = split(car)
    model = meg.MEG(seed=0, threads=2).fit(train)
    extra = model.sample(200, where={"class": "vgood"})
    augmented = pd.concat([train, extra], ignore_index=True)
    r = meg.evaluate(train, test, None, "class", augmented=augmented, **FAST)
    assert "lift" in r and "utility" not in r and "fidelity" not in r
    lift = r["lift"]
    assert lift["real_rows_included"] == len(train)
    vgood = lift["classes"].index("vgood")
    assert lift["class_rows"]["augmented"][vgood] == lift["class_rows"]["train"][vgood] + 200
    lr = lift["classifiers"][0]
    assert lr["name"] == "logistic_regression"
    assert lr["difference"]["macro_f1"] == pytest.approx(
        lr["augmented"]["macro_f1"] - lr["real"]["macro_f1"])
    assert len(lr["real"]["recall"]) == len(lift["classes"])
    assert "F1 lift" in meg.format_evaluation(r)
    meg.write_report(r, tmp_path / "lift.html")
    assert "<h2>Lift:" in (tmp_path / "lift.html").read_text()
    both = meg.evaluate(train, test, extra, "class", augmented=augmented, **FAST)
    assert {"utility", "lift"} <= set(both)


def test_evaluate_lift_errors(car):
    train, test = split(car)
    with pytest.raises(TypeError, match="augmented="):
        meg.evaluate(train, test, None, "class", **FAST)
    with pytest.raises(ValueError, match="column 'safety' of the real train table is missing"):
        meg.evaluate(train, test, None, "class", augmented=train.drop(columns=["safety"]), **FAST)
