"""Scores a folder of CSV shards of ECR answers on a Dask cluster, and checks reliability.

    python score_shards.py SHARDS_DIR OUT_DIR [--workers 2] [--scale 1:5 --missing-code 0]

Every shard is read by dask.dataframe.read_csv as one or more partitions; each partition is
scored by bowlby on a worker and written to OUT_DIR/part-*.csv; the reliability of the two
subscales comes from one accumulator per partition, merged in a tree (no rows are gathered).
On a real cluster, replace LocalCluster by the scheduler's address: Client("tcp://...").
"""
import argparse
from pathlib import Path

import dask.dataframe as dd
from distributed import Client, LocalCluster

import bowlby
import bowlby.dask


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("shards", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--instrument", default="ecr")
    p.add_argument("--items", default="Q1:Q36")
    p.add_argument("--scale", default=None, help="MIN:MAX, the scale the data were collected on")
    p.add_argument("--missing-code", type=float, action="append", default=[])
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    scale = tuple(float(x) for x in a.scale.split(":")) if a.scale else None
    options = dict(items=a.items, scale=scale, missing_codes=a.missing_code)

    with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        ddf = dd.read_csv(str(a.shards / "*.csv"))
        scores = bowlby.dask.score(ddf, a.instrument, **options)  # lazy: one task per partition
        a.out.mkdir(parents=True, exist_ok=True)
        scores.to_csv(str(a.out / "part-*.csv"))
        rel = bowlby.dask.reliability(ddf, a.instrument, **options)
        print(f"scored {int(rel.rows)} respondents from {ddf.npartitions} partitions into {a.out}")
        for name, scale_rel in rel.items():
            print(f"{name}: alpha {scale_rel.raw_alpha:.3f} (95% CI {scale_rel.ci['feldt'][0]:.3f}-"
                  f"{scale_rel.ci['feldt'][1]:.3f}), omega {scale_rel.omega_total:.3f}")


if __name__ == "__main__":
    main()
