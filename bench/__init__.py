"""The benchmark suite: `make bench` (full) and `make bench-quick` (does each benchmark still run?).

See docs/benchmarks.md for how to add a benchmark.
"""
