"""FindItem / FindFolder restrictions (And, Or, Not, IsEqualTo..., Contains, Exists) evaluated on stored values."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from lxml import etree

from .soap import T_NS, local, parse_time

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "IsEqualTo": lambda a, b: a == b, "IsNotEqualTo": lambda a, b: a != b,
    "IsGreaterThan": lambda a, b: a > b, "IsGreaterThanOrEqualTo": lambda a, b: a >= b,
    "IsLessThan": lambda a, b: a < b, "IsLessThanOrEqualTo": lambda a, b: a <= b,
}

# value lookup: the FieldURI / IndexedFieldURI / ExtendedFieldURI element -> the property's element or None
Lookup = Callable[[etree._Element], etree._Element | None]


class UnsupportedRestriction(Exception):
    pass


def _texts(el: etree._Element | None) -> list[str]:
    """A property's values: its text, or the texts of its leaves (categories, recipients' addresses)."""
    if el is None:
        return []
    if local(el) == "ExtendedProperty":
        value = el.find(f"{{{T_NS}}}Value")
        return [value.text or ""] if value is not None else [v.text or "" for v in el.iter(f"{{{T_NS}}}Value")]
    if len(el) == 0:
        return [el.text or ""]
    return [leaf.text or "" for leaf in el.iter() if isinstance(leaf.tag, str) and len(leaf) == 0 and leaf.text]


def _typed(value: str, like: str) -> object:
    """Compare as times or numbers when the constant is one, else as text ignoring case (as Exchange does)."""
    if _ISO.match(like):
        try:
            return parse_time(value)
        except ValueError:
            return datetime.min
    try:
        float(like)
        return float(value)
    except ValueError:
        return value.casefold()


def _leaf_and_constant(node: etree._Element) -> tuple[etree._Element, str | None]:
    path = next(c for c in node if isinstance(c.tag, str))
    constant = node.find(f".//{{{T_NS}}}Constant")
    return path, (constant.get("Value") if constant is not None else None)


def matches(node: etree._Element, lookup: Lookup) -> bool:
    kind = local(node)
    if kind == "Restriction":
        return matches(next(c for c in node if isinstance(c.tag, str)), lookup)
    if kind == "And":
        return all(matches(c, lookup) for c in node if isinstance(c.tag, str))
    if kind == "Or":
        return any(matches(c, lookup) for c in node if isinstance(c.tag, str))
    if kind == "Not":
        return not matches(next(c for c in node if isinstance(c.tag, str)), lookup)
    if kind == "Exists":
        return lookup(_leaf_and_constant(node)[0]) is not None
    if kind == "Contains":
        path, constant = _leaf_and_constant(node)
        mode, compare = node.get("ContainmentMode", "Substring"), node.get("ContainmentComparison", "Exact")
        needle = constant or ""
        fold = (lambda s: s.casefold()) if "IgnoreCase" in compare or compare == "Loose" else (lambda s: s)
        test = {"FullString": lambda v: fold(v) == fold(needle), "Prefixed": lambda v: fold(v).startswith(fold(needle)),
                "PrefixOnWords": lambda v: any(w.startswith(fold(needle)) for w in fold(v).split())
                }.get(mode, lambda v: fold(needle) in fold(v))
        return any(test(v) for v in _texts(lookup(path)))
    if kind in _COMPARE:
        path, constant = _leaf_and_constant(node)
        if constant is None:
            raise UnsupportedRestriction(f"{kind} comparing two properties")
        values = _texts(lookup(path))
        if kind == "IsNotEqualTo":
            return all(_typed(v, constant) != _typed(constant, constant) for v in values)
        return any(_COMPARE[kind](_typed(v, constant), _typed(constant, constant)) for v in values)
    raise UnsupportedRestriction(kind)
