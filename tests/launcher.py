"""scripts/rasa_serve.py as a module, for the tests of `make run` and the production checks
(scripts/ is not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_launcher() -> ModuleType:
    if "rasa_serve" in sys.modules:
        return sys.modules["rasa_serve"]
    spec = importlib.util.spec_from_file_location("rasa_serve", ROOT / "scripts" / "rasa_serve.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["rasa_serve"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
