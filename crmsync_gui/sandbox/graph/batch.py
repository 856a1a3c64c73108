"""JSON batching: POST /v1.0/$batch with up to 20 requests; those without dependsOn run at once (so the
mailbox concurrency limit applies to them, as in Exchange Online), the others after what they depend on;
a request whose dependency failed answers 424 Failed Dependency."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web
from multidict import CIMultiDict

from .replies import GraphError, error_body

MOST = 20

Serve = Callable[[str, str, dict, Mapping[str, str], bytes], Awaitable[web.Response]]


def _requests(body) -> list[dict]:
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise GraphError(400, "BadRequest", "Invalid batch payload format: a 'requests' array is needed.")
    if len(requests) > MOST:
        raise GraphError(400, "BadRequest", f"Number of batch request steps exceeds the maximum of {MOST}.")
    ids = [r.get("id") if isinstance(r, dict) else None for r in requests]
    if any(not isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        raise GraphError(400, "BadRequest", "Each batch request needs an id of its own.")
    for r in requests:
        unknown = set(r.get("dependsOn") or []) - set(ids)
        if unknown or not isinstance(r.get("method"), str) or not isinstance(r.get("url"), str):
            raise GraphError(400, "BadRequest", f"Batch request {r['id']} needs a method, a url and dependsOn "
                             "ids from this batch.")
    return requests


async def run_batch(serve: Serve, authorization: str, data: bytes) -> web.Response:
    try:
        body = json.loads(data or b"null")
        requests = _requests(body)
    except ValueError:
        return _json(error_body("BadRequest", "Unable to read JSON request payload."), 400)
    except GraphError as exc:
        return _json(error_body(exc.code, exc.message), exc.status)
    done: dict[str, dict] = {}
    pending = list(requests)
    while pending:
        ready = [r for r in pending if set(r.get("dependsOn") or []) <= set(done)]
        if not ready:  # a cycle
            for r in pending:
                done[r["id"]] = _failed(r["id"], 424)
            break
        pending = [r for r in pending if r not in ready]
        results = await asyncio.gather(*(_one(serve, authorization, r, done) for r in ready))
        done.update({r["id"]: result for r, result in zip(ready, results, strict=True)})
    return _json({"responses": [done[r["id"]] for r in requests]}, 200)


async def _one(serve: Serve, authorization: str, request: dict, done: dict[str, dict]) -> dict:
    if any(done[d]["status"] >= 400 for d in request.get("dependsOn") or []):
        return _failed(request["id"], 424)
    parts = urlsplit(request["url"])
    path = parts.path.removeprefix("/v1.0") if parts.path.startswith("/v1.0/") else parts.path
    headers = CIMultiDict(request.get("headers") or {})
    headers["Authorization"] = authorization
    payload = request.get("body")
    if payload is None:
        data = b""
    elif headers.get("Content-Type", "application/json").startswith("text/plain"):
        data = str(payload).encode()
    else:
        headers.setdefault("Content-Type", "application/json")
        data = json.dumps(payload).encode()
    reply = await serve(request["method"].upper(), "/" + path.lstrip("/"), dict(parse_qsl(parts.query)), headers,
                        data)
    answer = {"id": request["id"], "status": reply.status, "headers": {
        k: v for k, v in reply.headers.items() if k.lower() in ("content-type", "retry-after", "preference-applied")}}
    if reply.body:
        answer["body"] = json.loads(reply.body) if reply.content_type == "application/json" else \
            reply.body.decode("utf-8", "replace")
    return answer


def _failed(request_id: str, status: int) -> dict:
    return {"id": request_id, "status": status, "headers": {"Content-Type": "application/json"},
            "body": error_body("FailedDependency", "A request this one depends on failed.")}


def _json(body: dict, status: int) -> web.Response:
    return web.Response(status=status, body=json.dumps(body).encode(), content_type="application/json")
