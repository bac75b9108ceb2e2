"""bowlby.screen() against `bowlby screen` on the same file (the tool is checked against a base-R
implementation of every index in tests/reference/screen_reference.R), and two indices by hand."""
import numpy as np
import pandas as pd
import pytest

import bowlby

from test_couples import cell, read_cli


def planted(n=300, seed=5):
    """ECR-R answers (36 items, 1-7) from two latent dimensions, with straight-liners, raw-scale
    liners and random responders planted, some gaps, and a duration column."""
    rng = np.random.default_rng(seed)
    anx, avo = rng.normal(4, 1, n), rng.normal(3.5, 1, n)
    q = bowlby.Questionnaire.from_instrument("ecr-r")
    reversed_items = {i for _, _, rev, _ in q.subscales for i in rev}
    x = np.empty((n, 36))
    for j in range(1, 37):
        latent = anx if j % 2 == 0 else avo
        v = np.clip(np.round(latent + rng.normal(0, 0.9, n)), 1, 7)
        x[:, j - 1] = 8 - v if j in reversed_items else v
    x[:5] = 4  # straight-liners
    x[5:10] = np.tile(rng.integers(1, 8, (5, 1)), (1, 36))
    x[10:15] = rng.integers(1, 8, (5, 36))  # random
    x[rng.random(x.shape) < 0.01] = np.nan
    df = pd.DataFrame(x, columns=[f"Q{i}" for i in range(1, 37)])
    df.insert(0, "seconds", np.round(rng.uniform(40, 600, n)))
    df.loc[:4, "seconds"] = 30.0
    return df


@pytest.mark.parametrize("extra", [[], ["--one-pass"], ["--duration", "seconds", "--flag", "irv=0.5",
                                                        "--flag", "longstring=off"]])
def test_screen_equals_the_tool(cli, tmp_path, extra):
    df = planted()
    path = tmp_path / "answers.csv"
    df.to_csv(path, index=False, na_rep="")
    cli("screen", "--instrument", "ecr-r", "--items", "Q1:Q36", *extra, "--output", tmp_path / "out.csv", path)
    theirs = read_cli(tmp_path / "out.csv")
    kwargs = {}
    if "--one-pass" in extra:
        kwargs["one_pass"] = True
    if "--duration" in extra:
        kwargs.update(duration="seconds", flags={"irv": 0.5, "longstring": "off"})
    ours = bowlby.screen(df, "ecr-r", items="Q1:Q36", **kwargs)
    assert list(ours.columns) == list(theirs.columns[1:])  # the tool's first column is row
    for col in ours.columns:
        if col == "flags":
            assert [cell(v) for v in ours[col]] == [cell(v) for v in theirs[col]]
        else:
            np.testing.assert_allclose(ours[col].to_numpy(dtype=float), theirs[col].to_numpy(dtype=float),
                                       rtol=1e-12, atol=1e-12, err_msg=col)
    assert ours["n_flags"].iloc[:10].min() >= 1  # every straight-liner and raw-scale liner raises a flag
    if "--duration" in extra:
        assert all("seconds_per_item" in f for f in ours["flags"].iloc[:5])
        rule = {f["name"]: f for f in ours.attrs["flags_in_force"]}
        assert rule["irv"]["threshold"] == 0.5 and rule["irv"]["source"] == "given with flags="
        assert "longstring" not in rule


def test_longstring_and_irv_by_hand():
    # One row of the ECR-S (12 items) presented in column order: 2 2 2 5 5 1 1 1 1 3 (empty) 3.
    # Runs of answered items: 3, 2, 4, 1, then the gap ends the run, then 1: longstring 4, mean
    # run (3 + 2 + 4 + 1 + 1) / 5 = 2.2. irv: sd (n - 1) of the 11 answers, mean 26 / 11.
    row = [2, 2, 2, 5, 5, 1, 1, 1, 1, 3, np.nan, 3]
    s = bowlby.screen(np.array([row, [4] * 12, [1, 7] * 6], dtype=float), "ecr-s", one_pass=True)
    assert s.loc[0, "longstring"] == 4
    assert s.loc[0, "longstring_avg"] == pytest.approx(2.2, abs=1e-12)
    answered = [v for v in row if v == v]
    m = sum(answered) / 11
    assert s.loc[0, "irv"] == pytest.approx((sum((v - m) ** 2 for v in answered) / 10) ** 0.5, abs=1e-12)
    assert np.isnan(s.loc[0, "evenodd"])  # two subscales: undefined, never +-1


def test_screen_errors():
    df = planted(40)
    with pytest.raises(bowlby.OptionError, match=r"no flag 'speed' for this instrument \(flags: longstring, irv"):
        bowlby.screen(df, "ecr-r", items="Q1:Q36", flags={"speed": 2})
    with pytest.raises(bowlby.OptionError, match="presented_order names 'Q1' twice"):
        bowlby.screen(df, "ecr-r", items="Q1:Q36", presented_order=["Q1", "Q1:Q36"])
    with pytest.raises(bowlby.OptionError, match="duration: row 3 has 'slow'"):
        bowlby.screen(df.assign(seconds=[10, 20, 30, "slow"] + [5] * 36), "ecr-r", items="Q1:Q36", duration="seconds")
