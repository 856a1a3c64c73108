"""Which handler answers which Graph path, and the application permission it needs."""
from __future__ import annotations

import re

from . import contacts, events, folders, mail, sending, todo
from .call import Call
from .delta import delta
from .messages import message_json
from .translate import translate

_U = r"/users/(?P<user>[^/]+)"
_F = r"/mailFolders/(?P<folder>[^/]+)"
_M = r"/messages/(?P<message>[^/]+)"
_CF = r"/contactFolders/(?P<folder>[^/]+)"
_C = r"/contacts/(?P<contact>[^/]+)"
_L = r"/todo/lists/(?P<list>[^/]+)"
_T = r"/tasks/(?P<task>[^/]+)"
_E = r"/events/(?P<event>[^/]+)"


def _message_delta(call: Call):
    return delta(call, lambda c: c.folder(c.params["folder"]), "message",
                 lambda item: [message_json(item, call.mailbox, call.select())], lambda i: i.element == "Message")


# (method, path pattern, permission, handler)
ROUTES = [
    ("GET", rf"{_U}", "User.Read.All", folders.get_user),
    ("GET", rf"{_U}/mailFolders", "Mail.ReadWrite", folders.list_folders),
    ("GET", rf"{_U}{_F}", "Mail.ReadWrite", folders.get_folder),
    ("GET", rf"{_U}{_F}/childFolders", "Mail.ReadWrite", folders.list_folders),
    ("GET", rf"{_U}{_F}/messages", "Mail.ReadWrite", mail.list_messages),
    ("GET", rf"{_U}{_F}/messages/delta", "Mail.ReadWrite", _message_delta),
    ("GET", rf"{_U}{_M}", "Mail.ReadWrite", mail.get_message),
    ("GET", rf"{_U}{_M}/\$value", "Mail.ReadWrite", mail.get_mime),
    ("PATCH", rf"{_U}{_M}", "Mail.ReadWrite", mail.patch_message),
    ("POST", rf"{_U}{_M}/move", "Mail.ReadWrite", mail.move_message),
    ("POST", rf"{_U}/messages", "Mail.ReadWrite", sending.create_draft),
    ("POST", rf"{_U}{_M}/send", "Mail.Send", sending.send_draft),
    ("POST", rf"{_U}/sendMail", "Mail.Send", sending.send_mail),
    ("POST", rf"{_U}/translateExchangeIds", "User.Read.All", translate),
    ("GET", rf"{_U}/contactFolders", "Contacts.ReadWrite", contacts.list_folders),
    ("GET", rf"{_U}/contacts", "Contacts.ReadWrite", contacts.list_contacts),
    ("GET", rf"{_U}{_CF}/contacts", "Contacts.ReadWrite", contacts.list_contacts),
    ("POST", rf"{_U}/contacts", "Contacts.ReadWrite", contacts.create_contact),
    ("GET", rf"{_U}/contacts/delta", "Contacts.ReadWrite", contacts.contacts_delta),
    ("GET", rf"{_U}{_CF}/contacts/delta", "Contacts.ReadWrite", contacts.contacts_delta),
    ("GET", rf"{_U}{_C}", "Contacts.ReadWrite", contacts.get_contact),
    ("PATCH", rf"{_U}{_C}", "Contacts.ReadWrite", contacts.patch_contact),
    ("DELETE", rf"{_U}{_C}", "Contacts.ReadWrite", contacts.delete_contact),
    ("GET", rf"{_U}/events", "Calendars.ReadWrite", events.list_events),
    ("POST", rf"{_U}/events", "Calendars.ReadWrite", events.create_event),
    ("GET", rf"{_U}/calendarView", "Calendars.ReadWrite", events.calendar_view),
    ("GET", rf"{_U}/calendarView/delta", "Calendars.ReadWrite", events.view_delta),
    ("GET", rf"{_U}{_E}", "Calendars.ReadWrite", events.get_event),
    ("PATCH", rf"{_U}{_E}", "Calendars.ReadWrite", events.patch_event),
    ("DELETE", rf"{_U}{_E}", "Calendars.ReadWrite", events.delete_event),
    ("GET", rf"{_U}{_E}/instances", "Calendars.ReadWrite", events.instances),
    ("POST", rf"{_U}{_E}/accept", "Calendars.ReadWrite", events.accept_event),
    ("POST", rf"{_U}{_E}/tentativelyAccept", "Calendars.ReadWrite", events.tentatively_accept_event),
    ("POST", rf"{_U}{_E}/decline", "Calendars.ReadWrite", events.decline_event),
    ("GET", rf"{_U}/todo/lists", "Tasks.ReadWrite.All", todo.task_lists),
    ("GET", rf"{_U}{_L}/tasks", "Tasks.ReadWrite.All", todo.list_tasks),
    ("POST", rf"{_U}{_L}/tasks", "Tasks.ReadWrite.All", todo.create_task),
    ("GET", rf"{_U}{_L}/tasks/delta", "Tasks.ReadWrite.All", todo.tasks_delta),
    ("GET", rf"{_U}{_L}{_T}", "Tasks.ReadWrite.All", todo.get_task),
    ("PATCH", rf"{_U}{_L}{_T}", "Tasks.ReadWrite.All", todo.patch_task),
    ("DELETE", rf"{_U}{_L}{_T}", "Tasks.ReadWrite.All", todo.delete_task),
    ("GET", rf"{_U}{_L}{_T}/linkedResources", "Tasks.ReadWrite.All", todo.list_linked),
    ("POST", rf"{_U}{_L}{_T}/linkedResources", "Tasks.ReadWrite.All", todo.add_linked),
]
COMPILED = [(method, re.compile(f"^{pattern}$"), permission, handler)
            for method, pattern, permission, handler in ROUTES]


def match(method: str, path: str):
    """(handler, permission, params); None for an unknown path, "method" when it takes other methods."""
    other = False
    for m, pattern, permission, handler in COMPILED:
        found = pattern.match(path)
        if found:
            if m == method:
                return handler, permission, found.groupdict()
            other = True
    return "method" if other else None
