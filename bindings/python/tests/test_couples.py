"""bowlby.dyads() and bowlby.change() against the `bowlby dyads` and `bowlby change` tools on the
same files (the tools are checked against a base-R implementation in tests/reference), and the
statistics against their formulas written out here in numpy."""
import math

import numpy as np
import pandas as pd
import pytest

import bowlby

# ECR-S: 12 items on 1-7; anxiety = items 2 4 6 8 10 12 (8 reversed), avoidance = 1 3 5 7 9 11
# (1 5 9 reversed).
ANX, ANX_REV = [2, 4, 6, 8, 10, 12], [8]
AVO, AVO_REV = [1, 3, 5, 7, 9, 11], [1, 5, 9]
ITEMS = [f"Q{i}" for i in range(1, 13)]


def answers_for(rng, anx, avo):
    """Answers on 1-7 whose keyed means are near the latent scores; reversed items written reversed."""
    x = np.empty((len(anx), 12))
    for j in ANX:
        x[:, j - 1] = np.clip(np.round(anx + rng.normal(0, 0.8, len(anx))), 1, 7)
    for j in AVO:
        x[:, j - 1] = np.clip(np.round(avo + rng.normal(0, 0.8, len(avo))), 1, 7)
    for j in ANX_REV + AVO_REV:
        x[:, j - 1] = 8 - x[:, j - 1]
    return x


def keyed_mean(x, items, rev):
    k = x[:, [i - 1 for i in items]].copy()
    for r in rev:
        k[:, items.index(r)] = 8 - k[:, items.index(r)]
    return np.nanmean(k, axis=1)


@pytest.fixture(scope="module")
def couples():
    """60 couples sharing a couple component (planted similarity), then a single, a triple, a
    couple whose two roles are equal and a row with no couple id."""
    rng = np.random.default_rng(27)
    n = 60
    shared_anx, shared_avo = rng.normal(4, 1, n), rng.normal(3.5, 1, n)
    anx = np.concatenate([shared_anx + rng.normal(0, 0.6, n), shared_anx + rng.normal(0, 0.6, n)])
    avo = np.concatenate([shared_avo + rng.normal(0, 0.6, n), shared_avo - 0.5 + rng.normal(0, 0.6, n)])
    x = answers_for(rng, anx, avo)
    x[5, 0] = np.nan  # an unanswered item: scored from the rest
    x[70, [0, 2, 4, 6]] = np.nan  # avoidance from 2 of 6 items: missing
    df = pd.DataFrame(x, columns=ITEMS)
    df.insert(0, "couple", [f"C{i + 1:02d}" for i in range(n)] * 2)
    df.insert(1, "role", [2] * n + [1] * n)  # partner 1 by role is the second row of each couple
    extra = pd.DataFrame(answers_for(rng, np.full(7, 4.0), np.full(7, 4.0)), columns=ITEMS)
    extra.insert(0, "couple", ["S1", "T1", "T1", "T1", "E1", "E1", None])
    extra.insert(1, "role", [1, 1, 2, 1, 2, 2, 1])
    return pd.concat([df, extra], ignore_index=True)


def write(df, path):
    df.to_csv(path, index=False, na_rep="")
    return path


def frame_equal(ours: pd.DataFrame, theirs: pd.DataFrame):
    assert list(ours.columns) == list(theirs.columns)
    assert len(ours) == len(theirs)
    for col in theirs.columns:
        a, b = ours[col], theirs[col]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=1e-12, atol=1e-12,
                                       err_msg=col)
        else:
            assert [cell(v) for v in a] == [cell(v) for v in b], col


