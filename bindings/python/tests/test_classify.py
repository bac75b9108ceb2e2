"""bowlby.classify against `bowlby score --classify`: the same categories and firmness."""
import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE

import bowlby


def check(ours: pd.DataFrame, theirs: pd.DataFrame):
    assert list(ours.columns) == ["category", "category_p"]
    assert isinstance(ours["category"].dtype, pd.CategoricalDtype)
    assert list(ours["category"].cat.categories) == bowlby.CATEGORIES
    assert list(ours["category"].astype(str)) == list(theirs["category"])
    # The tool writes the shortest text that reads back as the same double.
    np.testing.assert_array_equal(ours["category_p"].to_numpy(), theirs["category_p"].to_numpy())


@pytest.mark.parametrize("method", ["midpoint", "median", "brennan1998", "kmeans"])
def test_classifying_answers_equals_the_tool(sample, cli_csv, method):
    theirs = cli_csv("score", "--instrument", "ecr", "--items", "Q1:Q36", "--classify", method, SAMPLE)
    ours = bowlby.classify(sample, "ecr", method=method, items="Q1:Q36")
    check(ours, theirs)
    assert ours.index.equals(sample.index)


def test_classifying_scores_with_given_sems_equals_the_tool(sample, cli_csv):
    theirs = cli_csv("score", "--instrument", "ecr", "--items", "Q1:Q36", "--classify", "midpoint", "--cut", "3.5:4",
                     "--at-cut", "high", "--sem", "0.25:0.22", SAMPLE)
    scores = bowlby.score(sample, "ecr", items="Q1:Q36")
    ours = bowlby.classify(scores, "ecr", cut=(3.5, 4), at_cut="high", sem=(0.25, 0.22))
    check(ours, theirs)


def test_the_aas_reads_close_depend_reflected(cli_csv, tmp_path):
    rng = np.random.default_rng(2)
    answers = pd.DataFrame(rng.integers(1, 6, size=(300, 18)), columns=[f"A{i}" for i in range(1, 19)])
    path = tmp_path / "aas.csv"
    answers.to_csv(path, index=False)
    for method in ("aas", "midpoint"):
        theirs = cli_csv("score", "--instrument", "aas", "--classify", method, path)
        check(bowlby.classify(answers, "aas", method=method), theirs)


def test_the_rq_takes_the_highest_rating_and_the_forced_choice():
    ratings = pd.DataFrame({"secure": [7, 5, 2], "fearful": [1, 5, 2], "preoccupied": [2, 1, 2],
                            "dismissing": [3, 2, 2]})
    c = bowlby.classify(ratings, "rq", method="rq", forced_choice=["", "B", ""])
    assert list(c["category"].astype(str)) == ["secure", "fearful", "unclassified"]
    assert c["category_p"].isna().all()


def test_methods_that_do_not_apply_raise_option_errors(sample):
    with pytest.raises(bowlby.OptionError, match="midpoint, median, brennan1998, kmeans, rq or aas"):
        bowlby.classify(sample, "ecr", method="tallest", items="Q1:Q36")
    with pytest.raises(bowlby.OptionError, match="for the AAS only"):
        bowlby.classify(sample, "ecr", method="aas", items="Q1:Q36")
    with pytest.raises(bowlby.OptionError, match="no anxiety and avoidance"):
        bowlby.classify(np.ones((2, 30)), "rsq")
    with pytest.raises(bowlby.OptionError, match="at_cut"):
        bowlby.classify(sample, "ecr", items="Q1:Q36", at_cut="middle")
    with pytest.raises(bowlby.OptionError, match="1-7"):
        bowlby.classify(pd.DataFrame({"anxiety": [2.0], "avoidance": [3.5]}), "ecr", method="brennan1998",
                        scale=(1, 5))
