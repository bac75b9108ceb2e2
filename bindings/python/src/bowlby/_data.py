"""From Python's arguments to what bowlby._core takes: keys, options and the answers as a 2-D
numpy array read in place."""
from __future__ import annotations

import numbers
import os
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._errors import InvalidResponse, OptionError, ShapeError

# Element types the library reads in place; other numeric arrays are converted to float64.
_READ_IN_PLACE = {np.dtype(t) for t in ("float64", "float32", "uint8", "int8", "int16", "int32", "int64")}


class Questionnaire:
    """A questionnaire defined in Python: the fields of the C++ ``bowlby::questionnaire``.

    >>> q = Questionnaire("my-scale", 6, scale=(1, 5))
    >>> q.add_subscale("closeness", [1, 2, 3], reversed=[2]).add_subscale("worry", [4, 5, 6], aggregation="sum")
    >>> q.add_derived("balance", [("subscale", "closeness", 1), ("subscale", "worry", -1)])

    Item numbers are 1-based, in the questionnaire's published order. A derived score's terms
    are ``("subscale", name or 0-based index, weight)`` or ``("item", item number, weight)``.
    The key is checked by the library when it is first used (OptionError saying what is wrong).
    """

    def __init__(self, id: str, n_items: int, scale=(1, 7), *, integral: bool = True, name: str = "",  # noqa: A002
                 citation: str = "", item_names: Sequence[str] = (), missing_codes=(), min_answered=None):
        self.id, self.n_items, self.integral = str(id), int(n_items), bool(integral)
        self.scale = _scale(scale)
        self.name, self.citation, self.item_names = str(name), str(citation), [str(n) for n in item_names]
        self.subscales: list = []
        self.derived: list = []
        # Scoring defaults that go with the data (a key file's): added to / used unless the call gives them.
        self.missing_codes = _codes(missing_codes)
        self.min_answered = None if min_answered is None else _fraction(min_answered, "min_answered")

    @classmethod
    def from_instrument(cls, id: str) -> "Questionnaire":  # noqa: A002
        """A copy of a built-in instrument's key, to change (another item order, say)."""
        d = _core.builtin_key(id).describe()
        q = cls(d["id"], d["n_items"], d["scale"], integral=d["integral"], name=d["name"], citation=d["citation"],
                item_names=d["item_names"])
        q.subscales = [(n, list(i), list(r), a) for n, i, r, a in d["subscales"]]
        q.derived = [(n, [tuple(t) for t in terms]) for n, terms in d["derived"]]
        return q

    @classmethod
    def from_key_file(cls, path) -> "Questionnaire":
        """A key file (docs/key-files.md), as ``bowlby score --key`` reads it, with its missing codes
        and min_answered; OptionError naming the file, the JSON path and the problem when malformed."""
        key, codes, min_answered = _core.read_key_file(os.fspath(path))
        d = key.describe()
        q = cls(d["id"], d["n_items"], d["scale"], integral=d["integral"], name=d["name"], citation=d["citation"],
                item_names=d["item_names"], missing_codes=codes, min_answered=min_answered)
        q.subscales = [(n, list(i), list(r), a) for n, i, r, a in d["subscales"]]
        q.derived = [(n, [tuple(t) for t in terms]) for n, terms in d["derived"]]
        return q

    def add_subscale(self, name: str, items: Sequence[int], reversed: Sequence[int] = (),  # noqa: A002
                     aggregation: str = "mean") -> "Questionnaire":
        self.subscales.append((str(name), [int(i) for i in items], [int(i) for i in reversed], str(aggregation)))
        return self

    def add_derived(self, name: str, terms) -> "Questionnaire":
        names = [s[0] for s in self.subscales]
        out = []
        for kind, index, weight in terms:
            if kind == "subscale" and isinstance(index, str):
                if index not in names:
                    raise OptionError(f"derived score {name!r} names subscale {index!r}, which {self.id} does not have")
                index = names.index(index)
            out.append((str(kind), int(index), float(weight)))
        self.derived.append((str(name), out))
        return self

    def key(self):
        """The library's key (checked: OptionError when the questionnaire is malformed)."""
        return _core.custom_key(self.id, self.n_items, self.scale[0], self.scale[1], self.integral,
                                list(self.subscales), list(self.derived), self.name, self.citation, self.item_names)

    def __repr__(self):
        subs = ", ".join(s[0] for s in self.subscales)
        return f"Questionnaire({self.id!r}, {self.n_items} items on {self.scale[0]:g}-{self.scale[1]:g}: {subs})"


