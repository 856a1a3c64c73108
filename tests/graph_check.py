"""Every JSON body a test's Graph sandbox received or answered, checked against Graph's v1.0 metadata with
../shared/tools/graph_validate.py: what a request body must be is told by its method and path, what a reply
must be by its @odata.context (an entity, a page, a delta page) or, for a refusal, Graph's error shape."""
from __future__ import annotations

import importlib.util
import re
import sys

from tests.conftest import SHARED

SCHEMA_ABSENT = "Microsoft Graph's v1.0 schema is not in ../shared/graph-schema (a clone outside the workspace)"
# a reply's @odata.context entity set → its type
_SETS = {"messages": "message", "events": "event", "contacts": "contact", "mailFolders": "mailFolder", "users": "user"}
# what a request body is, by the end of its path (first match)
_SENDS = [(r"/messages/[^/]+/move$", "action:move@graph.message"), (r"/sendMail$", "action:sendMail@graph.user"),
          (r"/translateExchangeIds$", "action:translateExchangeIds@graph.user"),
          (r"/events/[^/]+/(accept|tentativelyAccept|decline)$", "action:{0}@graph.event"),
          (r"/linkedResources$", "graph.linkedResource"), (r"/tasks(/[^/]+)?$", "graph.todoTask"),
          (r"/events(/[^/]+)?$", "graph.event"), (r"/contacts(/[^/]+)?$", "graph.contact"),
          (r"/messages(/[^/]+)?$", "graph.message")]


def load_graph_schema():
    """graph_validate.GraphSchema over Graph's published v1.0 metadata; None when the schema is not here."""
    tool = SHARED / "tools" / "graph_validate.py"
    if not (SHARED / "graph-schema" / "v1.0.csdl").exists() or not tool.exists():
        return None
    spec = importlib.util.spec_from_file_location("graph_validate", tool)
    module = importlib.util.module_from_spec(spec)
    sys.modules["graph_validate"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.GraphSchema()


def request_kind(path: str) -> str | None:
    for pattern, kind in _SENDS:
        found = re.search(pattern, path)
        if found:
            return kind.format(*found.groups())
    return None


def reply_kind(path: str, reply: dict) -> str | None:
    context = reply.get("@odata.context", "").partition("#")[2]
    if context.startswith("Collection("):
        name = context[len("Collection("):-1].removeprefix("microsoft.")
        delta = path.endswith("/delta") or "@odata.deltaLink" in reply
        return f"{'delta' if delta else 'page'}:graph.{name.removeprefix('graph.')}"
    if context.endswith("/$entity"):
        name = context.removesuffix("/$entity")
        return f"graph.{_SETS.get(name, name)}"
    return None


def check(schema, kind: str, body) -> list[str]:
    """Problems of a body of this kind: a type (graph.event), a page (page:graph.event), a delta page
    (delta:graph.event) or an action's body (action:NAME@BINDING)."""
    if kind.startswith(("page:", "delta:")):
        mode, _, item = kind.partition(":")
        return schema.check_page(body, item, delta=mode == "delta")
    if kind.startswith("action:"):
        action, _, binding = kind[len("action:"):].partition("@")
        return schema.check_action(body, action, binding or None)
    return schema.check(body, kind)


def problems(schema, seen) -> list[str]:
    """`seen`: (method, path, request body, status, reply body) as a GraphServer's recorder gets them."""
    out = []
    for method, path, body, status, reply in seen:
        if isinstance(body, dict) and method in ("POST", "PATCH"):
            kind = request_kind(path)
            found = check(schema, kind, body) if kind else [f"a request body of no known type: {body}"]
            out += [f"{method} {path} request: {p}" for p in found]
        if isinstance(reply, dict):
            kind = None if status >= 400 else reply_kind(path, reply)
            found = schema.check_error(reply) if status >= 400 else (
                check(schema, kind, reply) if kind else [f"a reply of no known type: {str(reply)[:200]}"])
            out += [f"{method} {path} -> {status}: {p}" for p in found]
    return out
