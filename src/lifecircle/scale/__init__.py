"""The same analysis for many areas on Dask."""
