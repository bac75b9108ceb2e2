"""bowlby.classify(): four-category classification by the `bowlby` tool's method dispatch."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import _core
from ._data import Questionnaire, _scale, _whole, answers, key_of, questionnaire_of, relabelled, scoring_defaults
from ._errors import OptionError
from ._reliability import reliability

CATEGORIES = ["secure", "preoccupied", "dismissing", "fearful", "unclassified"]


def _rule(method, cut, cut_source, at_cut, rescale, allow_other_instrument, seed):
    r = _core.RuleRequest()
    r.method = str(method)
    if cut is not None:
        r.cut = _scale_pair(cut, "cut")
        r.cut_source = str(cut_source) if cut_source else "cuts given with cut="
    r.at_cut = str(at_cut)
    r.rescale = bool(rescale)
    r.allow_other_instrument = bool(allow_other_instrument)
    if seed is not None:
        r.seed = _whole(seed, "seed")
    return r


def _scale_pair(pair, name):
    try:
        a, b = (float(x) for x in pair)
    except (TypeError, ValueError):
        raise OptionError(f"{name} takes two numbers (anxiety, avoidance); got {pair!r}") from None
    return (a, b)


def _sems(data, key, instrument, dims, items, scale, missing_codes, on_invalid, threads):
    """The SEMs of the two dimensions in this sample, as the tool computes them: sd sqrt(1 - alpha)
    of the anxiety and avoidance subscales; for the AAS's close_depend, of its twelve close and
    depend items keyed as one scale."""
    rel = reliability(data, instrument, items=items, scale=scale, missing_codes=missing_codes,
                      on_invalid=on_invalid, threads=threads)

    def sem_of(name):
        if name == "close_depend":
            d = key.describe()
            q = Questionnaire("aas-close-depend", d["n_items"], d["scale"], integral=d["integral"])
            q.add_subscale("close_depend", d["subscales"][0][1] + d["subscales"][1][1],
                           d["subscales"][0][2] + d["subscales"][1][2])
            return reliability(data, q, items=items, scale=scale, missing_codes=missing_codes, on_invalid=on_invalid,
                               threads=threads)["close_depend"].sem
        return rel[name].sem if name in rel else math.nan

    return (sem_of(dims["anxiety_subscale"]), sem_of(dims["avoidance_subscale"]))


def _forced(data, forced_choice, n):
    if forced_choice is None:
        return None
    cells = data[forced_choice] if isinstance(forced_choice, str) and isinstance(data, pd.DataFrame) else forced_choice
    cells = ["" if (c is None or (isinstance(c, float) and math.isnan(c))) else str(c) for c in cells]
    if len(cells) != n:
        raise OptionError(f"forced_choice needs one entry per row ({n}); got {len(cells)}")
    return _core.forced_choice(cells)


def classify(scores_or_data, instrument, method="midpoint", *, items=None, scale=None, missing_codes=(),
             min_answered=None, on_invalid="error", threads=0, cut=None, cut_source="", at_cut="unclassified",
             rescale=False, allow_other_instrument=False, seed=None, sem=None, forced_choice=None,
             fit_on=None) -> pd.DataFrame:
    """Classifies respondents as secure, preoccupied, dismissing or fearful (or unclassified).

    scores_or_data: a DataFrame of scores (bowlby.score's output, or any frame with the
    instrument's score columns), or raw answers as bowlby.score takes them (``items``,
    ``scale``, ``missing_codes``, ``min_answered``, ``on_invalid`` as there). method: midpoint
    (``cut=(anxiety, avoidance)`` for your own cuts, with ``cut_source``), median, brennan1998
    (``rescale=True`` for scores off 1-7, ``allow_other_instrument``), kmeans (``seed``), rq
    (``forced_choice``: a column or sequence of prototypes or A-D) or aas. at_cut: a score
    exactly on a cut counts as "low", "high" or "unclassified".

    ``category_p`` is the probability that the true scores lie in the assigned region, from the
    SEMs of the two dimensions: ``sem=(anxiety, avoidance)``, or, from raw answers, sd
    sqrt(1 - alpha) in this sample (NaN for scores without ``sem``). Returns a DataFrame with
    the input's index: ``category`` (a Categorical) and ``category_p``.

    fit_on: another sample (scores or answers, as ``scores_or_data``) that a rule fitted to the
    sample (median, kmeans) and the SEMs are taken from, to classify new data by a baseline's
    cuts (``bowlby.change`` classifies the post wave by the pre wave's).
    """
    instrument = questionnaire_of(instrument)
    key = key_of(instrument)
    names = key.scores
    data_scale = _scale(scale)
    dims = _core.dimensions(key, data_scale, str(method))
    def values_of(x):
        """The scores of x (a frame of scores, or answers scored here), its index, and whether
        it holds answers."""
        if isinstance(x, pd.DataFrame) and items is None and all(n in x for n in names):
            return x[names].to_numpy(dtype=np.float64), x.index, False
        ans = answers(x, key, items)
        codes, fraction = scoring_defaults(instrument, missing_codes, min_answered)
        out = relabelled(ans, lambda: _core.score(key, ans.matrix, data_scale, codes, fraction, str(on_invalid),
                                                  _whole(threads, "threads")))
        return out["values"], ans.index, True

    values, index, from_answers = values_of(scores_or_data)
    sample, fit = scores_or_data, None
    if fit_on is not None:
        fit, _, from_answers = values_of(fit_on)
        sample = fit_on
    if sem is not None:
        sems = _scale_pair(sem, "sem")
    elif from_answers and method != "rq":
        sems = _sems(sample, key, instrument, dims, items, scale, missing_codes, on_invalid, threads)
    else:
        sems = (math.nan, math.nan)
    rule = _rule(method, cut, cut_source, at_cut, rescale, allow_other_instrument, seed)
    codes, p = _core.classify(key, data_scale, values, rule, sems, _forced(scores_or_data, forced_choice, len(values)),
                              fit)
    if index is None:
        index = pd.RangeIndex(len(codes))
    return pd.DataFrame({"category": pd.Categorical.from_codes(codes, categories=CATEGORIES), "category_p": p},
                        index=index)
