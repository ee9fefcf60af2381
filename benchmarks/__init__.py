"""Benchmarks: run as modules (`python -m benchmarks.matching`); not part of the test suite."""
