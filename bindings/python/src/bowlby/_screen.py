"""bowlby.screen(): careless-responding indices of each row, as ``bowlby screen`` gives them
(the library's screener, its flags and thresholds; docs/screening.md)."""
from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from . import _core
from ._data import _codes, _scale, answers, key_of, questionnaire_of, relabelled, resolve, scoring_defaults
from ._errors import OptionError


def _settings(flags):
    """{name: threshold, or None / "off" to turn the flag off} as the library's settings."""
    if flags is None:
        return []
    if not isinstance(flags, dict):
        raise OptionError(f"flags takes a dict of flag name to threshold (or 'off'); got {flags!r}")
    out = []
    for name, value in flags.items():
        if value is None or (isinstance(value, str) and value == "off"):
            out.append(_core.FlagSetting(str(name), None))
        elif isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
            out.append(_core.FlagSetting(str(name), float(value)))
        else:
            raise OptionError(f"flags[{name!r}] takes a number or 'off'; got {value!r}")
    return out


def _order(presented_order, data, ans):
    """The presented order as 0-based item indices: columns named (names and spans) in the order
    they were shown, each item once."""
    if presented_order is None:
        return []
    if not isinstance(data, pd.DataFrame):
        return [int(i) for i in presented_order]  # an array: item indices already
    header = [str(c) for c in data.columns]
    order = []
    for p in resolve(presented_order, header, "presented_order"):
        name = header[p]
        if name not in ans.names:
            raise OptionError(f"presented_order names {name!r}, which is not an item column")
        item = ans.names.index(name)
        if item in order:
            raise OptionError(f"presented_order names {name!r} twice")
        order.append(item)
    if len(order) != len(ans.names):
        raise OptionError(f"presented_order names {len(order)} item columns; the {len(ans.names)} item columns must "
                          "all be named, once each")
    return order


def _durations(duration, data, n):
    if duration is None:
        return None
    cells = data[duration] if isinstance(duration, str) and isinstance(data, pd.DataFrame) else duration
    d = pd.to_numeric(pd.Series(cells), errors="coerce").to_numpy(dtype=np.float64)
    bad = [i for i, (raw, x) in enumerate(zip(cells, d)) if not (x >= 0 or (x != x and pd.isna(raw)))]
    if bad:
        raise OptionError(f"duration: row {bad[0]} has {list(cells)[bad[0]]!r}, not a duration in seconds "
                          "(a number, 0 or more)")
    if len(d) != n:
        raise OptionError(f"duration needs one value per row ({n}); got {len(d)}")
    return d


def screen(data, instrument, *, items=None, scale=None, missing_codes=(), on_invalid="error", presented_order=None,
           duration=None, one_pass=False, syn_r=0.60, ant_r=-0.60, flags=None) -> pd.DataFrame:
    """Careless-responding indices of each row and the flags they raise (docs/screening.md).

    data, instrument, items, scale, missing_codes, on_invalid: as in ``bowlby.score``.
    presented_order: the item columns in the order they were shown (names and spans), for
    longstring; duration: a column (or sequence) of total seconds, adding seconds_per_item;
    one_pass: without psychsyn, psychant and mahad (which need the whole sample first); syn_r,
    ant_r: psychsyn's and psychant's item-pair thresholds; flags: ``{name: threshold}`` to change
    a default threshold, ``{name: "off"}`` to turn a flag off.

    Returns a DataFrame with the input's index and the columns of ``bowlby screen``: longstring,
    longstring_avg, irv, evenodd, psychsyn, psychant, reverse_gap_<subscale>, mahad, mahad_df,
    mahad_p, seconds_per_item (with duration), flags (the names raised, joined by ';') and
    n_flags; NaN where an index is undefined. ``.attrs["flags_in_force"]`` lists each flag's
    rule, threshold and source; ``.attrs["covariance_problem"]`` says why mahad is empty, if it is.
    """
    instrument = questionnaire_of(instrument)
    key = key_of(instrument)
    codes, _ = scoring_defaults(instrument, missing_codes)
    ans = answers(data, key, items)
    order = _order(presented_order, data, ans)
    d = _durations(duration, data, ans.matrix.shape[0])
    out = relabelled(ans, lambda: _core.screen(key, ans.matrix, _scale(scale), _codes(codes), str(on_invalid), order, d,
                                               bool(one_pass), float(syn_r), float(ant_r), _settings(flags)))
    frame = pd.DataFrame(dict(out["columns"]), index=ans.index)
    frame["flags"] = out["flags"]
    frame["n_flags"] = out["n_flags"]
    frame.attrs["flags_in_force"] = out["flags_in_force"]
    frame.attrs["covariance_problem"] = out["covariance_problem"]
    return frame
