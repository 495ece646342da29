"""The background queue (huey): one module-level ``huey`` whose storage follows ``QUEUE_URL``.

``immediate`` runs tasks inline (tests); ``redis://...`` uses Redis with separate
``huey_consumer hep.tasks.huey`` processes; ``sqlite:///path`` (the default) keeps the queue in
a file next to the database, consumed in-process by ``hep serve``.
"""
from __future__ import annotations

from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

from hep.instance import private_file, private_folder

# Created unconfigured (immediate, in memory) so task decorators can bind to it at import;
# ``configure`` points it at real storage before anything is enqueued.
huey = Huey("hep", immediate=True, utc=True)
_configured = False


def configure(url: str) -> Huey:
    """Point the module-level ``huey`` at the storage named by ``url`` and return it."""
    global _configured
    _configured = True
    if url == "immediate":
        huey.immediate = True
        return huey
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": url}
    elif url.startswith("sqlite:///"):
        huey.storage_class = SqliteStorage
        filename = url[len("sqlite:///"):]
        private_file(filename)  # task payloads name patients: owner only, like the database
        huey.storage_kwargs = {"filename": filename}
    else:
        raise ValueError(f"unsupported queue URL: {url!r}")
    huey._immediate = False
    huey.storage = huey.create_storage()
    return huey


def init_app(app) -> None:
    configure(app.config["QUEUE_URL"])


def configure_from_environment() -> Huey:
    """For a stand-alone ``huey_consumer hep.tasks.huey``: the storage ``create_app`` would use.

    Does nothing when an app (or a test) already configured the queue in this process.
    """
    if _configured:
        return huey
    from hep import config

    settings = config.from_environment()
    url = settings.get("QUEUE_URL") or f"sqlite:///{config.instance_path() / 'queue.db'}"
    if url.startswith("sqlite:///"):
        private_folder(config.instance_path())
    return configure(url)
