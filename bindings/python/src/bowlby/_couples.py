"""bowlby.dyads() and bowlby.change(): partners side by side and reliable change across two
waves, as ``bowlby dyads`` and ``bowlby change`` give them. The pairing, the similarity of
partners, the reliable change index and its basis are the library's (bowlby/dyads.hpp,
bowlby/change.hpp); this module shapes them as DataFrames."""
from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from . import _core
from ._classify import CATEGORIES
from ._classify import classify as _classify
from ._data import key_of, questionnaire_of, scoring_defaults
from ._errors import Error, OptionError
from ._reliability import reliability as _reliability
from ._score import score

RELIABLE = ["increased", "decreased", "none"]
CLINICAL = ["recovered", "improved", "unchanged", "deteriorated"]


def _column(data, name, what):
    """A column of a DataFrame as strings, as the tool reads cells: a missing value is ''."""
    if not isinstance(data, pd.DataFrame):
        raise OptionError(f"{what} names a column, so the data must be a DataFrame, not {type(data).__name__}")
    if name not in data.columns:
        raise OptionError(f"{what}={name!r} is not a column of the data")
    return ["" if _missing(v) else _cell(v) for v in data[name]]


def _missing(v):
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _cell(v):
    """A value as a CSV cell would hold it: whole floats (an integer column with a gap reads as
    float) without their '.0'."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _labels(index, rows):
    return [index[r] for r in rows] if index is not None else list(rows)


class Dyads:
    """bowlby.dyads()'s result.

    frame: the partners side by side (``layout="wide"``: one row per dyad; ``"pairwise"``: two
    rows per dyad, each partner once as actor). unpaired: the dyad ids not paired, their rows
    (the input's index labels) and why. statistics: the similarity of partners, one row per
    correlation (``statistic``, ``x``, ``y``, ``r``, ``z`` for the intraclass correlation, ``n``
    dyads used). pairings: with ``classify``, the dyads in each of the ten pairings and the
    unclassified. Names as in ``bowlby dyads --report``.
    """

    def __init__(self, frame, unpaired, statistics, pairings, distinguishable):
        self.frame, self.unpaired, self.statistics = frame, unpaired, statistics
        self.pairings, self.distinguishable = pairings, distinguishable

    @property
    def n_dyads(self) -> int:
        return int(self.frame["dyad"].nunique()) if len(self.frame) else 0

    def __repr__(self):
        kind = "distinguishable" if self.distinguishable else "indistinguishable"
        lines = [f"bowlby dyads: {self.n_dyads} dyads paired ({kind}), {len(self.unpaired)} not paired"]
        for _, s in self.statistics.iterrows():
            z = f", z = {s['z']:.2f}" if "z" in s and not _missing(s["z"]) else ""
            lines.append(f"  {s['statistic']} {s['x']} ~ {s['y']}: r = {s['r']:.3f}{z} (n = {s['n']})")
        return "\n".join(lines)


def dyads(data, instrument, *, dyad, distinguish=None, items=None, scale=None, missing_codes=(), min_answered=None,
          on_invalid="error", layout="wide", strict=False, classify=None, threads=0, **rule_options) -> Dyads:
    """Both partners' scores side by side, paired by the dyad id in column ``dyad``.

    data: one row per person, a DataFrame (scored as ``bowlby.score`` scores it: ``items``,
    ``scale``, ``missing_codes``, ``min_answered``, ``on_invalid``, ``threads`` as there). A dyad
    has exactly two rows; partner 1 is the first in row order or, with ``distinguish`` (a role or
    gender column), the row with the lower value (numbers compared as numbers, anything else
    byte by byte). Dyads with one row, more than two, or equal ``distinguish`` values are not
    paired and are listed in ``unpaired``; ``strict=True`` raises bowlby.Error instead.

    layout: "wide" (dyad; per score s: s_1, s_2, s_diff = s_1 - s_2) or "pairwise" (dyad, actor;
    per score s and partner_s: the layout of actor-partner interdependence models).
    classify: a method of ``bowlby.classify`` (with its options in ``rule_options``,
    fitted to all rows): adds category_1, category_2 and pairing (wide) or category and
    partner_category (pairwise), and the pairing counts.
    """
    if layout not in ("wide", "pairwise"):
        raise OptionError(f"layout takes 'wide' or 'pairwise', not {layout!r}")
    instrument = questionnaire_of(instrument)
    ids = _column(data, dyad, "dyad")
    roles = _column(data, distinguish, "distinguish") if distinguish is not None else []
    scores = score(data, instrument, items=items, scale=scale, missing_codes=missing_codes, min_answered=min_answered,
                   on_invalid=on_invalid, threads=threads)
    names = key_of(instrument).scores
    values = scores[names].to_numpy(dtype=np.float64)
    p = _core.dyads(values, names, ids, roles)
    unpaired = pd.DataFrame({"dyad": [u[0] for u in p["unpaired"]],
                             "rows": [_labels(data.index, u[1]) for u in p["unpaired"]],
                             "reason": [u[2] for u in p["unpaired"]]})
    if strict and len(unpaired):
        listed = "; ".join(f"dyad {d!r} (rows {r}): {why}" for d, r, why in unpaired.itertuples(index=False))
        raise Error(f"{len(unpaired)} dyad(s) cannot be paired (strict=True): {listed}")
    r1, r2 = np.asarray(p["row1"], dtype=np.intp), np.asarray(p["row2"], dtype=np.intp)
    cats = None
    if classify is not None:
        c = _classify(data, instrument, classify, items=items, scale=scale, missing_codes=missing_codes,
                     min_answered=min_answered, on_invalid=on_invalid, threads=threads, **rule_options)
        cats = c["category"].cat.codes.to_numpy(dtype=np.uint8)
    frame = {"dyad": p["dyad"]}
    if layout == "wide":
        for s, name in enumerate(names):
            a, b = values[r1, s], values[r2, s]
            frame[name + "_1"], frame[name + "_2"], frame[name + "_diff"] = a, b, a - b
        if cats is not None:
            frame["category_1"] = pd.Categorical.from_codes(cats[r1], categories=CATEGORIES)
            frame["category_2"] = pd.Categorical.from_codes(cats[r2], categories=CATEGORIES)
            frame["pairing"] = pd.Categorical(_core.pairing_names(list(cats[r1]), list(cats[r2])),
                                              categories=_core.all_pairings())
    else:
        me = np.column_stack([r1, r2]).ravel()
        other = np.column_stack([r2, r1]).ravel()
        frame = {"dyad": np.repeat(np.asarray(p["dyad"], dtype=object), 2),
                 "actor": np.tile(np.array([1, 2], dtype=np.int64), len(r1))}
        for s, name in enumerate(names):
            frame[name], frame["partner_" + name] = values[me, s], values[other, s]
        if cats is not None:
            frame["category"] = pd.Categorical.from_codes(cats[me], categories=CATEGORIES)
            frame["partner_category"] = pd.Categorical.from_codes(cats[other], categories=CATEGORIES)
    statistics = []
    kinds = (("partner_correlation", "cross_partner_correlation") if p["distinguishable"]
             else ("intraclass", "cross_intraclass"))
    for kind in kinds:
        for c in p[kind]:
            statistics.append({"statistic": kind, "x": c["x"], "y": c["y"], "r": c["r"], "z": c.get("z", math.nan),
                               "n": c["n"]})
    stats = pd.DataFrame(statistics, columns=["statistic", "x", "y", "r", "z", "n"])
    pairings = None
    if cats is not None:
        counts = pd.Series(_core.pairing_names(list(cats[r1]), list(cats[r2])), dtype=object).value_counts()
        pairings = pd.Series({k: int(counts.get(k, 0)) for k in _core.all_pairings() + [""]}, dtype=np.int64,
                             name="dyads").rename({"": "unclassified"})
    return Dyads(pd.DataFrame(frame), unpaired, stats, pairings, bool(p["distinguishable"]))


class Change:
    """bowlby.change()'s result.

    frame: one row per person in both waves: the id, per score s: s_pre, s_post, s_change,
    s_rci, s_reliable (increased, decreased, none) and with ``functional`` s_clinical; for
    instruments on the attachment plane joint_d2, joint_p and joint_reliable; with a
    classification category_pre(_p) and category_post(_p). basis: per score the pre wave's n,
    mean, sd and reliability the RCI used (with where each came from), S_diff and criterion c.
    unmatched: ids not paired, their rows in each wave and why. counts: per score the people
    whose change increased, decreased, neither, or is missing; clinical_counts: with
    ``functional``, the same for s_clinical; joint: the joint test's counts (reliable,
    not_reliable, missing) on the attachment plane. transitions: with a
    classification, the pre x post table of categories. Names as in ``bowlby change --report``.
    """

    def __init__(self, frame, basis, unmatched, counts, clinical_counts, joint, transitions):
        self.frame, self.basis, self.unmatched = frame, basis, unmatched
        self.counts, self.clinical_counts, self.joint, self.transitions = counts, clinical_counts, joint, transitions

    @property
    def n_paired(self) -> int:
        return len(self.frame)

    def __repr__(self):
        lines = [f"bowlby change: {self.n_paired} people in both waves, {len(self.unmatched)} ids left out"]
        for name, row in self.counts.iterrows():
            lines.append(f"  {name}: " + ", ".join(f"{k} {int(v)}" for k, v in row.items()))
        if self.joint:
            lines.append(f"  joint ({self.joint['anxiety']}, {self.joint['avoidance']}): reliable "
                         f"{self.joint['reliable']}, not reliable {self.joint['not_reliable']}, "
                         f"missing {self.joint['missing']}")
        return "\n".join(lines)


def _per_score(values, n, what, pair=False):
    """One value per score (None or NaN: none), from a sequence or a {score: value} mapping."""
    if values is None:
        return []
    if isinstance(values, (numbers.Number, str)) or (pair and isinstance(values, tuple) and len(values) == 2
                                                     and all(isinstance(v, numbers.Number) for v in values)):
        raise OptionError(f"{what} takes one value per score ({n}), as a list or a {{score: value}} dict")
    values = list(values)
    if len(values) != n:
        raise OptionError(f"{what} takes {n} values (one per score, None for none); got {len(values)}")
    out = []
    for v in values:
        if v is None or (not pair and isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif pair:
            try:
                m, s = (float(x) for x in v)
            except (TypeError, ValueError):
                raise OptionError(f"{what} takes (mean, sd) per score; got {v!r}") from None
            out.append((m, s))
        else:
            try:
                out.append(float(v))
            except (TypeError, ValueError):
                raise OptionError(f"{what} takes numbers; got {v!r}") from None
    return out


def _by_score(values, names, what, pair=False):
    if isinstance(values, dict):
        unknown = [k for k in values if k not in names]
        if unknown:
            raise OptionError(f"{what} names {unknown[0]!r}, which is not a score ({', '.join(names)})")
        values = [values.get(n) for n in names]
    return _per_score(values, len(names), what, pair)


def change(pre, post, instrument, *, id="id", items=None, scale=None, missing_codes=(),  # noqa: A002
           min_answered=None, on_invalid="error", reliability=None, sd=None, rci_z=1.96, functional=None,
           better="lower", strict=False, classify=None, threads=0, **rule_options) -> Change:
    """Each person's change between two waves and whether it exceeds measurement error.

    pre, post: the two waves, DataFrames with one row per person and the id in column ``id``
    (scored as ``bowlby.score`` scores them). People are paired by id; ids in one wave only or
    repeated in a wave are listed in ``unmatched`` (``strict=True`` raises bowlby.Error).

    The reliable change index of Jacobson & Truax (1991): RCI = (post - pre) / S_diff, S_diff =
    sqrt(2) sd sqrt(1 - r_xx), with sd the pre wave's (n - 1, all its rows with the score) and
    r_xx the pre wave's alpha (keyed as in scoring; a derived score of equal subscales by the
    alpha of their items together). ``reliability`` and ``sd`` give published values instead:
    one per score (None keeps the sample's), a list or a {score: value} dict. Reliable when
    |RCI| > ``rci_z``. functional: the functional population's (mean, sd) per score, for Jacobson
    & Truax's criterion c and s_clinical; better: "lower" (anxiety, avoidance) or "higher".
    classify: a method of ``bowlby.classify`` (options in ``rule_options``): the pre and
    post categories, a rule fitted to the sample (median, kmeans) and the SEMs from the pre wave.
    """
    if better not in ("lower", "higher"):
        raise OptionError(f"better takes 'lower' or 'higher', not {better!r}")
    instrument = questionnaire_of(instrument)
    key = key_of(instrument)
    names = key.scores
    opts = dict(items=items, scale=scale, missing_codes=missing_codes, min_answered=min_answered,
                on_invalid=on_invalid, threads=threads)
    pre_ids, post_ids = _column(pre, id, "id"), _column(post, id, "id")
    pre_scores, post_scores = score(pre, instrument, **opts), score(post, instrument, **opts)
    given = _by_score(reliability, names, "reliability")
    scales_key, scale_of = _core.change_reliability_scales(key)
    codes, _ = scoring_defaults(instrument, missing_codes)  # the call's and a key file's
    alpha = _reliability(pre, scales_key, items=items, scale=scale, missing_codes=codes,
                         on_invalid=on_invalid, threads=threads)
    scale_names = scales_key.scores
    rel = [alpha[scale_names[k]].raw_alpha if k >= 0 else math.nan for k in scale_of]
    source = ["alpha of the pre wave (pairwise)" if k >= 0 else "none (a derived score: give reliability=)"
              for k in scale_of]
    for s, v in enumerate(given):
        if v is not None:
            rel[s], source[s] = v, "given (reliability=)"
    sds = _by_score(sd, names, "sd")
    norms = _by_score(functional, names, "functional", pair=True)
    c = _core.change(key, pre_scores[names].to_numpy(dtype=np.float64), post_scores[names].to_numpy(dtype=np.float64),
                     names, pre_ids, post_ids, rel, sds, float(rci_z), norms, better == "lower")
    unmatched = pd.DataFrame({"id": [u[0] for u in c["unmatched"]],
                              "pre_rows": [_labels(pre.index, u[1]) for u in c["unmatched"]],
                              "post_rows": [_labels(post.index, u[2]) for u in c["unmatched"]],
                              "reason": [u[3] for u in c["unmatched"]]})
    if strict and len(unmatched):
        listed = "; ".join(f"id {i!r}: {why}" for i, why in zip(unmatched["id"], unmatched["reason"]))
        raise Error(f"{len(unmatched)} id(s) cannot be paired (strict=True): {listed}")
    frame = {id: c["id"]}
    reliable = np.array(c["reliable"], dtype=object).reshape(len(c["id"]), len(names))
    clinical = np.array(c["clinical"], dtype=object).reshape(len(c["id"]), len(names)) if c["clinical"] else None
    for s, name in enumerate(names):
        frame[name + "_pre"], frame[name + "_post"] = c["pre"][:, s], c["post"][:, s]
        frame[name + "_change"], frame[name + "_rci"] = c["change"][:, s], c["rci"][:, s]
        frame[name + "_reliable"] = pd.Categorical(reliable[:, s], categories=RELIABLE)
        if clinical is not None:
            frame[name + "_clinical"] = pd.Categorical(clinical[:, s], categories=CLINICAL)
    if c["joint"]:
        frame["joint_d2"], frame["joint_p"] = c["joint_d2"], c["joint_p"]
        frame["joint_reliable"] = pd.array(c["joint_reliable"], dtype="boolean")
    transitions = None
    if classify is not None:
        copts = dict(opts, **rule_options)
        cat_pre = _classify(pre, instrument, classify, **copts)
        cat_post = _classify(post, instrument, classify, fit_on=pre, **copts)
        a = cat_pre.iloc[np.asarray(c["pre_row"], dtype=np.intp)]
        b = cat_post.iloc[np.asarray(c["post_row"], dtype=np.intp)]
        frame["category_pre"], frame["category_pre_p"] = a["category"].to_numpy(), a["category_p"].to_numpy()
        frame["category_post"], frame["category_post_p"] = b["category"].to_numpy(), b["category_p"].to_numpy()
        transitions = pd.crosstab(pd.Categorical(frame["category_pre"], categories=CATEGORIES),
                                  pd.Categorical(frame["category_post"], categories=CATEGORIES),
                                  rownames=["pre"], colnames=["post"], dropna=False)
    out = pd.DataFrame(frame)
    basis = pd.DataFrame(c["basis"]).rename(columns={"score": "name", "n": "pre_n", "mean": "pre_mean"})
    basis.insert(basis.columns.get_loc("sd") + 1, "sd_source",
                 ["given (sd=)" if s < len(sds) and sds[s] is not None else "pre wave, n - 1"
                  for s in range(len(names))])
    basis.insert(basis.columns.get_loc("reliability") + 1, "reliability_source", source)
    if not norms:
        basis = basis.drop(columns="criterion_c")
    basis = basis.set_index("name")
    counts = pd.DataFrame({name: out[name + "_reliable"].value_counts().reindex(RELIABLE, fill_value=0)
                           for name in names}).T
    counts["missing"] = [int(out[name + "_reliable"].isna().sum()) for name in names]
    clinical_counts = None
    if norms:
        clinical_counts = pd.DataFrame({name: out[name + "_clinical"].value_counts().reindex(CLINICAL, fill_value=0)
                                        for name in names}).T
        clinical_counts["missing"] = [int(out[name + "_clinical"].isna().sum()) for name in names]
    joint = None
    if c["joint"]:
        j = out["joint_reliable"]
        joint = {"anxiety": c["plane"][0], "avoidance": c["plane"][1], "level": c["joint_level"],
                 "reliable": int((j == True).sum()), "not_reliable": int((j == False).sum()),  # noqa: E712
                 "missing": int(j.isna().sum())}
    return Change(out, basis, unmatched, counts, clinical_counts, joint, transitions)