def read_key(path) -> Questionnaire:
    """Reads a key file (docs/key-files.md): ``bowlby.read_key("my-scale.json")``."""
    return Questionnaire.from_key_file(path)


def questionnaire_of(instrument):
    """A key file's path (a str ending in .json, or a path object) read as a Questionnaire;
    any other instrument as it is."""
    if isinstance(instrument, os.PathLike) or (isinstance(instrument, str) and instrument.lower().endswith(".json")):
        return Questionnaire.from_key_file(instrument)
    return instrument


def scoring_defaults(instrument, missing_codes, min_answered=None):
    """The missing codes (the call's, then a key file's) and min_answered (the call's, else the
    key file's, else 0.5, the half rule), as ``bowlby score --key`` takes them."""
    codes = _codes(missing_codes)
    if isinstance(instrument, Questionnaire):
        codes += [c for c in instrument.missing_codes if c not in codes]
        if min_answered is None:
            min_answered = instrument.min_answered
    return codes, 0.5 if min_answered is None else _fraction(min_answered, "min_answered")


def key_of(instrument):
    """The library's key of a built-in id, a key file's path, a Questionnaire or a key."""
    instrument = questionnaire_of(instrument)
    if isinstance(instrument, str):
        return _core.builtin_key(instrument)
    if isinstance(instrument, Questionnaire):
        return instrument.key()
    if isinstance(instrument, _core.Key):
        return instrument
    raise OptionError(f"instrument is a built-in id (bowlby.instruments()) or a bowlby.Questionnaire, "
                      f"not {type(instrument).__name__}")


# --- options ------------------------------------------------------------------------------

