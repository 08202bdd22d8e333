"""Fit on Adult read with pandas, sample back a DataFrame that looks like the input."""
import numpy as np
import pandas as pd

import meg
from conftest import THREADS


def test_fit_returns_self_and_knows_the_table(adult):
    model = meg.MEG(seed=0, threads=THREADS)
    assert model.fit(adult) is model
    assert model.columns == list(adult.columns)
    assert model.training_rows == len(adult)


def test_sample_has_same_columns_order_and_dtypes(adult, adult_model):
    s = adult_model.sample(500)
    assert isinstance(s, pd.DataFrame)
    assert len(s) == 500
    assert list(s.columns) == list(adult.columns)
    assert s.dtypes.to_dict() == adult.dtypes.to_dict()
    # Categorical in meg's schema but int64 in pandas: restored as int64.
    assert s["education_num"].dtype == np.int64
    assert set(s["education_num"]) <= set(adult["education_num"])
    assert s["age"].dtype == np.int64
    assert s["workclass"].dtype == object
    assert s.index.equals(pd.RangeIndex(500))


def test_missing_values_round_trip_as_nan(adult, adult_model):
    s = adult_model.sample(3000)
    for col in ("workclass", "occupation", "native_country"):
        assert adult[col].isna().any()
        assert s[col].isna().any(), col
        # Missing rate kept roughly (real ~6% / ~6% / ~2%).
        assert abs(s[col].isna().mean() - adult[col].isna().mean()) < 0.03, col
        assert "?" not in set(s[col].dropna()), col
        assert "" not in set(s[col].dropna()), col
    for col in ("age", "education", "income", "sex"):
        assert not s[col].isna().any(), col
    # Categorical values come from the training levels.
    for col in ("workclass", "education", "income", "native_country"):
        assert set(s[col].dropna()) <= set(adult[col].dropna()), col
    # Numbers stay inside the training range.
    assert s["age"].between(adult["age"].min(), adult["age"].max()).all()


def test_same_seed_same_rows_any_thread_count(adult_model):
    a = adult_model.sample(300, seed=7, threads=1)
    b = adult_model.sample(300, seed=7, threads=THREADS)
    pd.testing.assert_frame_equal(a, b)
    assert adult_model.sample_csv(300, seed=7, threads=1) == adult_model.sample_csv(300, seed=7, threads=3)
    c = adult_model.sample(300, seed=8)
    assert not a.equals(c)


def test_default_seed_is_the_models_seed(car):
    m = meg.MEG(seed=5, threads=THREADS).fit(car)
    pd.testing.assert_frame_equal(m.sample(50), m.sample(50, seed=5))


def test_same_seed_same_model(car):
    a = meg.MEG(seed=3, threads=1).fit(car)
    b = meg.MEG(seed=3, threads=THREADS).fit(car)
    assert a.sample_csv(200) == b.sample_csv(200)
    assert a.structure() == b.structure()


def test_sample_csv_text_matches_sample_frame(car_model, car):
    text = car_model.sample_csv(20, seed=1)
    assert text.splitlines()[0] == ",".join(car.columns)
    assert len(text.splitlines()) == 21
    df = car_model.sample(20, seed=1)
    assert df.to_csv(index=False) == text


def test_where_dict_and_callable(adult_model):
    s = adult_model.sample(200, where={"income": ">50K", "sex": ["Female"]}, seed=1)
    assert len(s) == 200
    assert (s["income"] == ">50K").all() and (s["sex"] == "Female").all()
    assert s.dtypes.equals(adult_model.sample(5).dtypes)
    again = adult_model.sample(200, where={"income": ">50K", "sex": ["Female"]}, seed=1)
    pd.testing.assert_frame_equal(s, again)
    t = adult_model.sample(50, where=lambda d: d["age"] >= 60)
    assert len(t) == 50 and (t["age"] >= 60).all()
    nan_rows = adult_model.sample(20, where={"workclass": None})
    assert nan_rows["workclass"].isna().all()


def test_where_native_rare_condition_and_range(adult_model):
    # ~1% of Adult: drawn by the model's conditional sampler, not by rejection.
    rare = adult_model.sample(2000, where={"race": "Amer-Indian-Eskimo", "age": (30, 40)}, seed=2)
    assert len(rare) == 2000
    assert (rare["race"] == "Amer-Indian-Eskimo").all()
    assert rare["age"].between(30, 40).all()
    assert rare.dtypes.equals(adult_model.sample(5).dtypes)
    again = adult_model.sample(2000, where={"race": "Amer-Indian-Eskimo", "age": (30, 40)}, seed=2)
    pd.testing.assert_frame_equal(rare, again)
    # Same rows as the CLI's --where for the same seed (same C++ call).
    older = adult_model.sample(100, where={"age": (60, None)}, seed=3)
    assert (older["age"] >= 60).all()


def test_structure_lists_units_parents_and_weights(adult, adult_model):
    st = adult_model.structure()
    assert list(st) == list(adult.columns)  # one unit per column by default
    total = sum(u["weight"] for u in st.values())
    assert abs(total - 1.0) < 1e-6
    for cls, unit in st.items():
        assert set(unit["parents"]) == set(adult.columns) - {cls}
        for col, parents in unit["parents"].items():
            assert len(parents) <= 2  # k = 2
            assert cls not in parents and col not in parents
    assert "digraph" in adult_model.to_dot()
    d = adult_model.describe()
    assert [c["name"] for c in d["columns"]] == list(adult.columns)
    assert d["options"]["k"] == "2"


def test_units_argument_and_options(car):
    m = meg.MEG(k=1, seed=0, threads=THREADS, weighting="uniform").fit(car, units=["class", "safety"])
    st = m.structure()
    assert list(st) == ["class", "safety"]
    assert all(abs(u["weight"] - 0.5) < 1e-12 for u in st.values())
    assert all(len(p) <= 1 for u in st.values() for p in u["parents"].values())
    assert m.get_params()["k"] == 1


def test_schema_override_short_form(car):
    m = meg.MEG(seed=0, threads=THREADS).fit(car, schema={"doors": "categorical"})
    types = {c["name"]: c["type"] for c in m.describe()["columns"]}
    assert types["doors"] == "categorical"
    assert m.sample(10).dtypes.equals(car.dtypes)
    schema = meg.infer_schema(car)
    assert [c["name"] for c in schema["columns"]] == list(car.columns)


def test_fit_from_csv_path(tmp_path):
    from conftest import DATA

    m = meg.MEG(seed=0, threads=THREADS).fit(DATA / "car.csv")
    s = m.sample(10)
    assert list(s.columns) == list(pd.read_csv(DATA / "car.csv", nrows=1).columns)


def test_progress_goes_to_logging(car, caplog):
    caplog.set_level("INFO", logger="meg")
    meg.MEG(seed=0, threads=THREADS).fit(car, units=["class", "safety"])
    msgs = [r.getMessage() for r in caplog.records if r.name == "meg"]
    assert any("unit 'class' done" in m for m in msgs), msgs


def test_progress_callback_and_cancel(car):
    events = []
    meg.MEG(seed=0, threads=THREADS, progress=events.append).fit(car, units=["class"])
    assert events and {"stage", "unit", "phase", "units_done", "units_total"} <= set(events[0])
    assert any(e["phase"] == "done" and e["unit"] == "class" for e in events)

    class Stop(Exception):
        pass

    def stop(p):
        raise Stop("enough")

    import pytest

    with pytest.raises(Stop, match="enough"):
        meg.MEG(seed=0, threads=THREADS, progress=stop).fit(car)
