"""MLLP transport for HL7 v2: framing, a threaded listener for monitor feeds, and a client.

A frame is ``<VT> message <FS><CR>``. The listener runs in one worker thread of its own, serves
several monitor connections at once, answers every message with an ACK (AA) or a NAK (AE/AR),
hands accepted readings to ``on_readings`` and refusals to ``on_error``, and reports feed loss
when no message has been accepted for ``feed_timeout`` seconds. Callbacks run in the listener
thread: a GUI must queue them to its own thread (DESIGN §5). Log lines never carry patient
identifiers.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable
from datetime import tzinfo
from types import TracebackType

from console.devices.hl7 import (
    MAX_MESSAGE_CHARS,
    DeviceReading,
    Hl7Error,
    Hl7Message,
    Hl7Reason,
    build_ack,
    extract_control_id,
    parse_message,
)

log = logging.getLogger("console.devices")

VT = 0x0B
FS = 0x1C
CR = 0x0D
START = b"\x0b"
END = b"\x1c\r"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2575
MAX_FRAME_BYTES = MAX_MESSAGE_CHARS
_HEAD_BYTES = 4096  # kept from an oversized or truncated frame to find its control id
REFUSAL_LOG_INTERVAL = 60.0  # seconds between log lines for one repeated refusal


def frame(message: str | bytes) -> bytes:
    data = message.encode("utf-8") if isinstance(message, str) else message
    return START + data + END


def decode_text(data: bytes) -> str:
    """HL7 v2 text: UTF-8 when it is, Latin-1 (which reads any byte) otherwise."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class _State(enum.Enum):
    OUTSIDE = enum.auto()
    INSIDE = enum.auto()
    DISCARD = enum.auto()
    AFTER_END = enum.auto()


