"""SOAP plumbing: safe parsing of requests, building replies and faults the way Exchange writes them."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
M_NS = "http://schemas.microsoft.com/exchange/services/2006/messages"
T_NS = "http://schemas.microsoft.com/exchange/services/2006/types"
E_NS = "http://schemas.microsoft.com/exchange/services/2006/errors"

# What the sandbox says it is: Exchange 2016 CU (build 15.1.2507.6), the API version exchangelib asks for.
SERVER_VERSION = {"MajorVersion": "15", "MinorVersion": "1", "MajorBuildNumber": "2507",
                  "MinorBuildNumber": "6", "Version": "Exchange2016"}

# No DTDs, no entities, no network: request bodies come from clients we do not trust.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_blank_text=True)


class BadRequest(Exception):
    """The request is not a SOAP envelope the sandbox can read."""


def parse_envelope(data: bytes) -> tuple[etree._Element | None, etree._Element]:
    """Return (soap:Header or None, the single operation element inside soap:Body)."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadRequest(f"request is not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise BadRequest("the request has a DOCTYPE; EWS requests carry no DTD and the sandbox reads none")
    if root.tag != f"{{{SOAP_NS}}}Envelope":
        raise BadRequest(f"root element is {root.tag}, not soap:Envelope")
    body = root.find(f"{{{SOAP_NS}}}Body")
    operations = [c for c in body if isinstance(c.tag, str)] if body is not None else []
    if len(operations) != 1:
        raise BadRequest("soap:Body must hold exactly one operation")
    return root.find(f"{{{SOAP_NS}}}Header"), operations[0]


# what XML 1.0 cannot carry (NUL, most control characters, lone surrogates): a value from a hostile email's
# MIME loses them, as in Exchange's replies, which are XML too
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def t(name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(f"{{{T_NS}}}{name}", nsmap={"t": T_NS}, **attrs)
    if text is not None:
        el.text = _NOT_XML.sub("", text)
    return el


def m(name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(f"{{{M_NS}}}{name}", nsmap={"m": M_NS, "t": T_NS}, **attrs)
    if text is not None:
        el.text = text
    return el


def sub(parent: etree._Element, ns: str, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{T_NS if ns == 't' else M_NS}}}{name}", **attrs)
    if text is not None:
        el.text = text
    return el


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def children(el: etree._Element | None) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)] if el is not None else []


def xml_bool(value: bool) -> str:
    return "true" if value else "false"


def xml_time(moment: datetime) -> str:
    """UTC, second precision, the form Exchange writes: YYYY-MM-DDTHH:MM:SSZ."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def envelope(body_child: etree._Element) -> bytes:
    root = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"s": SOAP_NS})
    header = etree.SubElement(root, f"{{{SOAP_NS}}}Header")
    etree.SubElement(header, f"{{{T_NS}}}ServerVersionInfo", SERVER_VERSION, nsmap={"h": T_NS})
    etree.SubElement(root, f"{{{SOAP_NS}}}Body").append(body_child)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def fault(code: str, message: str, back_off_ms: int | None = None, faultcode: str = "a:ErrorServerBusy") -> bytes:
    """A SOAP fault as Exchange sends it for throttling and schema errors (HTTP 500)."""
    root = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"s": SOAP_NS})
    header = etree.SubElement(root, f"{{{SOAP_NS}}}Header")
    etree.SubElement(header, f"{{{T_NS}}}ServerVersionInfo", SERVER_VERSION, nsmap={"h": T_NS})
    body = etree.SubElement(root, f"{{{SOAP_NS}}}Body")
    flt = etree.SubElement(body, f"{{{SOAP_NS}}}Fault")
    etree.SubElement(flt, "faultcode", nsmap={"a": M_NS}).text = faultcode
    etree.SubElement(flt, "faultstring", {"{http://www.w3.org/XML/1998/namespace}lang": "en-US"}).text = message
    detail = etree.SubElement(flt, "detail")
    etree.SubElement(detail, f"{{{E_NS}}}ResponseCode", nsmap={"e": E_NS}).text = code
    etree.SubElement(detail, f"{{{E_NS}}}Message", nsmap={"e": E_NS}).text = message
    if back_off_ms is not None:
        xml = etree.SubElement(detail, f"{{{T_NS}}}MessageXml", nsmap={"t": T_NS})
        etree.SubElement(xml, f"{{{T_NS}}}Value", Name="BackOffMilliseconds").text = str(back_off_ms)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


# The schema wants these containers even in an error message (empty then).
_REQUIRED_CONTAINER = {"GetItem": "Items", "CreateItem": "Items", "UpdateItem": "Items", "MoveItem": "Items",
                       "CopyItem": "Items", "CreateAttachment": "Attachments", "GetAttachment": "Attachments"}

_SYNC_LAST = {"SyncFolderItems": "IncludesLastItemInRange", "SyncFolderHierarchy": "IncludesLastFolderInRange"}


def response_message(operation: str, code: str = "NoError", text: str | None = None) -> etree._Element:
    """One <m:{operation}ResponseMessage>; an error code makes it ResponseClass="Error"."""
    msg = m(f"{operation}ResponseMessage", ResponseClass="Success" if code == "NoError" else "Error")
    if code != "NoError":
        sub(msg, "m", "MessageText", text or code)
    sub(msg, "m", "ResponseCode", code)
    if code != "NoError":
        sub(msg, "m", "DescriptiveLinkKey", "0")
        if operation in _REQUIRED_CONTAINER:
            sub(msg, "m", _REQUIRED_CONTAINER[operation])
        if operation in _SYNC_LAST:  # as Exchange writes them (exchangelib reads SyncState before the code)
            sub(msg, "m", "SyncState", "")
            sub(msg, "m", _SYNC_LAST[operation], "true")
    return msg
