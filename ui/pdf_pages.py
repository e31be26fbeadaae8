"""A PDF's pages as pictures: to show an agreement before it is signed, and to print a
document straight to a printer (no PDF viewer needed on the laptop).

PDFium (pypdfium2) draws the pages; Qt shows or prints the pictures.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

from workbench.errors import WorkbenchError
from workbench.i18n import N_

POINTS_PER_INCH = 72


class UnreadablePdf(WorkbenchError):
    template = N_("The document cannot be shown or printed: its file is damaged.")


def page_images(pdf: bytes, width_px: int) -> list[QImage]:
    """Every page drawn ``width_px`` pixels wide."""
    return list(_pages(pdf, lambda page: width_px / page.get_width()))


def page_count(pdf: bytes) -> int:
    document = _open(pdf)
    try:
        return len(document)
    finally:
        document.close()


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print every page, each fitted to the printer's page; returns how many. A damaged
    file is refused before the printer starts (no blank sheet comes out)."""
    dpi = printer.resolution()
    document = _open(pdf)
    painter = QPainter()
    try:
        if not painter.begin(printer):
            raise PrinterNotReady()
        printed = 0
        try:
            for image in _drawn(document, lambda _page: dpi / POINTS_PER_INCH):
                if printed:
                    printer.newPage()
                area = painter.viewport()
                size = image.size().scaled(area.size(), Qt.KeepAspectRatio)
                painter.drawImage(QRect(area.x(), area.y(), size.width(), size.height()),
                                  image)
                printed += 1
        finally:
            painter.end()
        return printed
    finally:
        document.close()


class PrinterNotReady(WorkbenchError):
    template = N_("The printer could not be started. Check that it is on and try again.")


def _open(pdf: bytes):
    import pypdfium2 as pdfium  # (when first needed: 25 MB the window need not hold)

    try:
        return pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as error:
        raise UnreadablePdf() from error


def _pages(pdf: bytes, scale_of) -> Iterator[QImage]:
    document = _open(pdf)
    try:
        yield from _drawn(document, scale_of)
    finally:
        document.close()


def _drawn(document, scale_of) -> Iterator[QImage]:
    for index in range(len(document)):
        page = document[index]
        try:
            bitmap = page.render(scale=scale_of(page), rev_byteorder=True)
            # Copied: the bitmap's memory goes with it.
            yield QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                         QImage.Format_RGB888 if bitmap.n_channels == 3
                         else QImage.Format_RGBA8888).copy()
        finally:
            page.close()
