"""Background tasks; ``huey_consumer hep.tasks.huey`` imports this module."""
from __future__ import annotations

from hep.queue import huey  # noqa: F401
