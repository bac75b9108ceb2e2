"""bowlby.reliability(), its Reliability result and bowlby.Accumulator.

The statistics are the library's; they arrive as the JSON that ``bowlby reliability --json``
writes (the tool's own writer, compiled into bowlby._core), so every field has the tool's name,
and the printout is the tool's psych-like table.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import _core
from ._data import (Answers, Questionnaire, _fraction, _scale, _whole, answers, frame_matrix, key_of,
                    questionnaire_of, readable, relabelled, resolve, scoring_defaults)
from ._errors import Error, OptionError

_ALPHA = ["raw_alpha", "std_alpha", "g6_smc", "average_r", "signal_noise", "ase", "var_r", "median_r"]
_ITEM = ["n", "mean", "sd", "raw_r", "std_r", "r_cor", "r_drop"]
# psych::alpha's column names for its tables.
_TOTAL_PSYCH = {"raw_alpha": "raw_alpha", "std_alpha": "std.alpha", "g6_smc": "G6(smc)", "average_r": "average_r",
                "signal_noise": "S/N", "ase": "ase", "mean": "mean", "sd": "sd", "median_r": "median_r"}
_DROP_PSYCH = {"raw_alpha": "raw_alpha", "std_alpha": "std.alpha", "g6_smc": "G6(smc)", "average_r": "average_r",
               "signal_noise": "S/N", "ase": "alpha se", "var_r": "var.r", "median_r": "med.r"}
_STATS_PSYCH = {"n": "n", "raw_r": "raw.r", "std_r": "std.r", "r_cor": "r.cor", "r_drop": "r.drop", "mean": "mean",
                "sd": "sd"}


def _num(x):
    return math.nan if x is None else x


class Frames(NamedTuple):
    """psych::alpha's tables: ``total``, ``alpha_drop`` (psych's alpha.drop) and ``item_stats``
    (psych's item.stats), with psych's column names."""
    total: pd.DataFrame
    alpha_drop: pd.DataFrame
    item_stats: pd.DataFrame


class ScaleReliability:
    """One scale's statistics: every field of ``bowlby reliability --json`` under its name, as
    an attribute and as a key (``r.raw_alpha``, ``r["raw_alpha"]``); NaN where the data do not
    define it (``warnings`` says why). ``items`` is a DataFrame of the per-item fields, one row
    per item; ``ci`` holds the intervals ((lower, upper) pairs) and ``split_half`` the split
    halves. Printing gives the psych-like table of ``bowlby reliability``."""

    def __init__(self, fields: dict, table: str):
        self._json = fields
        self._table = table
        self._fields = {k: v for k, v in fields.items() if k not in ("items", "ci", "split_half", "warnings")}
        for k in _ALPHA + ["mean", "sd", "sem", "omega_total", "lambda2"]:
            self._fields[k] = _num(fields.get(k))
        self._fields["ci"] = {k: (tuple(_num(x) for x in v) if isinstance(v, list) else v)
                              for k, v in fields["ci"].items()}
        self._fields["split_half"] = {k: _num(v) if k in ("max", "min", "mean") else v
                                      for k, v in fields["split_half"].items()}
        self._fields["warnings"] = list(fields["warnings"])
        self._fields["items"] = self._items_frame(fields["items"])

    @staticmethod
    def _items_frame(items) -> pd.DataFrame:
        rows = []
        for it in items:
            row = {k: _num(it[k]) for k in _ITEM}
            row.update({f"alpha_if_dropped.{k}": _num(it["alpha_if_dropped"][k]) for k in _ALPHA})
            rows.append(row)
        columns = _ITEM + [f"alpha_if_dropped.{k}" for k in _ALPHA]
        return pd.DataFrame(rows, index=pd.Index([it["name"] for it in items], name="item"), columns=columns)

    def __getitem__(self, name):
        return self._fields[name]

    def __iter__(self):
        return iter(self._fields)

    def __len__(self):
        return len(self._fields)

    def keys(self):
        return self._fields.keys()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"a scale's reliability has no field {name!r}") from None

    def __dir__(self):
        return list(super().__dir__()) + list(self._fields)

    def to_dict(self) -> dict:
        """The scale as ``bowlby reliability --json`` writes it (null where not defined)."""
        return json.loads(json.dumps(self._json))

    def to_frame(self) -> Frames:
        """psych::alpha's ``total``, ``alpha.drop`` and ``item.stats`` as DataFrames."""
        total = pd.DataFrame([{p: self._fields[k] for k, p in _TOTAL_PSYCH.items()}], index=[self._fields["name"]])
        items = self._fields["items"]
        drop = items[[f"alpha_if_dropped.{k}" for k in _DROP_PSYCH]].copy()
        drop.columns = list(_DROP_PSYCH.values())
        stats = items[list(_STATS_PSYCH)].copy()
        stats.columns = list(_STATS_PSYCH.values())
        return Frames(total, drop, stats)

    def __repr__(self):
        return self._table.rstrip("\n")

    def __getstate__(self):
        return {"json": self._json, "table": self._table}

    def __setstate__(self, state):
        self.__init__(state["json"], state["table"])


class Reliability(Mapping):
    """The reliability of an instrument's subscales (or of one scale): a mapping of scale name
    to ScaleReliability, with ``intercorrelations`` (DataFrames ``r`` and ``corrected`` for
    attenuation, or None for one scale), ``rows`` and ``missing`` (pairwise or listwise)."""

    def __init__(self, raw: dict, instrument=None):
        self.instrument = instrument
        self.rows = raw["rows"]
        self.missing = raw["missing"]
        self._raw = raw
        self._scales = {}
        for text, table in zip(raw["scales"], raw["tables"]):
            fields = json.loads(text)
            self._scales[fields["name"]] = ScaleReliability(fields, table)
        self.intercorrelations = None
        if raw["intercorrelations"] is not None:
            c = json.loads(raw["intercorrelations"])
            frame = lambda m: pd.DataFrame(np.array(m, dtype=float), index=c["names"], columns=c["names"])  # noqa: E731
            self.intercorrelations = {"r": frame(c["r"]), "corrected": frame(c["corrected"])}

    def __getitem__(self, name) -> ScaleReliability:
        return self._scales[name]

    def __iter__(self):
        return iter(self._scales)

    def __len__(self):
        return len(self._scales)

    def to_dict(self) -> dict:
        """As ``bowlby reliability --json`` writes it (without the input file's name)."""
        out = {"instrument": self.instrument, "missing": self.missing, "rows": self.rows,
               "scales": [s.to_dict() for s in self._scales.values()]}
        if self._raw["intercorrelations"] is not None:
            out["intercorrelations"] = json.loads(self._raw["intercorrelations"])
        return out

    def to_frame(self) -> Frames:
        """psych's tables for every scale: ``total`` one row per scale, ``alpha_drop`` and
        ``item_stats`` indexed by (scale, item)."""
        frames = [s.to_frame() for s in self._scales.values()]
        names = list(self._scales)
        return Frames(pd.concat([f.total for f in frames]),
                      pd.concat([f.alpha_drop for f in frames], keys=names, names=["scale", "item"]),
                      pd.concat([f.item_stats for f in frames], keys=names, names=["scale", "item"]))

    def __repr__(self):
        text = "\n\n".join(repr(s) for s in self._scales.values())
        if self._raw.get("intercorrelations_table"):
            text += "\n\n" + self._raw["intercorrelations_table"].rstrip("\n")
        return text

    def __getstate__(self):
        return {"raw": self._raw, "instrument": self.instrument}

    def __setstate__(self, state):
        self.__init__(state["raw"], state["instrument"])


def _seed(seed):
    return _core.default_seed if seed is None else _whole(seed, "seed")


def _own_scale(data, items, reverse, scale):
    """One scale made of the columns given (``bowlby reliability --items``): its questionnaire
    and answers. Reversing needs the scale; without one any finite answer is taken."""
    if reverse is not None and scale is None:
        raise OptionError("reverse needs scale=(min, max): reversing is min + max - x")
    if isinstance(data, pd.DataFrame):
        header = [str(c) for c in data.columns]
        cols = list(range(len(header))) if items is None else resolve(items, header)
        rev_cols = [] if reverse is None else resolve(reverse, header, "reverse")
        ans = Answers(readable(frame_matrix(data, cols)), data.index, [header[c] for c in cols])
    else:
        a = np.asarray(data)
        if a.ndim != 2:
            raise OptionError("the answers are a 2-D array or a DataFrame")
        cols = list(range(a.shape[1])) if items is None else [_whole(i, "items") for i in items]
        rev_cols = [] if reverse is None else [_whole(i, "reverse") for i in reverse]
        ans = Answers(readable(a if items is None else a[:, cols]))
    if len(cols) < 2:
        raise OptionError(f"items names {len(cols)} column; a scale needs two or more")
    missing = [c for c in rev_cols if c not in cols]
    if missing:
        raise OptionError(f"reverse names {missing[0]!r}, which is not among items")
    lo, hi = _scale(scale) if scale is not None else (-np.finfo(float).max / 4, np.finfo(float).max / 4)
    q = Questionnaire("scale", len(cols), (lo, hi), integral=False)
    q.add_subscale("scale", range(1, len(cols) + 1), [cols.index(c) + 1 for c in rev_cols])
    return q, ans


def reliability(data, instrument=None, *, items=None, reverse=None, scale=None, missing_codes=(),
                on_invalid="error", listwise=False, bootstrap=0, seed=None, ci_level=0.95, threads=0) -> Reliability:
    """Reliability statistics of an instrument's subscales, keyed and checked as in scoring, or
    (instrument=None) of one scale made of the ``items`` columns, ``reverse`` naming the ones
    to reverse on ``scale``. As ``bowlby reliability``: psych::alpha's statistics, omega
    total, lambda 2, split halves, the SEM, Feldt and Duhachek intervals, and a percentile
    bootstrap interval of alpha when ``bootstrap`` resamples are asked for (``seed``)."""
    if instrument is None:
        q, ans = _own_scale(data, items, reverse, scale)
        key, data_scale = q.key(), None
    else:
        if reverse is not None:
            raise OptionError("reverse goes with items alone: an instrument's key says which items are reversed")
        instrument = questionnaire_of(instrument)
        key = key_of(instrument)
        ans, data_scale = answers(data, key, items), _scale(scale)
    n_boot = _whole(bootstrap, "bootstrap")
    codes, _ = scoring_defaults(instrument, missing_codes)
    acc = _core.Accumulator(key, data_scale, codes, str(on_invalid), n_boot > 0)
    relabelled(ans, lambda: acc.add(ans.matrix, _whole(threads, "threads")))
    raw = acc.reliability(bool(listwise), _fraction(ci_level, "ci_level"), _seed(seed), n_boot,
                          _whole(threads, "threads"), ans.names or [])
    return Reliability(raw, key.id if instrument is not None else None)


_PICKLE_FORMAT = 1


class Accumulator:
    """The sufficient statistics of an instrument's answers, added chunk by chunk and merged
    across shards, processes or machines (it pickles as a compact, versioned byte format).

    >>> acc = bowlby.Accumulator("ecr", items="Q1:Q36", scale=(1, 5), missing_codes=[0])
    >>> for chunk in pd.read_csv("big.csv", chunksize=100_000):
    ...     acc.add(chunk)
    >>> acc.reliability()["anxiety"].raw_alpha
    """

    def __init__(self, instrument, *, items=None, scale=None, missing_codes=(), on_invalid="error", threads=0):
        self._instrument = instrument = questionnaire_of(instrument)
        self._key = key_of(instrument)
        self._items, self._scale = items, _scale(scale)
        self._codes, _ = scoring_defaults(instrument, missing_codes)
        self._on_invalid, self._threads = str(on_invalid), _whole(threads, "threads")
        self._names = None
        self._core = _core.Accumulator(self._key, self._scale, self._codes, self._on_invalid, False)

    def add(self, chunk) -> "Accumulator":
        """Adds a chunk of raw answers (a DataFrame or a 2-D array, as bowlby.score takes)."""
        ans = answers(chunk, self._key, self._items)
        relabelled(ans, lambda: self._core.add(ans.matrix, self._threads))
        if self._names is None and ans.names is not None:
            self._names = ans.names
        return self

    def merge(self, other: "Accumulator") -> "Accumulator":
        """Adds another accumulator's statistics (same instrument and options, else OptionError)."""
        if not isinstance(other, Accumulator):
            raise OptionError(f"merge takes a bowlby.Accumulator, not {type(other).__name__}")
        self._core.merge(other._core)
        if self._names is None:
            self._names = other._names
        return self

    @property
    def rows(self) -> float:
        """Rows added so far."""
        return self._core.rows

    def reliability(self, *, listwise=False, ci_level=0.95, seed=None, threads=0) -> Reliability:
        """The statistics of everything added (no bootstrap: the rows are not kept)."""
        raw = self._core.reliability(bool(listwise), _fraction(ci_level, "ci_level"), _seed(seed), 0,
                                     _whole(threads, "threads"), self._names or [])
        return Reliability(raw, self._key.id)

    def to_bytes(self) -> bytes:
        """The library's byte format of the statistics (versioned, little-endian)."""
        return self._core.to_bytes()

    def __getstate__(self):
        instrument = self._instrument if isinstance(self._instrument, (str, Questionnaire)) else None
        if instrument is None:
            raise Error("an Accumulator pickles with a built-in id or a bowlby.Questionnaire as its instrument")
        return {"format": _PICKLE_FORMAT, "instrument": instrument, "items": self._items, "scale": self._scale,
                "missing_codes": self._codes, "on_invalid": self._on_invalid, "threads": self._threads,
                "names": self._names, "bytes": self._core.to_bytes()}

    def __setstate__(self, state):
        if state.get("format") != _PICKLE_FORMAT:
            raise Error(f"an Accumulator pickled in format {state.get('format')!r}; this bowlby reads "
                        f"{_PICKLE_FORMAT}")
        self._instrument = state["instrument"]
        self._key = key_of(self._instrument)
        self._items, self._scale, self._codes = state["items"], state["scale"], state["missing_codes"]
        self._on_invalid, self._threads, self._names = state["on_invalid"], state["threads"], state["names"]
        self._core = _core.Accumulator.from_bytes(self._key, self._scale, self._codes, self._on_invalid,
                                                  state["bytes"])

    def __repr__(self):
        return f"bowlby.Accumulator({self._key.id!r}, rows={self.rows:g})"
