"""MEG.sample(where=...): dict conditions are the library's (`meg sample --where`, same
bytes); a callable filters the library's sample of n x max_tries rows with the same seed."""
import subprocess

import numpy as np
import pandas as pd
import pytest

import meg


def cli_sample(cli, path, n, seed, where):
    args = [cli, "sample", str(path), "-n", str(n), "--seed", str(seed), "--threads", "2", "-o", "-"]
    for w in where:
        args += ["--where", w]
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


WHERE = {
    "sex": ["Female", "Male"],
    "workclass": [None, "Private"],
    "age": [(None, 25), (60, None)],
    "race": {"Black", "Asian-Pac-Islander"},
}
TEXTS = [
    "sex=Female",
    "sex=Male",
    "workclass=",
    "workclass=Private",
    "age=..25",
    "age=60..",
    "race=Asian-Pac-Islander",
    "race=Black",
]


def test_dict_conditions_are_the_clis_where(cli, adult_model, tmp_path):
    path = tmp_path / "adult.meg"
    adult_model.save(path)
    text = adult_model.sample_csv(1500, seed=4, where=WHERE)
    assert text == cli_sample(cli, path, 1500, 4, TEXTS)
    s = adult_model.sample(1500, where=WHERE, seed=4, threads=1)
    assert len(s) == 1500
    assert s["sex"].isin(["Female", "Male"]).all()
    assert (s["workclass"].isna() | (s["workclass"] == "Private")).all()
    assert s["workclass"].isna().any() and (s["workclass"] == "Private").any()
    assert ((s["age"] <= 25) | (s["age"] >= 60)).all()
    assert (s["age"] <= 25).any() and (s["age"] >= 60).any()
    assert s["race"].isin(["Black", "Asian-Pac-Islander"]).all()
    # The DataFrame is the CSV text read back with the model's dtypes, whatever the threads.
    pd.testing.assert_frame_equal(s, adult_model.sample(1500, where=WHERE, seed=4, threads=2))
    assert s.dtypes.equals(adult_model.sample(5).dtypes)


def test_value_forms(adult_model):
    # numpy scalars, a NaN, a one-element list and a value equal the plain forms.
    a = adult_model.sample_csv(300, seed=1, where={"age": np.int64(40), "workclass": float("nan")})
    assert a == adult_model.sample_csv(300, seed=1, where={"age": [40], "workclass": None})
    assert a == adult_model.sample_csv(300, seed=1, where={"age": (40, 40), "workclass": [None]})
    with pytest.raises(ValueError, match="an empty list of values"):
        adult_model.sample(5, where={"sex": []})
    with pytest.raises(TypeError, match=r"a range \(lo, hi\) takes numbers, dates/times or None"):
        adult_model.sample(5, where={"age": [("a", 3)]})
    with pytest.raises(ValueError, match="'Nobody' is not a value of column 'sex'"):
        adult_model.sample(5, where={"sex": ["Female", "Nobody"]})
    with pytest.raises(TypeError, match="sample_csv: where: expected a dict"):
        adult_model.sample_csv(5, where=lambda d: d["age"] > 3)


def test_column_names_with_equals_and_backslash_are_escaped():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"a=b": rng.choice(["x", "y", "z"], 600), "c\\d": rng.integers(0, 500, 600), "e": rng.choice(["p", "q"], 600)}
    )
    model = meg.MEG(seed=0, threads=2).fit(df)
    s = model.sample(200, where={"a=b": ["x", "z"], "c\\d": (20, 140)}, seed=0)
    assert s["a=b"].isin(["x", "z"]).all() and s["c\\d"].between(20, 140).all()


def test_bool_integer_level_and_datetime_range_conditions():
    rng = np.random.default_rng(1)
    n = 800
    df = pd.DataFrame(
        {
            "flag": rng.random(n) < 0.3,
            "k": rng.integers(0, 5, n),  # few integers: a categorical column
            "t": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 86400 * 30, n), unit="s"),
        }
    )
    model = meg.MEG(seed=0, threads=2).fit(df)
    lo, hi = pd.Timestamp("2020-01-05"), np.datetime64("2020-01-12T12:00:00")
    s = model.sample(300, where={"flag": True, "k": [1, 3], "t": (lo, hi)}, seed=2)
    assert s["flag"].all() and s["k"].isin([1, 3]).all()
    assert s["t"].between(lo, pd.Timestamp(hi)).all()
    t = model.sample(300, where={"flag": np.bool_(False), "t": [(None, lo), (pd.Timestamp(hi), None)]}, seed=2)
    assert (~t["flag"]).all() and ((t["t"] <= lo) | (t["t"] >= pd.Timestamp(hi))).all()


def test_chunks_of_a_sample_are_the_whole_sample(adult_model):
    native = adult_model._model
    rows = meg._meg.sample_chunk_rows
    n = 2 * rows + 1000
    whole = native.sample_csv(n, 5, 2)
    header, body = whole.split(b"\n", 1)
    pieces = [native.sample_csv_chunks(n, 5, 1, b, e) for b, e in [(0, 1), (1, 2), (2, 9)]]
    assert all(p.startswith(header + b"\n") for p in pieces)
    assert b"".join(p[len(header) + 1 :] for p in pieces) == body
    assert native.sample_csv_chunks(n, 5, 2, 0, 99) == whole


def test_callable_filters_the_librarys_sample_with_the_same_seed(adult_model):
    # ~4% of rows: several pieces of chunks are read; the result is the filter of the
    # sample of n x max_tries rows, whatever the threads.
    def older_rich(d):
        return (d["age"] >= 55) & (d["income"] == ">50K")

    n, tries = 1500, 50
    got = adult_model.sample(n, where=older_rich, seed=7, max_tries=tries, threads=1)
    full = adult_model.sample(n * tries, seed=7)
    want = full[older_rich(full).to_numpy()].iloc[:n].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(got, adult_model.sample(n, where=older_rich, seed=7, max_tries=tries, threads=2))
    with pytest.raises(ValueError, match=r"accepted only \d+ of the 3000 rows sampled \(n x max_tries = 1000 x 3\)"):
        adult_model.sample(1000, where=lambda d: d["age"] >= 80, seed=7, max_tries=3)
    with pytest.raises(ValueError, match="one boolean per row"):
        adult_model.sample(10, where=lambda d: [True])
    with pytest.raises(ValueError, match="max_tries must be an integer >= 1"):
        adult_model.sample(10, where=lambda d: d["age"] > 0, max_tries=0)
