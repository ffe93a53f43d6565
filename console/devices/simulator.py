"""A bedside monitor simulator: ketamine-session vitals sent as HL7 ORU^R01 over real MLLP.

    python -m console.devices.simulator --port 2575 --rate 1 --scenario desaturation --speed 10

Baseline HR ~72/min, BP ~125/78 mm Hg, SpO2 97-99 %, RR ~14/min, temperature ~36.8 °C. Ketamine
raises HR and BP modestly over the first ten minutes, holds them to about 30 minutes, then they
settle. Scenarios add scripted events on the simulated clock:

- ``hypertension``: systolic climbs from 2 min to above 180 mm Hg by 4 min, holds to 7 min,
  recovers by 9 min;
- ``desaturation``: SpO2 falls from 1 min to 89 % by 2 min (RR slows), holds to 3 min, recovers
  by 4 min;
- ``feed-loss``: nothing is sent from 1 min to 2 min (60 s).

SpO2, HR and RR are sent with every message; NIBP every 30 s and temperature every 5 min, as a
monitor cycling its cuff would. ``--speed`` runs the simulated clock faster than real time.
The same ``--seed`` gives the same values.
"""

from __future__ import annotations

import argparse
import logging
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from console.devices.hl7 import build_oru
from console.devices.mllp import DEFAULT_HOST, DEFAULT_PORT, MllpClient

log = logging.getLogger("console.devices")

SCENARIOS = ("normal", "hypertension", "desaturation", "feed-loss")
NIBP_INTERVAL = 30.0
TEMPERATURE_INTERVAL = 300.0
FEED_LOSS = (60.0, 120.0)


@dataclass(frozen=True, slots=True)
class SimSample:
    t: float                      # simulated seconds since the start
    at: datetime
    heart_rate: int
    spo2: int
    respiratory_rate: int
    systolic: int | None = None
    diastolic: int | None = None
    temperature_c: Decimal | None = None


def _ramp(t: float, start: float, full: float, hold_until: float, gone: float) -> float:
    """0 before ``start``, rising to 1 at ``full``, 1 until ``hold_until``, 0 again at ``gone``."""
    if t <= start or t >= gone:
        return 0.0
    if t < full:
        return (t - start) / (full - start)
    if t <= hold_until:
        return 1.0
    return (gone - t) / (gone - hold_until)


def ketamine_effect(t: float) -> float:
    """The haemodynamic effect of the infusion, 0 to 1: rises over 10 min, settles after 30."""
    return _ramp(t, 0.0, 600.0, 1800.0, 3000.0)


class VitalsModel:
    """Deterministic vitals for one scenario: smooth drift plus small seeded noise."""

    def __init__(self, scenario: str = "normal", *, seed: int = 1) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
        self.scenario = scenario
        self._random = random.Random(seed)
        self._noise = {"hr": 0.0, "sys": 0.0, "dia": 0.0, "spo2": 0.0, "rr": 0.0, "temp": 0.0}

    def _drift(self, name: str, spread: float) -> float:
        # A slow random walk pulled back to zero keeps values realistic from second to second.
        value = 0.9 * self._noise[name] + self._random.gauss(0.0, spread * 0.45)
        self._noise[name] = value
        return value

    def values(self, t: float) -> tuple[float, float, float, float, float, float]:
        """HR, systolic, diastolic, SpO2, RR and temperature at ``t`` (call with rising ``t``)."""
        effect = ketamine_effect(t)
        hr = 72 + 12 * effect + self._drift("hr", 2.0)
        systolic = 125 + 14 * effect + self._drift("sys", 3.0)
        diastolic = 78 + 8 * effect + self._drift("dia", 2.0)
        spo2 = 98 + 0.6 * math.sin(t / 97.0) + self._drift("spo2", 0.4)
        rr = 14 + self._drift("rr", 0.8)
        temperature = 36.8 + 0.1 * effect + self._drift("temp", 0.05)
        drop = 0.0
        if self.scenario == "hypertension":
            rise = _ramp(t, 120.0, 240.0, 420.0, 540.0)
            systolic += 72 * rise
            diastolic += 30 * rise
            hr += 14 * rise
        elif self.scenario == "desaturation":
            fall = _ramp(t, 60.0, 120.0, 180.0, 240.0)
            drop = 9.5 * fall
            rr -= 6 * fall
        # A healthy reading stays within 97-99 %; a scripted fall moves the whole band down.
        spo2 = min(max(spo2, 96.6), 99.4) - drop
        return hr, systolic, diastolic, spo2, rr, temperature


