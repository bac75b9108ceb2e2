"""bowlby.reliability and bowlby.Accumulator against `bowlby reliability --json`, field by
field, and the Accumulator's merging and pickling."""
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import ECR_DATA, SAMPLE, assert_same

import bowlby

ITEMS = [f"Q{i}" for i in range(1, 37)]


def compare_with_cli(ours: bowlby.Reliability, theirs: dict):
    mine = ours.to_dict()
    assert mine["missing"] == theirs["missing"] and mine["rows"] == theirs["rows"]
    assert_same(mine["scales"], theirs["scales"], "scales")
    if "intercorrelations" in theirs:
        assert_same(mine["intercorrelations"], theirs["intercorrelations"], "intercorrelations")


def test_reliability_equals_the_tool_field_by_field_on_the_sample(sample, cli_json):
    theirs = cli_json("reliability", "--instrument", "ecr", "--items", "Q1:Q36", "--json", SAMPLE)
    ours = bowlby.reliability(sample, "ecr", items="Q1:Q36")
    compare_with_cli(ours, theirs)
    a = ours["anxiety"]
    assert a.raw_alpha == a["raw_alpha"] == theirs["scales"][0]["raw_alpha"]
    assert list(a.items.index) == [f"Q{i}" for i in range(2, 37, 2)]
    assert a.items.loc["Q4", "r_drop"] == theirs["scales"][0]["items"][1]["r_drop"]
    assert a.ci["feldt"] == tuple(theirs["scales"][0]["ci"]["feldt"])
    assert list(ours) == ["anxiety", "avoidance"]


def test_reliability_equals_the_tool_on_the_real_ecr_data(ecr_data, cli_json):
    theirs = cli_json("reliability", "--instrument", "ecr", "--items", "Q1:Q36", "--scale", "1:5",
                      "--missing-code", "0", "--json", ECR_DATA)
    ours = bowlby.reliability(ecr_data, "ecr", items="Q1:Q36", scale=(1, 5), missing_codes=[0])
    compare_with_cli(ours, theirs)


def test_listwise_and_the_bootstrap_equal_the_tool(sample, cli_json):
    theirs = cli_json("reliability", "--instrument", "ecr", "--items", "Q1:Q36", "--listwise", "--bootstrap", "200",
                      "--seed", "7", "--json", SAMPLE)
    ours = bowlby.reliability(sample, "ecr", items="Q1:Q36", listwise=True, bootstrap=200, seed=7)
    compare_with_cli(ours, theirs)
    assert ours["avoidance"].ci["bootstrap_repetitions"] == 200


def test_one_scale_of_columns_with_reversed_items_equals_the_tool(sample, cli_json):
    theirs = cli_json("reliability", "--items", "Q1,Q3,Q5,Q7,Q9", "--reverse", "Q3", "--scale", "1:7", "--json",
                      SAMPLE)
    ours = bowlby.reliability(sample, items=["Q1", "Q3", "Q5", "Q7", "Q9"], reverse=["Q3"], scale=(1, 7))
    compare_with_cli(ours, theirs)
    assert ours.instrument is None and ours.intercorrelations is None


def test_to_frame_gives_psychs_tables(sample):
    rel = bowlby.reliability(sample, "ecr", items="Q1:Q36")
    f = rel.to_frame()
    assert list(f.total.columns) == ["raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N", "ase", "mean", "sd",
                                     "median_r"]
    assert list(f.total.index) == ["anxiety", "avoidance"]
    assert f.total.loc["avoidance", "std.alpha"] == rel["avoidance"].std_alpha
    assert list(f.alpha_drop.columns) == ["raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N", "alpha se",
                                          "var.r", "med.r"]
    assert f.alpha_drop.loc[("anxiety", "Q2"), "raw_alpha"] == rel["anxiety"].items.loc["Q2",
                                                                                          "alpha_if_dropped.raw_alpha"]
    assert list(f.item_stats.columns) == ["n", "raw.r", "std.r", "r.cor", "r.drop", "mean", "sd"]
    r = rel.intercorrelations["r"]
    assert r.loc["anxiety", "avoidance"] == pytest.approx(r.loc["avoidance", "anxiety"], abs=1e-15)


