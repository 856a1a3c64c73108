"""The Dashboard: what needs the administrator (tiles), mailboxes by Status (bars that open them), items synced
per direction and errors and warnings per hour, what is waiting, and a live activity feed."""
from __future__ import annotations

import math
import time
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCharts import (
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core import codes, events, feed, messages
from crmsync_gui.core.store import views
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
from crmsync_gui.ui.labels import number, said
from crmsync_gui.ui.pages.base import Page
from crmsync_gui.ui.widgets.arrival_chart import ArrivalChart
from crmsync_gui.ui.widgets.status_bars import StatusBars

FEED_LIMIT = 500
FEED_FLUSH_MS = 100
LOADED_POLL_MS = 20


def describe(event: events.Event, mailbox_name, profile_name=str) -> str | None:
    """One feed line for an engine event, in the administrator's words (core/feed.py);
    `mailbox_name(id)` and `profile_name(id)` name them. None for an event that is not news."""
    line = feed.feed_line(event)
    if line is None:
        return None
    code, args = line
    if "mailbox" in args:
        args["mailbox"] = mailbox_name(args["mailbox"])
    if "profile" in args:
        args["profile"] = profile_name(args["profile"])
    text = said(messages.Said(code, args, code))
    return f"{event.at.strftime('%H:%M:%S')}  {text.splitlines()[0] if text else ''}"


COUNT_TICKS = 6
HOUR_LABEL_STEP = 6  # the per-hour charts name every sixth hour


def count_axis() -> QValueAxis:
    """A 0-based axis of whole numbers (fitted to the values by fit_count_axis)."""
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    axis.setTickCount(COUNT_TICKS)
    fit_count_axis(axis, 1)
    return axis


def fit_count_axis(axis: QValueAxis, highest: int) -> None:
    """From 0 to at least `highest`, in COUNT_TICKS - 1 whole steps. A fixed tick count, not a tick interval:
    with an interval, a range growing from 1 to 1,000 drew a tick per unit until the interval caught up
    (a second's freeze as the first sync of 1,000 mailboxes began)."""
    steps = COUNT_TICKS - 1
    axis.setRange(0, steps * max(1, math.ceil(highest / steps)))


class DashboardPage(Page):
    title = "Dashboard"
    icon_name = "tabler/layout-dashboard"
    empty_text = ("Live sync status appears here once mailboxes are enabled: mailboxes by status, "
                  "what is waiting, items synced and errors per hour.")

    def __init__(self, parent=None):
        super().__init__(parent)
        body = QWidget()
        grid = QGridLayout(body)

        status_box = QGroupBox(self.tr("Mailboxes by status"))
        self.status_bars = StatusBars()
        self.status_bars.chosen.connect(lambda status: self.open_page.emit("Mailboxes", {"status": status}))
        QVBoxLayout(status_box).addWidget(self.status_bars)

        self.synced_chart, self.synced_view = hour_chart(self.tr("Items synced per hour (UTC)"))
        self.trouble_chart, self.trouble_view = hour_chart(self.tr("Errors and warnings per hour (UTC)"))

        # what waits, in the administrator's words; the engine's own queues only in the tooltip
        self.depth_box = QGroupBox(self.tr("Waiting"))
        self.depth_layout = QGridLayout(self.depth_box)
        self.depth_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.depth_labels: dict[str, QLabel] = {}

        feed_box = QGroupBox(self.tr("Live activity"))
        self.feed = QListWidget()
        self.feed.setObjectName("activity-feed")
        # one line per event, the whole of it in the tooltip: wrapped lines made Qt lay out all 500 lines on
        # each insertion (9 ms a batch at 1,000 mailboxes syncing); lines of one height cost almost nothing
        self.feed.setUniformItemSizes(True)
        self.feed.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.feed.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        feed_layout = QVBoxLayout(feed_box)
        feed_layout.addWidget(self.feed)

        # tiles: what needs the administrator, each a click from the page that deals with it
        tiles = QHBoxLayout()
        self.tiles: dict[str, QPushButton] = {}
        for key, page in (("failing", "Mailboxes"), ("alerts", "Alerts"), ("paused", "Email server profiles")):
            tile = QPushButton()
            tile.setObjectName(f"tile-{key}")
            tile.setMinimumHeight(48)
            tile.clicked.connect(lambda _checked=False, page=page: self.open_page.emit(page, {}))
            tiles.addWidget(tile)
            self.tiles[key] = tile
        self.arrival_chart = ArrivalChart()
        left = QVBoxLayout()
        left.addWidget(status_box, 3)
        left.addWidget(self.depth_box, 2)
        grid.addLayout(tiles, 0, 0, 1, 3)
        grid.addLayout(left, 1, 0, 2, 1)
        grid.addWidget(self.synced_view, 1, 1)
        grid.addWidget(self.trouble_view, 1, 2)
        grid.addWidget(self.arrival_chart, 2, 1)
        grid.addWidget(feed_box, 2, 2)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 3)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(2, 1)  # the arrival-to-CRM chart below is as tall as those above
        self.set_content(body)

        self.statuses: dict[str, int] = {}
        self.depths: dict[str, int] = {}
        self.engine_depths: dict[str, tuple[int, int]] = {}  # engine queue -> (waiting, running)
        self.hours = views.HourlyCounts(24)
        self.synced_sets = self._bar_sets(self.synced_chart, (
            (self.tr("Email in"), "#1a5fb4"), (self.tr("Email out"), "#26a269"), (self.tr("ACT"), "#9141ac")))
        self.trouble_sets = self._bar_sets(self.trouble_chart, ((self.tr("Errors"), "#b00020"),
                                                                (self.tr("Warnings"), "#e5a50a")))
        # feed lines name mailboxes from here: a query per event would cost more than the rest of the line
        self.mailbox_names: dict[int, str] = {}
        self._names_loaded_at = -math.inf
        # a burst of events lays the feed out once per FEED_FLUSH_MS, not once per event
        self._feed_lines: list[str] = []  # newest last
        self._feed_timer = QTimer(self, singleShot=True, interval=FEED_FLUSH_MS)
        self._feed_timer.timeout.connect(self._flush_feed)
        # live parts: events mark the numbers stale; one timer reloads them at most once a second, on a worker
        # thread (its queries would take the window's time), and they are drawn here once loaded
        self._stale = False
        self._loader = loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard")
        self.destroyed.connect(lambda: loader.shutdown(wait=False))
        self._loading: Future | None = None
        self._loaded = QTimer(self, singleShot=True, interval=LOADED_POLL_MS)
        self._loaded.timeout.connect(self._draw_when_loaded)
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
        line = describe(event, self.mailbox_name, self.profile_name)
        if line is not None:
            self._feed_lines.append(line)
            if not self._feed_timer.isActive():
                self._feed_timer.start()
        self._stale = True

    def _flush_feed(self) -> None:
        lines, self._feed_lines = self._feed_lines[-FEED_LIMIT:], []
        for line in lines:
            item = QListWidgetItem(line)
            item.setToolTip(line)
            self.feed.insertItem(0, item)
        if self.feed.count() > FEED_LIMIT:
            self.feed.model().removeRows(FEED_LIMIT, self.feed.count() - FEED_LIMIT)

    def mailbox_name(self, mailbox_id: int) -> str:
        """The mailbox's name as of the last refresh; one not known yet reloads the names, at most once a second."""
        if mailbox_id not in self.mailbox_names and time.monotonic() - self._names_loaded_at >= 1:
            self.mailbox_names = views.names(Mailbox, Mailbox.name)
            self._names_loaded_at = time.monotonic()
        return self.mailbox_names.get(mailbox_id) or f"#{mailbox_id}"

    @staticmethod
    def profile_name(profile_id: int) -> str:
        """A profile's name (profile events are rare: one query each)."""
        profile = EmailServerProfile.get_or_none(EmailServerProfile.id == profile_id)
        return profile.name if profile is not None else f"#{profile_id}"

    def _refresh_if_stale(self) -> None:
        if self._stale and self.isVisible() and self._loading is None:
            self._stale = False
            self._loading = self._loader.submit(self._load)
            self._loaded.start()

    def _draw_when_loaded(self) -> None:
        if not self._loading.done():
            self._loaded.start()
            return
        loading, self._loading = self._loading, None
        self._draw(loading.result())

    def refresh(self) -> None:
        """Load and draw now (the page was just shown)."""
        self._stale = False
        self._loaded.stop()
        self._loading = None  # a load under way finishes first (one worker) and is not drawn: this one is newer
        self._draw(self._loader.submit(self._load).result())

    def _load(self) -> views.DashboardNumbers:
        with database_proxy.connection_context():  # the worker thread's own connection, closed when done
            numbers = views.dashboard_numbers(self.hours)
            numbers.arrival = self.arrival_chart.load()
            return numbers

    def _draw(self, numbers: views.DashboardNumbers) -> None:
        self.mailbox_names = numbers.mailbox_names  # renamed mailboxes show in the feed from now on
        self._names_loaded_at = time.monotonic()
        self.statuses = numbers.statuses
        self.show_empty(not self.mailbox_names and not self.feed.count() and not self._feed_lines)
        self.depths = numbers.depths
        self.status_bars.set_counts(self.statuses)
        hours = numbers.hours
        self._draw_hours(self.synced_chart, self.synced_sets, hours.slots, [hours.synced[d] for d in codes.Direction])
        self._draw_hours(self.trouble_chart, self.trouble_sets, hours.slots, [hours.errors, hours.warnings])
        self._draw_depths()
        self._draw_tiles(numbers)
        self.arrival_chart.draw(numbers.arrival)

    def _draw_tiles(self, numbers: views.DashboardNumbers) -> None:
        failing = numbers.statuses["failing"] + numbers.statuses["backing off"]
        for key, count, text in (
                ("failing", failing, self.tr("%n mailbox(es) failing or backing off", "", failing)),
                ("alerts", numbers.open_alerts, self.tr("%n alert(s) not acknowledged", "", numbers.open_alerts)),
                ("paused", numbers.paused_profiles,
                 self.tr("%n profile(s) paused (server down)", "", numbers.paused_profiles))):
            tile = self.tiles[key]
            tile.setText(text)
            colour = ("#fdecea", "#b00020") if count and key != "paused" else ("#fff4e5", "#8a5a00") if count \
                else ("#edf7ed", "#1e7e34")
            style = (f"QPushButton {{ background: {colour[0]}; color: {colour[1]}; font-weight: bold; "
                     f"border: 1px solid {colour[1]}; border-radius: 4px; }}")
            if tile.styleSheet() != style:  # restyling costs a relayout: only when the state changes
                tile.setStyleSheet(style)

    # the charts keep their series and axes and take new values: rebuilding them costs tens of milliseconds
    def _bar_sets(self, chart: QChart, sets: tuple[tuple[str, str], ...]) -> list[QBarSet]:
        series = QStackedBarSeries()
        made = []
        for name, colour in sets:
            bars = QBarSet(name)
            bars.setColor(QColor(colour))
            bars.setBorderColor(QColor(colour))
            bars.append([0] * self.hours.hours)
            series.append(bars)
            made.append(bars)
        chart.addSeries(series)
        x = QCategoryAxis()  # a label every few hours: 24 of them did not fit
        x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        x.setRange(-0.5, self.hours.hours - 0.5)
        y = count_axis()
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        return made

    def _draw_hours(self, chart: QChart, sets: list[QBarSet], slots, values: list[list[int]]) -> None:
        x, y = chart.axes(Qt.Orientation.Horizontal)[0], chart.axes(Qt.Orientation.Vertical)[0]
        labels = [(f"{slot.hour:02d}:00", i) for i, slot in enumerate(slots) if slot.hour % HOUR_LABEL_STEP == 0]
        if x.categoriesLabels() != [label for label, _at in labels]:
            for label in x.categoriesLabels():
                x.remove(label)
            for label, at in labels:
                x.append(label, at)
        for bars, counts in zip(sets, values, strict=True):
            for i, count in enumerate(counts):
                if bars.at(i) != count:
                    bars.replace(i, count)
        fit_count_axis(y, max((sum(hour) for hour in zip(*values, strict=True)), default=0))

    def _draw_depths(self) -> None:
        for name, count in self.depths.items():
            if name not in self.depth_labels:
                self.depth_layout.addWidget(QLabel(QCoreApplication.translate("depths", name)), len(self.depth_labels), 0)
                label = QLabel()
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.depth_layout.addWidget(label, len(self.depth_labels), 1)
                self.depth_labels[name] = label
            self.depth_labels[name].setText(f"<b>{number(count)}</b>")
        engine = [self.tr("engine queue {0}: {1} waiting, {2} running").format(name, waiting, running)
                  for name, (waiting, running) in sorted(self.engine_depths.items())]
        self.depth_box.setToolTip("\n".join(engine))


def hour_chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(200)
    return chart, view