def generate(scenario: str = "normal", *, seed: int = 1, rate: float = 1.0,
             count: int | None = None, start_at: datetime | None = None) -> Iterator[SimSample]:
    """The samples a monitor would send: ``rate`` per simulated second, none in a feed gap."""
    if rate <= 0:
        raise ValueError("rate must be above zero")
    model = VitalsModel(scenario, seed=seed)
    start = start_at or datetime.now(UTC).replace(microsecond=0)
    step = 1.0 / rate
    sent = 0
    k = 0
    while count is None or sent < count:
        t = k * step
        k += 1
        hr, systolic, diastolic, spo2, rr, temperature = model.values(t)
        if scenario == "feed-loss" and FEED_LOSS[0] <= t < FEED_LOSS[1]:
            continue
        with_bp = t % NIBP_INTERVAL < step
        with_temp = t % TEMPERATURE_INTERVAL < step
        yield SimSample(
            t=t, at=start + timedelta(seconds=t), heart_rate=round(hr), spo2=round(spo2),
            respiratory_rate=max(4, round(rr)),
            systolic=round(systolic) if with_bp else None,
            diastolic=round(diastolic) if with_bp else None,
            temperature_c=Decimal(f"{temperature:.1f}") if with_temp else None)
        sent += 1


def to_message(sample: SimSample, control_id: str, *, patient_id: str = "SIM-0001") -> str:
    """The ORU^R01 a monitor sends for ``sample``, with IEEE 11073 MDC codes and UCUM units."""
    at = sample.at
    rows: list[tuple[str, str, str, str, str, datetime]] = [
        ("149530", "MDC_PULS_OXIM_PULS_RATE", "MDC", str(sample.heart_rate), "/min", at),
        ("150456", "MDC_PULS_OXIM_SAT_O2", "MDC", str(sample.spo2), "%", at),
        ("151562", "MDC_RESP_RATE", "MDC", str(sample.respiratory_rate), "/min", at),
    ]
    if sample.systolic is not None and sample.diastolic is not None:
        mean = round((sample.systolic + 2 * sample.diastolic) / 3)
        rows += [
            ("150021", "MDC_PRESS_BLD_NONINV_SYS", "MDC", str(sample.systolic), "mm[Hg]", at),
            ("150022", "MDC_PRESS_BLD_NONINV_DIA", "MDC", str(sample.diastolic), "mm[Hg]", at),
            ("150023", "MDC_PRESS_BLD_NONINV_MEAN", "MDC", str(mean), "mm[Hg]", at),
        ]
    if sample.temperature_c is not None:
        rows.append(("150344", "MDC_TEMP", "MDC", str(sample.temperature_c), "Cel", at))
    return build_oru(control_id, rows, at=at, patient_id=patient_id,
                     sending_application="SIM_MONITOR")


@dataclass(slots=True)
class RunResult:
    sent: int = 0
    acked: int = 0
    refused: int = 0
    failed: int = 0


def run(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, scenario: str = "normal",
        rate: float = 1.0, speed: float = 1.0, count: int | None = None, seed: int = 1,
        patient_id: str = "SIM-0001", start_at: datetime | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep) -> RunResult:
    """Send the scenario to an MLLP listener in (``speed`` times) real time; one message per
    sample, each waiting for its ACK. A lost connection is retried with the next sample."""
    if speed <= 0:
        raise ValueError("speed must be above zero")
    result = RunResult()
    client = MllpClient(host, port)
    began = clock()
    try:
        for n, sample in enumerate(generate(scenario, seed=seed, rate=rate, count=count,
                                            start_at=start_at), start=1):
            wait = began + sample.t / speed - clock()
            if wait > 0:
                sleep(wait)
            result.sent += 1
            try:
                ack = client.send(to_message(sample, f"SIM{seed}-{n}", patient_id=patient_id))
            except OSError as exc:
                result.failed += 1
                log.warning("Simulator could not deliver message %d: %s", n, exc)
                continue
            code = ack.split("\rMSA|", 1)[1][:2] if "\rMSA|" in ack else "??"
            if code == "AA":
                result.acked += 1
            else:
                result.refused += 1
                log.warning("Simulator message %d answered %s", n, code)
    finally:
        client.close()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.devices.simulator",
                                     description="Send simulated monitor vitals over HL7 MLLP.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--rate", type=float, default=1.0, help="messages per simulated second")
    parser.add_argument("--scenario", choices=SCENARIOS, default="normal")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="simulated seconds per real second")
    parser.add_argument("--count", type=int, default=None, help="stop after this many messages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--patient-id", default="SIM-0001")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.speed <= 0:
        parser.error("--rate and --speed must be above zero")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        result = run(args.host, args.port, scenario=args.scenario, rate=args.rate,
                     speed=args.speed, count=args.count, seed=args.seed,
                     patient_id=args.patient_id)
    except KeyboardInterrupt:
        return 130
    log.info("Simulator done: %d sent, %d acknowledged, %d refused, %d not delivered",
             result.sent, result.acked, result.refused, result.failed)
    return 0 if result.failed == 0 and result.refused == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
