"""Shared fixtures: the repository's files, the `bowlby` tool (the reference the package is
held to: BOWLBY_CLI, default build/release/bowlby) and the real ECR data where present."""
import json
import os
import subprocess
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "examples" / "sample" / "ecr-sample.csv"
ECR_DATA = REPO.parent / "shared" / "data" / "ecr-openpsychometrics" / "data.csv"


@pytest.fixture(scope="session")
def cli():
    """Runs the `bowlby` tool; returns its standard output."""
    path = Path(os.environ.get("BOWLBY_CLI", REPO / "build" / "release" / "bowlby"))
    if not path.is_absolute():
        path = REPO / path
    if not path.is_file():
        pytest.skip(f"the bowlby tool is not at {path} (build it, or set BOWLBY_CLI): the comparisons with it "
                    "are skipped")

    def run(*args):
        done = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"bowlby {' '.join(map(str, args))} failed: {done.stderr}")
        return done.stdout

    return run


@pytest.fixture(scope="session")
def cli_csv(cli):
    return lambda *args: pd.read_csv(StringIO(cli(*args)), float_precision="round_trip")  # exact doubles


@pytest.fixture(scope="session")
def cli_json(cli):
    return lambda *args: json.loads(cli(*args))


@pytest.fixture(scope="session")
def sample():
    return pd.read_csv(SAMPLE)


@pytest.fixture(scope="session")
def ecr_data():
    if not ECR_DATA.is_file():
        pytest.skip(f"the real ECR data ({ECR_DATA}) are absent: the tests on them are skipped")
    return pd.read_csv(ECR_DATA)


def assert_same(ours, theirs, path="", rel=1e-12):
    """Two JSON-like values equal field by field: numbers to `rel` (relative where |x| > 1),
    None (the tool's null) against None or NaN."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), f"{path}: fields {set(ours)} vs {set(theirs)}"
        for k in theirs:
            assert_same(ours[k], theirs[k], f"{path}.{k}", rel)
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{path}: lengths differ"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{path}[{i}]", rel)
    elif isinstance(theirs, bool) or isinstance(theirs, str) or theirs is None:
        if theirs is None and isinstance(ours, float):
            assert ours != ours, f"{path}: {ours} where the reference has null"
        else:
            assert ours == theirs, f"{path}: {ours!r} vs {theirs!r}"
    else:
        assert ours is not None and abs(ours - theirs) <= rel * max(1.0, abs(theirs)), f"{path}: {ours!r} vs {theirs!r}"
