"""meg: learn a table and generate synthetic rows with MEG (an ensemble of GANBLR units).

A thin Python layer over the native meg library (the same code as the ``meg``
command line), in the style of SDV and scikit-learn::

    import pandas as pd, meg
    real = pd.read_csv("data/adult_train.csv", keep_default_na=False, na_values=["?"])
    model = meg.MEG(k=2, seed=0).fit(real)
    synthetic = model.sample(1000)          # same columns, order and dtypes; NaN where missing
    model.save("adult.meg")                 # loads in `meg sample adult.meg ...` too
    meg.MEG.load("adult.meg").sample(5)

Options are the CLI's option table (``meg fit --list-options``, :func:`options`):
``meg.MEG(k=2, epochs=0, seed=0, threads=2, weighting="em")`` accepts exactly the
keys ``meg fit --option KEY=VALUE`` accepts, with the same messages for bad values.

Errors are raised as Python exceptions carrying the CLI's message: bad options
and bad data raise ``ValueError`` subclasses (:class:`InvalidArgument`,
:class:`DataError`, :class:`ModelFormatError`), file errors ``OSError``
(:class:`IoError`; a missing file also is a ``FileNotFoundError``), and a
cancelled fit :class:`Cancelled` (a ``KeyboardInterrupt``). Progress and library
messages go to the ``logging`` logger ``"meg"``.
"""

from __future__ import annotations

import io
import json
import logging
import numbers
import os
import tempfile
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _meg, _where
from ._meg import (  # noqa: F401  (re-exported)
    Cancelled,
    DataError,
    Error,
    InvalidArgument,
    IoError,
    MissingFileError,
    ModelFormatError,
)

__version__ = _meg.__version__
__all__ = [
    "MEG",
    "evaluate",
    "format_evaluation",
    "write_report",
    "infer_schema",
    "options",
    "Error",
    "InvalidArgument",
    "DataError",
    "IoError",
    "MissingFileError",
    "ModelFormatError",
    "Cancelled",
]

logger = logging.getLogger("meg")

# meg's default missing-value tokens (what a model fitted by the CLI uses).
_MEG_MISSING_TOKENS = ["", "?", "NA", "N/A", "NaN", "null"]
_LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING, 3: logging.ERROR}


def _log(level: int, message: str) -> None:
    """Sink of the native library's log messages (called by _meg)."""
    logger.log(_LEVELS.get(level, logging.INFO), message)


def _pd():
    import pandas  # imported lazily: `import meg` works without pandas for CLI-like use

    return pandas


def _is_dataframe(obj: Any) -> bool:
    try:
        return isinstance(obj, _pd().DataFrame)
    except ImportError:  # pragma: no cover
        return False


def _is_path(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike))


def _type_name(obj: Any) -> str:
    return type(obj).__name__


# --------------------------------------------------------------------------- options


def options() -> List[Dict[str, Any]]:
    """Every fit option: ``[{"key", "default", "help", "per_unit"}]`` (``meg fit --list-options``)."""
    return [
        {"key": o.key, "default": o.default, "help": o.help, "per_unit": o.per_unit}
        for o in _meg.option_table()
    ]


def _option_text(key: str, value: Any) -> str:
    """A Python option value as the text the CLI's --option KEY=VALUE takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        if not all(isinstance(v, (str, numbers.Integral)) and not isinstance(v, bool) for v in value):
            raise TypeError(f"option '{key}': expected a list of strings or integers, got {value!r}")
        return ",".join(str(v) for v in value)
    raise TypeError(
        f"option '{key}': expected a bool, int, float, str or list, got {_type_name(value)} ({value!r})"
    )


def _from_option_text(text: Any) -> Any:
    """An option's text (as the model file stores it) as a Python value."""
    if not isinstance(text, str):
        return text
    if text in ("true", "false"):
        return text == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _option_items(params: Mapping[str, Any]) -> List[tuple]:
    items = []
    for key, value in params.items():
        if not isinstance(key, str):
            raise TypeError(f"option names must be strings, got {key!r}")
        if value is None:
            continue  # None = the option's default
        items.append((key, _option_text(key, value)))
    return items


