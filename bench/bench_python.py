"""The Python package against numpy and pandas doing the same work, against the C++ library on
the same array, and its Dask path on one and two workers.

    build/python-venv/bin/python bench/bench_python.py [--rows 1000000] [--write]

Needs the package installed (see docs/python.md). With --write the results replace the section "Python package" of
bench/RESULTS.md (the rest of the file is kept).
"""
import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import bowlby

REPO = Path(__file__).resolve().parents[1]
# The ECR key as its documentation gives it (docs/library.md): written out here, not taken from
# bowlby, so that the baselines owe nothing to the package they are compared with.
AVOIDANCE = list(range(0, 36, 2))  # items 1, 3, ..., 35 (0-based columns)
ANXIETY = list(range(1, 36, 2))  # items 2, 4, ..., 36
REVERSED = [i - 1 for i in (3, 15, 19, 22, 25, 27, 29, 31, 33, 35)]


def best_of(n, f):
    """The fastest of n runs, in seconds, and the last result."""
    best, out = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def numpy_score(x):
    """Keying and subscale means with counts and the half rule, in numpy (float64 throughout)."""
    k = x.astype(np.float64)
    k[:, REVERSED] = 8 - k[:, REVERSED]
    out = {}
    for name, cols in (("anxiety", ANXIETY), ("avoidance", AVOIDANCE)):
        sub = k[:, cols]
        n = np.count_nonzero(~np.isnan(sub), axis=1)
        mean = np.nansum(sub, axis=1) / np.maximum(n, 1)
        out[name] = np.where(n >= 9, mean, np.nan)
        out[name + "_n"] = n
    return out


def pandas_score(x):
    df = pd.DataFrame(x, columns=[f"Q{i}" for i in range(1, 37)]).astype("float64")
    rev = df.columns[REVERSED]
    df[rev] = 8 - df[rev]
    out = pd.DataFrame(index=df.index)
    for name, cols in (("anxiety", ANXIETY), ("avoidance", AVOIDANCE)):
        sub = df.iloc[:, cols]
        out[name + "_n"] = sub.count(axis=1)
        out[name] = sub.mean(axis=1).where(out[name + "_n"] >= 9)
    return out


def numpy_alpha(x):
    """Raw alpha of both subscales by its formula, k/(k-1) (1 - tr C / sum C), from numpy's
    covariances (the data have no missing answers, so pairwise and listwise agree)."""
    k = x.astype(np.float64)
    k[:, REVERSED] = 8 - k[:, REVERSED]
    out = {}
    for name, cols in (("anxiety", ANXIETY), ("avoidance", AVOIDANCE)):
        c = np.cov(k[:, cols], rowvar=False)
        out[name] = len(cols) / (len(cols) - 1) * (1 - np.trace(c) / c.sum())
    return out


def pandas_alpha(x):
    df = pd.DataFrame(x).astype("float64")
    df[REVERSED] = 8 - df[REVERSED]
    out = {}
    for name, cols in (("anxiety", ANXIETY), ("avoidance", AVOIDANCE)):
        c = df[cols].cov().to_numpy()
        out[name] = len(cols) / (len(cols) - 1) * (1 - np.trace(c) / c.sum())
    return out


def paired_overhead(x, threads, pairs):
    """The package's score call against the C++ library's score call alone on the same array,
    in the same process, in pairs run back to back (in turns, which goes first), so that both
    see the same state of a shared machine. Returns the median times (s) of each and the median
    of the pairs' ratios (Python / library). The library's call is timed in C++ around
    bowlby::score itself (bowlby._core._library_score_seconds)."""
    key = bowlby._core.builtin_key("ecr")
    lib, py, ratios = [], [], []

    def run_python():
        t0 = time.perf_counter()
        out = bowlby.score(x, "ecr", threads=threads)
        t = time.perf_counter() - t0
        del out
        return t

    for i in range(pairs):
        if i % 2:
            a = bowlby._core._library_score_seconds(key, x, threads)
            b = run_python()
        else:
            b = run_python()
            a = bowlby._core._library_score_seconds(key, x, threads)
        lib.append(a)
        py.append(b)
        ratios.append(b / a)
    return float(np.median(lib)), float(np.median(py)), float(np.median(ratios))


