"""The generated files of ``schemas/``, written from the code so that they cannot drift from it.

    python -m pipeline.schema_gen            # rewrite every generated file
    python -m pipeline.schema_gen --check    # exit 1, naming the files, when a committed file is stale

``GENERATORS`` maps each file name to the function that returns its full text; adding a generated file
(e.g. ``duckdb.sql``) is one function and one entry there.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.models import Trial

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def trial_schema_text() -> str:
    """The JSON Schema of the canonical Trial, with sorted keys and a trailing newline."""
    return json.dumps(Trial.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


GENERATORS: dict[str, Callable[[], str]] = {
    "trial.schema.json": trial_schema_text,
}


def stale_files(directory: Path = SCHEMAS) -> list[str]:
    """Names of generated files that are missing from ``directory`` or differ from what the code generates."""
    stale = []
    for name, generate in GENERATORS.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != generate():
            stale.append(name)
    return stale


def write_all(directory: Path = SCHEMAS) -> list[Path]:
    """Write every generated file into ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, generate in GENERATORS.items():
        path = directory / name
        # newline="" keeps "\n" on every platform, so the committed bytes match on Windows too.
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write(generate())
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.schema_gen", description="Write the generated files of schemas/."
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is stale")
    parser.add_argument("--dir", type=Path, default=SCHEMAS, help="folder of the generated files")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.dir)
        for name in stale:
            print(f"{args.dir / name} is out of date: run `python -m pipeline.schema_gen`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_all(args.dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
