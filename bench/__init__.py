"""Benchmarks of ctsync against baselines on generated corpora; run by `make bench`, never by the tests."""
