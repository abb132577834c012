"""What the webhook receiver (nls webhooks serve) writes in its log of a refused post: nothing that helps guess the
secret path."""
from __future__ import annotations

from nls_webhooks.receiver import shown_path

SECRET = "33158011d3ad43ac9694cec7911ba6940005224bceca424fa97efd848eca9400"


def test_a_logged_path_shows_4_characters_of_the_secret_and_no_more():
    shown = shown_path(SECRET)
    assert shown == "/notion/3315..."
    assert SECRET[:5] not in shown
    assert shown_path("ab") == "/notion/ab..."


def _post(app, path: str, body: bytes) -> int:
    """POST ``body`` to ``path`` of an ASGI app, without a server; returns the status."""
    import asyncio

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"content-length", str(len(body)).encode()), (b"host", b"127.0.0.1")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8790)}
    asyncio.run(app(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def test_the_log_of_a_refused_post_does_not_hold_the_secret(caplog):
    from nls_webhooks.receiver import build_app

    app = build_app("host=127.0.0.1 port=1 dbname=none connect_timeout=1", max_body_bytes=16)
    with caplog.at_level("INFO", logger="nls.webhooks"):
        assert _post(app, "/notion/" + SECRET, b"x" * 64) == 413   # refused before the database is asked
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "/notion/3315..." in logged and "413" in logged
    assert SECRET[:5] not in logged
