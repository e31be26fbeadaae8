"""The fault proxy does what the team-sync fault tests rely on, checked against a local echo server.

If a fault did not happen as asked, a sync test would pass for the wrong reason (a "lost reply"
that was in fact delivered), so each fault is pinned down here on plain sockets.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.faultproxy import FaultProxy


class EchoServer:
    """Echoes every chunk back and records what it received, so a test knows what arrived."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port: int = self.listener.getsockname()[1]
        self.received = bytearray()
        self.accepted = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._start(self._accept_loop)

    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name="echo", daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.accepted += 1
            self._start(self._echo, conn)

    def _echo(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                with self._lock:
                    self.received += data
                try:
                    conn.sendall(data)
                except OSError:
                    return

    def close(self) -> None:
        self._stop.set()
        self.listener.close()
        for thread in self._threads:
            thread.join(2)


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.close()


@pytest.fixture
def proxy(echo: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", echo.port) as fault_proxy:
        yield fault_proxy


def connect(proxy: FaultProxy, timeout: float = 2.0) -> socket.socket:
    return socket.create_connection(proxy.address, timeout=timeout)


def echo_once(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    received = b""
    while len(received) < len(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the socket receives before a reset or end of stream."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def is_dropped(sock: socket.socket) -> bool:
    """True when the connection was reset or closed from the other end."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_pass_through_forwards_both_ways_and_counts(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as sock:
        assert echo_once(sock, b"hello") == b"hello"
        assert echo_once(sock, b"again") == b"again"
    assert proxy.bytes_up == 10
    assert proxy.bytes_down == 10
    assert proxy.connections == 1
    assert echo.received == b"helloagain"
    assert not proxy.wait_for_cut(0.01)


def test_refuse_resets_new_and_open_connections(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as open_sock:
        assert echo_once(open_sock, b"x") == b"x"
        proxy.refuse()
        assert is_dropped(open_sock)
    # The reset may beat connect() to its end, or come after it.
    try:
        new_sock = connect(proxy)
    except ConnectionResetError:
        pass
    else:
        with new_sock:
            assert is_dropped(new_sock)
    assert echo.accepted == 1  # the refused connection never reached the server
    assert proxy.wait_for_cut(1)

    proxy.pass_through()
    with connect(proxy) as sock:
        assert echo_once(sock, b"back") == b"back"


def test_blackhole_carries_nothing_until_pass_through(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as open_sock:
        assert echo_once(open_sock, b"before") == b"before"
        proxy.blackhole()
        with connect(proxy, timeout=0.2) as new_sock:
            new_sock.sendall(b"held")
            open_sock.settimeout(0.2)
            open_sock.sendall(b"stuck")
            with pytest.raises(TimeoutError):
                new_sock.recv(10)
            with pytest.raises(TimeoutError):
                open_sock.recv(10)
            assert echo.received == b"before"
            assert echo.accepted == 1  # the target is not even contacted

            # Held, not dropped: the link heals as TCP would after a partition.
            proxy.pass_through()
            new_sock.settimeout(2)
            open_sock.settimeout(2)
            assert new_sock.recv(10) == b"held"
            assert open_sock.recv(10) == b"stuck"


def test_cut_after_server_to_client_delivers_exactly_that_many_bytes(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    proxy.cut_after(server_to_client=5)
    with connect(proxy) as sock:
        sock.sendall(b"0123456789")
        assert read_until_closed(sock) == b"01234"
    assert proxy.wait_for_cut(1)
    assert echo.received == b"0123456789"
    assert proxy.bytes_down == 5

    with connect(proxy) as sock:  # one-shot: the next connection works
        assert echo_once(sock, b"after") == b"after"


def test_cut_after_zero_lets_the_request_arrive_and_loses_the_reply(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    with connect(proxy) as sock:
        assert echo_once(sock, b"BEGIN") == b"BEGIN"
        proxy.cut_after(server_to_client=0)
        sock.sendall(b"COMMIT")
        assert read_until_closed(sock) == b""
    assert proxy.wait_for_cut(1)
    assert echo.received == b"BEGINCOMMIT"


def test_cut_after_client_to_server_delivers_exactly_that_many_bytes(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    proxy.cut_after(client_to_server=3)
    with connect(proxy) as sock:
        sock.sendall(b"abcdef")
        assert read_until_closed(sock) == b""
    assert proxy.wait_for_cut(1)
    deadline = time.monotonic() + 1
    while echo.received != b"abc" and time.monotonic() < deadline:
        time.sleep(0.005)
    assert echo.received == b"abc"


def test_cut_on_never_delivers_the_chunk_with_the_pattern(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    proxy.cut_on(b"COMMIT\x00")
    with connect(proxy) as sock:
        assert echo_once(sock, b"SELECT 1\x00") == b"SELECT 1\x00"
        sock.sendall(b"C\x00\x00\x00\x0bCOMMIT\x00Z")
        assert read_until_closed(sock) == b""
    assert proxy.wait_for_cut(1)
    assert echo.received.endswith(b"COMMIT\x00Z")  # the server had it: it committed


def test_cut_on_finds_a_pattern_split_over_two_chunks(proxy: FaultProxy, echo: EchoServer) -> None:
    proxy.cut_on(b"COMMIT\x00")
    with connect(proxy) as sock:
        assert echo_once(sock, b"xxCOM") == b"xxCOM"
        sock.sendall(b"MIT\x00yy")
        assert read_until_closed(sock) == b""
    assert proxy.wait_for_cut(1)


def test_reset_all_drops_open_connections_and_keeps_the_mode(
    proxy: FaultProxy, echo: EchoServer
) -> None:
    with connect(proxy) as first, connect(proxy) as second:
        assert echo_once(first, b"1") == b"1"
        assert echo_once(second, b"2") == b"2"
        proxy.reset_all()
        assert is_dropped(first)
        assert is_dropped(second)
    assert proxy.wait_for_cut(1)
    with connect(proxy) as sock:
        assert echo_once(sock, b"still passing") == b"still passing"


def test_latency_delays_each_chunk(proxy: FaultProxy) -> None:
    proxy.latency(0.05)
    with connect(proxy) as sock:
        started = time.monotonic()
        assert echo_once(sock, b"slow") == b"slow"
        assert time.monotonic() - started >= 0.1  # once up, once down
        proxy.pass_through()
        started = time.monotonic()
        assert echo_once(sock, b"fast") == b"fast"
        assert time.monotonic() - started < 0.1


def test_close_frees_the_port_and_ends_every_thread(echo: EchoServer) -> None:
    before = set(threading.enumerate())
    # A host name, so the proxy's loop resolves it on executor threads that close() must end.
    proxy = FaultProxy("localhost", echo.port)
    port = proxy.port
    sock = connect(proxy)
    assert echo_once(sock, b"open") == b"open"
    proxy.close()
    proxy.close()  # closing twice is harmless

    assert not proxy.thread.is_alive()
    assert [t for t in threading.enumerate() if t not in before and t.name != "echo"] == []
    assert is_dropped(sock)
    sock.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    with socket.socket() as rebind:
        rebind.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        rebind.bind(("127.0.0.1", port))
    with pytest.raises(RuntimeError):
        proxy.blackhole()
