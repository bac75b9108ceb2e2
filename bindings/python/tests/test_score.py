"""bowlby.score against the `bowlby` tool's scores, on every input type, and its errors."""
import numpy as np
import pandas as pd
import pytest

import bowlby

ITEMS = [f"Q{i}" for i in range(1, 37)]
DTYPES = ["float64", "float32", "uint8", "int8", "int16", "int32", "int64"]


def check_against_cli(ours: pd.DataFrame, theirs: pd.DataFrame, scores):
    assert list(ours.columns) == [c for s in scores for c in (s, s + "_n")] + ["status"]
    for s in scores:
        # The tool writes the shortest text that reads back as the same double: equal to the bit.
        np.testing.assert_array_equal(ours[s].to_numpy(), theirs[s].to_numpy(), err_msg=s)
        np.testing.assert_array_equal(ours[s + "_n"].to_numpy(), theirs[s + "_n"].to_numpy(), err_msg=s)
    assert list(ours["status"].astype(str)) == list(theirs["status"])


def test_instruments_lists_the_built_ins():
    ids = [i["id"] for i in bowlby.instruments()]
    assert ids[:2] == ["ecr", "ecr-r"] and "saam" in ids
    ecr = bowlby.instruments()[0]
    assert ecr["items"] == 36 and ecr["scale"] == (1.0, 7.0) and ecr["scores"] == ["anxiety", "avoidance"]
    assert "Brennan" in ecr["citation"]


def test_scores_equal_the_tool_on_the_sample(sample, cli_csv):
    from conftest import SAMPLE
    theirs = cli_csv("score", "--instrument", "ecr", "--items", "Q1:Q36", "--keep", "id", SAMPLE)
    ours = bowlby.score(sample, "ecr", items="Q1:Q36")
    check_against_cli(ours, theirs, ["anxiety", "avoidance"])
    assert ours.index.equals(sample.index)
    assert isinstance(ours["status"].dtype, pd.CategoricalDtype)
    assert list(ours["status"].cat.categories) == ["complete", "prorated", "insufficient"]


def test_scores_equal_the_tool_on_the_real_ecr_data(ecr_data, cli_csv):
    from conftest import ECR_DATA
    theirs = cli_csv("score", "--instrument", "ecr", "--items", "Q1:Q36", "--scale", "1:5", "--missing-code", "0",
                     ECR_DATA)
    ours = bowlby.score(ecr_data, "ecr", items="Q1:Q36", scale=(1, 5), missing_codes=[0])
    check_against_cli(ours, theirs, ["anxiety", "avoidance"])
    assert (ours["status"] == "insufficient").sum() > 0  # rows without answers on a subscale


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
def test_every_dtype_and_order_gives_the_same_scores(sample, dtype, order):
    answers = sample[ITEMS].to_numpy()
    reference = bowlby.score(sample, "ecr", items="Q1:Q36", threads=1)
    if np.dtype(dtype).kind == "f":
        x = np.array(answers, dtype=dtype, order=order)
        ours = bowlby.score(x, "ecr")
    else:  # no NaN in integers: 0 means "no answer"
        x = np.array(np.nan_to_num(answers, nan=0), dtype=dtype, order=order)
        ours = bowlby.score(x, "ecr", missing_codes=[0])
    for col in reference.columns:
        np.testing.assert_array_equal(ours[col].to_numpy(), reference[col].to_numpy(), err_msg=col)


def test_a_strided_view_is_read_in_place(sample):
    wide = np.zeros((len(sample), 80))
    wide[:, 3:75:2] = sample[ITEMS].to_numpy()
    view = wide[:, 3:75:2]
    assert not view.flags.c_contiguous and not view.flags.f_contiguous
    ours = bowlby.score(view, "ecr")
    reference = bowlby.score(sample, "ecr", items="Q1:Q36")
    np.testing.assert_array_equal(ours["anxiety"].to_numpy(), reference["anxiety"].to_numpy())


def test_threads_do_not_change_the_scores():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 8, size=(100_000, 36)).astype(np.float64)
    one = bowlby.score(x, "ecr", missing_codes=[0], threads=1)
    every = bowlby.score(x, "ecr", missing_codes=[0], threads=0)
    pd.testing.assert_frame_equal(one, every)


