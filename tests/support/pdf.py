"""Reading a printed PDF the way a person holding the paper would: its text, and its QR codes.

The PDF is opened with PDFium (the engine Chromium itself prints and displays PDFs with), each
page rendered at 150 dpi, and the rendered image scanned for QR codes with zxing-cpp: a QR that
is found here is one a phone's camera can read off the printout.
"""
from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp


@dataclass(frozen=True)
class PrintedPage:
    text: str  # the words in reading order, line breaks as spaces (a name wrapped over two lines still matches)
    qr_codes: tuple[str, ...]


def read_pdf(data: bytes, dpi: int = 150) -> list[PrintedPage]:
    """Each page of ``data``: its text (in reading order) and the contents of the QR codes on it."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in document:
            text = " ".join(page.get_textpage().get_text_range().split())
            image = page.render(scale=dpi / 72).to_pil()
            codes = tuple(code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))
            pages.append(PrintedPage(text=text, qr_codes=codes))
        return pages
    finally:
        document.close()
