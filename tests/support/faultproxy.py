"""A TCP proxy for tests that breaks the network on command, without root or toxiproxy.

Team sync must survive the failures a real network produces between a psycopg client and
PostgreSQL: a server that is gone, a link that silently stops carrying packets, and above all
a connection that dies after the server committed but before the client heard so. Those
failures cannot be produced reliably by killing servers, so tests put this proxy between the
client and the server and switch it into a fault mode at the exact moment they need.

The proxy runs an asyncio loop in one background thread that owns every socket; the mode
methods are called from the test thread, run on that loop and return only once they have
taken effect (a reset connection has been reset when ``reset_all()`` returns), so tests need
no sleeps to wait for a fault.

Resets are real TCP resets (``SO_LINGER`` 0), because that is what clients see when a
middlebox or a crashed host drops a connection, and it is a different code path from an
orderly close.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal, TypeVar

try:  # Unix: lets a cut check that the bytes it let through have left the socket
    import fcntl
    import termios
except ImportError:  # pragma: no cover - Windows
    fcntl = termios = None  # type: ignore[assignment]

_T = TypeVar("_T")
_Mode = Literal["pass", "blackhole", "refuse"]

_CHUNK = 65536
# How long a mode change may take on the proxy's loop before the test thread gives up.
_CALL_TIMEOUT = 5.0
# How long a cut waits for the bytes it let through to leave the socket before the reset:
# a reset discards unsent data, which would make "exactly N bytes" untrue.
_FLUSH_TIMEOUT = 0.5


@dataclass(eq=False)
class _Link:
    """One client connection and, once forwarding is allowed, its connection to the target."""

    client_reader: asyncio.StreamReader
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    task: asyncio.Task[None] | None = None
    dead: bool = False
    # The end of what went server→client, so a pattern split over two chunks is still found.
    tail: bytes = b""
    pumps: list[asyncio.Task[None]] = field(default_factory=list)


def _abort_with_reset(writer: asyncio.StreamWriter) -> None:
    """Close a connection with RST rather than FIN, as a dropped network connection looks."""
    sock = writer.transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _unsent_bytes(writer: asyncio.StreamWriter) -> int:
    """Bytes the proxy wrote that have not yet reached the peer (asyncio's buffer + kernel's)."""
    pending = writer.transport.get_write_buffer_size()
    sock = writer.transport.get_extra_info("socket")
    if sock is not None and fcntl is not None and hasattr(termios, "TIOCOUTQ"):
        # Linux: unsent and unacknowledged bytes of the socket. Elsewhere the asyncio buffer
        # is the best we know.
        with contextlib.suppress(OSError, ValueError):
            raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
            pending += struct.unpack("i", raw)[0]
    return pending


class FaultProxy:
    """Forward TCP connections from ``127.0.0.1:<port>`` to a target, with switchable faults.

    Modes (one at a time; the default is pass-through):

    * ``pass_through()`` forwards normally and disarms every fault, latency included.
    * ``blackhole()`` stops all forwarding, as a network that drops packets silently: new
      connections are accepted but the target is not contacted, existing ones carry nothing.
      Data is held, not dropped, so ``pass_through()`` later delivers it, as TCP would after
      a partition heals; clients that give up first simply time out.
    * ``refuse()`` resets new connections as soon as they are accepted and resets open ones.

    Faults armed on top of forwarding (one-shot: after firing the proxy forwards normally, so a
    test can reconnect and look at what the server kept):

    * ``cut_after()`` resets a connection once a byte budget in one direction is used up.
    * ``cut_on()`` resets a connection instead of delivering a server→client chunk that
      contains a pattern.

    ``latency()`` delays every forwarded chunk and stays until ``pass_through()``.
    ``reset_all()`` resets the open connections now and leaves the mode as it is.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.host = "127.0.0.1"
        self.port = 0
        # Counters, written by the proxy thread only (reading an int from another thread is
        # safe): bytes delivered towards the target and towards the client, connections
        # accepted (refused ones included).
        self.bytes_up = 0
        self.bytes_down = 0
        self.connections = 0

        self._mode: _Mode = "pass"
        self._budget_up: int | None = None
        self._budget_down: int | None = None
        self._pattern: bytes | None = None
        self._latency = 0.0
        self._links: set[_Link] = set()
        self._cut = threading.Event()
        self._closed = False

        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._stop: asyncio.Event | None = None
        self._flowing: asyncio.Event | None = None
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._run, name="faultproxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(_CALL_TIMEOUT):
            raise RuntimeError("fault proxy did not start")
        if self._startup_error is not None:
            self._thread.join()
            raise self._startup_error
        self._thread.name = f"faultproxy-{self.port}"

    # --- the test thread's interface -------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        """Where clients connect, for ``socket.create_connection``."""
        return (self.host, self.port)

    @property
    def thread(self) -> threading.Thread:
        """The proxy's thread, so tests can check that ``close()`` ended it."""
        return self._thread

    def pass_through(self) -> None:
        """Forward normally; disarm cuts and latency; deliver whatever a blackhole held."""

        async def change() -> None:
            self._budget_up = self._budget_down = None
            self._pattern = None
            self._latency = 0.0
            self._set_mode("pass")

        self._call(change)

    def blackhole(self) -> None:
        """Carry nothing in either direction, on new and open connections alike."""

        async def change() -> None:
            self._set_mode("blackhole")

        self._call(change)

    def refuse(self) -> None:
        """Reset new connections on accept and reset the open ones, as a dead server host."""

        async def change() -> None:
            self._set_mode("refuse")
            await self._reset_links(list(self._links))

        self._call(change)

    def reset_all(self) -> None:
        """Reset every open connection at both ends now; the mode stays as it was."""

        async def change() -> None:
            await self._reset_links(list(self._links))

        self._call(change)

    def cut_after(
        self, client_to_server: int | None = None, server_to_client: int | None = None
    ) -> None:
        """Forward that many more bytes in a direction (over all connections), then reset.

        The connection that used up the budget is reset at both ends right after its last
        allowed byte; with 0 the next chunk in that direction is not delivered at all, which is
        how a test lets a COMMIT reach the server and loses the reply. Also switches to
        forwarding. Replaces earlier budgets; clears ``wait_for_cut()``.
        """
        for budget in (client_to_server, server_to_client):
            if budget is not None and budget < 0:
                raise ValueError("a byte budget cannot be negative")

        async def change() -> None:
            self._budget_up, self._budget_down = client_to_server, server_to_client
            self._cut.clear()
            self._set_mode("pass")

        self._call(change)

    def cut_on(self, server_to_client_pattern: bytes) -> None:
        """Reset the connection instead of delivering a server→client chunk with this pattern.

        PostgreSQL's CommandComplete for COMMIT contains ``b"COMMIT\\x00"``: the server has
        committed when it sends it, so cutting there leaves a client that cannot know. A
        pattern split over two chunks is found in the second; the first was already delivered.
        Also switches to forwarding; clears ``wait_for_cut()``.
        """
        if not server_to_client_pattern:
            raise ValueError("an empty pattern would match every chunk")

        async def change() -> None:
            self._pattern = server_to_client_pattern
            for link in self._links:
                link.tail = b""
            self._cut.clear()
            self._set_mode("pass")

        self._call(change)

    def latency(self, seconds: float) -> None:
        """Delay each forwarded chunk by ``seconds``, in both directions, until pass_through()."""
        if seconds < 0:
            raise ValueError("latency cannot be negative")

        async def change() -> None:
            self._latency = seconds

        self._call(change)

    def wait_for_cut(self, timeout: float) -> bool:
        """True once a fault (a cut, refuse() or reset_all()) has reset a connection.

        Arming cut_after() or cut_on() starts over, so the wait is for that cut.
        """
        return self._cut.wait(timeout)

    def close(self) -> None:
        """Stop listening (the port is free on return), reset open connections, end the thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive() and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(_CALL_TIMEOUT)
        if self._thread.is_alive():
            raise RuntimeError("fault proxy thread did not stop")

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, change: Callable[[], Awaitable[_T]]) -> _T:
        """Run a change on the proxy's loop and wait for it, so faults are in place on return."""
        if self._closed:
            raise RuntimeError("fault proxy is closed")

        future: concurrent.futures.Future[_T] = asyncio.run_coroutine_threadsafe(
            change(), self._loop
        )
        return future.result(_CALL_TIMEOUT)

    # --- the proxy thread ------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as error:  # reported to the constructor if it happens at start
            if not self._ready.is_set():
                self._startup_error = error
                self._ready.set()
            else:
                raise
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            # Listening socket first, so no connection slips in while the others go.
            self._server.close()
            await self._server.wait_closed()
            await self._reset_links(list(self._links), fault=False)
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            # open_connection() resolves host names on the default executor's threads.
            await self._loop.shutdown_default_executor()

    def _set_mode(self, mode: _Mode) -> None:
        assert self._flowing is not None
        self._mode = mode
        if mode == "pass":
            self._flowing.set()
        else:
            self._flowing.clear()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        link = _Link(client_reader=reader, client=writer)
        if self._mode == "refuse" or self._closed:
            link.dead = True
            _abort_with_reset(writer)
            if self._mode == "refuse":
                self._fired()
            return
        self._links.add(link)
        link.task = asyncio.create_task(self._serve(link))

    async def _serve(self, link: _Link) -> None:
        """Connect to the target once forwarding is allowed, then pump both ways until done."""
        assert self._flowing is not None
        try:
            await self._flowing.wait()
            try:
                up_reader, up_writer = await asyncio.open_connection(
                    self.target_host, self.target_port, limit=_CHUNK
                )
            except OSError:
                # No target: the client sees its connection dropped, as with a dead server.
                self._reset(link, fault=False)
                return
            link.upstream = up_writer
            link.pumps = [
                asyncio.create_task(self._pump(link, link.client_reader, up_writer, up=True)),
                asyncio.create_task(self._pump(link, up_reader, link.client, up=False)),
            ]
            await asyncio.wait(link.pumps)
        except asyncio.CancelledError:
            pass  # reset by a fault or by close(); the sockets are already aborted
        finally:
            for pump in link.pumps:
                pump.cancel()
            self._links.discard(link)
            if not link.dead:
                link.client.close()
                if link.upstream is not None:
                    link.upstream.close()

    async def _pump(
        self,
        link: _Link,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        *,
        up: bool,
    ) -> None:
        """Carry one direction, applying the faults to each chunk before it is delivered."""
        assert self._flowing is not None
        try:
            while True:
                chunk = await source.read(_CHUNK)
                await self._hold(link)  # an end of stream is held back like data
                if link.dead:
                    return
                if not chunk:
                    # Half-close, as the peer did: the other direction may still carry data.
                    if sink.can_write_eof() and not sink.is_closing():
                        sink.write_eof()
                    return
                if not await self._deliver(link, chunk, sink, up=up):
                    return
        except (ConnectionError, OSError):
            # One end was reset or broke: pass that on to the other end as a reset too.
            self._reset(link, fault=False)

    async def _hold(self, link: _Link) -> None:
        """Wait while the proxy is blackholed, and for the latency, before delivering."""
        assert self._flowing is not None
        while not link.dead:
            await self._flowing.wait()
            if self._latency <= 0:
                return
            await asyncio.sleep(self._latency)
            if self._flowing.is_set():
                return

    async def _deliver(
        self, link: _Link, chunk: bytes, sink: asyncio.StreamWriter, *, up: bool
    ) -> bool:
        """Deliver a chunk unless a fault cuts the connection; False once it was cut."""
        if not up and self._pattern is not None:
            window = link.tail + chunk
            if self._pattern in window:
                self._pattern = None
                self._reset(link, fault=True)
                return False
            keep = len(self._pattern) - 1
            link.tail = window[-keep:] if keep else b""

        budget = self._budget_up if up else self._budget_down
        if budget is not None and len(chunk) >= budget:
            # The budget ends within this chunk: deliver its allowed part, make sure it left
            # the socket (a reset discards unsent data), then cut. One-shot: disarm both ways.
            self._budget_up = self._budget_down = None
            if budget:
                self._write(sink, chunk[:budget], up=up)
                await self._flush(sink)
            self._reset(link, fault=True)
            return False
        if budget is not None:
            if up:
                self._budget_up = budget - len(chunk)
            else:
                self._budget_down = budget - len(chunk)

        self._write(sink, chunk, up=up)
        await sink.drain()
        return True

    def _write(self, sink: asyncio.StreamWriter, data: bytes, *, up: bool) -> None:
        # Counted first: the peer may read the bytes (and a test the counter) before
        # write() returns.
        if up:
            self.bytes_up += len(data)
        else:
            self.bytes_down += len(data)
        sink.write(data)

    async def _flush(self, sink: asyncio.StreamWriter) -> None:
        deadline = time.monotonic() + _FLUSH_TIMEOUT
        while _unsent_bytes(sink) and time.monotonic() < deadline:
            await asyncio.sleep(0.001)

    def _reset(self, link: _Link, *, fault: bool) -> None:
        """Reset both ends of a link; a fault's reset is what ``wait_for_cut()`` waits for."""
        if link.dead:
            return
        link.dead = True
        _abort_with_reset(link.client)
        if link.upstream is not None:
            _abort_with_reset(link.upstream)
        if link.task is not None and link.task is not asyncio.current_task():
            link.task.cancel()
        if fault:
            self._fired()

    def _fired(self) -> None:
        """Tell ``wait_for_cut()`` once the aborted sockets are closed (the RSTs have gone out).

        ``abort()`` closes a socket in a callback it schedules; ours, scheduled after it, runs
        after it.
        """
        asyncio.get_running_loop().call_soon(self._cut.set)

    async def _reset_links(self, links: list[_Link], *, fault: bool = True) -> None:
        """Reset links and wait until their sockets are closed, so the RSTs have gone out."""
        for link in links:
            self._reset(link, fault=fault)
        for link in links:
            for writer in (link.client, link.upstream):
                if writer is not None:
                    with contextlib.suppress(Exception):
                        await writer.wait_closed()
