"""Test harnesses: a throwaway PostgreSQL server for tests and benchmarks."""
