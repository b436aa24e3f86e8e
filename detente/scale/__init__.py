"""Scaling out: the ingest job on a Dask cluster, Parquet partitions, and the merge into the store.

``ingest_dask(inputs, out_dir, scheduler=... | workers=N)`` codes on the cluster and writes
date-partitioned Parquet; ``merge(out_dir, db)`` loads it into the DuckDB store with the store's
deduplication. See ``docs/SCALE_OUT.md``.
"""

from detente.scale.dask_engine import (CoderPlugin, DaskSummary, MergeSummary, code_partition, ingest_dask, merge,
                                       start_local_cluster)
from detente.scale.partitions import DEFAULT_PARTITION_BYTES, Partition, plan_partitions, read_partition

__all__ = ["CoderPlugin", "DEFAULT_PARTITION_BYTES", "DaskSummary", "MergeSummary", "Partition", "code_partition",
           "ingest_dask", "merge", "plan_partitions", "read_partition", "start_local_cluster"]