def _unit_items(unit_options: Optional[Mapping[str, Mapping[str, Any]]]) -> List[tuple]:
    if unit_options is None:
        return []
    if not isinstance(unit_options, Mapping):
        raise TypeError(
            "unit_options: expected a dict {column: {option: value}}, got " + _type_name(unit_options)
        )
    items = []
    for column, opts in unit_options.items():
        if not isinstance(column, str) or not isinstance(opts, Mapping):
            raise TypeError(
                f"unit_options: expected a dict {{column: {{option: value}}}}, got {column!r}: {opts!r}"
            )
        for key, value in _option_items(opts):
            items.append((column, key, value))
    return items


# --------------------------------------------------------------------------- tables


def _check_frame(df: Any, what: str) -> None:
    if not _is_dataframe(df):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {_type_name(df)}")
    if df.shape[1] == 0:
        raise ValueError(f"{what}: the DataFrame has no columns")
    if df.shape[0] == 0:
        raise ValueError(f"{what}: the DataFrame has no rows")
    names = list(df.columns)
    bad = [c for c in names if not isinstance(c, str)]
    if bad:
        raise TypeError(f"{what}: column names must be strings, got {bad[0]!r}")
    seen = set()
    for c in names:
        if c in seen:
            raise ValueError(f"{what}: duplicate column name '{c}'")
        seen.add(c)


def _frame_to_csv(df) -> str:
    """A DataFrame as CSV text: header, no index, missing values as empty fields."""
    return df.to_csv(index=False, na_rep="")


def _schema_json(schema: Any, default_tokens: Optional[List[str]]) -> str:
    """The JSON schema override for fit: meg's schema format, or a {column: type} mapping."""
    if schema is None:
        j: Dict[str, Any] = {}
    elif _is_path(schema):
        with open(schema, encoding="utf-8") as f:
            j = json.load(f)
    elif isinstance(schema, Mapping):
        j = dict(schema)
    else:
        raise TypeError(
            "schema: expected a dict (meg's schema JSON or {column: type}) or a path, got "
            + _type_name(schema)
        )
    if j and not ({"columns", "missing_tokens", "source", "rows"} & set(j)):
        # Short form {column: "categorical" | {"type": ..., "bins": ...}}.
        cols = []
        for name, spec in j.items():
            if isinstance(spec, str):
                cols.append({"name": name, "type": spec})
            elif isinstance(spec, Mapping):
                cols.append({"name": name, **spec})
            else:
                raise TypeError(f"schema: column '{name}': expected a type name or a dict, got {spec!r}")
        j = {"columns": cols}
    if default_tokens is not None and "missing_tokens" not in j:
        j["missing_tokens"] = default_tokens
    return json.dumps(j) if j else ""


def _read_sample(data: bytes, na_values: List[str]):
    pd = _pd()
    return pd.read_csv(
        io.BytesIO(data),
        dtype=str,
        keep_default_na=False,
        na_values=na_values,
        encoding="utf-8",
    )


def _numeric_from_text(s):
    pd = _pd()
    return pd.to_numeric(s, errors="raise")


def _as_integer(values, nullable_dtype: str = "Int64"):
    """Float/str numbers as int64, or a nullable integer dtype when some are missing."""
    if values.isna().any():
        return values.astype(nullable_dtype)
    return values.astype("int64")


def _restore_known(s, dtype):
    """A column of sampled text (NaN = missing) back to the dtype it had at fit time."""
    pd = _pd()
    api = pd.api.types
    try:
        if isinstance(dtype, pd.CategoricalDtype):
            values = _restore_known(s, dtype.categories.dtype)
            return pd.Series(pd.Categorical(values, dtype=dtype), index=s.index, name=s.name)
        if api.is_bool_dtype(dtype):
            mapped = s.map({"True": True, "False": False, "true": True, "false": False})
            if mapped.isna().any():
                return mapped.astype("boolean")
            return mapped.astype(dtype if isinstance(dtype, pd.BooleanDtype) else bool)
        if api.is_integer_dtype(dtype):
            values = _numeric_from_text(s)
            if api.is_extension_array_dtype(dtype):
                return values.astype(dtype)
            return _as_integer(values)
        if api.is_float_dtype(dtype):
            return _numeric_from_text(s).astype(dtype)
        if api.is_datetime64_any_dtype(dtype):
            return pd.to_datetime(s).astype(dtype)
        if api.is_timedelta64_dtype(dtype):
            return pd.to_timedelta(s).astype(dtype)
        if isinstance(dtype, pd.StringDtype):
            return s.astype(dtype)
        if api.is_object_dtype(dtype):
            return s.astype(object)
        return s.astype(dtype)
    except (ValueError, TypeError):  # cannot convert back: keep the text
        logger.debug("column %r: could not restore dtype %s; kept as text", s.name, dtype)
        return s


