"""bowlby.instruments() and bowlby.score(): the library's scorer over arrays and DataFrames."""
from __future__ import annotations

import pandas as pd

try:  # pandas' internals, for a frame built over the library's own arrays without checks
    from pandas._libs.internals import BlockPlacement
    from pandas.core.internals import BlockManager
    from pandas.core.internals.blocks import new_block
except ImportError:  # pragma: no cover
    BlockManager = new_block = BlockPlacement = None

from . import _core
from ._data import _scale, _whole, answers, key_of, questionnaire_of, relabelled, scoring_defaults

STATUSES = ["complete", "prorated", "insufficient"]


def instruments() -> list:
    """The built-in instruments: id, name, items, scale, scores, item_names, citation, source."""
    return _core.instruments()


_STATUS_DTYPE = pd.CategoricalDtype(STATUSES)


def _status(codes):
    """The library's status codes (0, 1, 2: int8, as pandas keeps them) as a Categorical over the
    same array; pandas' checks of the codes are skipped where it allows, the library wrote them."""
    try:
        return pd.Categorical._simple_new(codes, _STATUS_DTYPE)
    except (AttributeError, TypeError):  # another pandas
        return pd.Categorical.from_codes(codes, dtype=_STATUS_DTYPE)


_COLUMNS: dict = {}  # the column Index of each tuple of score names, made once


def _columns(names) -> pd.Index:
    key = tuple(names)
    columns = _COLUMNS.get(key)
    if columns is None:
        if len(_COLUMNS) >= 256:  # many questionnaires defined in one session: start again
            _COLUMNS.clear()
        columns = _COLUMNS[key] = pd.Index([c for name in names for c in (name, name + "_n")] + ["status"])
    return columns


def score_frame(out: dict, index=None) -> pd.DataFrame:
    """The library's table as a DataFrame: <score> and <score>_n per score, then the row's
    status (the least complete of its scores), a Categorical. Its columns are the library's own
    arrays (pandas blocks made over them, not copies) where this pandas allows it."""
    names = out["names"]
    k, n = len(names), len(out["status"])
    columns = _columns(names)
    status = _status(out["status"])
    index = pd.RangeIndex(n) if index is None else index
    try:
        blocks = [new_block(out["values"].T, placement=BlockPlacement(slice(0, 2 * k, 2)), ndim=2),
                  new_block(out["answered"].T, placement=BlockPlacement(slice(1, 2 * k, 2)), ndim=2),
                  new_block(status, placement=BlockPlacement(slice(2 * k, 2 * k + 1)), ndim=2)]
        # The blocks' shapes and placements are right by construction: pandas need not check them.
        return pd.DataFrame(BlockManager(blocks, [columns, index], verify_integrity=False))
    except Exception:  # another pandas: the columns copied once
        frame = {}
        for s, name in enumerate(names):
            frame[name] = out["values"][:, s]
            frame[name + "_n"] = out["answered"][:, s]
        frame["status"] = status
        return pd.DataFrame(frame, index=index, columns=columns)


def score(data, instrument, *, items=None, scale=None, missing_codes=(), min_answered=None, on_invalid="error",
          threads=0) -> pd.DataFrame:
    """Scores questionnaire answers.

    data: a 2-D numpy array (float64, float32, uint8, int8/16/32/64, C or Fortran order; read in
    place) or a DataFrame whose item columns ``items`` names in the instrument's item order
    (names and spans such as ``"Q1:Q36"``; without it, a DataFrame of exactly the instrument's
    item count). instrument: a built-in id (``bowlby.instruments()``) or a
    ``bowlby.Questionnaire``. scale: the (min, max) the data were collected on, when not the
    instrument's own; missing_codes: values that mean "no answer" (NaN always does);
    min_answered: the share of a subscale's items that must be answered (0.5: the half rule);
    on_invalid: "error" (raise InvalidResponse) or "missing"; threads: 0 for all cores.

    Returns a DataFrame with the input's index: per score its value and its count of answered
    items (``<score>_n``), and the row's ``status`` (complete, prorated or insufficient).
    """
    instrument = questionnaire_of(instrument)
    key = key_of(instrument)
    codes, fraction = scoring_defaults(instrument, missing_codes, min_answered)
    ans = answers(data, key, items)
    out = relabelled(ans, lambda: _core.score(key, ans.matrix, _scale(scale), codes, fraction, str(on_invalid),
                                              _whole(threads, "threads")))
    frame = score_frame(out, ans.index)
    frame.attrs["invalid_cells"] = out["invalid_cells"]
    return frame