def _scale(scale):
    if scale is None:
        return None
    try:
        lo, hi = (float(x) for x in scale)
    except (TypeError, ValueError):
        raise OptionError(f"scale takes (min, max), for example (1, 5); got {scale!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise OptionError(f"scale takes (min, max) with finite min < max; got {scale!r}")
    return (lo, hi)


def _codes(missing_codes):
    if missing_codes is None:
        return []
    if isinstance(missing_codes, numbers.Number):
        missing_codes = [missing_codes]
    try:
        return [float(c) for c in missing_codes]
    except (TypeError, ValueError):
        raise OptionError(f"missing_codes takes numbers, for example (0,) or (-99,); got {missing_codes!r}") from None


def _whole(value, name, low=0):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < low:
        raise OptionError(f"{name} takes a whole number from {low}; got {value!r}")
    return int(value)


def _fraction(value, name):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise OptionError(f"{name} takes a number; got {value!r}") from None
    return x


# --- answers ------------------------------------------------------------------------------

@dataclass
class Answers:
    """The answers as the library reads them, and how to name a row and a column in messages."""
    matrix: np.ndarray
    index: Optional[pd.Index] = None  # a DataFrame's row labels
    names: Optional[list] = None  # a DataFrame's item column names, in item order

    def row_label(self, row):
        return self.index[row] if self.index is not None else row

    def item_label(self, item):
        return self.names[item] if self.names is not None else item

    def relabel(self, e: InvalidResponse) -> InvalidResponse:
        """The library's error, its row and item named as the caller knows them."""
        if self.index is None:
            return e
        row, item = self.row_label(e.row), self.item_label(e.item)
        return InvalidResponse(f"{e.args[0]} (index {row!r}, column {item!r})", row, item, e.value, e.reason)


def resolve(items, header, argument="items"):
    """Positions of the columns named by a spec: names and spans 'FIRST:LAST', as a string
    with commas or a list (the bowlby tool's --items)."""
    parts = [items] if isinstance(items, str) else list(items)
    positions = []
    for part in parts:
        if not isinstance(part, str):
            raise OptionError(f"{argument} takes column names and spans such as 'Q1:Q36'; got {part!r}")
        positions += _core.resolve_columns(part, header, argument)
    return positions


def readable(a: np.ndarray) -> np.ndarray:
    """The array itself where the library can read it in place; otherwise a converted copy
    (other numeric types as float64, the other byte order, negative strides)."""
    if a.dtype.kind in "biuf" and a.dtype not in _READ_IN_PLACE:
        if a.dtype.newbyteorder("=") in _READ_IN_PLACE:
            a = a.astype(a.dtype.newbyteorder("="))
        else:
            a = a.astype(np.float64)
    if a.ndim == 2 and any(s < 0 or s % a.itemsize for s in a.strides):
        a = np.ascontiguousarray(a)
    return a


def _block_view(df: pd.DataFrame, positions):
    """The columns at `positions` as a view of the pandas block that holds them, when one block
    holds them all, in order and side by side; None otherwise (or with another pandas)."""
    try:
        for blk in df._mgr.blocks:
            values = blk.values
            if not isinstance(values, np.ndarray) or values.ndim != 2:
                continue
            rows = {c: r for r, c in enumerate(blk.mgr_locs.as_array)}
            if positions[0] not in rows:
                continue
            first = rows[positions[0]]
            if [rows.get(p) for p in positions] != list(range(first, first + len(positions))):
                return None
            return values[first:first + len(positions)].T
    except (AttributeError, TypeError, IndexError):
        return None
    return None


def frame_matrix(df: pd.DataFrame, positions) -> np.ndarray:
    """The item columns of a DataFrame as one 2-D array: a view of pandas' own block, read in
    place, when one block holds them side by side in the item order (consecutive columns of one
    numeric dtype, as read_csv makes them); otherwise one copy of them."""
    if any(pd.api.types.is_extension_array_dtype(t) for t in df.dtypes.iloc[positions]):
        return df.iloc[:, positions].to_numpy(dtype="float64", na_value=np.nan)
    view = _block_view(df, positions) if positions else None
    return view if view is not None else df.iloc[:, positions].to_numpy()


def answers(data, key, items=None) -> Answers:
    """The answers to `key`'s items in `data` (a DataFrame, with `items` naming the columns in
    the key's item order, or a 2-D array)."""
    n = key.n_items
    if isinstance(data, pd.DataFrame):
        header = [str(c) for c in data.columns]
        names = key.describe()["item_names"] if items is None else []
        if items is None and names and all(name in header for name in names):
            positions = [header.index(name) for name in names]  # the key's item names, found in the header
        elif items is None:
            if len(header) != n:
                raise ShapeError(f"{key.id} has {n} items and the DataFrame {len(header)} columns: name the item "
                                 f"columns with items= (names and spans such as 'Q1:Q{n}')")
            positions = list(range(n))
        else:
            positions = resolve(items, header)
        if len(positions) != n:
            raise ShapeError(f"{key.id} has {n} items; items= names {len(positions)} columns")
        return Answers(readable(frame_matrix(data, positions)), data.index, [header[p] for p in positions])
    if isinstance(data, (pd.Series, str, bytes)) or data is None:
        raise OptionError(f"the answers are a 2-D numpy array or a pandas DataFrame, not {type(data).__name__}")
    a = np.asarray(data)
    if items is not None:
        if a.ndim != 2:
            raise ShapeError(f"the answers must be a 2-D array (rows x items); this one has {a.ndim} dimensions")
        a = a[:, [_whole(i, "items (column positions of an array)") for i in items]]
    return Answers(readable(a))


def relabelled(ans: Answers, call):
    """call(), with an InvalidResponse named in the caller's rows and columns."""
    try:
        return call()
    except InvalidResponse as e:
        raise ans.relabel(e) from None