def _restore_inferred(s, meg_type: str):
    """Dtype of a column for a model without fit-time dtypes (loaded from a file),
    from the model's column type, then as pandas.read_csv would infer it."""
    pd = _pd()
    if meg_type == "continuous":
        return _numeric_from_text(s).astype("float64")
    if meg_type == "integer":
        return _as_integer(_numeric_from_text(s))
    present = s.dropna()
    if len(present) and present.isin(["True", "False"]).all():
        return _restore_known(s, bool)
    try:
        values = pd.to_numeric(s, errors="raise")
    except (ValueError, TypeError):
        return s.astype(object)
    text_is_int = present.str.fullmatch(r"[+-]?\d+").all() if len(present) else False
    if text_is_int:
        return _as_integer(values)
    return values.astype("float64")


# --------------------------------------------------------------------------- model


class MEG:
    """A MEG synthesizer: fit on a DataFrame, then sample synthetic rows.

    Parameters are the fit options of ``meg fit --list-options`` (see :func:`options`),
    e.g. ``MEG(k=2, epochs=0, seed=0, threads=2, weighting="em")``; ``None`` keeps the
    default. ``unit_options={"income": {"k": 3}}`` overrides options for one unit
    (``meg fit --unit-option income:k=3``). ``progress`` is an optional callable that
    receives a dict per progress event (stage, unit, phase, units_done, units_total,
    epoch, epochs, elapsed_seconds); raising from it cancels the fit and the exception
    propagates. Without it, progress is logged to the ``"meg"`` logger at INFO level.
    """

    def __init__(
        self,
        *,
        unit_options: Optional[Mapping[str, Mapping[str, Any]]] = None,
        progress: Optional[Callable[[Dict[str, Any]], None]] = None,
        **params: Any,
    ) -> None:
        if progress is not None and not callable(progress):
            raise TypeError(f"progress: expected a callable, got {_type_name(progress)}")
        self._params = dict(params)
        self._unit_options = {c: dict(o) for c, o in (unit_options or {}).items()} if isinstance(
            unit_options, Mapping
        ) else unit_options
        self._progress = progress
        # Fail fast, with the CLI's messages.
        _meg.check_options(_option_items(self._params), _unit_items(self._unit_options))
        self._model: Optional[_meg.Model] = None
        self._columns: Optional[List[str]] = None
        self._dtypes: Optional[Dict[str, Any]] = None  # fit-time pandas dtypes (None after load)
        self._na_values: List[str] = list(_MEG_MISSING_TOKENS)
        self._describe: Optional[Dict[str, Any]] = None

    # -- scikit-learn style parameters
    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        out = dict(self._params)
        if self._unit_options:
            out["unit_options"] = self._unit_options
        if self._progress is not None:
            out["progress"] = self._progress
        return out

    def set_params(self, **params: Any) -> "MEG":
        unit_options = params.pop("unit_options", self._unit_options)
        progress = params.pop("progress", self._progress)
        merged = {**self._params, **params}
        _meg.check_options(_option_items(merged), _unit_items(unit_options))
        self._params, self._unit_options, self._progress = merged, unit_options, progress
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        state = "fitted" if self._model is not None else "not fitted"
        return f"MEG({args}) [{state}]"

    # -- fitting
    def _progress_callback(self):
        if self._progress is not None:
            return self._progress

        def log_progress(p: Dict[str, Any]) -> None:
            if p["phase"] == "done":
                logger.info(
                    "%s: unit '%s' done (%d/%d, %.1f s)",
                    p["stage"], p["unit"], p["units_done"], p["units_total"], p["elapsed_seconds"],
                )
            elif p["unit"] and p["epochs"]:
                logger.debug(
                    "%s: unit '%s' %s epoch %d/%d", p["stage"], p["unit"], p["phase"], p["epoch"], p["epochs"]
                )

        return log_progress

    def fit(self, data, units: Optional[Sequence[str]] = None, schema: Any = None) -> "MEG":
        """Fit on ``data`` (a pandas DataFrame, or the path of a CSV file) and return self.

        ``units``: class columns of the units (default: meg's units=auto, every column up to
        a structure-cost budget; ``["all"]`` for every column).
        ``schema``: column type overrides, either meg's schema JSON as a dict (what
        ``meg schema`` prints, or :func:`infer_schema` returns) or the short form
        ``{"education_num": "categorical", "age": {"type": "integer", "bins": 30}}``,
        or the path of a JSON schema file.

        Missing values: NaN/None/NA in the DataFrame (written as empty fields). A
        string value is never treated as missing (so ``"?"`` stays a level unless it
        was read as NaN). For a CSV path, meg's usual tokens apply ("", ?, NA, ...).
        """
        params = dict(self._params)
        if units is not None:
            if isinstance(units, str) or not isinstance(units, Iterable):
                raise TypeError(f"units: expected a list of column names, got {_type_name(units)}")
            units = list(units)
            if not units:
                raise ValueError("units: expected at least one column name")
            if not all(isinstance(u, str) for u in units):
                raise TypeError(f"units: column names must be strings, got {units!r}")
            params["units"] = units
        items = _option_items(params)
        unit_items = _unit_items(self._unit_options)
        progress = self._progress_callback()
        if _is_dataframe(data):
            _check_frame(data, "fit")
            user_tokens = None
            if isinstance(schema, Mapping) and "missing_tokens" in schema:
                user_tokens = list(schema["missing_tokens"])
            schema_json = _schema_json(schema, default_tokens=[""])
            text = _frame_to_csv(data)
            model = _meg.Model.fit_text(text, "DataFrame", items, unit_items, schema_json, progress)
            self._columns = list(data.columns)
            self._dtypes = OrderedDict((c, data[c].dtype) for c in data.columns)
            self._na_values = user_tokens if user_tokens is not None else [""]
        elif _is_path(data):
            path = os.fspath(data)
            schema_path = ""
            tmp = None
            try:
                if schema is not None and not _is_path(schema):
                    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8")
                    tmp.write(_schema_json(schema, default_tokens=None))
                    tmp.close()
                    schema_path = tmp.name
                elif schema is not None:
                    schema_path = os.fspath(schema)
                model = _meg.Model.fit_path(path, items, unit_items, schema_path, progress)
            finally:
                if tmp is not None:
                    os.unlink(tmp.name)
            self._dtypes = None
            self._na_values = list(_MEG_MISSING_TOKENS)
        else:
            raise TypeError(f"fit: expected a pandas DataFrame or a CSV path, got {_type_name(data)}")
        self._model = model
        self._describe = None
        self._columns = [c["name"] for c in self.describe()["columns"]]
        return self

    # -- sampling
    def _require_fitted(self, what: str) -> _meg.Model:
        if self._model is None:
            raise ValueError(f"{what}: the model is not fitted (call fit() or MEG.load() first)")
        return self._model

    def _seed_threads(self, seed: Optional[int], threads: Optional[int]) -> tuple:
        if seed is None:
            seed = self._params.get("seed", 0)
        if threads is None:
            threads = self._params.get("threads", 0)
        for name, v, hi in (("seed", seed, 2**64 - 1), ("threads", threads, _meg.max_threads)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise TypeError(f"{name}: expected an integer, got {_type_name(v)} ({v!r})")
            if not 0 <= int(v) <= hi:
                raise ValueError(f"{name}: expected an integer in [0, {hi}], got {v}")
        return int(seed), int(threads)

    def sample_csv(
        self,
        n: int,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        where: Optional[Mapping[str, Any]] = None,
    ) -> str:
        """n synthetic rows as CSV text, byte for byte what ``meg sample -n N --seed S``
        writes; ``where``: a dict of conditions as in :meth:`sample` (``--where``)."""
        model = self._require_fitted("sample")
        n = self._check_n(n)
        seed, threads = self._seed_threads(seed, threads)
        if where is None:
            return model.sample_csv(n, seed, threads).decode("utf-8")
        if not isinstance(where, Mapping):
            raise TypeError(f"sample_csv: where: expected a dict, got {_type_name(where)}")
        return model.sample_csv_where(n, seed, threads, self._where_texts(where)).decode("utf-8")

    @staticmethod
    def _check_n(n: Any) -> int:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"sample: n must be an integer, got {_type_name(n)} ({n!r})")
        if not 1 <= int(n) <= _meg.max_sample_rows:
            raise ValueError(
                f"sample: n must be an integer in [1, {_meg.max_sample_rows}] (rows per run), got {n}"
            )
        return int(n)

    def _to_frame(self, data: bytes):
        df = _read_sample(data, self._na_values)
        if self._dtypes is not None:
            for c, dtype in self._dtypes.items():
                df[c] = _restore_known(df[c], dtype)
        else:
            types = {c["name"]: c["type"] for c in self.describe()["columns"]}
            for c in df.columns:
                df[c] = _restore_inferred(df[c], types.get(c, "categorical"))
        return df

    def sample(
        self,
        n: int,
        where: Union[None, Mapping[str, Any], Callable[[Any], Any]] = None,
        *,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        max_tries: int = 100,
    ):
        """n synthetic rows as a pandas DataFrame: the training columns, in order, with
        their original dtypes (for a model fitted in this session; after ``load`` the
        dtypes follow the model's column types, as ``pandas.read_csv`` would infer them)
        and NaN where values are missing.

        ``seed`` defaults to the model's ``seed`` option; the same seed gives the same
        rows whatever ``threads``, and the same rows as ``meg sample --seed``.

        ``where`` asks for rows matching a condition (docs/conditional.md).

        - A dict ``{column: condition}``; every column's condition holds. A condition
          is a value (``{"income": ">50K"}``), None or NaN for a missing value, a
          range ``(lo, hi)`` of numbers or dates/times (either end None = open, ends
          included), or a list/set of those: any of them (``{"sex": ["Female", None]}``). The model
          samples it directly, the same rows as ``meg sample --where`` with one
          ``--where COL=...`` per value and the same seed (exact for a unit's class
          column, likelihood weighting otherwise), so a rare condition costs no more
          than a common one; ValueError for an unknown column or value, or a
          condition of probability zero.
        - A callable taking a DataFrame and returning one boolean per row: the rows
          it accepts among the model's sample of ``n * max_tries`` rows with this
          seed (``sample(n * max_tries, seed=seed)``), the first n in order; ValueError
          if fewer than n are accepted (raise ``max_tries``, or write the condition
          as a dict).
        """
        model = self._require_fitted("sample")
        n = self._check_n(n)
        seed, threads = self._seed_threads(seed, threads)
        if isinstance(max_tries, bool) or not isinstance(max_tries, numbers.Integral) or max_tries < 1:
            raise ValueError(f"sample: max_tries must be an integer >= 1, got {max_tries!r}")
        if where is None:
            return self._to_frame(model.sample_csv(n, seed, threads))
        if isinstance(where, Mapping):
            return self._to_frame(model.sample_csv_where(n, seed, threads, self._where_texts(where)))
        if callable(where):
            return _where.sample_filtered(
                model,
                self._to_frame,
                n,
                where,
                seed,
                threads,
                int(max_tries),
                _meg.max_sample_rows,
                _meg.sample_chunk_rows,
            )
        raise TypeError(f"sample: where: expected a dict or a callable, got {_type_name(where)}")

    def _where_texts(self, where: Mapping[str, Any]) -> List[str]:
        return _where.where_texts(where, self._columns or [])

    def sample_to_file(
        self, n: int, path: Union[str, os.PathLike], seed: Optional[int] = None, threads: Optional[int] = None
    ) -> None:
        """Write n synthetic rows to a CSV file atomically (``meg sample -o PATH``)."""
        model = self._require_fitted("sample")
        n = self._check_n(n)
        seed, threads = self._seed_threads(seed, threads)
        if not _is_path(path):
            raise TypeError(f"path: expected a str or os.PathLike, got {_type_name(path)}")
        model.sample_to_file(n, seed, threads, os.fspath(path))

    # -- persistence
    def save(self, path: Union[str, os.PathLike]) -> None:
        """Write the model file (atomically); ``meg sample``/``meg inspect`` read it too.

        The file holds the model only: after :meth:`load`, sampled dtypes follow the
        model's column types. Use pickle to keep the exact pandas dtypes as well.
        """
        model = self._require_fitted("save")
        if not _is_path(path):
            raise TypeError(f"path: expected a str or os.PathLike, got {_type_name(path)}")
        model.save(os.fspath(path))

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "MEG":
        """Load a model file written by :meth:`save` or by ``meg fit``."""
        if not _is_path(path):
            raise TypeError(f"path: expected a str or os.PathLike, got {_type_name(path)}")
        native = _meg.Model.load(os.fspath(path))
        return cls._from_native(native)

    @classmethod
    def _from_native(cls, native) -> "MEG":
        self = cls.__new__(cls)
        self._model = native
        self._describe = None
        self._unit_options = None
        self._progress = None
        self._dtypes = None
        self._na_values = list(_MEG_MISSING_TOKENS)
        d = self.describe()
        opts = d.get("options", {})
        keys = {o.key for o in _meg.option_table()}
        # The options the model was trained with, as constructor parameters (text values).
        self._params = {k: _from_option_text(v) for k, v in opts.items() if k in keys and k != "units"}
        self._columns = [c["name"] for c in d["columns"]]
        return self

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_progress"] = None
        if self._model is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "model.meg")
                self._model.save(path)
                with open(path, "rb") as f:
                    state["_model"] = f.read()
        return state

    def __setstate__(self, state):
        blob = state.get("_model")
        if blob is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "model.meg")
                with open(path, "wb") as f:
                    f.write(blob)
                state["_model"] = _meg.Model.load(path)
        self.__dict__.update(state)

    # -- inspection
    @property
    def columns(self) -> List[str]:
        """The training table's columns, in order."""
        self._require_fitted("columns")
        return list(self._columns or [])

    @property
    def training_rows(self) -> int:
        return self._require_fitted("training_rows").training_rows()

    def describe(self) -> Dict[str, Any]:
        """Everything ``meg inspect --json`` shows: columns, units, options, fit diagnostics."""
        model = self._require_fitted("describe")
        if self._describe is None:
            self._describe = json.loads(model.describe())
        return json.loads(json.dumps(self._describe))  # a copy the caller may change

    def structure(self) -> Dict[str, Dict[str, Any]]:
        """Per unit (keyed by its class column): ``{"weight": w, "parents": {column: [parents]}}``."""
        out: Dict[str, Dict[str, Any]] = OrderedDict()
        for u in self.describe()["units"]:
            out[u["class"]] = {"weight": u["weight"], "parents": u["parents"]}
        return out

    def to_dot(self) -> str:
        """Every unit's structure as a Graphviz digraph (``meg inspect --dot``)."""
        return self._require_fitted("to_dot").to_dot()


