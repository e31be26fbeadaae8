"""One glance at this laptop's place in the team, in the status bar: up to date, changes
waiting to be sent, offline since when, or a problem and what to do about it."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from ui.context import AppContext
from ui.team_sync import TeamSync
from workbench.i18n import _, format_datetime, format_number, format_time, ngettext

BAR_FROM = 1000  # records to take in from which a sync shows a progress bar (a first sync)


class SyncStatusLabel(QWidget):
    """The words, and while many records arrive (a first sync) a bar of how far it is."""

    def __init__(self, ctx: AppContext, team_sync: TeamSync,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.team_sync = ctx, team_sync
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setObjectName("syncProgress")
        self.bar.setTextVisible(False)  # the words beside it say it, in the user's language
        self.bar.setFixedWidth(160)
        self.bar.setMaximumHeight(14)
        self.label = QLabel()
        self.label.setObjectName("syncStatus")
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        team_sync.changed.connect(self.refresh)
        self.refresh()

    def text(self) -> str:
        return self.label.text()

    def refresh(self) -> None:
        status, sync = self.team_sync.status, self.team_sync
        self.setVisible(status.in_team)
        if not status.in_team:
            return
        text, tip = status_text(self.ctx, sync)
        self.label.setText(text)
        self.setToolTip(tip)
        large = sync.running and sync.expected >= BAR_FROM
        self.bar.setVisible(large)
        if large:
            self.bar.setRange(0, sync.expected)
            self.bar.setValue(min(sync.received, sync.expected))


def _when(ctx: AppContext, moment: datetime) -> str:
    """A time today as 14:05, an earlier one with its date."""
    local, now = moment.astimezone(), datetime.now(UTC).astimezone()
    if local.date() == now.date():
        return format_time(moment, ctx.locale)
    return format_datetime(moment, ctx.locale, "short")


def status_text(ctx: AppContext, team_sync: TeamSync) -> tuple[str, str]:
    """The status bar's words and their tooltip."""
    status = team_sync.status
    waiting = ngettext("{n} change waiting to be sent", "{n} changes waiting to be sent",
                       status.waiting).format(n=format_number(status.waiting, ctx.locale))
    shortcut = _("Sync now: F5.")
    if team_sync.running:
        text = _("Syncing…")
        if team_sync.expected:
            text = ngettext("Syncing… {n} of {total} change received",
                            "Syncing… {n} of {total} changes received",
                            team_sync.expected).format(
                n=format_number(team_sync.received, ctx.locale),
                total=format_number(team_sync.expected, ctx.locale))
        elif team_sync.received:
            text = ngettext("Syncing… {n} change received", "Syncing… {n} changes received",
                            team_sync.received).format(
                n=format_number(team_sync.received, ctx.locale))
        tip = _("Your work goes on while this laptop syncs with the team.")
    elif team_sync.problem is not None:
        text = _("Sync problem")
        tip = (team_sync.problem or _("Sync stopped because of an unexpected problem; "
                                      "details are in the program's log.")) + " " + shortcut
        if status.waiting:
            text += " · " + waiting
    elif team_sync.offline_since is not None:
        text = _("Offline since {time}").format(time=_when(ctx, team_sync.offline_since))
        if status.waiting:
            text += " · " + waiting
        tip = _("The team server cannot be reached. Nothing is lost: this laptop keeps "
                "working and sends its changes when the server can be reached again.") + \
            " " + shortcut
    elif status.waiting:
        text = waiting
        tip = shortcut
    else:
        text = _("Up to date")
        tip = shortcut
        if status.last_sync is not None:
            tip = _("Last synced at {time}.").format(time=_when(ctx, status.last_sync)) + \
                " " + shortcut
    if status.conflict_cases and not team_sync.running:
        text += " · " + ngettext("{n} case with a conflict", "{n} cases with conflicts",
                                 status.conflict_cases).format(
            n=format_number(status.conflict_cases, ctx.locale))
    return text, tip
