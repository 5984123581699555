"""ctsync: keep a local, versioned, reviewable DuckDB copy of ClinicalTrials.gov trials in sync."""

__version__ = "0.1.0"