# --------------------------------------------------------------------------- evaluation


def _table_path(obj: Any, name: str, tmpdir: str) -> str:
    if _is_path(obj):
        return os.fspath(obj)
    if _is_dataframe(obj):
        _check_frame(obj, name)
        path = os.path.join(tmpdir, name + ".csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(_frame_to_csv(obj))
        return path
    raise TypeError(f"{name}: expected a pandas DataFrame or a CSV path, got {_type_name(obj)}")


def evaluate(
    train,
    test,
    synthetic,
    target: str,
    *,
    augmented: Any = None,
    task: str = "auto",
    schema: Any = None,
    seed: int = 0,
    threads: int = 0,
    classifiers: Optional[Sequence[str]] = None,
    gbt_rounds: int = 200,
    rf_trees: int = 100,
    detection: bool = True,
    detection_rows: int = 10000,
    detection_folds: int = 5,
    detection_rounds: int = 100,
    privacy_rows: int = 2000,
    attack_rows: int = 1000,
    max_levels_per_column: int = 100,
    max_onehot_features: int = 1000,
) -> Dict[str, Any]:
    """Score a synthetic table against the real train and test tables (``meg evaluate``).

    Each table is a DataFrame or a CSV path. Returns the evaluation as a dict in the
    "meg-evaluation" format (docs/evaluation.md): utility (TSTR/TRTR per model:
    accuracy, macro-F1, ROC-AUC for a categorical target; R², MAE, RMSE for a
    numeric one; ``task`` = ``"classification"`` or ``"regression"`` overrides the
    choice), fidelity (column distances, pairwise dependence, detection), privacy
    (exact copies, DCR, membership-inference attacks with ``attack_rows`` real train
    and real test rows); see :func:`format_evaluation` and :func:`write_report`.
    ``classifiers`` is any of ``logistic_regression`` (ridge regression for a
    regression), ``random_forest``, ``gradient_boosting`` (default: all). Columns with
    about one value per row (identifiers) are left out; categorical columns give at
    most ``max_levels_per_column`` one-hot features, and all together at most
    ``max_onehot_features``.

    ``augmented`` (DataFrame or CSV path: the real train rows plus synthetic rows, e.g.
    from ``meg augment``) adds the lift: each classifier trained on ``train`` vs on
    ``augmented``, both scored on ``test`` (``result["lift"]``: accuracy, macro-F1,
    per-class precision/recall/F1 and their differences). ``synthetic`` may then be
    ``None``, and only the lift is computed.
    """
    if not isinstance(target, str):
        raise TypeError(f"target: expected a column name (str), got {_type_name(target)}")
    if classifiers is not None:
        if isinstance(classifiers, str):
            classifiers = [classifiers]
        classifiers = list(classifiers)
        if not all(isinstance(c, str) for c in classifiers):
            raise TypeError(f"classifiers: expected a list of names, got {classifiers!r}")
    for name, v in (
        ("seed", seed), ("threads", threads), ("gbt_rounds", gbt_rounds), ("rf_trees", rf_trees),
        ("detection_rows", detection_rows), ("detection_folds", detection_folds),
        ("detection_rounds", detection_rounds), ("privacy_rows", privacy_rows),
        ("attack_rows", attack_rows), ("max_levels_per_column", max_levels_per_column),
        ("max_onehot_features", max_onehot_features),
    ):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name}: expected an integer, got {_type_name(v)} ({v!r})")
        if v < 0:
            raise ValueError(f"{name}: expected an integer >= 0, got {v}")
    if not isinstance(detection, bool):
        raise TypeError(f"detection: expected a bool, got {_type_name(detection)}")
    if not isinstance(task, str):
        raise TypeError(f"task: expected a str, got {_type_name(task)}")
    if synthetic is None and augmented is None:
        raise TypeError("synthetic: expected a pandas DataFrame or a CSV path, got None "
                        "(None only with augmented=, for a lift-only evaluation)")
    with tempfile.TemporaryDirectory(prefix="meg-eval-") as tmp:
        paths = [_table_path(t, n, tmp) for t, n in ((train, "train"), (test, "test"))]
        paths += ["" if t is None else _table_path(t, n, tmp)
                  for t, n in ((synthetic, "synthetic"), (augmented, "augmented"))]
        schema_path = ""
        if schema is not None:
            if _is_path(schema):
                schema_path = os.fspath(schema)
            else:
                schema_path = os.path.join(tmp, "schema.json")
                with open(schema_path, "w", encoding="utf-8") as f:
                    f.write(_schema_json(schema, default_tokens=None) or "{}")
        text = _meg.evaluate(
            paths[0], paths[1], paths[2], paths[3], target, task, schema_path, int(seed),
            int(threads), classifiers, int(gbt_rounds), int(rf_trees), detection,
            int(detection_rows), int(detection_folds), int(detection_rounds), int(privacy_rows),
            int(attack_rows), int(max_levels_per_column), int(max_onehot_features),
        )
    return json.loads(text)


