"""Device ingest end to end: MLLP -> parsed -> alarm-evaluated -> durably stored -> on screen.

The console's path, measured as it runs: MLLP clients send realistic ORU^R01 messages from the
bundled simulator (``console.devices.simulator.to_message``) at a fixed rate to a real
``DeviceFeed`` (its ``MllpListener`` thread parses each message and calls
``MonitoringService.ingest`` on a real SQLite file opened as the console opens it:
``open_database``, WAL, ``synchronous=FULL``; AA only after the commit). The update travels
through ``DeviceBridge``'s queued signal to a GUI-thread slot that appends it to a real, shown
``VitalsChart`` and sets a label. The session is a real running infusion of the demonstration
clinic, so the alarm engine judges every set against the clinic's thresholds and baseline.

Measured per message: latency from just before the client sends it to the end of the GUI slot
(p50/p95/p99/max), the ACK round trip, and the time ``MonitoringService.ingest`` took; per run:
throughput of sets on screen, and how long the GUI thread was blocked (the worst lateness of a
5 ms ``QTimer`` heartbeat, and the longest slot).

Side by side, two naive designs on the same machine, database and chart:

- ``naive: ingest in the GUI slot``: the listener only parses and queues; the slot stores and
  judges (and the monitor hears AA before the set is stored, which is the other defect);
- ``naive: reload per message``: the console's feed, but the slot re-reads the whole session
  (``SessionService.get`` and every monitor set, ``MonitoringService.device_sets``) for every
  message and charts what is new.

Targets (issue): 100 messages/s sustained, p99 message-to-screen < 100 ms, the GUI thread never
blocked > 16 ms. Benchmarks print figures and never fail on a time.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/device_ingest.py            # 60 s
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/device_ingest.py --quick    # 10 s
    ... --prefill 14400     # the session already holds 4 h of 1 Hz monitor sets
    ... --profile           # cProfile of the listener thread's work, console run only
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import os
import pstats
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _common import ROOT, machine_notes, median, ms, percentile, table

sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from console.config import AppConfig, sqlite_url
from console.devices.hl7 import Hl7Message, parse_message, readings_to_values
from console.devices.mllp import MllpClient, MllpListener
from console.devices.simulator import generate, to_message
from console.domain.bedside import DoubleCheckEntry, Preparation
from console.domain.clock import SystemClock
from console.domain.identity import Actor
from console.domain.vitals import VitalSign, VitalSource, VitalValues
from console.services.container import Services, build_services
from console.services.device_feed import DeviceFeed, device_values
from console.services.monitoring import MonitoringUpdate
from console.services.startup import open_database
from console.storage.unit_of_work import Database
from console.ui.charts import VitalsChart
from console.ui.devices import DeviceBridge

RATE_TARGET = 100.0
LATENCY_TARGET_S = 0.100
GUI_BLOCK_TARGET_S = 0.016
HEARTBEAT_MS = 5
WARM_UP = 50          # messages left out of the latency figures (caches, first paints)
DRAIN_S = 15.0        # after the last send, how long to wait for the screen to catch up
DEVICE = "Bedside monitor"
MRN = "DEMO0005"      # a demonstration patient with a verified protocol
FLOOR_IDLE = "floor: chart shown, idle"
FLOOR_FED = "floor: chart shown and fed"


# ------------------------------------------------------------------ a running session
def running_session(folder: Path) -> tuple[Database, Services, Actor, int, datetime]:
    """A fresh console database with the demonstration clinic and one running infusion."""
    config = AppConfig(data_dir=folder, database_url=sqlite_url(folder / "console.sqlite3"))
    database, _state = open_database(config)
    services = build_services(database, SystemClock())
    services.demo.seed()
    nurse = services.auth.sign_in("nkim", "nurse-demo-1")
    patient = services.patients.search(nurse, MRN)[0]
    sid = services.sessions.check_in(nurse, patient.id).id
    services.sessions.record_weight(nurse, sid, "70")
    services.sessions.record_preparation(nurse, sid, Preparation(
        Decimal(50), "BENCH1", date(2030, 1, 1), Decimal(250), "Sodium chloride 0.9%",
        Decimal(250)))
    services.sessions.program_pump(nurse, sid)
    services.sessions.double_check(sid, checker_username="tlopez",
                                   checker_password="nurse-demo-2",
                                   entry=DoubleCheckEntry(Decimal(70), Decimal(1),
                                                          Decimal("24.5")))
    services.sessions.record_vitals(nurse, sid, VitalValues(
        heart_rate=72, systolic=124, diastolic=78, spo2=98, respiratory_rate=14))
    record = services.sessions.start(nurse, sid)
    started = record.progress.started_at or datetime.now(UTC)
    return database, services, nurse, sid, started


def prefill(database: Database, sid: int, rows: int, before: datetime) -> None:
    """``rows`` monitor sets already in the session (1 Hz, ending at ``before``)."""
    if rows <= 0:
        return
    from sqlalchemy import insert

    from console.storage.rows import VitalSignRow

    values = '{"heart_rate": 80, "respiratory_rate": 14, "spo2": 97}'
    start = before - timedelta(seconds=rows)
    with database.write() as uow:
        for chunk in itertools.batched(range(rows), 5000):
            uow.session.execute(insert(VitalSignRow), [
                {"session_id": sid, "at": start + timedelta(seconds=n),
                 "entered_at": start + timedelta(seconds=n), "source": "device",
                 "by_id": None, "values": values, "device": DEVICE, "confirmed": "[]"}
                for n in chunk])


# ------------------------------------------------------------------ senders
@dataclass
class Traffic:
    """Prebuilt messages and what happened to each, indexed by message number."""

    messages: list[str]
    base: datetime
    sent: dict[int, float] = field(default_factory=dict)
    acked: dict[int, float] = field(default_factory=dict)
    codes: dict[int, str] = field(default_factory=dict)
    on_screen: dict[int, float] = field(default_factory=dict)
    failed: int = 0

    def number(self, vital: VitalSign) -> int:
        return round((vital.at - self.base).total_seconds())


def build_traffic(count: int) -> Traffic:
    # Simulated readings one second apart, all in the past (the service clamps the future).
    base = (datetime.now(UTC) - timedelta(seconds=count + 120)).replace(microsecond=0)
    messages = [to_message(sample, f"B{n}", patient_id=MRN)
                for n, sample in enumerate(generate("normal", seed=5, count=count,
                                                    start_at=base))]
    return Traffic(messages=messages, base=base)


def send_all(traffic: Traffic, address: tuple[str, int], *, rate: float, clients: int,
             started: threading.Event) -> list[threading.Thread]:
    """``clients`` monitors in threads; message n is due at t0 + n / rate (open schedule: a
    client that is behind sends at once, so a slow console shows as lower throughput)."""
    t0 = time.perf_counter() + 0.2

    def client_loop(k: int) -> None:
        started.wait()
        with MllpClient(*address, timeout=30.0) as client:
            for n in range(k, len(traffic.messages), clients):
                wait = t0 + n / rate - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                traffic.sent[n] = time.perf_counter()
                try:
                    ack = client.send(traffic.messages[n])
                except OSError:
                    traffic.failed += 1
                    continue
                traffic.acked[n] = time.perf_counter()
                traffic.codes[n] = ack.split("\rMSA|", 1)[1][:2] if "\rMSA|" in ack else "??"

    threads = [threading.Thread(target=client_loop, args=(k,), name=f"bench-monitor-{k}",
                                daemon=True) for k in range(clients)]
    for thread in threads:
        thread.start()
    return threads


# ------------------------------------------------------------------ the screen
class Screen(QWidget):
    """A real chart and a label, shown, as on the session screen."""

    def __init__(self, services: Services, started: datetime) -> None:
        super().__init__()
        self.chart = VitalsChart(thresholds=services.monitoring_settings.thresholds(),
                                 parent=self)
        self.chart.set_start(started)
        self.label = QLabel("—", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.chart, 1)
        # Where the GUI thread's time goes besides the slots: the chart's 4 Hz redraw (setData)
        # and the paint that follows it (both Python methods, timed on this instance).
        self.redraws: list[float] = []
        self.paints: list[float] = []
        self.chart.redraw = timed(self.chart.redraw, self.redraws)  # type: ignore[method-assign]
        graphics = self.chart.graphics
        graphics.paintEvent = timed(graphics.paintEvent, self.paints)
        self.resize(1200, 800)
        self.show()

    def show_vital(self, vital: VitalSign) -> None:
        self.chart.append(vital)
        v = vital.values
        self.label.setText(f"Monitor {vital.at.astimezone():%H:%M:%S} · HR {v.heart_rate} · "
                           f"SpO2 {v.spo2} · RR {v.respiratory_rate}")


class Heartbeat:
    def __init__(self) -> None:
        self.beats: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(lambda: self.beats.append(time.perf_counter()))

    def lateness(self) -> list[float]:
        return [max(0.0, later - earlier - HEARTBEAT_MS / 1000)
                for earlier, later in itertools.pairwise(self.beats)]


class Receiver(QObject):
    """The GUI-thread end: times each slot and what it shows."""

    def __init__(self, traffic: Traffic, screen: Screen,
                 work: Callable[[Any], list[VitalSign]]) -> None:
        super().__init__()
        self.traffic = traffic
        self.screen = screen
        self.work = work
        self.slots: list[float] = []
        self.closed = False  # the run is over: late deliveries are not counted

    @Slot(object)
    def on_item(self, item: object) -> None:
        if self.closed:
            return
        began = time.perf_counter()
        for vital in self.work(item):
            self.screen.show_vital(vital)
            done = time.perf_counter()
            self.traffic.on_screen.setdefault(self.traffic.number(vital), done)
        self.slots.append(time.perf_counter() - began)


class Queue(QObject):
    """The naive design's own queued signal (the parsed message to the GUI thread)."""

    message = Signal(object)


