"""Values read back as Exchange stores them (issue 21, item 2)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import requests
from exchangelib import CalendarItem, EWSDateTime, Task
from exchangelib.ewsdatetime import UTC as EWS_UTC
from exchangelib.recurrence import DailyPattern, Recurrence, TaskRecurrence

SOAP = """<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<s:Header><t:RequestServerVersion Version="Exchange2016"/></s:Header><s:Body>{}</s:Body></s:Envelope>"""
CREATE = """<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId><t:DistinguishedFolderId Id="{}"/>
</m:SavedItemFolderId><m:Items>{}</m:Items></m:CreateItem>"""


def _post(sandbox, account, operation: str) -> bytes:
    """A request exchangelib would not send (it checks these values itself), as another client may."""
    reply = requests.post(sandbox.url, data=SOAP.format(operation).encode(), verify=sandbox.ca_file, timeout=10,
                          auth=(account.primary_smtp_address, "ann-pw"))
    assert reply.status_code == 200 and b'ResponseClass="Success"' in reply.content, reply.content
    return reply.content


def _at(hour: int, day: int = 7) -> EWSDateTime:
    return EWSDateTime(2026, 12, day, hour, tzinfo=EWS_UTC)


def test_booleans_answer_true_or_false_whatever_the_client_spelled(sandbox, ann):
    _post(sandbox, ann, CREATE.format("drafts", "<t:Message><t:Subject>spelled booleans</t:Subject>"
                                      "<t:ReminderIsSet> 0 </t:ReminderIsSet><t:IsReadReceiptRequested>1"
                                      "</t:IsReadReceiptRequested><t:IsRead>1</t:IsRead></t:Message>"))
    draft = ann.drafts.get(subject="spelled booleans")
    assert (draft.is_read, draft.is_read_receipt_requested, draft.reminder_is_set) == (True, True, False)
    got = [rep for op, _req, rep in sandbox.seen if op == "GetItem"][-1]
    assert b"<t:IsRead>true</t:IsRead>" in got and b"<t:ReminderIsSet>false</t:ReminderIsSet>" in got
    _post(sandbox, ann, _set_field(draft, "message:IsRead", "<t:Message><t:IsRead>0</t:IsRead></t:Message>"))
    assert ann.drafts.get(subject="spelled booleans").is_read is False  # an update's spelling too
    got = [rep for op, _req, rep in sandbox.seen if op == "GetItem"][-1]
    assert b"<t:IsRead>false</t:IsRead>" in got


def _set_field(item, uri: str, value: str) -> str:
    return (f'<m:UpdateItem ConflictResolution="AlwaysOverwrite" MessageDisposition="SaveOnly"><m:ItemChanges>'
            f'<t:ItemChange><t:ItemId Id="{item.id}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="{uri}"/>'
            f"{value}</t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>")


def test_subjects_and_contact_names_keep_255_characters(sandbox, ann):
    _post(sandbox, ann, CREATE.format("drafts", f"<t:Message><t:Subject>{'s' * 300}</t:Subject></t:Message>"))
    _post(sandbox, ann, CREATE.format("contacts", f"<t:Contact><t:DisplayName>{'d' * 255}</t:DisplayName>"
                                      f"<t:GivenName>{'g' * 300}</t:GivenName><t:Surname>{'n' * 256}</t:Surname>"
                                      "</t:Contact>"))
    assert ann.drafts.all().get().subject == "s" * 255
    _post(sandbox, ann, _set_field(ann.drafts.all().get(), "item:Subject",
                                   f"<t:Message><t:Subject>{'u' * 256}</t:Subject></t:Message>"))
    assert ann.drafts.all().get().subject == "u" * 255  # an update keeps 255 too
    contact = ann.contacts.all().get()
    assert (contact.given_name, contact.surname, contact.display_name) == ("g" * 255, "n" * 255, "d" * 255)


def test_a_calendar_item_has_a_uid_that_survives_updates(sandbox, ann):
    item = CalendarItem(account=ann, folder=ann.calendar, subject="uid", start=_at(9), end=_at(10))
    item.save()
    uid = ann.calendar.get(id=item.id).uid
    assert uid and uid.startswith("040000008200E00074C5B7101A82E008")
    item.subject, item.location = "uid, moved", "Room 2"
    item.save(update_fields=["subject", "location"])
    fresh = ann.calendar.get(id=item.id)
    _post(sandbox, ann, f'<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations='
                        f'"SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="{fresh.id}" ChangeKey='
                        f'"{fresh.changekey}"/><t:Updates><t:DeleteItemField><t:FieldURI FieldURI="calendar:UID"/>'
                        "</t:DeleteItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>")
    assert ann.calendar.get(id=item.id).uid == uid


def test_recurrence_dates_carry_an_offset_and_is_recurring_follows_exchange(sandbox, ann):
    series = CalendarItem(account=ann, folder=ann.calendar, subject="daily", start=_at(9), end=_at(10),
                          recurrence=Recurrence(pattern=DailyPattern(interval=1), start=date(2026, 12, 7), number=3))
    series.save()
    master = ann.calendar.get(id=series.id)
    assert master.recurrence.boundary.start == date(2026, 12, 7)
    got = [rep for op, _req, rep in sandbox.seen if op == "GetItem"][-1]
    assert b"<t:StartDate>2026-12-07Z</t:StartDate>" in got
    assert (master.type, master.is_recurring) == ("RecurringMaster", False)  # the organizer's master: false
    occurrences = list(ann.calendar.view(start=_at(0), end=_at(0, day=10)))
    assert [(o.type, o.is_recurring) for o in occurrences] == [("Occurrence", True)] * 3

    noon = datetime(2026, 12, 7, 12, tzinfo=UTC)
    invited = sandbox.add_calendar_item(ann.primary_smtp_address, subject="their series", start=noon,
                                        end=noon + timedelta(hours=1), organizer=("Bob", "bob@fabrikam.com"), daily_occurrences=2)
    assert ann.calendar.get(id=invited).is_recurring is True  # an attendee's master: true
    task = Task(account=ann, folder=ann.tasks, subject="every day", recurrence=TaskRecurrence(
        pattern=DailyPattern(interval=1), start=date(2026, 12, 7), number=5))
    task.save()
    assert ann.tasks.get(id=task.id).is_recurring is True
    Task(account=ann, folder=ann.tasks, subject="once").save()
    assert ann.tasks.get(subject="once").is_recurring is False


def test_an_item_ending_at_the_view_start_is_in_the_view(ann):
    CalendarItem(account=ann, folder=ann.calendar, subject="until ten", start=_at(9), end=_at(10)).save()
    CalendarItem(account=ann, folder=ann.calendar, subject="from eleven", start=_at(11), end=_at(12)).save()
    assert [i.subject for i in ann.calendar.view(start=_at(10), end=_at(11))] == ["until ten"]
    assert [i.subject for i in ann.calendar.view(start=_at(10) + timedelta(seconds=1), end=_at(11))] == []