def cell(v):
    """A value as the tool's CSV writes it: booleans true/false, missing values empty."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    return str(v)


def read_cli(text_csv):
    return pd.read_csv(text_csv, float_precision="round_trip", keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("layout", ["wide", "pairwise"])
@pytest.mark.parametrize("role", [False, True])
def test_dyads_equal_the_tool(couples, cli, tmp_path, layout, role):
    path = write(couples, tmp_path / "couples.csv")
    args = ["dyads", "--instrument", "ecr-s", "--items", "Q1:Q12", "--dyad", "couple", "--layout", layout,
            "--classify", "median", "--output", tmp_path / "out.csv", "--report", tmp_path / "report.json"]
    if role:
        args += ["--distinguish", "role"]
    cli(*args, path)
    theirs = read_cli(tmp_path / "out.csv")
    ours = bowlby.dyads(couples, "ecr-s", items="Q1:Q12", dyad="couple", distinguish="role" if role else None,
                        layout=layout, classify="median")
    theirs["dyad"] = theirs["dyad"].astype(str)
    frame_equal(ours.frame, theirs)
    import json
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["dyads"] == ours.n_dyads == (60 if role else 61)  # without roles, E1 is a couple
    assert [u["dyad"] for u in report["unpaired"]] == list(ours.unpaired["dyad"])
    assert [u["reason"] for u in report["unpaired"]] == list(ours.unpaired["reason"])
    assert [u["rows"] for u in report["unpaired"]] == [len(r) for r in ours.unpaired["rows"]]
    kinds = ("partner_correlation", "cross_partner_correlation") if role else ("intraclass", "cross_intraclass")
    for kind in kinds:
        ours_k = ours.statistics[ours.statistics["statistic"] == kind]
        assert len(ours_k) == len(report[kind])
        for (_, a), b in zip(ours_k.iterrows(), report[kind]):
            assert (a["x"], a["y"], a["n"]) == (b["x"], b["y"], b["n"])
            assert a["r"] == pytest.approx(b["r"], abs=1e-12)
            if "z" in b:
                assert a["z"] == pytest.approx(b["z"], abs=1e-12)
    assert ours.pairings.to_dict() == report["pairings"]


def test_the_intraclass_correlation_is_griffin_and_gonzalez(couples):
    d = bowlby.dyads(couples, "ecr-s", items="Q1:Q12", dyad="couple")
    w = d.frame
    for score in ("anxiety", "avoidance"):
        # Written out: r = sum 2 (x1 - m)(x2 - m) / sum ((x1 - m)^2 + (x2 - m)^2) over the dyads
        # with both scores, m the mean of all 2N scores; z = r sqrt(N).
        both = w[[score + "_1", score + "_2"]].dropna().to_numpy()
        m = both.mean()
        r = np.sum(2 * (both[:, 0] - m) * (both[:, 1] - m)) / np.sum((both[:, 0] - m) ** 2 + (both[:, 1] - m) ** 2)
        row = d.statistics[(d.statistics["statistic"] == "intraclass") & (d.statistics["x"] == score)].iloc[0]
        assert row["n"] == len(both)
        assert row["r"] == pytest.approx(r, abs=1e-12)
        assert row["z"] == pytest.approx(r * math.sqrt(len(both)), abs=1e-12)
        assert r > 0.3  # the planted similarity
    # Cross-intraclass: one partner's anxiety with the other's avoidance, both ways, over the dyads
    # with all four scores.
    four = w[["anxiety_1", "anxiety_2", "avoidance_1", "avoidance_2"]].dropna().to_numpy()
    x1, x2, y1, y2 = four.T
    mx, my = np.concatenate([x1, x2]).mean(), np.concatenate([y1, y2]).mean()
    num = np.sum((x1 - mx) * (y2 - my) + (x2 - mx) * (y1 - my))
    den = math.sqrt(np.sum((x1 - mx) ** 2 + (x2 - mx) ** 2) * np.sum((y1 - my) ** 2 + (y2 - my) ** 2))
    row = d.statistics[d.statistics["statistic"] == "cross_intraclass"].iloc[0]
    assert (row["n"], row["r"]) == (len(four), pytest.approx(num / den, abs=1e-12))


def test_wide_rows_by_hand(couples):
    d = bowlby.dyads(couples, "ecr-s", items="Q1:Q12", dyad="couple", distinguish="role", classify="midpoint")
    x = couples[ITEMS].to_numpy()
    # Couple C01: rows 0 (role 2) and 60 (role 1): partner 1 is row 60.
    anx = keyed_mean(x, ANX, ANX_REV)
    first = d.frame.iloc[0]
    assert first["dyad"] == "C01"
    assert first["anxiety_1"] == pytest.approx(anx[60], abs=1e-12)
    assert first["anxiety_2"] == pytest.approx(anx[0], abs=1e-12)
    assert first["anxiety_diff"] == pytest.approx(anx[60] - anx[0], abs=1e-12)
    a, b = sorted([str(first["category_1"]), str(first["category_2"])])
    assert first["pairing"] == ("" if "unclassified" in (a, b) else f"{a}+{b}") or pd.isna(first["pairing"])


def test_unpaired_dyads_listed_or_an_error_when_strict(couples):
    d = bowlby.dyads(couples, "ecr-s", items="Q1:Q12", dyad="couple", distinguish="role")
    listed = {u.dyad: (u.rows, u.reason) for u in d.unpaired.itertuples()}
    assert listed["S1"] == ([120], "one row")
    assert listed["T1"] == ([121, 122, 123], "more than two rows")
    assert listed["E1"] == ([124, 125], "equal distinguishing values")
    assert listed[""] == ([126], "no dyad id")
    with pytest.raises(bowlby.Error, match=r"4 dyad\(s\) cannot be paired \(strict=True\).*'T1'"):
        bowlby.dyads(couples, "ecr-s", items="Q1:Q12", dyad="couple", distinguish="role", strict=True)
    with pytest.raises(bowlby.OptionError, match="layout takes 'wide' or 'pairwise'"):
        bowlby.dyads(couples, "ecr-s", items="Q1:Q12", dyad="couple", layout="long")
    with pytest.raises(bowlby.OptionError, match="dyad='pair' is not a column"):
        bowlby.dyads(couples, "ecr-s", items="Q1:Q12", dyad="pair")


@pytest.fixture(scope="module")
def waves():
    """80 people; the first 10 improve by 2 points on both dimensions (planted reliable change);
    one id only in the pre wave, one only in the post wave, one repeated in the post wave."""
    rng = np.random.default_rng(91)
    n = 80
    anx, avo = rng.normal(4.5, 1, n), rng.normal(4, 1, n)
    pre = pd.DataFrame(answers_for(rng, anx, avo), columns=ITEMS)
    shift = np.where(np.arange(n) < 10, -2.0, 0.0)
    post = pd.DataFrame(answers_for(rng, anx + shift, avo + shift), columns=ITEMS)
    pre.insert(0, "id", [f"P{i + 1}" for i in range(n)])
    post.insert(0, "id", [f"P{i + 1}" for i in range(n)])
    pre.loc[n] = ["ONLYPRE"] + list(answers_for(rng, np.array([4.0]), np.array([4.0]))[0])
    post.loc[n] = ["ONLYPOST"] + list(answers_for(rng, np.array([4.0]), np.array([4.0]))[0])
    post.loc[n + 1] = ["P80"] + list(post.iloc[79, 1:])
    post.iloc[3, 1:4] = np.nan  # a few unanswered items
    return pre, post


def test_change_equals_the_tool(waves, cli, tmp_path):
    pre, post = waves
    a, b = write(pre, tmp_path / "pre.csv"), write(post, tmp_path / "post.csv")
    cli("change", "--instrument", "ecr-s", "--items", "Q1:Q12", "--id", "id", "--pre-file", a, "--post-file", b,
        "--functional", "3:1,2.5:0.9", "--classify", "median", "--output", tmp_path / "out.csv",
        "--report", tmp_path / "report.json")
    theirs = read_cli(tmp_path / "out.csv")
    ours = bowlby.change(pre, post, "ecr-s", id="id", items="Q1:Q12", functional=[(3, 1), (2.5, 0.9)],
                         classify="median")
    frame_equal(ours.frame, theirs)
    import json
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["paired"] == ours.n_paired == 79
    assert [(u["id"], u["reason"]) for u in report["unmatched"]] == list(zip(ours.unmatched["id"],
                                                                             ours.unmatched["reason"]))
    for s in report["scores"]:
        b = ours.basis.loc[s["name"]]
        for field in ("pre_n", "pre_mean", "sd", "reliability", "s_diff", "criterion_c"):
            assert b[field] == pytest.approx(s[field], abs=1e-12), field
        assert [int(ours.counts.loc[s["name"], k]) for k in ("increased", "decreased", "none", "missing")] == \
               [s[k] for k in ("increased", "decreased", "none", "missing")]
        assert ours.clinical_counts.loc[s["name"]].to_dict() == s["clinical"]
    assert {k: ours.joint[k] for k in ("reliable", "not_reliable", "missing")} == \
           {k: report["joint"][k] for k in ("reliable", "not_reliable", "missing")}
    t = report["transitions"]
    assert {a: {b: int(ours.transitions.loc[a, b]) for b in t[a]} for a in t} == t


def test_the_reliable_change_index_by_its_formula(waves):
    pre, post = waves
    ours = bowlby.change(pre, post, "ecr-s", id="id", items="Q1:Q12")
    x = pre[ITEMS].to_numpy()
    rel = bowlby.reliability(pre, "ecr-s", items="Q1:Q12")
    for score, items, rev in (("anxiety", ANX, ANX_REV), ("avoidance", AVO, AVO_REV)):
        s_pre = keyed_mean(x, items, rev)  # every item answered in the pre wave
        sd = np.std(s_pre, ddof=1)  # over all pre rows, paired or not
        alpha = rel[score].raw_alpha
        s_diff = math.sqrt(2) * sd * math.sqrt(1 - alpha)
        f = ours.frame
        rci = (f[score + "_post"] - f[score + "_pre"]) / s_diff
        np.testing.assert_allclose(f[score + "_rci"], rci, rtol=1e-12, atol=1e-12)
        expect = np.where(rci > 1.96, "increased", np.where(rci < -1.96, "decreased", "none"))
        assert list(f[score + "_reliable"].astype(str)) == list(expect)
        assert (f[score + "_reliable"].iloc[:10] == "decreased").sum() >= 8  # the planted improvement
    d2 = ours.frame["anxiety_rci"] ** 2 + ours.frame["avoidance_rci"] ** 2
    np.testing.assert_allclose(ours.frame["joint_p"], np.exp(-d2 / 2), rtol=1e-12)  # chi-square, 2 df
    assert ours.basis.loc["anxiety", "reliability_source"] == "alpha of the pre wave (pairwise)"


def test_given_reliability_and_sd_and_strict(waves):
    pre, post = waves
    c = bowlby.change(pre, post, "ecr-s", id="id", items="Q1:Q12", reliability={"anxiety": 0.9}, sd=[1.0, None])
    b = c.basis
    assert (b.loc["anxiety", "reliability"], b.loc["anxiety", "sd"]) == (0.9, 1.0)
    assert b.loc["anxiety", "reliability_source"] == "given (reliability=)"
    assert b.loc["avoidance", "sd_source"] == "pre wave, n - 1"
    f = c.frame
    np.testing.assert_allclose(f["anxiety_rci"], f["anxiety_change"] / (math.sqrt(2) * math.sqrt(1 - 0.9)), rtol=1e-12)
    with pytest.raises(bowlby.Error, match=r"3 id\(s\) cannot be paired \(strict=True\).*'ONLYPRE': pre wave only"):
        bowlby.change(pre, post, "ecr-s", id="id", items="Q1:Q12", strict=True)
    with pytest.raises(bowlby.OptionError, match="reliability takes 2 values"):
        bowlby.change(pre, post, "ecr-s", id="id", items="Q1:Q12", reliability=[0.9])
    with pytest.raises(bowlby.OptionError, match="reliability names 'worry'"):
        bowlby.change(pre, post, "ecr-s", id="id", items="Q1:Q12", reliability={"worry": 0.9})
