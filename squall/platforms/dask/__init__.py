"""The ``dask`` platform: an environment whose tasks run their load on a Dask cluster."""
