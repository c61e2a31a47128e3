"""Running the reference server: uvicorn in a daemon thread on 127.0.0.1, and the profile that lets
the suite (or a person) talk to it as every seeded identity."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn
from tomli_w import dumps

from .app import DEFAULT_TOKEN_TTL_S, create_app
from .faults import faults_from_environment, parse_faults
from .seed import IDENTITIES, Credentials, Seed, issue_credentials, seed
from .store import Store
from .variants import parse_variants

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 10.0
HTTP_IMPLEMENTATION = "httptools" if importlib.util.find_spec("httptools") else "h11"
MAX_REQUEST_HEAD_BYTES = 1 << 20  # a 10 000-character ID in the path is bad input, not a broken request
# How long an idle keep-alive connection stays open. uvicorn's 5 s lets a busy machine's client pick a pooled
# connection just as the server closes it, and a POST sent on it gets no answer (a POST is never sent again);
# a run's clients never pause this long, and an idle connection costs the server nothing.
KEEP_ALIVE_S = 300


class _Server(uvicorn.Server):
    """uvicorn's server, looking for the stop signal every 10 ms rather than every 100 ms, and stopping without
    a fixed pause: a run (and the proof, which starts one server per run) ends without waiting out a tick."""

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            await asyncio.sleep(0.01)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown without its fixed 100 ms pause: the open connections are asked to close and
        awaited in 10 ms steps, for at most the graceful-shutdown time; then what still runs is cancelled."""
        for server in self.servers:
            server.close()
        for listener in sockets or []:
            listener.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = time.monotonic() + self.config.timeout_graceful_shutdown
        while (self.server_state.connections or self.server_state.tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for task in self.server_state.tasks:
            task.cancel()


class RunningServer:
    """A started server; ``stop()`` (or leaving the ``with`` block) ends it."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, listener: socket.socket, store: Store,
                 world: Seed, credentials: dict[str, Credentials], faults: frozenset[str],
                 variants: frozenset[str] = frozenset()):
        self._server, self._thread, self._listener, self._store = server, thread, listener, store
        self.seed, self.credentials, self.faults, self.variants = world, credentials, faults, variants
        self.port = listener.getsockname()[1]
        self.base_url = f"http://{HOST}:{self.port}"

    def profile(self) -> dict:
        """The profile TOML as a dict: every identity has a static ``access_token`` and IMS client credentials."""
        identities = {}
        for name, (org, *_rest) in IDENTITIES.items():
            issued = self.credentials[name]
            identities[name] = {"org_id": self.seed.orgs[org], "api_key": issued.api_key,
                                "access_token": issued.access_token, "client_id": issued.api_key,
                                "client_secret": issued.client_secret, "scopes": list(issued.scopes)}
        return {"target": {"base_url": self.base_url, "ims_url": self.base_url, "allow_writes": True},
                "fixtures": {**self.seed.fixtures, "extension_package_ids": list(self.seed.pool)},
                "identities": identities}

    def headers(self, identity: str, access_token: str | None = None) -> dict[str, str]:
        """The headers every API call of ``identity`` sends (with ``access_token`` instead of its static one)."""
        profile = self.profile()["identities"][identity]
        return {"Authorization": f"Bearer {access_token or profile['access_token']}", "x-api-key": profile["api_key"],
                "x-gw-ims-org-id": profile["org_id"], "Accept": "application/vnd.api+json;revision=1"}

    def write_profile(self, path: str | os.PathLike) -> Path:
        """Write the profile (it holds secrets: the file is readable by its owner only)."""
        path = Path(path)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(dumps(self.profile()))
        return path

    def wait(self) -> None:
        """Block until the server stops (in slices, so that Ctrl-C reaches the caller)."""
        while self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(STARTUP_TIMEOUT_S)
        self._listener.close()
        self._store.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _listen(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets TCP_NODELAY
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((HOST, port))
    except OSError as error:
        listener.close()
        raise ValueError(f"cannot listen on {HOST}:{port}: {error.strerror}") from None
    return listener


def start_server(port: int = 0, db: str | os.PathLike | None = None, faults=(),
                 token_ttl: int = DEFAULT_TOKEN_TTL_S, variants=(), latency_ms: float = 0.0,
                 clock: Callable[[], float] = time.time) -> RunningServer:
    """Start on ``port`` (0: a free one) with a store in memory or in the SQLite file ``db``; returns once the
    server accepts connections. No ``faults`` given: those named in ``REACTOR_REFSERVER_FAULTS``. ``variants``
    are legal variations; ``latency_ms`` delays every answer; ``clock`` (seconds) dates what the store keeps and
    tells when a token expires. Bad arguments (unknown fault or variant, port taken, unusable database) raise
    ValueError."""
    chosen = parse_faults(faults) if faults else faults_from_environment()
    chosen_variants = parse_variants(variants)
    if latency_ms < 0:
        raise ValueError(f"the latency must be zero or more milliseconds, not {latency_ms:g}")
    if token_ttl <= 0:
        raise ValueError(f"the token TTL must be a positive number of seconds, not {token_ttl}")
    try:
        store = Store(os.fspath(db) if db else None, clock)
        world = seed(store)
        credentials = issue_credentials(store, world)
    except sqlite3.Error as error:
        raise ValueError(f"cannot use the database {db}: {error}") from None
    app = create_app(store, chosen, token_ttl, chosen_variants, latency_ms)
    listener = _listen(port)
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="off",
                            http=HTTP_IMPLEMENTATION, loop="asyncio", timeout_graceful_shutdown=2,
                            timeout_keep_alive=KEEP_ALIVE_S,
                            h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES)
    server = _Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True,
                              name=f"reactor-refserver-{listener.getsockname()[1]}")
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            listener.close()
            store.close()
            raise RuntimeError("the reference server did not start")
        time.sleep(0.005)
    return RunningServer(server, thread, listener, store, world, credentials, chosen, chosen_variants)
