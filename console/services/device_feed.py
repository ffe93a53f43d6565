"""The monitor feed of this console: HL7 ORU^R01 over MLLP into the open infusion session.

One ``DeviceFeed`` per console, built by the composition root. It owns an ``MllpListener``
(its own worker thread, on the configured host and port) and hands each accepted message to
``MonitoringService.ingest`` for the session the screen has attached: plausible values become
a device set judged by the alarm engine, the rest are stored as artifacts. The set is committed
before the listener sends AA, so a monitor that heard AA can forget the message. A message that
cannot be taken (no session attached, another patient, a closed record) gets an AE NAK that says
why, and the listener keeps running.

Losing the feed (no message for ``feed_timeout`` seconds) raises the technical alarm on the
attached session once that session has received readings from the monitor, so a clinic without
a monitor is not alarmed; the service raises it only while the infusion runs. The first message
after a loss resolves it.

The callbacks ``on_update``, ``on_feed`` and ``on_refused`` run in the listener thread: a GUI
must queue them to its own thread (``console.ui.devices.bridge``). No Qt here, and no patient
identifiers in the log.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from console.devices.hl7 import DeviceReading, Hl7Error, Hl7Message
from console.devices.mllp import DEFAULT_HOST, DEFAULT_PORT, MessageRefused, MllpListener
from console.domain.alarms import AlarmParameter
from console.errors import UserFacingError
from console.services.monitoring import DeviceValue, MonitoringService, MonitoringUpdate

log = logging.getLogger("console.devices")

NO_SESSION = "no infusion session is open on this console"
OTHER_PATIENT = ("the readings name another patient than the session open on this console: "
                 "check which monitor is connected to this bed")
DEFAULT_FEED_TIMEOUT = 10.0

UpdateCallback = Callable[[MonitoringUpdate], None]
FeedCallback = Callable[[bool], None]
RefusedCallback = Callable[[str], None]
T = TypeVar("T")


class DeviceUnavailable(UserFacingError):
    """The monitor feed cannot listen (the port is taken, the address is not this PC's)."""

    title = "Monitor feed unavailable"


@dataclass(frozen=True, slots=True)
class Attachment:
    """The session whose monitor this console listens to."""

    session_id: int
    device_name: str
    patient_mrn: str


def device_values(readings: list[DeviceReading] | tuple[DeviceReading, ...]) -> list[DeviceValue]:
    """Readings as the monitoring service takes them; an artifact keeps its reason."""
    return [DeviceValue(field=r.field.value, value=r.value, at=r.at,
                        artifact_reason=(r.artifact_reason or "implausible reading")
                        if r.artifact else None)
            for r in readings]


def _same_patient(sent: str, mrn: str) -> bool:
    return sent.strip().upper() == mrn.strip().upper()


class DeviceFeed:
    """The console's monitor listener and what it feeds. ``start()`` may raise
    :class:`DeviceUnavailable`; the console runs on without a feed then."""

    def __init__(self, *, monitoring: MonitoringService, host: str = DEFAULT_HOST,
                 port: int = DEFAULT_PORT, feed_timeout: float = DEFAULT_FEED_TIMEOUT,
                 on_update: UpdateCallback | None = None, on_feed: FeedCallback | None = None,
                 on_refused: RefusedCallback | None = None) -> None:
        self._monitoring = monitoring
        self.host = host
        self.port = port
        self.on_update = on_update
        self.on_feed = on_feed
        self.on_refused = on_refused
        self._lock = threading.Lock()
        self._attached: Attachment | None = None
        self._seen = False   # the attached session has had readings since the last loss
        self._heard = False  # a message came in since the start or the last loss
        self._listener = MllpListener(on_message=self._take, on_error=self._on_error,
                                      on_feed_lost=self._lost, on_feed_restored=self._restored,
                                      host=host, port=port, feed_timeout=feed_timeout)
        self._started = False

    # ------------------------------------------------------------------ life cycle
    def start(self) -> DeviceFeed:
        """Listen (in the listener's own thread)."""
        try:
            self._listener.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                message = f"monitor feed unavailable: port {self.port} in use"
            else:
                message = (f"monitor feed unavailable: cannot listen on {self.host}:{self.port} "
                           f"({exc.strerror or exc})")
            raise DeviceUnavailable(message, field="device_port") from exc
        self._started = True
        return self

    def close(self) -> None:
        """Stop listening and forget the session; safe to call twice or without a start."""
        with self._lock:
            self._attached = None
        if self._started:
            self._started = False
            self._listener.close()

    @property
    def running(self) -> bool:
        return self._started

    @property
    def address(self) -> tuple[str, int]:
        """Where monitors connect (the real port when started on port 0)."""
        return self._listener.address if self._started else (self.host, self.port)

    @property
    def feed_lost(self) -> bool:
        return self._listener.feed_lost

    @property
    def attached(self) -> Attachment | None:
        with self._lock:
            return self._attached

    # ------------------------------------------------------------------ the open session
    def attach(self, session_id: int, *, device_name: str, patient_mrn: str) -> None:
        """Send the monitor's readings to ``session_id`` (whose patient has ``patient_mrn``)."""
        attachment = Attachment(session_id, " ".join(device_name.split()) or "monitor",
                                patient_mrn.strip())
        with self._lock:
            if self._attached == attachment:
                return
            same_session = (self._attached is not None
                            and self._attached.session_id == session_id)
            self._attached = attachment
            if not same_session:
                # Readings flowing now count as this session's monitor: losing them alarms.
                self._seen = self._heard and not self._listener.feed_lost
        log.info("Monitor feed attached to session %d", session_id)

    def detach(self, session_id: int | None = None) -> None:
        """Stop taking readings (for ``session_id`` only, when given): the monitor gets NAKs."""
        with self._lock:
            if self._attached is None or (session_id is not None
                                          and self._attached.session_id != session_id):
                return
            log.info("Monitor feed detached from session %d", self._attached.session_id)
            self._attached = None
            self._seen = False

    # ------------------------------------------------------------------ listener thread
    def _take(self, message: Hl7Message) -> None:
        """One accepted message: stored (committed) before this returns, or refused."""
        with self._lock:
            self._heard = True
            attached = self._attached
        if attached is None:
            self._refuse(NO_SESSION)
        if message.patient_id and not _same_patient(message.patient_id, attached.patient_mrn):
            self._refuse(OTHER_PATIENT)
        values = device_values(message.readings)
        if not values:
            return  # only codes the console knowingly does not use (a mean pressure alone)
        try:
            update = self._monitoring.ingest(attached.session_id, values,
                                             device=attached.device_name,
                                             patient_id=message.patient_id)
        except UserFacingError as error:
            self._refuse(error.message)
        with self._lock:
            if self._attached is not None and self._attached.session_id == attached.session_id:
                self._seen = True
        self._deliver(update)
        if any(a.parameter is AlarmParameter.DEVICE_FEED for a in update.book.active):
            self._technical(attached, lost=False)  # readings are back: the alarm resolves

    def _refuse(self, reason: str) -> NoReturn:
        self._call(self.on_refused, f"Monitor message refused: {reason}")
        raise MessageRefused(reason)

    def _on_error(self, error: Hl7Error) -> None:
        self._call(self.on_refused, f"Monitor message refused: {error}")

    def _lost(self) -> None:
        with self._lock:
            self._heard = False
            attached = self._attached if self._seen else None
            self._seen = False
        self._call(self.on_feed, True)
        if attached is not None:
            self._technical(attached, lost=True)

    def _restored(self) -> None:
        self._call(self.on_feed, False)

    def _technical(self, attached: Attachment, *, lost: bool) -> None:
        call = self._monitoring.feed_lost if lost else self._monitoring.feed_restored
        try:
            update = call(attached.session_id, device=attached.device_name)
        except UserFacingError as error:
            log.warning("Feed %s not recorded on session %d: %s",
                        "loss" if lost else "return", attached.session_id, error.message)
            return
        self._deliver(update)

    def _deliver(self, update: MonitoringUpdate) -> None:
        self._call(self.on_update, update)

    @staticmethod
    def _call(callback: Callable[[T], None] | None, value: T) -> None:
        # What was stored stays stored: a failing subscriber must not turn an AA into a NAK.
        if callback is None:
            return
        try:
            callback(value)
        except Exception:
            log.exception("A monitor feed subscriber failed")
