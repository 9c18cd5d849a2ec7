"""Load generation: the executor seam the engine drives, the worker-side emitters, and the two executors
(``local/``: forked worker processes; ``dask/``: shards on a Dask cluster, the only place that imports
``distributed``)."""
