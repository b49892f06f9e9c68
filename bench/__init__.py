"""Benchmarks: generated books of the organisation's shape, and load-time measurements."""
