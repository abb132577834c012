"""Running the emulator: in a thread of the calling process (tests, benchmarks) or as its own process
(``nls-notion-emulator``, the demo)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler, make_server

from .api import NotionApi
from .generate import Generated, generate
from .model import Workspace
from .recorded import load_recorded


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the emulator keeps its own request log
        pass

    def log_error(self, *args, **kwargs):
        pass


class Emulator:
    """A local api.notion.com on ``host``:``port`` (port 0: a free one), served from a thread.

    >>> emu = Emulator().start()
    >>> gen = emu.add_generated("learning", pages=50, token="secret_demo")
    >>> emu.url  # 'http://127.0.0.1:PORT'
    >>> emu.stop()

    Its :attr:`api` holds the integrations, :attr:`api.rate_limits`, :attr:`api.faults` and the request log
    (:attr:`api.log`, :attr:`api.counters`); workspaces change while it runs through their own methods.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, api: NotionApi | None = None):
        self.api = api or NotionApi()
        self.host = host
        self._server = make_server(host, port, self.api, threaded=True, request_handler=_QuietHandler)
        if isinstance(self._server, ThreadedWSGIServer):  # threaded=True makes one
            self._server.daemon_threads = True
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Emulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="nls-notion-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self.api._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def add_generated(
        self,
        kind: str = "learning",
        pages: int = 200,
        seed: int = 1,
        hard: bool = False,
        token: str = "secret_emulator_token",
        now: float | None = None,
    ) -> Generated:
        """Generate a workspace (its times in the year before ``now``, epoch seconds: default the clock's) and let
        ``token`` read it."""
        gen = generate(kind, pages=pages, seed=seed, hard=hard, now=now)
        self.api.add_integration(token, gen.workspace, bot_name=f"nls {kind} integration")
        return gen

    def add_recorded(
        self, token: str = "secret_recorded_token", prefer: str | None = None, directory: str | None = None
    ) -> Workspace:
        """Load the recorded workspace (see :mod:`nls_emulator.recorded`) and let ``token`` read it."""
        ws, bot = load_recorded(directory, prefer=prefer)
        integ = self.api.add_integration(token, ws, bot_name=bot.get("name", "recorded"), bot_id=bot.get("id"))
        if bot:
            integ.bot = bot
        return ws


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_subprocess(
    args: list[str], port: int | None = None, log: Path | None = None, timeout: float = 30.0
) -> tuple[subprocess.Popen, str]:
    """Start ``nls-notion-emulator`` as its own process with ``args``; returns (process, base url) once it
    answers. Raises RuntimeError when it does not come up within ``timeout`` seconds."""
    port = port or free_port()
    with open(log, "ab") if log else contextlib.nullcontext(subprocess.DEVNULL) as out:  # the child keeps its own
        proc = subprocess.Popen(
            [sys.executable, "-m", "nls_emulator.cli", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the emulator exited with code {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url + "/_emulator/stats", timeout=1) as r:
                json.load(r)
                return proc, url
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGTERM)
    raise RuntimeError(f"the emulator did not answer on {url} within {timeout} s")