def dask_times(x, partitions=8):
    """bowlby.dask.score (computed) and bowlby.dask.reliability on 1 and 2 worker processes."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import bowlby.dask
    df = pd.DataFrame(x, columns=[f"Q{i}" for i in range(1, 37)])
    out = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
                Client(c) as client:
            ddf = dd.from_pandas(df, npartitions=partitions).persist()  # the data on the workers first
            client.wait_for_workers(workers)
            from distributed import wait
            wait(ddf)
            count = lambda: bowlby.dask.score(ddf, "ecr")["status"].count().compute()  # noqa: E731
            out[("score", workers)], _ = best_of(3, count)
            out[("reliability", workers)], _ = best_of(3, lambda: bowlby.dask.reliability(ddf, "ecr"))
    return out


def measure(rows, reps, pairs):
    rng = np.random.default_rng(1)
    data = {"uint8": rng.integers(1, 8, size=(rows, 36), dtype=np.uint8)}
    data["float64"] = data["uint8"].astype(np.float64)
    r = {"rows": rows, "pairs": pairs}
    for dtype, x in data.items():
        for threads in (1, 2):
            r[("score", dtype, threads)], s = best_of(reps, lambda: bowlby.score(x, "ecr", threads=threads))
            r[("reliability", dtype, threads)], rel = best_of(
                reps, lambda: bowlby.reliability(x, "ecr", threads=threads))
        for threads in (1, 2):
            r[("overhead", dtype, threads)] = paired_overhead(x, threads, pairs)
        # The C++ work inside the package's reliability (accumulating, every statistic, as JSON).
        key = bowlby._core.builtin_key("ecr")
        def core_reliability():
            acc = bowlby._core.Accumulator(key, None, [], "error", False)
            acc.add(x, 1)
            return acc.reliability(False, 0.95, bowlby._core.default_seed, 0, 1, [])

        r[("core reliability", dtype)], _ = best_of(reps, core_reliability)
        r[("numpy score", dtype)], ns = best_of(3, lambda: numpy_score(x))
        r[("pandas score", dtype)], _ = best_of(1, lambda: pandas_score(x))
        r[("numpy alpha", dtype)], na = best_of(3, lambda: numpy_alpha(x))
        r[("pandas alpha", dtype)], _ = best_of(1, lambda: pandas_alpha(x))
        assert np.allclose(ns["anxiety"], s["anxiety"].to_numpy(), rtol=0, atol=1e-12)
        assert abs(na["anxiety"] - rel["anxiety"].raw_alpha) < 1e-9
    r["dask"] = dask_times(data["uint8"])
    return r


def ms(t):
    return "" if t is None else (f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s")


def ratio(a, b):
    return "" if a is None or b is None else f"{a / b:.2f}x"


def report(r):
    """The section of bench/RESULTS.md, as Markdown."""
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [
        "## Python package (`bench/bench_python.py`)",
        "",
        f"Measured by `build/python-venv/bin/python bench/bench_python.py --write` on {time.strftime('%Y-%m-%d')}, "
        f"{os.cpu_count()} cores ({cpu}), numpy {np.__version__}, pandas {pd.__version__}: "
        f"{r['rows']:,} respondents x 36 ECR items (whole numbers 1-7, no missing answers), in memory, the same "
        "arrays for every tool. bowlby's times are the best of 5 calls, numpy's of 3, pandas' one call. numpy "
        "and pandas do the same work: reverse keying, the two subscale means with their counts and the half "
        "rule; raw alpha of both subscales by its formula from their covariance matrices. bowlby's "
        "reliability computes every statistic of `bowlby reliability` (alpha, omega, split halves, intervals, "
        "per item and with each item dropped). Ratios above 1x: bowlby is faster. The machine is shared "
        "with other jobs: compare ratios from one run.",
        "",
        "| task | bowlby, 1 thread | bowlby, 2 threads | numpy | pandas | vs numpy (1 thread) | vs pandas (1 thread) |",
        "|---|---|---|---|---|---|---|",
    ]
    for task, base in (("score", "score"), ("reliability", "alpha")):
        for dtype in ("float64", "uint8"):
            b1, b2 = r[(task, dtype, 1)], r[(task, dtype, 2)]
            n, p = r[(f"numpy {base}", dtype)], r[(f"pandas {base}", dtype)]
            lines.append(f"| {task}, {dtype} | {ms(b1)} | {ms(b2)} | {ms(n)} | {ms(p)} | {ratio(n, b1)} | "
                         f"{ratio(p, b1)} |")
    lines += [
        "",
        "What the package costs over the C++ library on the same array. `C++ library` is the library's "
        "`bowlby::score` call alone (key, options, the 1M x 36 array read in place, a new score table), timed "
        "in C++ inside the package's process (`bowlby._core._library_score_seconds`); `bowlby.score` is the "
        "whole Python call: arguments checked, the same library call, each row's status, the DataFrame over "
        "the table's own arrays. They run in pairs, back to back, in turns which goes first, "
        f"{r['pairs']} pairs per row; times are medians and the ratio is the median of the pairs' ratios. "
        "For reliability the row compares `bowlby.reliability` with its own C++ calls (accumulating and every "
        "statistic, as JSON).",
        "",
        "| task | C++ library | `bowlby` call | Python / C++ (median of pairs) |",
        "|---|---|---|---|",
    ]
    for threads in (1, 2):
        for dtype in ("float64", "uint8"):
            lib, py, q = r[("overhead", dtype, threads)]
            lines.append(f"| score, {dtype}, {threads} thread{'s' if threads > 1 else ''} | {ms(lib)} | {ms(py)} | "
                         f"{q:.3f}x |")
    for dtype in ("float64", "uint8"):
        core, full = r[("core reliability", dtype)], r[("reliability", dtype, 1)]
        lines.append(f"| reliability, {dtype}, 1 thread (over its own C++ calls) | {ms(core)} | {ms(full)} | "
                     f"{ratio(full, core)} |")
    d = r.get("dask") or {}
    if d:
        lines += [
            "",
            "Dask (`bowlby.dask`), the uint8 array as a pandas DataFrame in 8 partitions, persisted on a "
            "`LocalCluster` of 1 or 2 worker processes (one thread each) before the clock starts; best of 3. "
            "`score` is `bowlby.dask.score(...)['status'].count().compute()` (every partition scored, only counts "
            "sent back); `reliability` is `bowlby.dask.reliability` (an accumulator per partition, merged in a "
            "tree, statistics on the client).",
            "",
            "| task | 1 worker | 2 workers | speed-up |",
            "|---|---|---|---|",
        ]
        for task in ("score", "reliability"):
            lines.append(f"| {task} | {ms(d[(task, 1)])} | {ms(d[(task, 2)])} | {ratio(d[(task, 1)], d[(task, 2)])} |")
    return "\n".join(lines) + "\n"


def write_section(text, path=REPO / "bench" / "RESULTS.md"):
    """Replaces the section of that title (up to the next '## ') or appends it."""
    old = path.read_text() if path.is_file() else "# Benchmark results\n"
    start = old.find("## Python package (`bench/bench_python.py`)")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + 3)
        new = old[:start] + text + ("" if end < 0 else old[end:])
    path.write_text(new)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--pairs", type=int, default=41, help="pairs of calls for the overhead over the library")
    p.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    a = p.parse_args()
    text = report(measure(a.rows, a.reps, a.pairs))
    print(text)
    if a.write:
        write_section(text)


if __name__ == "__main__":
    sys.exit(main())
