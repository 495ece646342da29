"""Reading the YAML data files hep ships (the library, instruments, billing codes) and a
clinic adds: one safe parser for all of them.

``read_yaml(path)`` parses with libyaml's C safe loader where PyYAML was built with it (about
ten times faster than the pure-Python one: the library's 110 exercises in two languages take
about a second to read without it) and with PyYAML's own safe loader otherwise; both build
only plain data (no Python objects). It raises what reading and parsing raise: ``OSError``,
``UnicodeDecodeError`` and ``yaml.YAMLError``, for the caller to name the file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    # bandit cannot tell that SAFE_LOADER is CSafeLoader or SafeLoader (both build plain data only).
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # nosec B506