def test_a_questionnaire_defined_in_python_scores_by_hand():
    q = bowlby.Questionnaire("mine", 4, scale=(1, 5))
    q.add_subscale("a", [1, 2, 3], reversed=[2]).add_subscale("b", [3, 4], aggregation="sum")
    q.add_derived("a_minus_b", [("subscale", "a", 1), ("subscale", "b", -1)])
    x = np.array([[1, 2, 3, 5], [5, np.nan, 1, np.nan]])
    s = bowlby.score(x, q)
    # Row 1: a = (1 + (6 - 2) + 3) / 3 = 8/3; b = 3 + 5 = 8. Row 2: a = (5 + 1) / 2 = 3,
    # b = 1 of 2 answered, prorated: 1 * 2 = 2.
    np.testing.assert_allclose(s["a"], [8 / 3, 3.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(s["b"], [8.0, 2.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(s["a_minus_b"], [8 / 3 - 8, 1.0], rtol=0, atol=1e-15)
    assert list(s["a_n"]) == [3, 2] and list(s["status"]) == ["complete", "prorated"]


def test_an_invalid_answer_names_its_row_label_and_column():
    df = pd.DataFrame(np.full((5, 36), 4.0), columns=ITEMS, index=["a", "b", "c", "d", "e"])
    df.loc["d", "Q7"] = 9
    with pytest.raises(bowlby.InvalidResponse) as e:
        bowlby.score(df, "ecr", items="Q1:Q36")
    assert e.value.row == "d" and e.value.item == "Q7" and e.value.value == 9
    assert "row 4, item 7: value 9 is outside the response scale 1..7" in str(e.value)
    assert isinstance(e.value, ValueError) and isinstance(e.value, bowlby.Error)
    with pytest.raises(bowlby.InvalidResponse) as e:
        bowlby.score(df.to_numpy(), "ecr")
    assert (e.value.row, e.value.item, e.value.value) == (3, 6, 9)
    lenient = bowlby.score(df, "ecr", on_invalid="missing")
    assert lenient.loc["d", "avoidance_n"] == 17 and lenient.attrs["invalid_cells"] == 1


def test_an_invalid_answer_in_a_later_block_keeps_its_row_number():
    x = np.full((100_000, 36), 3, dtype=np.uint8)
    x[70_001, 35] = 0
    with pytest.raises(bowlby.InvalidResponse) as e:
        bowlby.score(x, "ecr", threads=0)
    assert (e.value.row, e.value.item) == (70_001, 35)
    with pytest.raises(bowlby.InvalidResponse) as e:
        bowlby.reliability(x, "ecr", threads=0)
    assert (e.value.row, e.value.item) == (70_001, 35)


def test_bad_arguments_raise_bowlby_errors_and_never_crash(sample):
    x = np.full((3, 36), 4.0)
    with pytest.raises(bowlby.ShapeError):
        bowlby.score(x[:, :35], "ecr")
    with pytest.raises(bowlby.ShapeError):
        bowlby.score(np.ones(36), "ecr")
    with pytest.raises(bowlby.ShapeError):
        bowlby.score(np.ones((2, 3, 36)), "ecr")
    with pytest.raises(bowlby.ShapeError):
        bowlby.score(sample, "ecr")  # 37 columns and no items=
    with pytest.raises(bowlby.UnknownInstrument) as e:
        bowlby.score(x, "ecr-99")
    assert isinstance(e.value, KeyError) and "the built-in instruments are: ecr" in str(e.value)
    with pytest.raises(bowlby.OptionError, match="column 'Q99'"):
        bowlby.score(sample, "ecr", items="Q1:Q35,Q99")
    with pytest.raises(bowlby.OptionError, match="last column comes before the first"):
        bowlby.score(sample, "ecr", items="Q36:Q1")
    with pytest.raises(bowlby.OptionError):
        bowlby.score(x, "ecr", on_invalid="ignore")
    with pytest.raises(bowlby.OptionError):
        bowlby.score(x, "ecr", min_answered=1.5)
    with pytest.raises(bowlby.OptionError):
        bowlby.score(x, "ecr", threads=-1)
    with pytest.raises(bowlby.OptionError):
        bowlby.score(x, "ecr", scale=(5, 1))
    with pytest.raises(bowlby.OptionError):
        bowlby.score(x, "ecr", missing_codes=["zero"])
    with pytest.raises(bowlby.OptionError):
        bowlby.score(x, 42)
    with pytest.raises(bowlby.OptionError):
        bowlby.score("answers.csv", "ecr")
    with pytest.raises(bowlby.DTypeError):
        bowlby.score(np.full((2, 36), "4", dtype=object), "ecr")
    with pytest.raises(bowlby.OptionError, match="twice"):
        bowlby.score(x[:, :3], bowlby.Questionnaire("bad", 3).add_subscale("s", [1, 1]))
    assert len(bowlby.score(np.empty((0, 36)), "ecr")) == 0


def test_other_numeric_types_and_byte_orders_are_converted(sample):
    x = np.nan_to_num(sample[ITEMS].to_numpy(), nan=0)
    reference = bowlby.score(x.astype(np.int16), "ecr", missing_codes=[0])
    for t in (np.uint16, np.uint32, ">f8", ">i4", np.float16):
        pd.testing.assert_frame_equal(bowlby.score(x.astype(t), "ecr", missing_codes=[0]), reference)
