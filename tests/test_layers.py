"""The layering holds: the pure middle imports no I/O library, and no module outside the store writes SQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

PURE = [
    "pipeline.models",
    "pipeline.normalize",
    "pipeline.diff",
    "pipeline.change",
    "pipeline.diff_text",
    "pipeline.diff_criteria",
    "pipeline.diff_entities",
    "pipeline.policy",
    "pipeline.criteria",
    "pipeline.criteria_model",
    "pipeline.criteria_markers",
    "pipeline.criteria_units",
    "pipeline.criteria_words",
    "pipeline.criteria_parse",
    "pipeline.criteria_sql",
    "pipeline.aact_tables",
    "pipeline.aact_shape",
    "pipeline.aact_sql",
    "pipeline.aact_protocol",
    "pipeline.aact_results",
    "pipeline.richtext",
    "pipeline.records",
    "pipeline.ids",
    "pipeline.page",
    "pipeline.terminal",
]
IO_LIBRARIES = {"duckdb", "requests", "rich", "starlette", "jinja2", "uvicorn"}


def _loaded_after(module: str) -> set[str]:
    """Every module a fresh interpreter has loaded after importing ``module`` alone."""
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


def _imported_by(module: str) -> set[str]:
    """Top-level packages loaded by importing ``module`` alone."""
    return {name.split(".")[0] for name in _loaded_after(module)}


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_io_library(module: str) -> None:
    """normalize, diff, policy, criteria and the other pure modules load none of duckdb, requests, rich
    or the web stack, however deep the import chain."""
    assert _imported_by(module) & IO_LIBRARIES == set()


def test_only_the_store_package_imports_duckdb_among_the_library_modules() -> None:
    """DuckDB is the store's edge: the library modules that import it are the store package and the few
    orchestrators that hold a connection (writer, ingest, sync, reading, editorial, review_queue,
    renormalize, baselines), the Python migrations, plus the developer tool that generates
    schemas/duckdb.sql; the CLI and the web app go
    through them."""
    allowed = {
        "writer.py",
        "ingest.py",
        "sync.py",
        "reading.py",
        "editorial.py",
        "review_queue.py",
        "renormalize.py",
        "baselines.py",
        "schema_gen.py",
    }
    offenders = [
        path.relative_to(REPO).as_posix()
        for path in sorted((REPO / "pipeline").rglob("*.py"))
        if not {"store", "migrations"} & set(path.relative_to(REPO / "pipeline").parts)
        and path.name not in allowed
        and any(line.startswith(("import duckdb", "from duckdb")) for line in path.read_text().splitlines())
    ]
    assert offenders == []


def test_sources_and_records_import_no_store_or_renderer() -> None:
    """Reading files and preparing records (in workers) never loads the store, DuckDB or a renderer."""
    loaded = _loaded_after("pipeline.sources") | _loaded_after("pipeline.records")
    layers = ("duckdb", "rich", "pipeline.store", "pipeline.render", "pipeline.views")
    assert sorted(name for name in loaded if name.startswith(layers)) == []


def test_the_command_line_loads_no_library_before_a_command_runs() -> None:
    """``ctsync --version`` (and the parsing of any command) needs typer alone: DuckDB, rich, pydantic
    models and the web stack load inside the command that uses them, so start-up stays short."""
    loaded = _loaded_after("pipeline.cli")
    heavy = ("duckdb", "rich", "requests", "starlette", "uvicorn", "pipeline.models", "pipeline.store")
    assert sorted(name for name in loaded if name.startswith(heavy)) == []


def _loaded_by_command(db: Path, *args: str) -> tuple[str, set[str]]:
    """(stdout, every module loaded) of one ``ctsync --db DB ARGS…`` in a fresh interpreter."""
    code = (
        "import atexit, json, sys;"
        " atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr));"
        f"from pipeline.cli import main; main(['--db', {str(db)!r}, *{list(args)!r}])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return result.stdout, set(json.loads(result.stderr.splitlines()[-1]))


@pytest.fixture(scope="module")
def one_trial_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import pipeline

    db = tmp_path_factory.mktemp("db") / "ctsync.duckdb"
    pipeline.load(pipeline.Settings(db=db, published=None), [REPO / "data" / "sample" / "NCT01788527.json"])
    return db


def test_show_loads_no_write_side(one_trial_db: Path) -> None:
    """``ctsync show`` reads one current record: the store's names load on first use (PEP 562), so the
    batch writer, the normalizer, the differ and the migrations stay unloaded (start-up, issue 16)."""
    out, loaded = _loaded_by_command(one_trial_db, "show", "NCT01788527")
    assert out.startswith("NCT01788527")
    write_side = ("pipeline.store.batches", "pipeline.normalize", "pipeline.diff", "pipeline.migrations")
    assert sorted(name for name in loaded if name.startswith(write_side)) == []
    assert {"pipeline.store.connection", "pipeline.store.current"} <= loaded


def test_queue_loads_no_http_client(one_trial_db: Path) -> None:
    """``ctsync queue`` reads the writer's cache: the record-history fetcher and requests (about 0.1 s
    of imports) load only where a review looks a baseline up."""
    out, loaded = _loaded_by_command(one_trial_db, "queue", "--json")
    assert [entry["nct_id"] for entry in json.loads(out)] == ["NCT01788527"]
    assert (
        sorted(
            name for name in loaded if name.startswith(("requests", "pipeline.http", "pipeline.baselines"))
        )
        == []
    )
    assert "pipeline.review_queue" in loaded


def test_store_package_has_no_module_over_300_lines() -> None:
    """One concern a module: every module of the store package stays under ~300 lines."""
    sizes = {p.name: len(p.read_text().splitlines()) for p in (REPO / "pipeline" / "store").glob("*.py")}
    assert {name: size for name, size in sizes.items() if size > 300} == {}


def test_repo_path_is_the_checkout() -> None:
    """The checks above read the package beside this test (not an installed copy)."""
    assert (Path(REPO) / "pipeline" / "store" / "__init__.py").is_file()


def _package_imports() -> dict[str, set[str]]:
    """Module -> the pipeline modules it imports at its top level (imports inside functions are lazy
    by design, e.g. the CLI's commands, and cannot form an import-time cycle)."""
    import ast

    paths = {}
    for path in sorted((REPO / "pipeline").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                # ``from pipeline.store import current`` imports the module pipeline.store.current
                modules = {f"{node.module}.{alias.name}" for alias in node.names} & set(paths)
                targets |= modules or {node.module}
        graph[name] = {target for target in targets if target in paths and target != name}
    return graph


def test_the_import_graph_has_no_cycles() -> None:
    """No module imports, at load time and however indirectly, a module that imports it back."""
    graph = _package_imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_module_is_over_400_lines() -> None:
    """One concern a module: none of the package's modules grows past ~400 lines."""
    sizes = {
        path.relative_to(REPO).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in (REPO / "pipeline").rglob("*.py")
    }
    assert {name: size for name, size in sizes.items() if size > 420} == {}


def test_editorial_uses_the_store_package_and_no_renderer() -> None:
    """The editors' workflow talks to the store through its package API (``pipeline.store``), never to
    a store module directly, and renders nothing (the CLI and the web app do)."""
    graph = _package_imports()
    renderers = ("pipeline.render", "pipeline.views", "pipeline.trial_view", "pipeline.web", "pipeline.cli")
    for module in ("pipeline.editorial", "pipeline.sources", "pipeline.reading"):
        reached = graph[module]
        assert sorted(name for name in reached if name.startswith("pipeline.store.")) == [], module
        assert sorted(name for name in reached if name.startswith(renderers)) == [], module
