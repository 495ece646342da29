"""Pictures and short videos uploaded for a clinic's own exercises.

Contract:

- ``sniff(head)`` names the kind of a file from its first bytes (magic numbers), never from
  its name or the client's Content-Type: ``Sniffed(kind, extension, mimetype)`` for a PNG,
  JPEG, WebP or GIF picture (kind ``image``) or an MP4 or WebM video (kind ``video``), else
  ``None``.
- ``store_upload(user, exercise_id, stream, max_bytes)`` stores the file for the clinic's own
  exercise (``own_exercises.own_exercise_for``: 404 / 409) as
  ``<instance>/media/<clinic id>/<32 hex>.<ext>``: written to a temporary file in that
  folder, then renamed, so a reader never sees half a file. An unknown kind raises
  ``UnsupportedMedia`` (415, naming ``file``), more than ``max_bytes`` ``TooLarge`` (413);
  nothing is kept then. The exercise's ``image`` or ``video`` names the new file; the file it
  replaces is deleted once the row is saved.
- ``media_for(user, name)`` is the one access check for reading a stored file: staff of the
  exercise's clinic, or a patient whose current program prescribes the exercise; anyone
  else, an unknown or malformed name: ``NotFound``. Returns ``(path, mimetype)``.
- ``media_url(name)``: the stable URL of a stored file (``GET /api/v1/media/<name>``). A new
  upload gets a new name, so a URL always means the same bytes and may be cached for good.
"""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import BinaryIO, NamedTuple

from flask import current_app, url_for
from flask_babel import gettext as _

from hep.db import db
from hep.errors import NotFound, TooLarge, UnsupportedMedia
from hep.instance import FILE_MODE, private_folder
from hep.library.own_exercises import own_exercise_for
from hep.models import Exercise, Patient, Prescription, Program, ProgramVersion, User
from hep.people import audit
from hep.people.access import own_patient

CHUNK = 64 * 1024
HEAD = 64  # bytes read to recognise a file
NAME_RE = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|gif|mp4|webm)$")
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif",
             "mp4": "video/mp4", "webm": "video/webm"}
KINDS = ("image", "video")


class Sniffed(NamedTuple):
    kind: str  # image | video
    extension: str
    mimetype: str


def sniff(head: bytes) -> Sniffed | None:
    """The kind of a file from its first ``HEAD`` bytes (see the module's contract)."""
    def found(kind: str, extension: str) -> Sniffed:
        return Sniffed(kind, extension, MIMETYPES[extension])

    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return found("image", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return found("image", "jpg")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return found("image", "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return found("image", "webp")
    # ISO base media (MP4): a first box "ftyp" (its size, then the type, then the brand).
    if head[4:8] == b"ftyp" and head[8:12] not in (b"qt  ", b"heic", b"heix", b"avif", b"mif1", b"msf1"):
        return found("video", "mp4")
    # Matroska's EBML header declaring the "webm" document type.
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return found("video", "webm")
    return None


def media_folder(clinic_id: int) -> Path:
    """Where the clinic's uploads live (created private, 0700, on first use)."""
    return private_folder(Path(current_app.instance_path) / "media" / str(int(clinic_id)))


def max_upload_bytes() -> int:
    """``HEP_MEDIA_MAX_MB`` in bytes. (A body far larger is refused unread: ``MAX_CONTENT_LENGTH``.)"""
    return int(current_app.config["MEDIA_MAX_MB"]) * 1024 * 1024


def media_url(name: str | None) -> str | None:
    return url_for("exercises.media_file", name=name) if name else None


def store_upload(user: User, exercise_id: int, stream: BinaryIO, max_bytes: int) -> Exercise:
    """Store an uploaded picture or video for the clinic's own exercise (module contract)."""
    exercise = own_exercise_for(user, exercise_id)
    head = stream.read(HEAD)
    sniffed = sniff(head)
    if sniffed is None:
        raise UnsupportedMedia(_("The file is not a picture or a video this app can show."),
                               errors={"file": [_("Upload a PNG, JPEG, WebP or GIF picture, or an MP4 or WebM video.")]})
    folder = media_folder(exercise.clinic_id)
    name = f"{uuid.uuid4().hex}.{sniffed.extension}"
    temporary = folder / f".{name}.part"
    try:
        _write(temporary, head, stream, max_bytes)
        os.replace(temporary, folder / name)
    finally:
        temporary.unlink(missing_ok=True)
    field = getattr(Exercise, sniffed.kind)
    replaced = getattr(exercise, sniffed.kind)
    try:
        with db.atomic():
            setattr(exercise, sniffed.kind, name)
            exercise.save(only=[field])
            audit.record("exercise.media", exercise=exercise.id, kind=sniffed.kind, name=name)
    except BaseException:
        (folder / name).unlink(missing_ok=True)
        raise
    if replaced:
        (folder / replaced).unlink(missing_ok=True)
    return exercise


def _write(path: Path, head: bytes, stream: BinaryIO, max_bytes: int) -> None:
    """Copy ``head`` and the rest of ``stream`` into a new private file, at most ``max_bytes``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        written = 0
        chunk = head
        while chunk:
            written += len(chunk)
            if written > max_bytes:
                raise TooLarge(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)),
                               errors={"file": [_("The file is too large.")]})
            out.write(chunk)
            chunk = stream.read(CHUNK)
        out.flush()
        os.fsync(out.fileno())


def media_for(user: User, name: str) -> tuple[Path, str]:
    """The stored file ``name`` if ``user`` may see it (see the module's contract)."""
    if not NAME_RE.match(name or ""):
        raise NotFound(_("No such file."))
    exercise = Exercise.get_or_none(((Exercise.image == name) | (Exercise.video == name))
                                    & Exercise.clinic.is_null(False))
    if exercise is None or not _may_see(user, exercise):
        raise NotFound(_("No such file."))
    path = media_folder(exercise.clinic_id) / name
    if not path.is_file():
        raise NotFound(_("No such file."))
    return path, MIMETYPES[name.rsplit(".", 1)[1]]


def _may_see(user: User, exercise: Exercise) -> bool:
    if user.role != "patient":
        return user.clinic_id == exercise.clinic_id
    patient: Patient = own_patient()  # the patient's record, audited as read
    latest = (ProgramVersion.select(ProgramVersion.id).join(Program)
              .where(Program.patient == patient.id).order_by(ProgramVersion.number.desc()).limit(1))
    return (Prescription.select(Prescription.id)
            .where(Prescription.version.in_(latest) & (Prescription.exercise == exercise.id)).exists())
