"""The instance folder is private: folders hep creates in it are 0700 and its files 0600.

It holds patients' health data (the SQLite database and its -wal/-shm), the queue (task
payloads name patients), the secret key and the VAPID key. Each file is created with its
final mode, before anything writes to it, so there is no moment when another local account
could open it; the process umask is left alone.
"""
from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: str | os.PathLike) -> Path:
    """Create ``path`` and any missing parents with mode 0700; an existing folder is kept as
    it is (its owner may have chosen otherwise). Returns the path."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # another process made it first
            continue
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is narrowed by the umask, never widened
    return path


def private_file(path: str | os.PathLike) -> Path:
    """Create ``path`` empty with mode 0600 unless it exists. Returns the path.

    SQLite treats an empty file as a new database and gives its -wal, -shm and -journal files
    the database file's mode, so calling this before SQLite opens the file keeps all of them
    private. A missing folder is left for the caller to report (SQLite does).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except (FileExistsError, FileNotFoundError):
        return path
    os.fchmod(fd, FILE_MODE)  # in case the umask narrowed it (it never widens it)
    os.close(fd)
    return path
