"""Finding an Email Router's three files and parsing them safely.

Email Router files come from another machine, so they are untrusted input:
every limit is checked before a byte is parsed, and the XML parser refuses
DTDs, entity declarations and external references (defusedxml), so a billion
laughs or an external entity never expands and nothing is fetched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from crmsync_gui.core.errors import ImportRefused

CONFIG_FILE = "Microsoft.Crm.Tools.EmailAgent.xml"
STATE_FILE = "Microsoft.Crm.Tools.EmailAgent.SystemState.xml"
KEY_FILE = "EncryptionKey.xml"
ROUTER_FILES = (CONFIG_FILE, STATE_FILE, KEY_FILE)

_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([^"']{0,40})""")

MAX_ROUTERS = 4
MAX_TOTAL_BYTES = 32 * 1024 * 1024  # the original wizard's limit for all routers together
# Parsing time grows with the tags: 3 million empty elements (30 MB) took 10 s. A router's file holds
# about 30 per mailbox, so this allows 8,000 mailboxes.
MAX_TAGS = 250_000


@dataclass(frozen=True)
class RouterSource:
    """One router's folder and which of its three files are there."""

    folder: Path
    config: Path
    state: Path | None
    key: Path | None

    @property
    def label(self) -> str:
        return self.folder.name or str(self.folder)

    def files(self) -> list[Path]:
        return [p for p in (self.config, self.state, self.key) if p is not None]


def find_routers(paths: list[str | Path]) -> list[RouterSource]:
    """Turn folders and files the admin chose into router sources.

    A folder holding the configuration file is one router; a folder of such
    folders (an export of several routers) is each of them; a file stands for
    the router folder it lies in. Raise ImportRefused when a path is missing,
    holds no router, or there are more than MAX_ROUTERS.
    """
    if not paths:
        raise ImportRefused("No Email Router folder was given; choose the folder holding "
                            f"{CONFIG_FILE} (one per router, up to {MAX_ROUTERS}).")
    folders: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise ImportRefused(f"{path} does not exist; check the path and try again.")
        if path.is_file():
            if path.name.lower() not in {f.lower() for f in ROUTER_FILES}:
                raise ImportRefused(f"{path} is not an Email Router file; choose {CONFIG_FILE}, "
                                    f"{STATE_FILE} or {KEY_FILE}, or the folder holding them.")
            candidates = [path.parent]
        elif _file_named(path, CONFIG_FILE) is not None:
            candidates = [path]
        else:
            candidates = sorted(p for p in path.iterdir() if p.is_dir() and _file_named(p, CONFIG_FILE))
            if not candidates:
                raise ImportRefused(f"{path} holds no {CONFIG_FILE}, neither directly nor in a sub-folder; "
                                    "choose the Email Router's configuration folder.")
        for folder in candidates:
            if folder.resolve() not in {f.resolve() for f in folders}:
                folders.append(folder)
    if len(folders) > MAX_ROUTERS:
        raise ImportRefused(f"{len(folders)} routers were given; at most {MAX_ROUTERS} can be migrated at once. "
                            "Migrate them in several runs.")
    sources = []
    for folder in folders:
        config = _file_named(folder, CONFIG_FILE)
        if config is None:
            raise ImportRefused(f"{folder} has no {CONFIG_FILE}; it holds the profiles and mailboxes, "
                                "so the router cannot be migrated without it.")
        sources.append(RouterSource(folder, config, _file_named(folder, STATE_FILE), _file_named(folder, KEY_FILE)))
    check_total_size(sources)
    return sources


def check_total_size(sources: list[RouterSource], limit: int = MAX_TOTAL_BYTES) -> int:
    """Refuse before parsing when the files together exceed the limit; return the total."""
    try:
        sizes = {path: path.stat().st_size for source in sources for path in source.files()}
    except OSError as exc:
        raise ImportRefused(f"{exc.filename} cannot be read ({exc.strerror}); check its permissions.") from None
    total = sum(sizes.values())
    if total > limit:
        largest = max(sizes, key=sizes.get)
        raise ImportRefused(f"The Email Router files add up to {total / 2**20:.1f} MB, over the "
                            f"{limit / 2**20:.0f} MB limit (the largest is {largest}, "
                            f"{sizes[largest] / 2**20:.1f} MB); nothing was read. Migrate fewer routers at once "
                            "or check that the file is really an Email Router configuration.")
    return total


def parse_file(path: Path, expected_root: str) -> Element:
    """Parse one file with DTDs, entities and external references refused; check its root element."""
    try:
        data = path.read_bytes()  # bytes, so the parser honours a BOM and the encoding declaration
    except OSError as exc:
        raise ImportRefused(f"{path} cannot be read ({exc.strerror}); check its permissions.") from None
    tags = data.count(b"<")  # an upper bound on the elements, counted in milliseconds
    if tags > MAX_TAGS:
        raise ImportRefused(f"{path} holds {tags:,} XML tags, over the {MAX_TAGS:,} an Email Router file for "
                            "8,000 mailboxes holds; nothing was read. Check that it is really an Email Router "
                            "configuration.")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as exc:
        raise ImportRefused(f"{path} was refused: it declares a DTD (<!DOCTYPE {exc.name}>), which Email Router "
                            "files never contain and which can hide entity-expansion attacks. Nothing was "
                            "imported; use the router's original file.") from None
    except defusedxml.EntitiesForbidden as exc:
        raise ImportRefused(f"{path} was refused: it declares the entity '{exc.name}', which Email Router files "
                            "never contain (entity expansion can exhaust memory). Nothing was imported; "
                            "use the router's original file.") from None
    except defusedxml.ExternalReferenceForbidden:
        raise ImportRefused(f"{path} was refused: it refers to an external resource, which is never fetched. "
                            "Nothing was imported; use the router's original file.") from None
    except defusedxml.DefusedXmlException as exc:
        raise ImportRefused(f"{path} was refused as unsafe XML ({exc}). Nothing was imported.") from None
    except (LookupError, ValueError) as exc:  # expat calls Python codecs for encodings it lacks
        declared = _DECLARED_ENCODING.search(data[:256])
        name = declared.group(1).decode("ascii", "replace") if declared else "declared"
        raise ImportRefused(f"{path} declares the encoding '{name}', which cannot be read ({exc}). Nothing was "
                            "imported; copy the file from the router again.") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ImportRefused(f"{path} is not well-formed XML (line {line}, column {column + 1}: "
                            f"{str(exc).split(':')[0]}). Nothing was imported; copy the file from the router "
                            "again.") from None
    if local_name(root.tag) != expected_root:
        raise ImportRefused(f"{path} is not an Email Router {path.name}: its root element is "
                            f"<{local_name(root.tag)}>, expected <{expected_root}>. Nothing was imported.")
    return root


def local_name(tag: str) -> str:
    """The element name without a namespace, since some exports qualify every element."""
    return tag.rsplit("}", 1)[-1]


def _file_named(folder: Path, name: str) -> Path | None:
    """The file `name` in `folder`, matched case-insensitively: the files come from Windows."""
    exact = folder / name
    if exact.is_file():
        return exact
    try:
        return next((p for p in folder.iterdir() if p.name.lower() == name.lower() and p.is_file()), None)
    except OSError:
        return None
