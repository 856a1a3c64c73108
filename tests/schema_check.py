"""Every EWS request and reply a test's sandbox saw, checked against Microsoft's schema (../shared/ews-schema)."""
from contextlib import contextmanager


def assert_schema_valid(validator, seen) -> None:
    """`seen`: (operation, request, reply) as a SandboxServer's recorder gets them; validator None: no schema here."""
    if validator is None:
        return
    problems = [f"{op} {which}: {err}" for op, req, rep in seen
                for which, doc in (("request", req), ("reply", rep)) for err in validator.validate(doc)]
    assert not problems, "schema violations:\n" + "\n".join(problems[:20])


@contextmanager
def recording_sandbox():
    """A running EWS sandbox that keeps what it serves in .seen, for assert_schema_valid."""
    from crmsync_gui.sandbox import SandboxServer

    seen = []
    with SandboxServer(recorder=lambda op, req, rep: seen.append((op, req, rep))) as server:
        server.seen = seen
        yield server