class MllpDecoder:
    """Incremental MLLP frame reader: feed it bytes as they arrive, get messages or errors back.

    Frames larger than ``max_size`` are discarded (memory stays bounded) and reported once at their
    end as ``OVERSIZED``; a new start byte inside a frame reports the unfinished one as
    ``TRUNCATED``; bytes outside any frame (other than whitespace) are reported as ``NOT_FRAMED``.
    """

    def __init__(self, max_size: int = MAX_FRAME_BYTES) -> None:
        self.max_size = max_size
        self._state = _State.OUTSIDE
        self._buffer = bytearray()
        self._size = 0
        self._junk_reported = False

    @property
    def pending(self) -> bool:
        """True while a frame has started but not ended."""
        return self._state in (_State.INSIDE, _State.DISCARD)

    def _error(self, reason: Hl7Reason, detail: str) -> Hl7Error:
        head = decode_text(bytes(self._buffer[:_HEAD_BYTES]))
        return Hl7Error(reason, detail, control_id=extract_control_id(head))

    def _append(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._state is _State.INSIDE:
            if self._size > self.max_size:
                del self._buffer[_HEAD_BYTES:]
                self._buffer += chunk[:max(0, _HEAD_BYTES - len(self._buffer))]
                self._state = _State.DISCARD
            else:
                self._buffer += chunk

    def _begin(self) -> None:
        self._buffer.clear()
        self._size = 0
        self._state = _State.INSIDE
        self._junk_reported = False

    def feed(self, data: bytes) -> list[bytes | Hl7Error]:
        out: list[bytes | Hl7Error] = []
        i, n = 0, len(data)
        while i < n:
            if self._state is _State.AFTER_END:
                if data[i] == CR:
                    i += 1
                self._state = _State.OUTSIDE
                continue
            if self._state is _State.OUTSIDE:
                start = data.find(START, i)
                junk = data[i:start if start >= 0 else n]
                if junk.strip(b" \t\r\n\x00") and not self._junk_reported:
                    self._junk_reported = True
                    out.append(Hl7Error(Hl7Reason.NOT_FRAMED,
                                        "data outside an MLLP frame (expected a 0x0B start byte)"))
                if start < 0:
                    break
                self._begin()
                i = start + 1
                continue
            end = data.find(FS, i)
            restart = data.find(VT, i)
            if restart >= 0 and (end < 0 or restart < end):
                self._append(data[i:restart])
                out.append(self._error(Hl7Reason.TRUNCATED,
                                       "frame ended without 0x1C; a new frame started"))
                self._begin()
                i = restart + 1
                continue
            self._append(data[i:end if end >= 0 else n])
            if end < 0:
                break
            if self._state is _State.DISCARD:
                out.append(self._error(Hl7Reason.OVERSIZED,
                                       f"frame of {self._size} bytes exceeds the "
                                       f"{self.max_size}-byte limit"))
            else:
                out.append(bytes(self._buffer))
            self._buffer.clear()
            self._state = _State.AFTER_END
            i = end + 1
        return out

    def finish(self) -> Hl7Error | None:
        """At end of stream: the unfinished frame, if any, as a ``TRUNCATED`` error."""
        error = None
        if self.pending:
            error = self._error(Hl7Reason.TRUNCATED,
                                f"connection closed inside a frame after {self._size} bytes")
        self._buffer.clear()
        self._size = 0
        self._state = _State.OUTSIDE
        return error


def decode_frames(data: bytes, max_size: int = MAX_FRAME_BYTES) -> list[bytes]:
    """All frames in ``data``; raises the first :class:`Hl7Error` met (including a cut-off end)."""
    decoder = MllpDecoder(max_size)
    frames: list[bytes] = []
    for item in decoder.feed(data):
        if isinstance(item, Hl7Error):
            raise item
        frames.append(item)
    error = decoder.finish()
    if error is not None:
        raise error
    return frames


# --------------------------------------------------------------------------- listener

ReadingsCallback = Callable[[list[DeviceReading]], None]
MessageCallback = Callable[[Hl7Message], None]
ErrorCallback = Callable[[Hl7Error], None]
EventCallback = Callable[[], None]


class MessageRefused(Exception):
    """Raised by ``on_readings``/``on_message`` to refuse a well-formed message on purpose (no
    session to take it, another patient): the sender gets an AE NAK whose MSA-3 text is the
    exception's text, and the log a warning without a traceback. Never put patient identifiers
    in the text."""


class _Connection:
    def __init__(self, sock: socket.socket, peer: str, max_size: int) -> None:
        self.sock = sock
        self.peer = peer
        self.decoder = MllpDecoder(max_size)


class MllpListener:
    """Accepts monitor connections and turns their ORU^R01 messages into device readings.

    Accepted messages go to ``on_readings`` (the readings) or ``on_message`` (the whole parsed
    message, with the patient id); the ACK is sent after the callback returns, so a callback
    that stores the readings makes them durable before the monitor hears AA.
    ``start()`` binds (port 0 picks a free port; see ``address``) and starts the worker thread;
    ``close()`` stops it, closes every socket and joins the thread. Feed loss: when no message has
    been accepted for ``feed_timeout`` seconds since the start or the last accepted message,
    ``on_feed_lost`` is called once; the next accepted message calls ``on_feed_restored`` first.
    """

    def __init__(self, on_readings: ReadingsCallback | None = None, *,
                 on_message: MessageCallback | None = None,
                 on_error: ErrorCallback | None = None,
                 on_feed_lost: EventCallback | None = None,
                 on_feed_restored: EventCallback | None = None, host: str = DEFAULT_HOST,
                 port: int = DEFAULT_PORT, max_message_bytes: int = MAX_FRAME_BYTES,
                 feed_timeout: float = 10.0, max_connections: int = 8,
                 default_tz: tzinfo | None = None, poll_interval: float = 0.05) -> None:
        if (on_readings is None) == (on_message is None):
            raise ValueError("give on_readings or on_message (the whole parsed message)")
        self._on_readings = on_readings
        self._on_message = on_message
        self._on_error = on_error
        self._on_feed_lost = on_feed_lost
        self._on_feed_restored = on_feed_restored
        self._host = host
        self._port = port
        self._max_size = max_message_bytes
        self._feed_timeout = feed_timeout
        self._max_connections = max_connections
        self._default_tz = default_tz
        self._poll = poll_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._server: socket.socket | None = None
        self._selector: selectors.BaseSelector | None = None
        self._connections: dict[socket.socket, _Connection] = {}
        self._last_accepted = 0.0
        self._feed_lost = False
        self.messages_accepted = 0
        self.messages_refused = 0
        self._last_refusal: tuple[str, float, int] = ("", 0.0, 0)

    # -- life cycle

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("the listener is not started")
        host, port = self._server.getsockname()[:2]
        return str(host), int(port)

    @property
    def feed_lost(self) -> bool:
        return self._feed_lost

    def start(self) -> MllpListener:
        if self._thread is not None:
            raise RuntimeError("the listener is already started")
        server = socket.create_server((self._host, self._port), reuse_port=False)
        try:
            server.setblocking(False)
            selector = selectors.DefaultSelector()
            selector.register(server, selectors.EVENT_READ)
        except BaseException:
            server.close()
            raise
        self._server, self._selector = server, selector
        self._last_accepted = time.monotonic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mllp-listener", daemon=True)
        self._thread.start()
        log.info("MLLP listener on %s:%d", *self.address)
        return self

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():  # pragma: no cover - a callback that never returns
                log.error("MLLP listener thread did not stop within %.1f s", timeout)
                return
        self._close_sockets()

    def __enter__(self) -> MllpListener:
        return self.start() if self._thread is None else self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _close_sockets(self) -> None:
        for sock in list(self._connections):
            self._drop(sock)
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        if self._server is not None:
            self._server.close()
            self._server = None

    # -- worker thread

    def _run(self) -> None:
        selector = self._selector
        assert selector is not None
        try:
            while not self._stop.is_set():
                for key, _ in selector.select(self._poll):
                    if key.fileobj is self._server:
                        self._accept()
                    else:
                        sock = key.fileobj
                        assert isinstance(sock, socket.socket)
                        self._read(sock)
                self._check_feed()
        except Exception:
            log.exception("MLLP listener stopped by an unexpected error")
        finally:
            self._close_sockets()

    def _accept(self) -> None:
        assert self._server is not None
        assert self._selector is not None
        try:
            sock, address = self._server.accept()
        except (BlockingIOError, InterruptedError):
            return
        peer = f"{address[0]}:{address[1]}"
        if len(self._connections) >= self._max_connections:
            log.warning("MLLP connection from %s refused: %d connections already open", peer,
                        len(self._connections))
            sock.close()
            return
        sock.settimeout(2.0)  # bounds a blocking send of an ACK to a stalled sender
        self._connections[sock] = _Connection(sock, peer, self._max_size)
        self._selector.register(sock, selectors.EVENT_READ)
        log.info("MLLP connection from %s", peer)

    def _drop(self, sock: socket.socket) -> None:
        connection = self._connections.pop(sock, None)
        if self._selector is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(sock)
        sock.close()
        if connection is not None:
            log.info("MLLP connection from %s closed", connection.peer)

    def _read(self, sock: socket.socket) -> None:
        connection = self._connections[sock]
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError, TimeoutError):
            return
        except OSError as exc:
            log.warning("MLLP connection from %s failed: %s", connection.peer, exc)
            data = b""
        if not data:
            error = connection.decoder.finish()
            if error is not None:
                self._refuse(connection, None, error, answer=False)
            self._drop(sock)
            return
        for item in connection.decoder.feed(data):
            if sock not in self._connections:
                return
            if isinstance(item, Hl7Error):
                self._refuse(connection, None, item)
            else:
                self._handle(connection, decode_text(item))

    def _handle(self, connection: _Connection, text: str) -> None:
        try:
            message = parse_message(text, default_tz=self._default_tz, max_chars=self._max_size)
        except Hl7Error as error:
            self._refuse(connection, text, error)
            return
        self._last_accepted = time.monotonic()
        if self._feed_lost:
            self._feed_lost = False
            log.info("Monitor feed restored")
            self._call(self._on_feed_restored)
        try:
            if self._on_message is not None:
                self._on_message(message)
            elif self._on_readings is not None:
                self._on_readings(list(message.readings))
        except MessageRefused as refusal:
            self.messages_refused += 1
            self._log_refusal(str(refusal), message.control_id, connection.peer)
            self._send(connection, build_ack(text, "AE", str(refusal)))
            return
        except Exception:
            log.exception("Readings from message %s could not be taken", message.control_id)
            self.messages_refused += 1
            self._send(connection, build_ack(text, "AE", "The console could not take the "
                                                          "readings; see its log."))
            return
        self.messages_accepted += 1
        artifacts = sum(r.artifact for r in message.readings)
        if artifacts:
            log.warning("Message %s from %s: %d reading(s) flagged as artifact",
                        message.control_id, connection.peer, artifacts)
        self._send(connection, build_ack(text, "AA"))

    def _refuse(self, connection: _Connection, text: str | None, error: Hl7Error, *,
                answer: bool = True) -> None:
        self.messages_refused += 1
        log.warning("HL7 message from %s refused (%s, control id %s): %s", connection.peer,
                    error.ack_code, error.control_id or "unknown", error)
        # The console hears of the refusal before the monitor does (its NAK goes last).
        self._call(self._on_error, error)
        if answer:
            self._send(connection, build_ack(text, error.ack_code, error.detail, error=error))

    def _log_refusal(self, reason: str, control_id: str, peer: str) -> None:
        # A monitor sends every second or so: the same refusal is logged once a minute.
        now = time.monotonic()
        last_reason, last_at, repeats = self._last_refusal
        if reason == last_reason and now - last_at < REFUSAL_LOG_INTERVAL:
            self._last_refusal = (last_reason, last_at, repeats + 1)
            return
        again = f" ({repeats} more like it since the last line)" if repeats else ""
        log.warning("Message %s from %s refused (AE): %s%s", control_id, peer, reason, again)
        self._last_refusal = (reason, now, 0)

    def _send(self, connection: _Connection, ack: str) -> None:
        try:
            connection.sock.sendall(frame(ack))
        except OSError as exc:
            log.warning("Could not answer %s: %s", connection.peer, exc)
            self._drop(connection.sock)

    def _check_feed(self) -> None:
        if not self._feed_lost and time.monotonic() - self._last_accepted > self._feed_timeout:
            self._feed_lost = True
            log.warning("Monitor feed lost: no message for %.1f s", self._feed_timeout)
            self._call(self._on_feed_lost)

    @staticmethod
    def _call[*Args](callback: Callable[[*Args], None] | None, *args: *Args) -> None:
        # A failing subscriber is logged; the listener and its answers go on.
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("A feed callback failed")


