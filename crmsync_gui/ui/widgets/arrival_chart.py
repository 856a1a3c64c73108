"""The dashboard's chart of arrival to CRM: how long tracked email took from reaching its mailbox to the CRM,
p50 and p99 of each of the last 24 hours (views.ArrivalTimes), on a logarithmic scale of seconds, since push
brings email in within seconds and polling within minutes; its title gives the mailboxes' last tracked email."""
from __future__ import annotations

import math

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QLogValueAxis, QScatterSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter

from crmsync_gui.core.store import views
from crmsync_gui.ui.labels import latency

HOURS = 24
LOWEST_S = 0.01  # the scale's floor: a time of 0 (a clock a little ahead) is drawn there


class ArrivalChart(QChartView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("arrival-chart")
        self.times = views.ArrivalTimes(HOURS)
        self.chart_ = chart = QChart()
        self.setChart(chart)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)  # the window's minimum height stays under 560
        hours = QValueAxis()
        hours.setRange(-HOURS + 1, 0)
        hours.setLabelFormat("%d h")
        hours.setTickCount(7)
        self.seconds_axis = QLogValueAxis()
        self.seconds_axis.setBase(10)
        self.seconds_axis.setLabelFormat("%g s")
        self.seconds_axis.setRange(0.1, 1000)
        chart.addAxis(hours, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.seconds_axis, Qt.AlignmentFlag.AlignLeft)
        self.lines: dict[str, QLineSeries] = {}
        self.dots: dict[str, QScatterSeries] = {}  # an hour alone between empty ones shows as its dot
        for key, name, colour in (("p50", self.tr("Median"), "#1a5fb4"), ("p99", self.tr("99th percentile"), "#c64600")):
            line, dots = QLineSeries(), QScatterSeries()
            line.setName(name)
            for series in (line, dots):
                series.setColor(QColor(colour))
                chart.addSeries(series)
                series.attachAxis(hours)
                series.attachAxis(self.seconds_axis)
            dots.setMarkerSize(6)
            dots.setBorderColor(QColor(colour))
            chart.legend().markers(dots)[0].setVisible(False)
            self.lines[key], self.dots[key] = line, dots
        self.draw(views.ArrivalLatencies([None] * HOURS, [None] * HOURS))

    def load(self) -> views.ArrivalLatencies:
        """Read the chart's numbers (on the dashboard's worker thread, with its connection)."""
        return self.times.update()

    def draw(self, latencies: views.ArrivalLatencies) -> None:
        values = []
        for key, per_hour in (("p50", latencies.p50), ("p99", latencies.p99)):
            points = [QPointF(i - len(per_hour) + 1, max(LOWEST_S, s)) for i, s in enumerate(per_hour) if s is not None]
            self.lines[key].replace(points)
            self.dots[key].replace(points)
            values += [p.y() for p in points]
        low = 10 ** math.floor(math.log10(min(values, default=0.1)))
        high = 10 ** math.ceil(math.log10(max(values, default=100)))
        self.seconds_axis.setRange(min(low, 0.1), max(high, 10 * low, 100))
        title = self.tr("Arrival to CRM of tracked email")
        if latencies.last_median is not None:
            title = self.tr("{0}<br>last email, median of mailboxes: {1}").format(title,
                                                                                 latency(latencies.last_median))
        elif not values:
            title = self.tr("{0}<br>none in the last 24 hours").format(title)  # a line of its own: the
            # chart is a third of a 1280-pixel window, too narrow for the Italian on one line
        self.chart_.setTitle(title)
