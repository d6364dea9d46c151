"""httpx for the engine, without httpx's command-line module (which imports rich when present)."""

from __future__ import annotations

import sys
import types

_CLI = "httpx._main"
if "httpx" not in sys.modules and _CLI not in sys.modules:
    # `import httpx` runs `from ._main import main`, and _main imports rich and click whenever
    # they are installed; the engine must not load rich (the one-way rule), and never needs
    # httpx's command line. A stand-in module keeps the import light.
    _stand_in = types.ModuleType(_CLI)

    def _main() -> None:
        raise SystemExit("httpx's command line is not available inside Glassbox.")

    _stand_in.main = _main  # type: ignore[attr-defined]
    sys.modules[_CLI] = _stand_in

import httpx as httpx  # noqa: E402  (after the stand-in, on purpose)

__all__ = ["httpx"]