# --------------------------------------------------------------------------- client

class MllpClient:
    """One MLLP connection that sends messages and waits for each answer (used by monitors and
    the simulator). Raises ``ConnectionError``/``TimeoutError`` on network trouble and
    :class:`Hl7Error` if the answer is not a proper frame."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                 timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._decoder = MllpDecoder()
        self._pending: list[bytes | Hl7Error] = []

    def connect(self) -> None:
        if self._sock is None:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self._decoder = MllpDecoder()
            self._pending = []

    def send_bytes(self, data: bytes) -> str:
        """Send raw bytes (already framed or not) and return the next answer frame (answers that
        arrived together are kept for the following calls; empty ``data`` just reads one)."""
        self.connect()
        assert self._sock is not None
        try:
            if data:
                self._sock.sendall(data)
            while not self._pending:
                chunk = self._sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the listener closed the connection")
                self._pending.extend(self._decoder.feed(chunk))
        except BaseException:
            self.close()
            raise
        item = self._pending.pop(0)
        if isinstance(item, Hl7Error):
            raise item
        return decode_text(item)

    def send(self, message: str) -> str:
        return self.send_bytes(frame(message))

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def __enter__(self) -> MllpClient:
        self.connect()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def send_message(host: str, port: int, message: str, *, timeout: float = 5.0) -> str:
    """Send one message over a new MLLP connection and return the ACK text."""
    with MllpClient(host, port, timeout=timeout) as client:
        return client.send(message)
