"""Performance benchmark of the API: `make bench` (entry point: bench/run.py)."""
