"""Every common pandas dtype comes back as it went in, NaN <-> missing."""
import numpy as np
import pandas as pd

import meg


def make_frame(n=600, seed=0):
    rng = np.random.default_rng(seed)
    cls = rng.choice(["a", "b", "c"], size=n)
    df = pd.DataFrame(
        {
            "cls": cls,
            "int64": rng.integers(0, 1000, size=n),
            "small_int": rng.integers(1, 5, size=n),  # numeric-looking categorical
            "float64": np.round(rng.normal(10, 3, size=n), 3),
            "float_nan": np.where(rng.random(n) < 0.2, np.nan, np.round(rng.random(n), 2)),
            "nullable_int": pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(0, 50, size=n)), dtype="Int64"),
            "flag": rng.random(n) < 0.3,
            "cat": pd.Categorical(rng.choice(["lo", "mid", "hi"], size=n), categories=["lo", "mid", "hi"], ordered=True),
            "cat_int": pd.Categorical(rng.choice([1, 2, 3], size=n)),
            "text_nan": np.where(rng.random(n) < 0.15, None, rng.choice(["x", "y z", 'q"uote', "c,omma"], size=n)),
            # Strings that meg's CLI would read as missing stay ordinary values here.
            "tokens": rng.choice(["NA", "?", "null", "ok"], size=n),
            "day": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 5, size=n), unit="D"),
        }
    )
    df["text_nan"] = df["text_nan"].astype(object)
    return df


def test_dtypes_and_missing_restored():
    df = make_frame()
    m = meg.MEG(seed=0, threads=2).fit(df, units=["cls", "cat"])
    s = m.sample(2000, seed=3)
    assert list(s.columns) == list(df.columns)
    for col in df.columns:
        assert s[col].dtype == df[col].dtype, (col, s[col].dtype, df[col].dtype)
    # NaN where the training data had missing values, and only there.
    for col in ("float_nan", "nullable_int", "text_nan"):
        assert s[col].isna().any(), col
        assert abs(s[col].isna().mean() - df[col].isna().mean()) < 0.05, col
    for col in ("cls", "int64", "float64", "flag", "cat", "tokens", "day"):
        assert not s[col].isna().any(), col
    assert set(s["tokens"]) <= {"NA", "?", "null", "ok"} and "NA" in set(s["tokens"])
    assert set(s["text_nan"].dropna()) <= {"x", "y z", 'q"uote', "c,omma"}
    assert list(s["cat"].cat.categories) == ["lo", "mid", "hi"] and s["cat"].cat.ordered
    assert set(s["cat_int"].cat.categories) == {1, 2, 3}
    assert set(s["small_int"]) <= {1, 2, 3, 4}
    assert set(s["flag"]) == {True, False}
    assert s["day"].min() >= df["day"].min() and s["day"].max() <= df["day"].max()


def test_pickle_keeps_exact_dtypes():
    import pickle

    df = make_frame(300)
    m = meg.MEG(seed=1, threads=2).fit(df, units=["cls"])
    m2 = pickle.loads(pickle.dumps(m))
    pd.testing.assert_frame_equal(m.sample(100), m2.sample(100))


def test_timestamps_and_ids_take_their_roles():
    # 600 rows: a key of one shape and timestamps over a month are inferred `id` and
    # `datetime`; sampled keys are fresh and unique, timestamps keep the dtype and range.
    rng = np.random.default_rng(5)
    n = 600
    df = pd.DataFrame(
        {
            "key": [f"K{100000 + 3 * i}" for i in range(n)],
            "when": pd.to_datetime("2021-03-01") + pd.to_timedelta(rng.integers(0, 31 * 86400, size=n), unit="s"),
            "cls": rng.choice(["a", "b"], size=n),
        }
    )
    m = meg.MEG(seed=0, threads=2).fit(df)
    types = {c["name"]: c["type"] for c in m.describe()["columns"]}
    assert types == {"key": "id", "when": "datetime", "cls": "categorical"}
    s = m.sample(3000, seed=1)
    assert s["when"].dtype == df["when"].dtype
    assert s["when"].min() >= df["when"].min() and s["when"].max() <= df["when"].max()
    assert s["key"].is_unique and not set(s["key"]) & set(df["key"])
    assert s["key"].str.fullmatch(r"K\d{6}").all()
