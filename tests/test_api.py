"""The library API of ``pipeline``: every exported name resolves, lazily, to what the commands use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE

import pipeline
from pipeline import reading, sync


def test_every_exported_name_resolves_to_the_library_object() -> None:
    for name in pipeline.__all__:
        assert getattr(pipeline, name) is not None, name
    assert pipeline.load is sync.load
    assert pipeline.queue is reading.queue
    assert sorted(pipeline.__all__) == sorted(["__version__", *pipeline._EXPORTS])


def test_every_store_name_resolves_to_its_module_and_others_are_attribute_errors() -> None:
    """``pipeline.store`` loads its names on first use: each is the object of the module it names, the
    list matches ``__all__``, a submodule is an attribute, and a name nobody defines is AttributeError."""
    import importlib

    from pipeline import store

    assert sorted(store.__all__) == sorted(store._EXPORTS)
    for name, (module, attr) in store._EXPORTS.items():
        assert getattr(store, name) is getattr(importlib.import_module(module), attr), name
    assert store.connection is importlib.import_module("pipeline.store.connection")
    with pytest.raises(AttributeError, match=r"module 'pipeline\.store' has no attribute 'no_such_name'"):
        store.no_such_name  # noqa: B018


def test_importing_the_package_loads_no_library() -> None:
    """``import pipeline`` costs nothing: DuckDB, pydantic and requests load with the first name used."""
    code = "import sys, json, pipeline; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    library = ("duckdb", "pydantic", "requests", "pipeline.")
    assert [name for name in loaded if name.startswith(library) and name != "pipeline.lazy"] == []


def test_the_readme_example_runs(tmp_path: Path) -> None:
    settings = pipeline.Settings(db=tmp_path / "ctsync.duckdb", published=None, workers=1)
    summary = pipeline.load(settings, [SAMPLE / "NCT05766735.json", SAMPLE / "NCT01788527.json"])
    assert (summary.count("new"), summary.failures) == (2, [])
    entries = pipeline.queue(settings, "minor")
    assert [(entry.nct_id, entry.severity, entry.never_reviewed) for entry in entries] == [
        ("NCT01788527", "major", True),
        ("NCT05766735", "major", True),
    ]
