"""Tiny real media files made in the test, byte by byte (no imaging library needed).

``png(width, height, rgb)`` is a complete PNG any browser shows; ``jpeg()`` an 8x8 mid-grey
baseline JPEG (one block, one-symbol Huffman tables); ``mp4()`` an ISO base media file with
its ``ftyp`` box and an empty ``mdat``; ``webm()`` a Matroska EBML header of doc type webm.
"""
from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(row * height))
            + _chunk(b"IEND", b""))


def _segment(marker: int, data: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data


def jpeg() -> bytes:
    """One 8x8 block whose coefficients are all zero: mid grey."""
    one_symbol = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
    return (b"\xff\xd8"
            + _segment(0xDB, b"\x00" + bytes([1] * 64))  # quantisation table 0: all ones
            + _segment(0xC0, b"\x08" + struct.pack(">HH", 8, 8) + b"\x01" + b"\x01\x11\x00")
            + _segment(0xC4, b"\x00" + one_symbol)  # DC table 0: difference category 0
            + _segment(0xC4, b"\x10" + one_symbol)  # AC table 0: end of block
            + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
            + b"\x3f"  # DC "0", EOB "0", padded with ones
            + b"\xff\xd9")


def _box(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data) + 8) + kind + data


def mp4(payload: bytes = b"") -> bytes:
    return _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41") + _box(b"free", b"") + _box(b"mdat", payload)


def webm() -> bytes:
    doc_type = b"\x42\x82\x84webm"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doc_type)]) + doc_type
