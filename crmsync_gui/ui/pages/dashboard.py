"""The Dashboard: mailboxes by state, queue depths, items synced and errors per hour, a live activity feed."""
from __future__ import annotations

import dataclasses
import math

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QListWidget, QVBoxLayout, QWidget

from crmsync_gui.core import codes, events
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.ui.pages.base import Page

FEED_LIMIT = 500


def describe(event: events.Event) -> str:
    """One feed line for an engine event, in the administrator's words."""
    t = event.at.strftime("%H:%M:%S")
    if isinstance(event, events.EngineStateChanged):
        return QCoreApplication.translate("Dashboard", "{0}  engine {1}").format(t, event.state)
    if isinstance(event, events.MailboxChanged):
        name = Mailbox.select(Mailbox.name).where(Mailbox.id == event.mailbox_id).scalar() or f"#{event.mailbox_id}"
        return QCoreApplication.translate("Dashboard", "{0}  mailbox {1} updated").format(t, name)
    if isinstance(event, events.TraceLogged):
        level = codes.TraceLevel(event.level).label if event.level in set(codes.TraceLevel) else event.level
        return f"{t}  {level} {event.code}: {event.message.splitlines()[0] if event.message else ''}"
    mailbox_id = getattr(event, "mailbox_id", None)
    name = (Mailbox.select(Mailbox.name).where(Mailbox.id == mailbox_id).scalar() or f"#{mailbox_id}") \
        if mailbox_id is not None else ""
    direction = codes.Direction(event.direction).label.lower() if hasattr(event, "direction") else ""
    kind = type(event).__name__
    if kind == "JobStarted":
        return QCoreApplication.translate("Dashboard", "{0}  {1}: {2} started").format(t, name, direction)
    if kind == "JobFinished":
        return QCoreApplication.translate("Dashboard", "{0}  {1}: {2} done, {3} items in {4:.1f} s").format(
            t, name, direction, event.items, event.duration_s)
    if kind == "JobFailed":
        return QCoreApplication.translate("Dashboard", "{0}  {1}: {2} failed, {3}: {4}").format(t, name, direction, event.code, event.message)
    if kind == "ItemTracked":
        return QCoreApplication.translate("Dashboard", "{0}  {1}: an email was tracked").format(t, name)
    if kind == "MailboxDisabled":
        return QCoreApplication.translate("Dashboard", "{0}  {1}: {2} disabled ({3}): {4}").format(t, name, direction, event.code, event.reason)
    if kind == "ProfilePaused":
        return QCoreApplication.translate("Dashboard", "{0}  profile #{1} paused: {2}").format(t, event.profile_id, event.reason)
    if kind == "AlertRaised":
        return QCoreApplication.translate("Dashboard", "{0}  alert: {1}").format(t, event.message)
    fields = ", ".join(f"{f.name}={getattr(event, f.name)}" for f in dataclasses.fields(event) if f.name != "at")
    return f"{t}  {type(event).__name__} {fields}".rstrip()


def count_axis(highest: int) -> QValueAxis:
    """A 0-based axis of whole numbers with about five ticks on round values."""
    step = max(1, math.ceil(highest / 5))
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    axis.setRange(0, step * math.ceil(highest / step))
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    return axis


