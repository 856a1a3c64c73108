"""Graph's reply shapes: errors as {"error": {"code", "message", "innerError"}}, JSON bodies, absolute links."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from aiohttp import web


class GraphError(Exception):
    """A request Graph refuses: the HTTP status, Graph's error code and message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def not_implemented(what: str) -> GraphError:
    return GraphError(501, "NotImplemented", f"The Graph sandbox does not implement {what}.")


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "innerError": {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "request-id": str(uuid.uuid4()),
        "client-request-id": str(uuid.uuid4())}}}


def error_response(exc: GraphError) -> web.Response:
    return json_response(error_body(exc.code, exc.message), exc.status, exc.headers)


def json_response(body: dict, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=json.dumps(body).encode(), headers=headers,
                        content_type="application/json", charset="utf-8")


def graph_time(moment: datetime) -> str:
    """Graph's DateTimeOffset form: UTC with Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def etag(change_key: str) -> str:
    return f'W/"{change_key}"'
