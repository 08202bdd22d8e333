"""A model saved from Python loads in the CLI and the reverse, with identical samples."""
import subprocess

import pandas as pd

import meg
from conftest import DATA, read_adult


def run(cli, *args):
    r = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_python_model_samples_identically_in_cli(cli, adult_model, tmp_path):
    path = tmp_path / "py.meg"
    adult_model.save(path)
    out = run(cli, "sample", path, "-n", 400, "--seed", 9, "--threads", 2, "-o", "-")
    assert out == adult_model.sample_csv(400, seed=9)
    run(cli, "inspect", path)


def test_cli_model_samples_identically_in_python(cli, tmp_path):
    path = tmp_path / "cli.meg"
    run(cli, "fit", DATA / "car.csv", "-o", path, "--seed", 4, "--threads", 2, "-q")
    model = meg.MEG.load(path)
    out = tmp_path / "cli.csv"
    run(cli, "sample", path, "-n", 300, "--seed", 4, "-o", out)
    assert model.sample_csv(300, seed=4) == out.read_text()
    # The DataFrame is what pandas reads from the CLI's output.
    pd.testing.assert_frame_equal(model.sample(300, seed=4), pd.read_csv(out))
    model.sample_to_file(300, tmp_path / "py.csv", seed=4)
    assert (tmp_path / "py.csv").read_text() == out.read_text()


def test_cli_fit_on_adult_file_loads_with_missing_as_nan(cli, tmp_path):
    src = tmp_path / "adult.csv"
    src.write_text("".join(open(DATA / "adult_train.csv").readlines()[:1501]))
    path = tmp_path / "adult_cli.meg"
    run(cli, "fit", src, "-o", path, "--seed", 0, "--threads", 2, "-q")
    s = meg.MEG.load(path).sample(2000, seed=1)
    real = read_adult(src)
    assert s.dtypes.to_dict() == real.dtypes.to_dict()
    assert s["workclass"].isna().any() and "?" not in set(s["workclass"].dropna())


def test_dataframe_fit_equals_cli_fit_on_same_file(cli, car, tmp_path):
    # The DataFrame path feeds meg the same table as the file: same model, same rows.
    path = tmp_path / "cli.meg"
    run(cli, "fit", DATA / "car.csv", "-o", path, "--seed", 0, "--k", 2, "--threads", 2, "-q")
    from_cli = meg.MEG.load(path)
    from_py = meg.MEG(seed=0, k=2, threads=2).fit(car)
    assert from_py.sample_csv(500, seed=0) == from_cli.sample_csv(500, seed=0)
    assert from_py.structure() == from_cli.structure()
