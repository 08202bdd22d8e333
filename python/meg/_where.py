"""Conditional sampling for ``MEG.sample(where=...)`` (docs/conditional.md, "Python").

A dict of conditions is written as the library's condition texts (``meg sample --where``)
and sampled by the library: the same seed gives the same rows as the CLI. A callable
(a predicate on a DataFrame) cannot run in the library: it filters the rows of the
library's unconditional sample of ``n * max_tries`` rows with the same seed, read chunk
by chunk in order, and keeps the first ``n`` rows it accepts.
"""
from __future__ import annotations

import datetime
import math
import numbers
from typing import Any, Callable, List, Mapping, Sequence


def _is_missing(v: Any) -> bool:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return True
    try:
        import pandas as pd

        return v is pd.NA or v is pd.NaT
    except ImportError:  # pragma: no cover - pandas is needed for DataFrames anyway
        return False


def _num_text(x) -> str:
    """A number as meg reads it: integers without a decimal point, floats in repr form."""
    if isinstance(x, numbers.Integral) or (isinstance(x, float) and x.is_integer()):
        return str(int(x))
    return repr(float(x))


def _value_text(column: str, v: Any) -> str:
    if _is_missing(v):
        return ""  # a missing token: the column's missing values
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        return "True" if v else "False"  # as pandas writes a bool column
    if isinstance(v, numbers.Real):
        return _num_text(v)
    if isinstance(v, (list, tuple, set, frozenset, dict)):
        raise TypeError(f"sample: where: column '{column}': a value cannot be a {type(v).__name__}")
    return str(v)


def _is_range_end(x: Any) -> bool:
    if x is None or isinstance(x, (datetime.date, datetime.time)) or type(x).__name__ == "datetime64":
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and not _is_missing(x)


def _is_range(v: Any) -> bool:
    return isinstance(v, tuple) and len(v) == 2 and all(_is_range_end(x) for x in v)


def _end_text(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, numbers.Real):
        return _num_text(x)
    if type(x).__name__ == "datetime64":
        import pandas as pd

        return str(pd.Timestamp(x))
    return str(x)  # a date/time in ISO form; the column reads it in its own format


def _range_text(column: str, item: Any) -> str:
    if not _is_range(item):
        raise TypeError(
            f"sample: where: column '{column}': a range (lo, hi) takes numbers, dates/times or None, got {item!r}"
        )
    lo, hi = item
    return f"{_end_text(lo)}..{_end_text(hi)}"


def _escape(column: str) -> str:
    # The column name ends at the first '=' not escaped by a backslash (TableCodec::parse_conditions).
    return column.replace("\\", "\\\\").replace("=", "\\=")


def where_texts(where: Mapping[Any, Any], columns: Sequence[str]) -> List[str]:
    """The condition texts of ``meg sample --where`` for a dict of conditions.

    Each value is one value (str, number, bool), None/NaN for missing, a range ``(lo, hi)``
    of numbers or dates/times (either end None = open), or a list/set/tuple of those: any
    of them (a condition repeated on the column). A 2-tuple whose ends are not numbers,
    dates/times or None is two values. Unknown columns raise ValueError.
    """
    out: List[str] = []
    for column, v in where.items():
        if not isinstance(column, str) or column not in columns:
            raise ValueError(f"sample: where: no column named '{column}' (columns: {', '.join(columns)})")
        if _is_range(v):
            items = [v]
        elif isinstance(v, (list, tuple, set, frozenset)):
            items = list(v)
            if not items:
                raise ValueError(f"sample: where: column '{column}': an empty list of values")
        else:
            items = [v]
        for item in items:
            if isinstance(item, tuple) and len(item) == 2:
                text = _range_text(column, item)
            else:
                text = _value_text(column, item)
            out.append(f"{_escape(column)}={text}")
    return out


def sample_filtered(
    model,
    to_frame: Callable[[bytes], Any],
    n: int,
    predicate: Callable[[Any], Any],
    seed: int,
    threads: int,
    max_tries: int,
    max_rows: int,
    chunk_rows: int,
):
    """The first n rows accepted by ``predicate`` among the rows of the library's sample of
    ``min(n * max_tries, max_rows)`` rows with ``seed`` (``model.sample_csv_chunks``), in
    order; ValueError when fewer than n are accepted."""
    import pandas as pd

    total = min(n * max_tries, max_rows)
    chunks = -(-total // chunk_rows)
    parts, found, seen, begin, step = [], 0, 0, 0, 1
    while begin < chunks:
        end = min(begin + step, chunks)
        df = to_frame(model.sample_csv_chunks(total, seed, threads, begin, end))
        mask = predicate(df)
        if len(mask) != len(df):
            raise ValueError(
                f"sample: where: the callable returned {len(mask)} values for {len(df)} rows "
                "(expected one boolean per row)"
            )
        kept = df[pd.Series(mask, index=df.index).astype(bool).to_numpy()]
        parts.append(kept)
        found += len(kept)
        seen += len(df)
        if found >= n:
            return pd.concat(parts, ignore_index=True).iloc[:n].reset_index(drop=True)
        begin = end
        # Read about what the acceptance rate so far says is left (the rows are the same
        # whatever the step: only the number of calls changes).
        want = (n - found) * seen / found if found else 2 * seen
        step = max(1, min(int(1.2 * want) // chunk_rows + 1, 64))
    raise ValueError(
        f"sample: where: the callable accepted only {found} of the {total} rows sampled "
        f"(n x max_tries = {n} x {max_tries}); the condition is too rare or impossible under "
        "the model: raise max_tries, or give the condition as a dict, which the model samples directly"
    )
