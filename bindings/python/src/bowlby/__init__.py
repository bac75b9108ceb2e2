"""bowlby: scoring and reliability of adult-attachment questionnaires (the ECR family, the RQ,
the RSQ, the AAS, the SAAM) for pandas and Dask, on the C++ library of the same name.

    import bowlby
    scores = bowlby.score(df, "ecr", items="Q1:Q36", scale=(1, 5), missing_codes=[0])
    rel = bowlby.reliability(df, "ecr", items="Q1:Q36", scale=(1, 5), missing_codes=[0])
    rel["anxiety"].raw_alpha

See docs/python.md in the repository. bowlby.dask holds the Dask versions.
"""
from ._errors import DTypeError, Error, InvalidResponse, OptionError, ShapeError, UnknownInstrument  # noqa: I001
from . import _core
from ._data import Questionnaire, read_key
from ._score import STATUSES, instruments, score
from ._reliability import Accumulator, Frames, Reliability, ScaleReliability, reliability
from ._classify import CATEGORIES, classify
from ._couples import Change, Dyads, change, dyads

__version__ = _core.version

__all__ = ["Accumulator", "CATEGORIES", "Change", "DTypeError", "Dyads", "Error", "Frames", "InvalidResponse", "OptionError",
           "Questionnaire", "Reliability", "STATUSES", "ScaleReliability", "ShapeError", "UnknownInstrument",
           "change", "classify", "dyads", "instruments", "read_key", "reliability", "score"]
