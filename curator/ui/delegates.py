"""How review state looks, shared by the table and the side panel: status names, colours and
icons, provider names, the score bar delegate, and plain-text labels (provider text is never
rendered as rich text)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from curator.domain.models import DecisionStatus

#: The table's score role: the best candidate's score as a float (or None).
SCORE_ROLE = Qt.ItemDataRole.UserRole + 1

STATUS_NAMES: dict[DecisionStatus | None, str] = {
    None: "Not matched yet",
    DecisionStatus.PENDING: "Not matched yet",
    DecisionStatus.AUTO: "Auto",
    DecisionStatus.AMBIGUOUS: "Needs review",
    DecisionStatus.NO_MATCH: "No match",
    DecisionStatus.ACCEPTED: "Accepted",
    DecisionStatus.SKIPPED: "Skipped",
    DecisionStatus.PUSHED: "Pushed",
    DecisionStatus.FAILED: "Failed",
}

STATUS_COLOURS: dict[DecisionStatus | None, str] = {
    None: "#9e9e9e",
    DecisionStatus.PENDING: "#9e9e9e",
    DecisionStatus.AUTO: "#43a047",
    DecisionStatus.AMBIGUOUS: "#fb8c00",
    DecisionStatus.NO_MATCH: "#e53935",
    DecisionStatus.ACCEPTED: "#1e88e5",
    DecisionStatus.SKIPPED: "#757575",
    DecisionStatus.PUSHED: "#8e24aa",
    DecisionStatus.FAILED: "#b71c1c",
}

#: Why the matcher decided what it did, for people (keys are the policy's reason codes).
REASONS: dict[str, str] = {
    "certain_id_match": "Plex already knew this item's id, and the candidate has the same id.",
    "above_threshold": "The best candidate scores above the threshold with a clear lead.",
    "ambiguous": "Several candidates score close together: pick the right one.",
    "below_floor": "No candidate scores high enough to be sure.",
    "id_conflict": "Plex's id for this item differs from the best candidate's id.",
    "never_auto": "You asked to review this item yourself.",
    "no_candidates": "No provider found anything for this title.",
}

PROVIDER_NAMES: dict[str, str] = {
    "tmdb": "TMDB", "tvdb": "TheTVDB", "tvmaze": "TVmaze", "omdb": "OMDb", "fanart": "fanart.tv",
    "poms": "NPO POMS", "cinema_nl": "cinema.nl",
}

PART_COLOURS = ("#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41")


def status_name(status: DecisionStatus | None) -> str:
    return STATUS_NAMES[status]


def reason_text(reason: str) -> str:
    """A sentence for a policy reason code (``ambiguous: 2 candidates within margin`` → …)."""
    return REASONS.get(reason.split(":", 1)[0].strip(), "")


def provider_name(provider: str) -> str:
    return PROVIDER_NAMES.get(provider, provider)


def parts_text(parts: Iterable[tuple[str, float]]) -> str:
    """'title 0.56 · year 0.24 · kind 0.19 · ids 0.00'."""
    return " · ".join(f"{name} {value:.2f}" for name, value in parts)


def score_parts_of(score_parts: Mapping[str, Any] | None) -> list[tuple[str, float]]:
    """The named contributions stored with a decision (``score_parts["parts"]``)."""
    parts = (score_parts or {}).get("parts") or {}
    if not isinstance(parts, Mapping):
        return []
    return [(str(name), float(value)) for name, value in parts.items() if isinstance(value, int | float)]


_icons: dict[DecisionStatus | None, QIcon] = {}


def status_icon(status: DecisionStatus | None) -> QIcon:
    """A coloured dot per status (drawn once)."""
    icon = _icons.get(status)
    if icon is None:
        pixmap = QPixmap(16, 16)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STATUS_COLOURS[status]))
        painter.drawEllipse(QRectF(2.5, 2.5, 11, 11))
        painter.end()
        icon = _icons[status] = QIcon(pixmap)
    return icon


def plain_label(text: str = "", *, wrap: bool = False, selectable: bool = False) -> QLabel:
    """A QLabel that never interprets its text as HTML."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def score_colour(score: float, threshold: float) -> QColor:
    if score >= threshold:
        return QColor("#43a047")
    if score >= threshold - 0.15:
        return QColor("#fb8c00")
    return QColor("#e53935")


class ScoreBarDelegate(QStyledItemDelegate):
    """Draws the score column as a bar (green above the threshold) with the number on it."""

    def __init__(self, threshold: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.threshold = threshold

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        score = index.data(SCORE_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if not isinstance(score, float):
            return
        painter.save()
        track = QRect(opt.rect.adjusted(4, 5, -4, -5))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 28))
        painter.drawRoundedRect(track, 3, 3)
        filled = QRect(track)
        filled.setWidth(max(1, round(track.width() * min(max(score, 0.0), 1.0))))
        colour = score_colour(score, self.threshold)
        colour.setAlpha(170)
        painter.setBrush(colour)
        painter.drawRoundedRect(filled, 3, 3)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_colour = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        painter.setPen(QPen(text_colour))
        painter.drawText(track.adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         f"{score:.2f}")
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(90, super().sizeHint(option, index).height())