class DashboardPage(Page):
    title = "Dashboard"
    empty_text = ("Live sync status appears here once mailboxes are enabled: mailboxes by state, "
                  "queue depths, items synced and errors per hour.")

    def __init__(self, parent=None):
        super().__init__(parent)
        body = QWidget()
        grid = QGridLayout(body)

        self.state_chart = QChart()
        self.state_chart.setTitle(self.tr("Mailboxes by state"))
        self.state_chart.legend().hide()
        self.state_view = QChartView(self.state_chart)
        self.state_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.state_view.setMinimumHeight(220)

        self.hour_chart = QChart()
        self.hour_chart.setTitle(self.tr("Last 24 hours"))
        self.hour_view = QChartView(self.hour_chart)
        self.hour_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.hour_view.setMinimumHeight(220)

        depth_box = QGroupBox(self.tr("Queue depths"))
        self.depth_layout = QGridLayout(depth_box)
        self.depth_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.depth_labels: dict[str, QLabel] = {}

        feed_box = QGroupBox(self.tr("Live activity"))
        self.feed = QListWidget()
        self.feed.setObjectName("activity-feed")
        self.feed.setWordWrap(True)
        self.feed.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        feed_layout = QVBoxLayout(feed_box)
        feed_layout.addWidget(self.feed)

        grid.addWidget(self.state_view, 0, 0)
        grid.addWidget(self.hour_view, 0, 1)
        grid.addWidget(depth_box, 1, 0)
        grid.addWidget(feed_box, 1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        self.set_content(body)

        self.states: dict[str, int] = {}
        self.depths: dict[str, int] = {}
        self.engine_depths: dict[str, tuple[int, int]] = {}  # engine queue -> (waiting, running)
        # live parts: events mark the numbers stale; one timer redraws at most once a second
        self._stale = False
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._refresh_if_stale)
        self._timer.start()

    def attach(self, bridge) -> None:
        """Follow the engine through the EventBridge."""
        bridge.event.connect(self.on_event)

    def on_event(self, event: events.Event) -> None:
        if type(event).__name__ == "QueueDepths":  # numbers, not news: shown in Queue depths
            # a queue the event leaves out (all of them once the engine stops) holds nothing now
            self.engine_depths = dict.fromkeys(self.engine_depths, (0, 0)) | {
                name: (waiting, running) for name, waiting, running in event.depths}
            self._stale = True
            return
        if isinstance(event, events.EngineStateChanged) and event.state == "stopped":
            self.engine_depths = dict.fromkeys(self.engine_depths, (0, 0))
        self.feed.insertItem(0, describe(event))
        while self.feed.count() > FEED_LIMIT:
            self.feed.takeItem(self.feed.count() - 1)
        self._stale = True

    def _refresh_if_stale(self) -> None:
        if self._stale and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        total = Mailbox.select().count()
        self.show_empty(total == 0 and self.feed.count() == 0)
        self.states = views.mailboxes_by_state()
        self.depths = views.queue_depths()
        for name, (waiting, running) in sorted(self.engine_depths.items()):
            self.depths[self.tr("engine queue {0}: waiting").format(name)] = waiting
            self.depths[self.tr("engine queue {0}: running").format(name)] = running
        self._draw_states()
        self._draw_hours()
        self._draw_depths()

    def _draw_states(self) -> None:
        chart = self.state_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bars = QBarSet(self.tr("Mailboxes"))
        labels = []
        for state, count in self.states.items():
            bars.append(count)
            labels.append(QCoreApplication.translate("states", state))
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(labels)
        y = count_axis(max([*self.states.values(), 1]))
        font = x.labelsFont()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        x.setLabelsFont(font)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)

    def _draw_hours(self) -> None:
        chart = self.hour_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        slots, synced, errors = views.per_hour(24)
        x = QValueAxis()
        x.setRange(-23, 0)
        x.setLabelFormat("%d h")
        x.setTickCount(7)
        y = count_axis(max([*synced, *errors, 1]))
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for name, values in ((self.tr("Items synced"), synced), (self.tr("Errors"), errors)):
            series = QLineSeries()
            series.setName(name)
            for i, value in enumerate(values):
                series.append(i - len(values) + 1, value)
            chart.addSeries(series)
            series.attachAxis(x)
            series.attachAxis(y)

    def _draw_depths(self) -> None:
        for name, count in self.depths.items():
            if name not in self.depth_labels:
                self.depth_layout.addWidget(QLabel(QCoreApplication.translate("depths", name)), len(self.depth_labels), 0)
                label = QLabel()
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.depth_layout.addWidget(label, len(self.depth_labels), 1)
                self.depth_labels[name] = label
            self.depth_labels[name].setText(f"<b>{count:,}</b>")
