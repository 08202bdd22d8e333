"""meg.evaluate on DataFrames (or paths) returns the CLI's evaluation as a dict."""
import json

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


def linear_frame(n, seed):
    """y = 3 a - 2 b + offset(g) + small noise: a target a linear model recovers."""
    import numpy as np
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    g = rng.choice(["p", "q", "r"], size=n)
    offset = pd.Series(g).map({"p": 0.0, "q": 5.0, "r": -4.0}).to_numpy()
    y = 3 * a - 2 * b + offset + 0.01 * rng.normal(size=n)
    return pd.DataFrame({"a": a.round(5), "b": b.round(5), "g": g, "y": y.round(5)})


def test_evaluate_regression(tmp_path):
    train, test, syn = linear_frame(800, 0), linear_frame(400, 1), linear_frame(800, 2)
    r = meg.evaluate(train, test, syn, "y", **FAST)
    assert r["inputs"]["task"] == "regression"
    assert r["utility"]["task"] == "regression"
    ridge = r["utility"]["regressors"][0]
    assert ridge["name"] == "ridge_regression"
    assert ridge["trtr"]["r2"] > 0.99 and ridge["tstr"]["r2"] > 0.99
    assert ridge["tstr"]["mae"] < 0.1
    assert abs(r["utility"]["mean_predictor"]["r2"]) < 0.05
    assert "TSTR R2" in meg.format_evaluation(r)
    meg.write_report(r, tmp_path / "reg.html")
    assert "regression" in (tmp_path / "reg.html").read_text()
    # The task can be forced: 'g' is categorical and not numeric -> a clear error.
    with pytest.raises(ValueError, match="numeric target"):
        meg.evaluate(train, test, syn, "g", task="regression", **FAST)
    with pytest.raises(ValueError, match="--task"):
        meg.evaluate(train, test, syn, "y", task="clustering", **FAST)


def test_evaluate_attacks_detect_a_copy(car):
    train, test = split(car)
    fast = dict(FAST, attack_rows=200)
    copied = meg.evaluate(train, test, train, "class", **fast)
    attacks = {a["name"]: a for a in copied["privacy"]["attacks"]}
    assert set(attacks) == {"distance", "density_ratio"}
    assert attacks["distance"]["members"] == attacks["distance"]["non_members"] == 200
    # car lists every combination once: a copy is at distance 0, a test row never is.
    assert attacks["distance"]["roc_auc"] > 0.99
    assert attacks["density_ratio"]["tpr_at_1pct_fpr"] > 0.9
    none = meg.evaluate(train, test, train, "class", **dict(FAST, attack_rows=0))
    assert none["privacy"]["attacks"] == []


def test_edited_results_render_or_name_the_field(car, tmp_path):
    train, test = split(car)
    r = meg.evaluate(train, test, train, "class", **FAST)
    r["utility"]["classifiers"][0]["tstr"]["accuracy"] = None  # undefined: shown as '-'
    assert "  -  " in meg.format_evaluation(r)
    broken = json.loads(json.dumps(r))
    del broken["utility"]["classes"]
    with pytest.raises(ValueError, match="'utility.classes' is missing"):
        meg.format_evaluation(broken)
    broken = json.loads(json.dumps(r))
    broken["utility"]["classifiers"][0]["trtr"]["recall"] = [0.5]
    with pytest.raises(ValueError, match=r"'utility.classifiers\[0\].trtr.recall' must have 4"):
        meg.write_report(broken, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()
    with pytest.raises(ValueError, match="format_version 9"):
        meg.format_evaluation(dict(r, format_version=9))
    with pytest.raises(ValueError, match="not a \"meg-evaluation\" result"):
        meg.format_evaluation({"a": 1})


def test_identifier_columns_are_left_out():
    import numpy as np
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame({
        "key": [f"K{i:06d}" for i in range(n)],
        "x": rng.normal(size=n).round(4),
        "c": rng.choice(["a", "b", "c"], size=n),
    })
    frame["t"] = np.where(frame["x"] > 0, "pos", "neg")
    train, test = frame.iloc[:400], frame.iloc[400:]
    syn = train.assign(key=[f"S{i:06d}" for i in range(400)])
    r = meg.evaluate(train, test, syn, "t", **FAST)
    uses = {c["name"]: c["use"] for c in r["columns"]}
    assert uses == {"key": "id", "x": "feature", "c": "feature", "t": "target"}
    assert [c["name"] for c in r["fidelity"]["columns"]] == ["x", "c", "t"]
    assert r["privacy"]["exact_copy_rate"]["synthetic"] == 1.0  # fresh keys hide nothing


def test_evaluate_defaults_are_the_library_table():
    """meg.evaluate's keyword defaults are the ones `meg evaluate --list-options` prints."""
    import inspect

    from meg import _meg

    params = inspect.signature(meg.evaluate).parameters
    table = {o.key: o.default for o in _meg.evaluate_option_table()}
    assert set(table) <= set(params), set(table) - set(params)
    for key, default in table.items():
        py_default = params[key].default
        if key == "classifiers":
            assert py_default is None  # None = the library's default list
            continue
        text = str(py_default).lower() if isinstance(py_default, bool) else str(py_default)
        assert text == default, (key, py_default, default)