def test_the_printout_is_the_tools_table(sample, cli):
    text = cli("reliability", "--instrument", "ecr", "--items", "Q1:Q36", SAMPLE)
    rel = bowlby.reliability(sample, "ecr", items="Q1:Q36")
    assert repr(rel["anxiety"]) in text and repr(rel["avoidance"]) in text
    assert repr(rel["anxiety"]).startswith("Reliability of anxiety: 18 items, 2000 rows")
    assert "Scale intercorrelations" in repr(rel)


def test_an_accumulator_in_chunks_merged_and_pickled_equals_one_pass(sample):
    whole = bowlby.reliability(sample, "ecr", items="Q1:Q36")
    a = bowlby.Accumulator("ecr", items="Q1:Q36")
    for start in range(0, 1200, 300):
        a.add(sample.iloc[start:start + 300])
    b = bowlby.Accumulator("ecr", items="Q1:Q36").add(sample.iloc[1200:])
    b2 = pickle.loads(pickle.dumps(b))
    assert b2.to_bytes() == b.to_bytes() and b2.rows == 800
    merged = pickle.loads(pickle.dumps(a)).merge(b2)
    assert merged.rows == 2000
    assert_same(merged.reliability().to_dict()["scales"], whole.to_dict()["scales"])


def test_a_questionnaires_accumulator_pickles_with_its_key():
    q = bowlby.Questionnaire("mine", 4, scale=(1, 5)).add_subscale("a", [1, 2, 3, 4], reversed=[4])
    rng = np.random.default_rng(1)
    x = rng.integers(1, 6, size=(500, 4)).astype(float)
    acc = pickle.loads(pickle.dumps(bowlby.Accumulator(q).add(x)))
    direct = bowlby.reliability(x, q)
    assert_same(acc.reliability().to_dict()["scales"], direct.to_dict()["scales"])


def test_accumulators_of_other_keys_or_options_do_not_mix(sample):
    ecr = bowlby.Accumulator("ecr", items="Q1:Q36").add(sample)
    with pytest.raises(bowlby.OptionError, match=r"the instruments differ \('ecr' and 'ecr-r'\)"):
        ecr.merge(bowlby.Accumulator("ecr-r", items="Q1:Q36"))
    with pytest.raises(bowlby.OptionError, match=r"the response scales differ \(1..7 and 1..5\)"):
        ecr.merge(bowlby.Accumulator("ecr", items="Q1:Q36", scale=(1, 5)))
    ecr.merge(bowlby.Accumulator("ecr", items="Q1:Q36", missing_codes=[0]))  # which answers count only
    state = ecr.__getstate__()
    with pytest.raises(bowlby.Error, match="the response scales differ"):
        bowlby.Accumulator.__new__(bowlby.Accumulator).__setstate__(dict(state, scale=(1.0, 5.0)))
    with pytest.raises(bowlby.Error, match="this bowlby reads 1"):
        bowlby.Accumulator.__new__(bowlby.Accumulator).__setstate__(dict(state, format=2))
    with pytest.raises(bowlby.Error, match="format version 9"):
        raw = bytearray(state["bytes"])
        raw[30] = 9  # the version word after the 30-byte magic line
        bowlby.Accumulator.__new__(bowlby.Accumulator).__setstate__(dict(state, bytes=bytes(raw)))
    with pytest.raises(bowlby.OptionError, match="bootstrap"):
        bowlby.reliability(sample, items=["Q1", "Q2"], bootstrap=-1)


def test_degenerate_data_give_nan_and_warnings():
    x = np.array([[1.0, 2.0, 3.0], [1.0, 3.0, 2.0]])
    r = bowlby.reliability(x, scale=(1, 5))["scale"]
    assert math.isnan(r.raw_alpha) and any("fewer than 3 rows" in w for w in r.warnings)
    assert r.to_dict()["raw_alpha"] is None
    with pytest.raises(bowlby.OptionError):
        bowlby.reliability(x, items=[0])
    with pytest.raises(bowlby.OptionError):
        bowlby.reliability(x, reverse=[1])
    with pytest.raises(bowlby.OptionError):
        bowlby.reliability(x, "ecr", reverse=[1])
    with pytest.raises(bowlby.OptionError):
        bowlby.reliability(pd.DataFrame(x), ci_level=1.5)
