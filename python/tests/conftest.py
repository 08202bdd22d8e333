"""Shared fixtures: small real tables (car, a 3,000-row slice of Adult) and fitted models.

Run from the repository root with the module on the path, e.g.
    PYTHONPATH=build-py/python /usr/bin/python3 -m pytest -q python/tests
The CLI interchange tests use the `meg` executable of the same build tree (found
next to the python/ folder) or $MEG_CLI.
"""
import os
import pathlib
import shutil

import pandas as pd
import pytest

import meg

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = REPO / "data"
ADULT_ROWS = 3000
THREADS = 2


def read_adult(path, nrows=None):
    # data/README.md: '?' marks a missing value in Adult.
    return pd.read_csv(path, keep_default_na=False, na_values=["?"], nrows=nrows)


@pytest.fixture(scope="session")
def adult():
    return read_adult(DATA / "adult_train.csv", nrows=ADULT_ROWS)


@pytest.fixture(scope="session")
def adult_model(adult):
    return meg.MEG(seed=0, threads=THREADS).fit(adult)


@pytest.fixture(scope="session")
def car():
    return pd.read_csv(DATA / "car.csv")


@pytest.fixture(scope="session")
def car_model(car):
    return meg.MEG(seed=0, threads=THREADS).fit(car)


@pytest.fixture(scope="session")
def cli():
    """Path of the `meg` CLI built alongside this module."""
    env = os.environ.get("MEG_CLI")
    candidates = [env] if env else []
    ext_dir = pathlib.Path(meg._meg.__file__).resolve().parent  # <build>/python/meg
    candidates += [str(ext_dir.parents[1] / "meg"), shutil.which("meg")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    pytest.skip("meg CLI not found (set MEG_CLI)")
