"""Key files (docs/key-files.md) in the Python package: every built-in exported by the tool and
read back scores as the built-in; a questionnaire of one's own scores as worked out by hand;
a malformed key names the file and the JSON path; the files match docs/key-file.schema.json."""
import json

import numpy as np
import pandas as pd
import pytest

import bowlby
from conftest import REPO

BUILT_INS = ["ecr", "ecr-r", "ecr-s", "ecr-12", "ecr-rs", "rq", "rsq", "aas", "saam"]

OWN_KEY = {
    "bowlby_key": 1, "id": "own", "name": "Own scale", "scale": {"min": 1, "max": 5},
    "items": ["A1", "A2", "A3", "A4"],
    "subscales": [{"name": "closeness", "items": ["A1", "A2"], "reversed": ["A2"]},
                  {"name": "worry", "items": [3, 4], "aggregation": "sum"}],
    "derived": [{"name": "diff", "terms": [{"subscale": "closeness"}, {"item": "A3", "weight": -1}]}],
    "missing_codes": [-9], "min_answered": 0.5,
}


def answers_for(n_items, lo, hi, rows=300, seed=5):
    rng = np.random.default_rng(seed)
    x = rng.integers(lo, hi + 1, size=(rows, n_items)).astype(np.float64)
    x[rng.random(x.shape) < 0.1] = np.nan
    return x


@pytest.mark.parametrize("instrument", BUILT_INS)
def test_exported_built_in_scores_as_the_built_in(cli, tmp_path, instrument):
    path = tmp_path / f"{instrument}.json"
    path.write_text(cli("instruments", "--export", instrument))
    d = json.loads(path.read_text())
    x = answers_for(d["n_items"], d["scale"]["min"], d["scale"]["max"])
    by_key, by_id = bowlby.score(x, str(path)), bowlby.score(x, instrument)
    pd.testing.assert_frame_equal(by_key, by_id)
    pd.testing.assert_frame_equal(bowlby.score(x, path), by_id)  # a path object too
    rel_key, rel_id = bowlby.reliability(x, path), bowlby.reliability(x, instrument)
    assert list(rel_key) == list(rel_id)
    for name in rel_id:
        np.testing.assert_equal(rel_key[name].raw_alpha, rel_id[name].raw_alpha)  # NaN for one-item scales
    assert repr(rel_key) == repr(rel_id)


def test_own_key_by_hand(tmp_path):
    # Scale 1-5: a reversed answer x counts as 6 - x. closeness = mean(A1, 6 - A2); worry = sum of
    # A3 and A4 (prorated: mean x 2); diff = closeness - A3, its count closeness's + 1.
    # p1: closeness (3 + 1) / 2 = 2, worry 2 + 4 = 6, diff 0. p2: A1 missing, A2 2 -> closeness 4;
    # A4 -9 (the key's missing code) -> worry 1 x 2 = 2; diff 4 - 1 = 3. p3: nothing answered.
    path = tmp_path / "own.json"
    path.write_text(json.dumps(OWN_KEY))
    df = pd.DataFrame({"id": ["p1", "p2", "p3"], "A4": [4, -9, -9], "A3": [2, 1, -9], "A2": [5, 2, -9],
                       "A1": [3, np.nan, -9], "extra": ["x", "y", "z"]}).set_index("id")
    q = bowlby.read_key(path)
    assert (q.missing_codes, q.min_answered) == ([-9.0], 0.5)
    out = bowlby.score(df, q)  # the item columns found by the key's names
    assert list(out.columns) == ["closeness", "closeness_n", "worry", "worry_n", "diff", "diff_n", "status"]
    np.testing.assert_array_equal(out["closeness"], [2, 4, np.nan])
    np.testing.assert_array_equal(out["worry"], [6, 2, np.nan])
    np.testing.assert_array_equal(out["diff"], [0, 3, np.nan])
    np.testing.assert_array_equal(out["diff_n"], [3, 2, 0])
    assert list(out["status"]) == ["complete", "prorated", "insufficient"]
    assert list(out.index) == ["p1", "p2", "p3"]
    strict = bowlby.score(df, path, min_answered=1)  # the call's min_answered over the key's
    assert list(strict["status"]) == ["complete", "insufficient", "insufficient"]


def test_malformed_key_names_the_file_and_the_field(tmp_path):
    bad = dict(OWN_KEY, subscales=[{"name": "closeness", "items": [1, 2], "reversed": [40]}])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(bowlby.OptionError, match=r"bad\.json: subscales\[0\]\.reversed\[0\]: item 40 is not one of "
                                                 r"the key's 4 items"):
        bowlby.read_key(path)
    with pytest.raises(bowlby.OptionError, match="cannot open the key file"):
        bowlby.score(np.ones((2, 4)), str(tmp_path / "absent.json"))


def test_key_files_match_the_schema(cli, tmp_path):
    jsonschema = pytest.importorskip("jsonschema", reason="python3-jsonschema (scripts/install-deps.sh python)")
    schema = json.loads((REPO / "docs" / "key-file.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for instrument in BUILT_INS:
        validator.validate(json.loads(cli("instruments", "--export", instrument)))
    validator.validate(OWN_KEY)
    misspelt = dict(OWN_KEY, subscales=[{"name": "a", "items": [1], "reverse": [1]}])
    assert not validator.is_valid(misspelt)
    assert not validator.is_valid(dict(OWN_KEY, min_answered=50))
    assert not validator.is_valid({k: v for k, v in OWN_KEY.items() if k != "bowlby_key"})
