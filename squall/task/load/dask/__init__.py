"""The Dask executor: a workload's load sharded over a Dask cluster's workers."""
