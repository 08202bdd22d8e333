"""Bad arguments raise ValueError/TypeError with clear text; the same text as the CLI."""
import subprocess

import pandas as pd
import pytest

import meg
from conftest import DATA


def cli_error(cli, *args):
    r = subprocess.run([cli, *args], capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("meg: error: ")
    return line[len("meg: error: "):]


def test_bad_option_value_is_value_error_with_cli_message(cli, tmp_path):
    with pytest.raises(ValueError) as e:
        meg.MEG(k=99)
    assert str(e.value) == "option 'k': expected an integer in [0, 8], got '99'"
    assert isinstance(e.value, meg.InvalidArgument)
    assert str(e.value) == cli_error(cli, "fit", str(DATA / "car.csv"), "-o", str(tmp_path / "m"), "--k", "99")


def test_unknown_option(cli, tmp_path):
    with pytest.raises(ValueError) as e:
        meg.MEG(kk=2)
    assert str(e.value).startswith("unknown option 'kk' (known: k, ")
    assert str(e.value) == cli_error(
        cli, "fit", str(DATA / "car.csv"), "-o", str(tmp_path / "m"), "--option", "kk=2"
    )


def test_bad_enum_and_unit_option():
    with pytest.raises(ValueError, match="weighting"):
        meg.MEG(weighting="best")
    with pytest.raises(ValueError, match="'k'"):
        meg.MEG(unit_options={"class": {"k": -1}})
    with pytest.raises(TypeError, match="unit_options"):
        meg.MEG(unit_options=["class"])


def test_option_of_wrong_python_type():
    with pytest.raises(TypeError, match="option 'k': expected a bool, int, float, str or list, got dict"):
        meg.MEG(k={"a": 1})
    with pytest.raises(TypeError, match="progress"):
        meg.MEG(progress=3)


def test_every_cli_option_is_accepted():
    keys = [o["key"] for o in meg.options()]
    assert {"k", "epochs", "seed", "threads", "weighting", "units"} <= set(keys)
    assert meg.MEG(k=2, epochs=0, seed=0, threads=2, weighting="em", refit_full=True,
                   validation_fraction=0.25, hidden=[32, 16])


def test_fit_wrong_input_types(car):
    m = meg.MEG()
    with pytest.raises(TypeError, match="fit: expected a pandas DataFrame or a CSV path, got list"):
        m.fit([[1, 2]])
    with pytest.raises(ValueError, match="no rows"):
        m.fit(car.iloc[:0])
    with pytest.raises(TypeError, match="units: expected a list of column names"):
        m.fit(car, units="class")
    dup = pd.concat([car[["class"]], car[["class"]]], axis=1)
    with pytest.raises(ValueError, match="duplicate column name 'class'"):
        m.fit(dup)
    with pytest.raises(TypeError, match="column names must be strings"):
        m.fit(pd.DataFrame({0: ["a", "b"]}))


def test_unknown_unit_column_is_value_error_with_cli_message(car, cli, tmp_path):
    with pytest.raises(ValueError) as e:
        meg.MEG(threads=2).fit(car, units=["nope"])
    assert str(e.value) == "option 'units': no column named 'nope'"
    assert str(e.value) == cli_error(
        cli, "fit", str(DATA / "car.csv"), "-o", str(tmp_path / "m"), "--units", "nope"
    )


def test_bad_schema(car):
    with pytest.raises(ValueError, match="no such column"):
        meg.MEG(threads=2).fit(car, schema={"nope": "categorical"})
    with pytest.raises(ValueError, match="type"):
        meg.MEG(threads=2).fit(car, schema={"doors": "complex"})
    with pytest.raises(TypeError, match="schema"):
        meg.MEG(threads=2).fit(car, schema=42)


def test_sample_arguments(car_model):
    with pytest.raises(ValueError, match="not fitted"):
        meg.MEG().sample(5)
    with pytest.raises(ValueError, match=r"sample: n must be an integer in \[1, 10000000000\]"):
        car_model.sample(0)
    with pytest.raises(ValueError, match=r"rows per run\), got 10000000001"):
        car_model.sample(10**10 + 1)
    with pytest.raises(TypeError, match="sample: n must be an integer, got float"):
        car_model.sample(1.5)
    with pytest.raises(TypeError, match="seed: expected an integer"):
        car_model.sample(5, seed="x")
    with pytest.raises(ValueError, match="seed"):
        car_model.sample(5, seed=-1)
    with pytest.raises(ValueError, match="where: no column named 'nope'"):
        car_model.sample(5, where={"nope": 1})
    with pytest.raises(ValueError, match="'no-such-level' is not a value of column 'class'"):
        car_model.sample(5, where={"class": "no-such-level"})
    with pytest.raises(ValueError, match="'no-such-level' is not a value of column 'class'"):
        car_model.sample(5, where={"class": ["vgood", "no-such-level"]})
    with pytest.raises(ValueError, match="too rare"):  # a predicate nothing satisfies
        car_model.sample(5, where=lambda d: d["class"] == "no-such-level", max_tries=2)
    with pytest.raises(TypeError, match="where"):
        car_model.sample(5, where=3)


def test_data_error_names_the_problem(tmp_path):
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(ValueError) as e:
        meg.MEG(threads=2).fit(bad)
    assert isinstance(e.value, meg.DataError)
    assert str(bad) in str(e.value)
    with pytest.raises(FileNotFoundError, match="cannot open: No such file or directory"):
        meg.MEG(threads=2).fit(tmp_path / "missing.csv")
