"""Names of a package that load on first use (PEP 562): the package stays cheap to import.

``pipeline`` (the library API) and ``pipeline.store`` use it, so the command line's start-up and the
worker processes import only the modules a command touches.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, exports: Mapping[str, tuple[str, str]], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__``: ``exports`` maps each public name to (the module it
    lives in, its name there); a loaded name is kept in ``namespace`` (the package's globals), and any
    other name is tried as a submodule (``store.connection``).

    A name that is also a submodule's (``store.publish``, the function of ``store/publish.py``) loads
    now: importing that submodule, from anywhere, sets the package's attribute to the module, and a
    lazy name would then stay the module instead of the function.
    """
    submodules = {
        entry.name.removesuffix(".py")
        for folder in namespace.get("__path__", [])
        for entry in os.scandir(folder)
        if entry.name.endswith(".py") or entry.is_dir()
    }
    for name in exports.keys() & submodules:
        module, attr = exports[name]
        namespace[name] = getattr(importlib.import_module(module), attr)

    def getattr_(name: str) -> Any:
        found = exports.get(name)
        if found is None:
            try:
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as missing:
                if missing.name != f"{package}.{name}":
                    raise  # the submodule exists but imports something missing: that is its error
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module, attr = found
        value = getattr(importlib.import_module(module), attr)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *exports})

    return getattr_, dir_
