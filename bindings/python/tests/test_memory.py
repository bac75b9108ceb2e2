"""Scoring reads the answers in place: a 1,000,000 x 36 uint8 array (36 MB) is scored without
a copy of it, in Python's allocations (tracemalloc) and in the whole process (peak RSS)."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import bowlby
from bowlby._data import answers

MEASURE = r"""
import json, tracemalloc
import numpy as np
import bowlby

def rss(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

x = np.random.default_rng(5).integers(1, 8, size=(1_000_000, 36), dtype=np.uint8)
bowlby.score(x[:1000], "ecr")  # load everything first
can_reset = True
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak RSS to the current RSS
except OSError:
    can_reset = False
before = rss("VmRSS")
tracemalloc.start()
scores = bowlby.score(x, "ecr", threads=1)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"peak_traced": peak, "peak_rss_growth": rss("VmHWM") - before if can_reset else None,
                  "result": int(scores.memory_usage(index=True, deep=True).sum()), "input": x.nbytes}))
"""


def test_scoring_a_million_rows_of_bytes_makes_no_copy_of_them():
    done = subprocess.run([sys.executable, "-c", MEASURE], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    m = json.loads(done.stdout)
    print(m)
    # Python's allocations: the result's columns and little else (a copy would add 36 MB).
    assert m["peak_traced"] - m["result"] < m["input"] / 4, m
    if m["peak_rss_growth"] is None:
        pytest.skip("/proc/self/clear_refs is not writable here: peak RSS not measured")
    # The whole process: the library's table and the DataFrame made from it, each about the
    # result's size, and no copy of the input.
    assert m["peak_rss_growth"] < 2 * m["result"] + m["input"] / 2, m


def test_a_dataframes_consecutive_item_columns_are_read_in_place():
    df = pd.DataFrame(np.ones((1000, 36), dtype=np.uint8), columns=[f"Q{i}" for i in range(1, 37)])
    df.insert(0, "id", range(1000))
    ans = answers(df, bowlby._core.builtin_key("ecr"), "Q1:Q36")
    assert np.shares_memory(ans.matrix, df["Q1"].to_numpy()) and ans.matrix.dtype == np.uint8
    # Columns out of order are one copy, as the instrument's item order needs.
    shuffled = answers(df, bowlby._core.builtin_key("ecr"), "Q2,Q1,Q3:Q36")
    assert not np.shares_memory(shuffled.matrix, df["Q1"].to_numpy())
