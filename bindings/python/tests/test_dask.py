"""bowlby.dask on a two-worker process cluster: scores as in memory, and reliability from
accumulators merged across processes equal to the in-memory result to 1e-12."""
import subprocess
import sys
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from conftest import assert_same

import bowlby
import bowlby.dask

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def answers(sample):
    """The sample and 20,000 random rows with missing answers and half-point answers, so that
    the accumulators' sums in doubles are merged too."""
    rng = np.random.default_rng(11)
    extra = rng.integers(1, 8, size=(20_000, 36)).astype(float)
    extra[rng.random(extra.shape) < 0.03] = np.nan
    extra[:500, 4] += 0.5
    frame = pd.DataFrame(extra, columns=[f"Q{i}" for i in range(1, 37)])
    frame.insert(0, "id", [f"X{i}" for i in range(len(frame))])
    return pd.concat([sample, frame], ignore_index=True)


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_dask_reliability_equals_in_memory(client, answers, partitions):
    ddf = dd.from_pandas(answers, npartitions=partitions)
    assert ddf.npartitions == partitions
    ecr_any_number = bowlby.Questionnaire.from_instrument("ecr")
    ecr_any_number.integral = False  # the half-point answers are answers
    in_memory = bowlby.reliability(answers, ecr_any_number, items="Q1:Q36", scale=(1, 7.5))
    on_cluster = bowlby.dask.reliability(ddf, ecr_any_number, items="Q1:Q36", scale=(1, 7.5), split_every=2)
    assert on_cluster.rows == in_memory.rows == len(answers)
    assert_same(on_cluster.to_dict(), in_memory.to_dict(), rel=1e-12)


def test_dask_reliability_of_one_scale_of_columns(client, sample):
    ddf = dd.from_pandas(sample, npartitions=3)
    options = dict(items=["Q1", "Q3", "Q5"], reverse=["Q3"], scale=(1, 7))
    assert_same(bowlby.dask.reliability(ddf, **options).to_dict(), bowlby.reliability(sample, **options).to_dict())


def test_dask_scores_are_lazy_and_equal_in_memory(client, sample):
    ddf = dd.from_pandas(sample.set_index("id"), npartitions=4, sort=False)  # keep the rows in file order
    scores = bowlby.dask.score(ddf, "ecr", items="Q1:Q36")
    assert isinstance(scores, dd.DataFrame) and scores.npartitions == 4
    assert list(scores.columns) == ["anxiety", "anxiety_n", "avoidance", "avoidance_n", "status"]
    assert scores._meta["status"].dtype == pd.CategoricalDtype(bowlby.STATUSES)
    pd.testing.assert_frame_equal(scores.compute(), bowlby.score(sample.set_index("id"), "ecr", items="Q1:Q36"))


def test_an_invalid_answer_on_a_worker_names_its_row(client, sample):
    bad = sample.copy()
    bad.loc[1500, "Q8"] = 8
    with pytest.raises(bowlby.InvalidResponse) as e:
        bowlby.dask.score(dd.from_pandas(bad, npartitions=3), "ecr", items="Q1:Q36").compute()
    assert (e.value.row, e.value.item, e.value.value) == (1500, "Q8", 8)


def test_the_shards_example_runs(tmp_path, sample):
    shards = tmp_path / "shards"
    shards.mkdir()
    for k in range(4):
        sample.iloc[k * 500:(k + 1) * 500].to_csv(shards / f"shard-{k}.csv", index=False)
    script = Path(__file__).resolve().parents[1] / "examples" / "score_shards.py"
    done = subprocess.run([sys.executable, str(script), str(shards), str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "scored 2000 respondents from 4 partitions" in done.stdout
    written = pd.concat(pd.read_csv(p) for p in sorted((tmp_path / "out").glob("part-*.csv")))
    assert len(written) == 2000