# ------------------------------------------------------------------ one run
@dataclass
class Result:
    name: str
    seconds: float
    traffic: Traffic
    slots: list[float]
    lateness: list[float]
    ingest: list[float]
    redraws: list[float] = field(default_factory=list)
    paints: list[float] = field(default_factory=list)
    profile: str = ""

    def latencies(self) -> list[float]:
        t = self.traffic
        return [t.on_screen[n] - t.sent[n] for n in sorted(t.on_screen)
                if n >= WARM_UP and n in t.sent]

    def acks(self) -> list[float]:
        t = self.traffic
        return [t.acked[n] - t.sent[n] for n in sorted(t.acked) if n >= WARM_UP]


def timed(target: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return target(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - began)
    return wrapper


def floor_run(name: str, folder: Path, *, seconds: float, rate: float) -> Result:
    """The GUI thread without the feed: the shown chart idle, or fed the same sets at the same
    rate from a GUI timer (no network, no database): what the machine and the chart cost."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    database, services, _nurse, _sid, started = running_session(folder)
    traffic = build_traffic(int(seconds * rate))
    screen = Screen(services, started)
    signs = []
    for n, message in enumerate(traffic.messages):
        readings = parse_message(message).readings
        values = readings_to_values(readings)
        if values is not None:
            signs.append(VitalSign(id=n + 1, at=traffic.base + timedelta(seconds=n),
                                   values=values, source=VitalSource.DEVICE, by_name=DEVICE,
                                   device=DEVICE))
    receiver = Receiver(traffic, screen, lambda sign: [sign])
    heartbeat = Heartbeat()
    feeding = name.endswith("fed")
    pending = iter(signs)
    began = time.perf_counter()

    def tick() -> None:
        due = int((time.perf_counter() - began) * rate)
        while feeding and len(traffic.sent) < due:
            sign = next(pending, None)
            if sign is None:
                break
            traffic.sent[traffic.number(sign)] = time.perf_counter()
            receiver.on_item(sign)
        if time.perf_counter() - began > seconds:
            app.quit()

    driver = QTimer()
    driver.setTimerType(Qt.TimerType.PreciseTimer)
    driver.setInterval(10)
    driver.timeout.connect(tick)
    heartbeat.timer.start()
    driver.start()
    app.exec()
    driver.stop()
    heartbeat.timer.stop()
    screen.close()
    screen.deleteLater()
    app.processEvents()
    database.dispose()
    print(f"  {name}: {len(traffic.on_screen)} sets charted in {seconds:.0f} s", flush=True)
    return Result(name, seconds, traffic, receiver.slots, heartbeat.lateness(), [],
                  screen.redraws, screen.paints)


def run_once(name: str, folder: Path, *, seconds: float, rate: float, clients: int,
             rows: int, profile: bool = False) -> Result:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    database, services, nurse, sid, started = running_session(folder)
    prefill(database, sid, rows, started)
    traffic = build_traffic(int(seconds * rate))
    screen = Screen(services, started)
    ingest_times: list[float] = []
    services.monitoring.ingest = timed(services.monitoring.ingest,  # type: ignore[method-assign]
                                       ingest_times)
    profiler = cProfile.Profile() if profile else None
    heartbeat = Heartbeat()
    go = threading.Event()
    feed: DeviceFeed | None = None
    listener: MllpListener | None = None
    bridge: DeviceBridge | None = None
    queue: Queue | None = None

    if name == "naive: ingest in the GUI slot":
        def ingest_here(message: Hl7Message) -> list[VitalSign]:
            update = services.monitoring.ingest(sid, device_values(message.readings),
                                                device=DEVICE, patient_id=message.patient_id)
            return [] if update.vital is None else [update.vital]

        receiver = Receiver(traffic, screen, ingest_here)
        queue = Queue()
        queue.message.connect(receiver.on_item, Qt.ConnectionType.QueuedConnection)
        listener = MllpListener(on_message=queue.message.emit, port=0).start()
        address = listener.address
    else:
        if name == "naive: reload per message":
            charted: set[int] = set()

            def reload(_update: MonitoringUpdate) -> list[VitalSign]:
                services.sessions.get(nurse, sid)  # the record (hand-entered sets)
                every = services.monitoring.device_sets(nurse, sid)  # and every monitor set
                new = [v for v in every if v.id not in charted
                       and v.device == DEVICE and v.at >= traffic.base]
                charted.update(v.id for v in new)
                return new

            receiver = Receiver(traffic, screen, reload)
        else:
            receiver = Receiver(traffic, screen,
                                lambda u: [] if u.vital is None else [u.vital])
        feed = DeviceFeed(monitoring=services.monitoring, port=0, feed_timeout=60.0).start()
        bridge = DeviceBridge(feed)
        bridge.subscribe(updated=receiver.on_item)
        feed.attach(sid, device_name=DEVICE, patient_mrn=MRN)
        address = feed.address
        if profiler is not None:
            take = feed._take  # profiling the listener thread's work

            def profiled(message: Hl7Message) -> None:
                profiler.enable()
                try:
                    take(message)
                finally:
                    profiler.disable()

            feed._listener._on_message = profiled

    threads = send_all(traffic, address, rate=rate, clients=clients, started=go)
    total = len(traffic.messages)
    began = time.perf_counter()
    deadline = began + seconds + 5.0 + DRAIN_S

    def check() -> None:
        senders_done = not any(t.is_alive() for t in threads)
        stored = sum(1 for c in traffic.codes.values() if c == "AA")
        if (senders_done and len(traffic.on_screen) >= stored) \
                or time.perf_counter() > deadline:
            receiver.closed = True
            app.quit()

    # The real event loop: the heartbeat, the queued slots and the chart's redraws share it.
    checker = QTimer()
    checker.setInterval(50)
    checker.timeout.connect(check)
    heartbeat.timer.start()
    checker.start()
    go.set()
    app.exec()
    elapsed = time.perf_counter() - began
    checker.stop()
    heartbeat.timer.stop()
    for thread in threads:
        thread.join(1.0)
    if listener is not None:
        listener.close()
    if feed is not None:
        feed.close()
    app.processEvents()
    screen.close()
    screen.deleteLater()
    if bridge is not None:
        bridge.deleteLater()
    app.processEvents()
    database.dispose()
    text = ""
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        text = out.getvalue()
    first_sent = min(traffic.sent.values(), default=began)
    last_screen = max(traffic.on_screen.values(), default=began)
    span = max(last_screen - first_sent, 1e-9)
    result = Result(name, span, traffic, receiver.slots, heartbeat.lateness(), ingest_times,
                    screen.redraws, screen.paints, text)
    shown = len(traffic.on_screen)
    print(f"  {name}: {len(traffic.sent)}/{total} sent, {shown} on screen in {elapsed:.1f} s",
          flush=True)
    return result


# ------------------------------------------------------------------ report
def row(result: Result) -> list[object]:
    lat = result.latencies()
    t = result.traffic
    codes = list(t.codes.values())
    return [
        result.name, len(t.sent), codes.count("AA"), len(codes) - codes.count("AA") + t.failed,
        len(t.on_screen), f"{len(t.on_screen) / result.seconds:.1f}",
        ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95)), ms(percentile(lat, 0.99)),
        ms(max(lat, default=float("nan"))),
        ms(percentile(result.acks(), 0.50)), ms(percentile(result.acks(), 0.99)),
        ms(median(result.ingest)), ms(percentile(result.ingest, 0.99)),
        ms(max(result.lateness, default=float("nan"))),
        sum(1 for x in result.lateness if x > GUI_BLOCK_TARGET_S),
        ms(max(result.slots, default=float("nan"))),
    ]


def _quiet_qt(mode: object, _context: object, message: str) -> None:
    if not message.startswith("This plugin does not support"):
        print(f"qt: {message}", file=sys.stderr)


def main() -> int:
    qInstallMessageHandler(_quiet_qt)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="sending time per run")
    parser.add_argument("--naive-seconds", type=float, default=15.0,
                        help="sending time of each naive run (they fall behind and drain)")
    parser.add_argument("--rate", type=float, default=RATE_TARGET, help="messages per second")
    parser.add_argument("--clients", type=int, default=2, help="monitor connections")
    parser.add_argument("--prefill", type=int, default=0,
                        help="monitor sets already in the session before the run")
    parser.add_argument("--quick", action="store_true", help="10 s console, 5 s naive runs")
    parser.add_argument("--no-naive", action="store_true", help="only the console's path")
    parser.add_argument("--profile", action="store_true",
                        help="profile the listener thread (console run; slows it)")
    parser.add_argument("--dir", type=Path, help="folder on the disk to test (default: temp)")
    parser.add_argument("--switch-interval", type=float, default=None, metavar="S",
                        help="sys.setswitchinterval for the run (Python default 0.005 s)")
    args = parser.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    seconds = 10.0 if args.quick else args.seconds
    naive_seconds = 5.0 if args.quick else args.naive_seconds

    print(f"device ingest: {machine_notes()}")
    print(f"{args.rate:.0f} msg/s from {args.clients} MLLP client(s); console run "
          f"{seconds:.0f} s, naive runs {naive_seconds:.0f} s; session prefilled with "
          f"{args.prefill} monitor sets; first {WARM_UP} messages not in the latency figures; "
          f"GIL switch interval {sys.getswitchinterval() * 1e3:.1f} ms")
    runs = [("console: DeviceFeed -> DeviceBridge -> slot", seconds)]
    if not args.no_naive:
        runs += [("naive: ingest in the GUI slot", naive_seconds),
                 ("naive: reload per message", naive_seconds)]
    # The fed floor as long as the console's run: the chart's cost grows with what it holds.
    floors = [(FLOOR_IDLE, naive_seconds), (FLOOR_FED, seconds)]
    results: list[Result] = []
    floor_results: list[Result] = []
    for name, length in [*floors, *runs]:
        base = Path(tempfile.mkdtemp(prefix="console-ingest-", dir=args.dir))
        try:
            if name.startswith("floor"):
                floor_results.append(floor_run(name, base, seconds=length, rate=args.rate))
            else:
                results.append(run_once(name, base, seconds=length, rate=args.rate,
                                        clients=args.clients, rows=args.prefill,
                                        profile=args.profile and name.startswith("console")))
        finally:
            shutil.rmtree(base, ignore_errors=True)

    print()
    print(table(["approach", "sent", "AA", "NAK or not sent in time", "on screen", "on screen/s",
                 "p50 ms", "p95 ms", "p99 ms", "max ms", "ACK p50 ms", "ACK p99 ms",
                 "ingest p50 ms", "ingest p99 ms", "GUI worst late ms", "beats > 16 ms late",
                 "longest slot ms"], [row(r) for r in results]))
    print()
    print(table(["GUI thread", "sets charted", "worst late ms", "p99 late ms",
                 "beats > 16 ms late", "longest slot ms", "chart redraw p50 / max ms",
                 "chart paint p50 / max ms", "paints > 16 ms"],
                [[r.name, len(r.traffic.on_screen), ms(max(r.lateness, default=float("nan"))),
                  ms(percentile(r.lateness, 0.99)),
                  sum(1 for x in r.lateness if x > GUI_BLOCK_TARGET_S),
                  ms(max(r.slots, default=float("nan"))),
                  f"{ms(median(r.redraws))} / {ms(max(r.redraws, default=float('nan')))}",
                  f"{ms(median(r.paints))} / {ms(max(r.paints, default=float('nan')))}",
                  sum(1 for x in r.paints if x > GUI_BLOCK_TARGET_S)]
                 for r in (*floor_results, *results)]))
    console = results[0]
    lat = console.latencies()
    rate = len(console.traffic.on_screen) / console.seconds
    blocked = max(max(console.lateness, default=0.0), max(console.slots, default=0.0))
    print()
    print(f"console: {rate:.1f} sets on screen per second (target {RATE_TARGET:.0f}); "
          f"p99 send-to-screen {ms(percentile(lat, 0.99))} ms (target "
          f"{LATENCY_TARGET_S * 1e3:.0f} ms); GUI thread blocked at most {ms(blocked)} ms "
          f"(target {GUI_BLOCK_TARGET_S * 1e3:.0f} ms)")
    for naive in results[1:]:
        n_lat = naive.latencies()
        n_block = max(max(naive.lateness, default=0.0), max(naive.slots, default=0.0))
        print(f"{naive.name}: p99 latency {percentile(n_lat, 0.99) / percentile(lat, 0.99):.1f}x"
              f" the console's, GUI block {n_block / blocked:.1f}x, on screen/s "
              f"{len(naive.traffic.on_screen) / naive.seconds / rate:.2f}x")
    if console.profile:
        print()
        print("profile of the listener thread's work (console run):")
        print(console.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
