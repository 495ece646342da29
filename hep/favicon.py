"""``/favicon.ico``: the app's icon (static/icons/icon-192.png) in an ICO container.

Browsers ask for /favicon.ico on every page that names no icon. An ICO file may hold a PNG
image as is (one directory entry pointing at the PNG bytes), so the shipped icon is served
without an image library; it is built once per process and cached by browsers for a day.
"""
from __future__ import annotations

import struct
from functools import cache
from pathlib import Path

from flask import Flask, Response

ICON = Path(__file__).resolve().parent / "static" / "icons" / "icon-192.png"
MAX_AGE = 86400


@cache
def favicon_bytes(png: Path = ICON) -> bytes:
    """One-image ICO holding ``png`` (a square PNG up to 256 px)."""
    data = png.read_bytes()
    width, height = struct.unpack(">II", data[16:24])  # the PNG's IHDR
    header = struct.pack("<HHH", 0, 1, 1)  # reserved, type 1 (icon), one image
    # width/height 0 mean 256; planes 1, 32 bits a pixel, then the PNG's size and offset.
    entry = struct.pack("<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(data), 6 + 16)
    return header + entry + data


def register(app: Flask) -> None:
    @app.get("/favicon.ico")
    def favicon():
        response = Response(favicon_bytes(), mimetype="image/vnd.microsoft.icon")
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
        return response
