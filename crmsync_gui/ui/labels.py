"""Code labels from core/codes.py, translated for display, and other small display helpers."""
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QLocale

from crmsync_gui.core import codes, messages


def code_label(enum_type: type[codes.LabelledEnum], value) -> str:
    """The translated label of a code; an unknown code shows as itself so nothing is hidden."""
    try:
        member = enum_type(int(value))
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return QCoreApplication.translate("codes", member.label)


def engine_message(code: str | None, args: str | None, english: str) -> str:
    """An engine message in the administrator's language, from its code and arguments (core/messages.py);
    the English the engine wrote when its code has no template (older rows, free text)."""
    return said(messages.Said(code, messages.loads(args), english))


def said(message: messages.Said) -> str:
    """A message in the administrator's language (engine_message with its arguments already read)."""
    return messages.render(message.code, message.args, lambda t: QCoreApplication.translate("messages", t),
                           words) or message.english


def reason(text: str) -> str:
    """A reason (a validation's) in the administrator's language; a plain str as it is."""
    if isinstance(text, messages.Reason):
        return said(messages.Said(text.code, text.args, str(text)))
    return text


def problems(error) -> str:
    """A ValidationError's reasons in one sentence, in the administrator's language (as str(error) in English)."""
    return "; ".join(reason(r)[:1].upper() + reason(r)[1:] for r in error.problems.values()) + "."


def words(args: dict) -> dict:
    """A message's arguments in the administrator's words: directions by their label, numbers in the locale's
    format ("1.234" in Italian), messages inside it rendered first."""
    shown = {}
    for name, value in args.items():
        if name == "direction":
            value = code_label(codes.Direction, value).lower()
        elif isinstance(value, messages.Said):
            value = said(value)
        elif isinstance(value, messages.Reason):
            value = reason(value)
        elif isinstance(value, bool):
            pass
        elif isinstance(value, int):
            value = number(value)
        elif isinstance(value, float):
            value = QLocale().toString(value, "f", 1)
        shown[name] = value
    return shown


def number(value: int) -> str:
    """A whole number as the administrator's language writes it: "1,234" in English, "1.234" in Italian."""
    return QLocale().toString(int(value))


def remedy(english: str) -> str:
    """What to do about an engine error, in the administrator's language: the trace catalogue's remedies
    (core/sync/trace.py) are translated in the "remedies" context; an error's own action stays English."""
    return QCoreApplication.translate("remedies", english) if english else english


def fill_combo(combo, enum_type: type[codes.LabelledEnum], show_codes: bool = True) -> None:
    """Fill a QComboBox with the enum's members, the code as item data."""
    combo.clear()
    for member in enum_type:
        text = code_label(enum_type, member)
        combo.addItem(f"{text} ({member.value})" if show_codes else text, int(member))


def select_data(combo, value) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def countdown(target: datetime | None, now: datetime) -> str:
    """'in 4:05', 'due now', or '' when nothing is scheduled."""
    if target is None:
        return ""
    seconds = int((target - now).total_seconds())
    if seconds <= 0:
        return QCoreApplication.translate("labels", "due now")
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
    return QCoreApplication.translate("labels", "in {0}").format(text)


def latency(seconds: float | None) -> str:
    """A time from arrival to the CRM, in the unit that reads best ('' for none)."""
    if seconds is None:
        return ""
    if seconds < 60:
        return QCoreApplication.translate("labels", "{0} s").format(f"{seconds:.1f}")
    if seconds < 3600:
        return QCoreApplication.translate("labels", "{0} min").format(f"{seconds / 60:.0f}")
    return QCoreApplication.translate("labels", "{0} h").format(f"{seconds / 3600:.1f}")


def ago(then: datetime | None, now: datetime) -> str:
    """'12 s ago', '5 min ago', '3 h ago', or '' for no time."""
    if then is None:
        return ""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 120:
        return QCoreApplication.translate("labels", "{0} s ago").format(seconds)
    if seconds < 7200:
        return QCoreApplication.translate("labels", "{0} min ago").format(seconds // 60)
    return QCoreApplication.translate("labels", "{0} h ago").format(seconds // 3600)
