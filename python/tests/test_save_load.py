"""save/load: the same model, the same samples; dtypes follow the model's schema."""
import numpy as np
import pandas as pd
import pytest

import meg


def test_save_load_same_samples(adult_model, tmp_path):
    path = tmp_path / "adult.meg"
    adult_model.save(path)
    loaded = meg.MEG.load(path)
    assert loaded.sample_csv(500, seed=11) == adult_model.sample_csv(500, seed=11)
    assert loaded.structure() == adult_model.structure()
    assert loaded.columns == adult_model.columns
    assert loaded.training_rows == adult_model.training_rows
    # Saving again gives the same bytes (deterministic model file).
    path2 = tmp_path / "again.meg"
    loaded.save(str(path2))
    assert path.read_bytes() == path2.read_bytes()


def test_loaded_model_dtypes_follow_schema(adult, adult_model, tmp_path):
    path = tmp_path / "adult.meg"
    adult_model.save(path)
    s = meg.MEG.load(path).sample(2000, seed=2)
    assert list(s.columns) == list(adult.columns)
    # Without the fit-time DataFrame the dtypes are what pandas.read_csv would give
    # for the same CSV: here exactly the original ones.
    assert s.dtypes.to_dict() == adult.dtypes.to_dict()
    assert s["education_num"].dtype == np.int64
    assert s["workclass"].isna().any()
    pd.testing.assert_frame_equal(s, adult_model.sample(2000, seed=2))


def test_loaded_model_params(adult_model, tmp_path):
    path = tmp_path / "adult.meg"
    adult_model.save(path)
    loaded = meg.MEG.load(path)
    params = loaded.get_params()
    assert params["k"] == 2 and params["seed"] == 0 and params["weighting"] == "em"
    assert meg.MEG(**params).get_params() == params  # a valid constructor call
    assert "fitted" in repr(loaded)


def test_missing_model_file(tmp_path):
    path = tmp_path / "nope.meg"
    with pytest.raises(FileNotFoundError) as e:
        meg.MEG.load(path)
    assert str(e.value) == f"{path}: cannot open: No such file or directory"
    assert isinstance(e.value, meg.IoError) and isinstance(e.value, OSError)


def test_corrupt_model_file(adult_model, tmp_path):
    bad = tmp_path / "bad.meg"
    bad.write_text("garbage\n")
    with pytest.raises(meg.ModelFormatError, match="not a meg model file") as e:
        meg.MEG.load(bad)
    assert isinstance(e.value, ValueError)
    good = tmp_path / "good.meg"
    adult_model.save(good)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.meg"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(meg.ModelFormatError):
        meg.MEG.load(truncated)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    bad2 = tmp_path / "flipped.meg"
    bad2.write_bytes(bytes(flipped))
    with pytest.raises(meg.ModelFormatError):
        meg.MEG.load(bad2)


def test_save_to_unwritable_path(adult_model, tmp_path):
    with pytest.raises(OSError, match="cannot write"):
        adult_model.save(tmp_path / "no" / "such" / "dir" / "m.meg")
