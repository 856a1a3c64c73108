"""The dashboard charts arrival to CRM: p50 and p99 of each hour read from the tracking decisions that are arrivals
(received_at, decided_at), the mailboxes' last tracked email in its title; in Italian too."""
from datetime import timedelta

import pytest
from PySide6.QtCore import QTranslator

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store import views
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Mailbox, TrackingDecision
from crmsync_gui.ui.pages.dashboard import DashboardPage
from crmsync_gui.ui.resources import install_translations
from crmsync_gui.ui.widgets.arrival_chart import ArrivalChart


@pytest.fixture
def arrivals(db):
    profile = admin.save_profile({"name": "Exchange", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    box = admin.add_mailbox("Ann", "ann@example.com", profile)
    now = utcnow()
    first = now - timedelta(hours=5)
    TrackingDecision.create(mailbox=box, server_id="history", outcome=codes.TrackingOutcome.TRACKED, reason="r",
                            received_at=first - timedelta(days=30), decided_at=first,
                            arrival=False)  # a first sync's: not drawn
    for n, (hours_ago, after_s) in enumerate([(3, 240), (3, 300), (0, 0.4), (0, 0.6), (0, 1.2)]):
        received = now - timedelta(hours=hours_ago, seconds=after_s + 1)
        TrackingDecision.create(mailbox=box, server_id=str(n), outcome=codes.TrackingOutcome.TRACKED, reason="r",
                                received_at=received, decided_at=received + timedelta(seconds=after_s),
                                arrival=True)
    Mailbox.update(arrival_latency_s=0.6).where(Mailbox.id == box.id).execute()


def points(series):
    return [(p.x(), round(p.y(), 3)) for p in series.points()]


def test_the_dashboard_charts_each_hours_p50_and_p99_from_the_store(qtbot, arrivals):
    page = DashboardPage()
    qtbot.addWidget(page)
    page.refresh()
    chart = page.arrival_chart
    assert points(chart.lines["p50"]) == [(-3, 300.0), (0, 0.6)]
    assert points(chart.lines["p99"]) == [(-3, 300.0), (0, 1.2)]
    assert chart.seconds_axis.min() <= 0.1 and chart.seconds_axis.max() >= 1000  # polled minutes and push seconds
    assert chart.chart().title() == "Arrival to CRM of tracked email<br>last email, median of mailboxes: 0.6 s"


def test_a_day_without_arrivals_says_so_and_a_zero_is_drawn_on_the_scale(qtbot, qapp):
    chart = ArrivalChart()
    qtbot.addWidget(chart)
    chart.draw(views.ArrivalLatencies([None] * 24, [None] * 24))
    assert chart.chart().title() == "Arrival to CRM of tracked email<br>none in the last 24 hours"
    chart.draw(views.ArrivalLatencies([None] * 23 + [0.0], [None] * 23 + [0.0]))
    assert points(chart.lines["p50"]) == [(0, 0.01)] and chart.seconds_axis.min() <= 0.01


def test_the_chart_speaks_italian(qtbot, qapp):
    before = set(qapp.findChildren(QTranslator))
    assert install_translations(qapp, "it") == "it"
    try:
        chart = ArrivalChart()
        qtbot.addWidget(chart)
        chart.draw(views.ArrivalLatencies([None] * 24, [None] * 24, last_median=90.0))
        assert chart.chart().title() == ("Dall'arrivo al CRM dei messaggi tracciati<br>ultimo messaggio, mediana "
                                         "delle cassette postali: 2 min")
        assert (chart.lines["p50"].name(), chart.lines["p99"].name()) == ("Mediana", "99° percentile")
    finally:
        for translator in set(qapp.findChildren(QTranslator)) - before:
            qapp.removeTranslator(translator)
            translator.deleteLater()
