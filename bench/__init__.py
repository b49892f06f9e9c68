"""Benchmarks: generated books of the organisation's shape; load-time measurements."""
