"""bowlby on Dask DataFrames: scoring one task per partition, and reliability from one
Accumulator per partition merged in a tree, so that no worker ever holds more than a partition
of rows (the accumulators travel as their byte format, a few tens of kilobytes).

    import dask.dataframe as dd
    import bowlby.dask
    ddf = dd.read_csv("shards/*.csv")
    scores = bowlby.dask.score(ddf, "ecr", items="Q1:Q36", scale=(1, 5), missing_codes=[0])
    rel = bowlby.dask.reliability(ddf, "ecr", items="Q1:Q36", scale=(1, 5), missing_codes=[0])
"""
from __future__ import annotations

import dask
import dask.dataframe as dd

from ._reliability import Accumulator, _own_scale, Reliability
from ._score import score as _score_frame
from ._errors import OptionError

__all__ = ["score", "reliability", "accumulate"]


def _score_partition(part, instrument, options):
    return _score_frame(part, instrument, **options)


def score(ddf: dd.DataFrame, instrument, *, items=None, scale=None, missing_codes=(), min_answered=None,
          on_invalid="error", threads=1) -> dd.DataFrame:
    """bowlby.score on every partition (one task each; nothing is computed here). The result's
    metadata is bowlby.score's output on the input's (empty) metadata: the score columns, their
    answered counts and the status Categorical, with the input's index. ``threads`` is per task
    (1: Dask's workers already run partitions side by side)."""
    if not isinstance(ddf, dd.DataFrame):
        raise OptionError(f"bowlby.dask.score takes a dask DataFrame, not {type(ddf).__name__}")
    options = dict(items=items, scale=scale, missing_codes=missing_codes, min_answered=min_answered,
                   on_invalid=on_invalid, threads=threads)
    meta = _score_frame(ddf._meta, instrument, **options)
    return ddf.map_partitions(_score_partition, instrument, options, meta=meta, enforce_metadata=False)


def _accumulate(part, instrument, options):
    return Accumulator(instrument, **options).add(part)


def _merge(*accumulators):
    first = accumulators[0]
    for other in accumulators[1:]:
        first.merge(other)
    return first


def accumulate(ddf: dd.DataFrame, instrument, *, items=None, scale=None, missing_codes=(), on_invalid="error",
               threads=1, split_every=8):
    """A dask.delayed Accumulator of the whole DataFrame: one per partition, merged ``split_every``
    at a time in a tree. ``instrument`` is a built-in id or a bowlby.Questionnaire."""
    if not isinstance(ddf, dd.DataFrame):
        raise OptionError(f"bowlby.dask takes a dask DataFrame, not {type(ddf).__name__}")
    if split_every < 2:
        raise OptionError("split_every takes a whole number from 2")
    options = dict(items=items, scale=scale, missing_codes=missing_codes, on_invalid=on_invalid, threads=threads)
    Accumulator(instrument, **options).add(ddf._meta)  # the arguments' errors here, not on a worker
    level = [dask.delayed(_accumulate)(p, instrument, options) for p in ddf.to_delayed()]
    while len(level) > 1:
        level = [dask.delayed(_merge)(*level[i:i + split_every]) for i in range(0, len(level), split_every)]
    return level[0]


def reliability(ddf: dd.DataFrame, instrument=None, *, items=None, reverse=None, scale=None, missing_codes=(),
                on_invalid="error", listwise=False, seed=None, ci_level=0.95, threads=1, split_every=8) -> Reliability:
    """bowlby.reliability of a Dask DataFrame, computed: equal to the in-memory result on the
    concatenated partitions (the merge is exact up to rounding), whatever the partitioning.
    ``instrument=None`` takes one scale of the ``items`` columns (``reverse`` on ``scale``).
    No bootstrap: it resamples rows, which are never gathered."""
    own_scale = instrument is None
    if own_scale:
        q, ans = _own_scale(ddf._meta, items, reverse, scale)
        instrument, items, scale = q, ans.names, None
    elif reverse is not None:
        raise OptionError("reverse goes with items alone: an instrument's key says which items are reversed")
    acc = accumulate(ddf, instrument, items=items, scale=scale, missing_codes=missing_codes, on_invalid=on_invalid,
                     threads=threads, split_every=split_every).compute()
    result = acc.reliability(listwise=listwise, ci_level=ci_level, seed=seed)
    if own_scale:
        result.instrument = None  # as bowlby.reliability reports one scale of columns
    return result
