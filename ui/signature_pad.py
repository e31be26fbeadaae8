"""The signature pad: sign with a finger, a pen (with its pressure) or the mouse.

Strokes are kept as vectors, normalised to the pad, so the agreement draws them as paths.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen, QTabletEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from workbench.agreements.signatures import Point, Signature, SignerRole

MOUSE_PRESSURE = 0.6


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[list[Point]] = []
        self._drawing = False
        self.setAttribute(Qt.WA_AcceptTouchEvents)
        self.setMinimumSize(360, 120)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.setCursor(Qt.CrossCursor)
        self.setFocusPolicy(Qt.StrongFocus)

    # --- what was signed -----------------------------------------------------------------

    @property
    def empty(self) -> bool:
        return not any(len(stroke) > 1 for stroke in self.strokes)

    def signature(self, role: SignerRole, name: str) -> Signature:
        return Signature(role, name, datetime.now(UTC).isoformat(timespec="seconds"),
                         [list(stroke) for stroke in self.strokes if len(stroke) > 1],
                         self.width() / max(1, self.height()))

    def clear(self) -> None:
        self.strokes.clear()
        self.update()
        self.changed.emit()

    def undo_stroke(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self.update()
            self.changed.emit()

    # --- input ---------------------------------------------------------------------------

    def _point(self, position: QPointF, pressure: float) -> Point:
        x = min(1.0, max(0.0, position.x() / max(1, self.width())))
        y = min(1.0, max(0.0, position.y() / max(1, self.height())))
        return (round(x, 4), round(y, 4), round(min(1.0, max(0.05, pressure)), 3))

    def _begin(self, position: QPointF, pressure: float) -> None:
        self._drawing = True
        self.strokes.append([self._point(position, pressure)])

    def _extend(self, position: QPointF, pressure: float) -> None:
        if self._drawing:
            self.strokes[-1].append(self._point(position, pressure))
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.LeftButton:
            self._begin(event.position(), MOUSE_PRESSURE)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position(), MOUSE_PRESSURE)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # A pen: its pressure shapes the line. Accepting stops Qt from also sending the
        # same movement again as mouse events.
        kind = event.type()
        if kind == QEvent.TabletPress:
            self._begin(event.position(), event.pressure())
        elif kind == QEvent.TabletMove:
            self._extend(event.position(), event.pressure())
        elif kind == QEvent.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.TouchBegin, QEvent.TouchUpdate, QEvent.TouchEnd):
            points = event.points()
            if points:
                position = points[0].position()
                if kind == QEvent.TouchBegin:
                    self._begin(position, MOUSE_PRESSURE)
                elif kind == QEvent.TouchUpdate:
                    self._extend(position, MOUSE_PRESSURE)
                else:
                    self._end()
            event.accept()
            return True
        return super().event(event)

    # --- drawing -------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor("#fbfcfe"))
        painter.setPen(QPen(QColor("#c9d1da"), 1, Qt.DashLine))
        baseline = int(self.height() * 0.78)
        painter.drawLine(12, baseline, self.width() - 12, baseline)
        for stroke in self.strokes:
            for (x1, y1, p1), (x2, y2, p2) in itertools.pairwise(stroke):
                painter.setPen(QPen(QColor("#14306b"), 1 + 2.5 * (p1 + p2) / 2, Qt.SolidLine,
                                    Qt.RoundCap, Qt.RoundJoin))
                path = QPainterPath(QPointF(x1 * self.width(), y1 * self.height()))
                path.lineTo(x2 * self.width(), y2 * self.height())
                painter.drawPath(path)