def format_evaluation(result: Mapping[str, Any]) -> str:
    """The readable text table of an :func:`evaluate` result (what ``meg evaluate`` prints).

    The dict is checked field by field: a missing or mistyped field raises ``ValueError``
    naming it (results of older meg versions are read as they were written).
    """
    return _meg.format_evaluation(json.dumps(result))


def write_report(
    result: Mapping[str, Any],
    path: Union[str, os.PathLike],
    title: str = "Synthetic data report",
    synthetic_label: str = "synthetic",
) -> None:
    """Write the self-contained HTML report of an :func:`evaluate` result (``meg report``).

    The dict is checked as by :func:`format_evaluation`.
    """
    html = _meg.render_report(json.dumps(result), title, synthetic_label)
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)


def infer_schema(data, schema: Any = None) -> Dict[str, Any]:
    """The schema meg infers for a DataFrame or CSV path (``meg schema``), as a dict.

    Edit it and pass it back as ``MEG().fit(df, schema=...)``.
    """
    with tempfile.TemporaryDirectory(prefix="meg-schema-") as tmp:
        if _is_dataframe(data):
            path = _table_path(data, "data", tmp)
            default_tokens: Optional[List[str]] = [""]
        else:
            path = _table_path(data, "data", tmp)
            default_tokens = None
        schema_path = ""
        text = _schema_json(schema, default_tokens)
        if text:
            schema_path = os.path.join(tmp, "schema.json")
            with open(schema_path, "w", encoding="utf-8") as f:
                f.write(text)
        return json.loads(_meg.infer_schema(path, schema_path))
