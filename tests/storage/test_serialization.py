"""Library entries and dose orders as stored JSON, exact decimals on both engines, and an old
foundation database brought up to the protocols schema with its data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import given
from hypothesis import strategies as st

from console.domain.clock import ManualClock
from console.domain.dosing import DoseOrder
from console.domain.drugs import DosingForm, Drug, Route
from console.domain.identity import Actor, Role
from console.domain.library import LibraryEntry, default_esketamine_iv, default_ketamine_iv
from console.domain.limits import LimitParameter, LimitRange
from console.domain.patients import Sex
from console.domain.protocols import Course, Titration
from console.services.container import Services, build_services
from console.services.passwords import hash_password
from console.services.patients import PatientDetails
from console.storage.base import UTCDateTime
from console.storage.engine import make_engine
from console.storage.migrate import (
    HEAD_REVISION,
    alembic_config,
    prepare_schema,
    schema_state,
    upgrade_to_head,
)
from console.storage.serialization import (
    entry_from_dict,
    entry_from_json,
    entry_to_dict,
    entry_to_json,
    order_from_json,
    order_to_dict,
    order_to_json,
)
from console.storage.unit_of_work import Database

FOUNDATION = "0001_foundation"

# ---------------------------------------------------------------- strategies

# Decimals as people type them and as dose arithmetic makes them: up to 9 places, trailing
# zeros kept (0.350 is not re-spelt 0.35), and a few with a positive exponent.
amounts = st.one_of(
    st.builds(lambda digits, places: Decimal(digits).scaleb(-places),
              st.integers(0, 10**9), st.integers(0, 9)),
    st.sampled_from([Decimal("0.35"), Decimal("0.1"), Decimal("1E+2"), Decimal("0.000"),
                     Decimal("0.30000000000000004"), Decimal("123456789.123456789")]),
)
positive = amounts.filter(lambda value: value > 0)


@st.composite
def limit_ranges(draw: st.DrawFn) -> LimitRange:
    """Consistent bounds: hard minimum <= soft minimum <= soft maximum <= hard maximum, each
    possibly absent."""
    hard_min, soft_min, soft_max, hard_max = sorted(draw(st.lists(amounts, min_size=4,
                                                                  max_size=4)))
    present = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    values = [v if keep else None
              for v, keep in zip((hard_min, soft_min, soft_max, hard_max), present, strict=True)]
    return LimitRange(hard_min=values[0], soft_min=values[1], soft_max=values[2],
                      hard_max=values[3])


names = st.text(min_size=3, max_size=80).filter(
    lambda text: 3 <= len(" ".join(text.split())) <= 120)


@st.composite
def library_entries(draw: st.DrawFn) -> LibraryEntry:
    route = draw(st.sampled_from(Route))
    maximum = draw(positive)
    weight_min = draw(positive)
    weight_max = weight_min + draw(positive)
    standards = draw(st.lists(positive.filter(lambda v: v <= maximum), max_size=3))
    forms = draw(st.sampled_from([(), tuple(DosingForm), (DosingForm.FIXED_DOSE,)]))
    return LibraryEntry(
        name=draw(names), drug=draw(st.sampled_from(Drug)), route=route,
        limits=draw(st.dictionaries(st.sampled_from(LimitParameter), limit_ranges())),
        standard_concentrations_mg_per_ml=tuple(standards),
        max_concentration_mg_per_ml=maximum, weight_min_kg=weight_min, weight_max_kg=weight_max,
        weight_change_warn_percent=draw(positive.filter(lambda v: v <= 50)),
        bolus_allowed=draw(st.booleans()), minimum_age_years=draw(st.integers(0, 120)),
        sessions_per_7_days_soft=draw(st.integers(1, 7)),
        sessions_per_course_soft=draw(st.integers(1, 100)), forms=forms,
    )


@st.composite
def dose_orders(draw: st.DrawFn) -> DoseOrder:
    form = draw(st.sampled_from(DosingForm))
    optional = st.none() | positive
    values: dict[str, Decimal | None] = {}
    if form is DosingForm.RATE_DURATION:
        values["rate_mg_per_kg_h"] = draw(positive)
    elif form is DosingForm.TOTAL_OVER_TIME:
        values["total_mg_per_kg"] = draw(positive)
    else:
        values["dose_mg"] = draw(positive)
    if form is DosingForm.FIXED_DOSE:
        values["concentration_mg_per_ml"] = draw(optional)
        values["duration_minutes"] = draw(optional)
    else:
        values["concentration_mg_per_ml"] = draw(positive)
        values["duration_minutes"] = draw(positive)
    if draw(st.booleans()):
        values["bolus_mg_per_kg"] = draw(positive)
        values["bolus_minutes"] = draw(positive)
    return DoseOrder(drug=draw(st.sampled_from(Drug)), form=form, **values)


def decimals_of(value: object) -> list[tuple[str, Decimal]]:
    """Every Decimal inside an entry or order, with where it sits, for digit-exact checks."""
    found: list[tuple[str, Decimal]] = []
    if isinstance(value, Decimal):
        return [("", value)]
    if isinstance(value, LibraryEntry | DoseOrder | LimitRange):
        for name in value.__slots__:  # type: ignore[union-attr]
            found += [(f"{name}.{where}", d) for where, d in decimals_of(getattr(value, name))]
    elif isinstance(value, dict):
        for key, inner in sorted(value.items()):
            found += [(f"{key}.{where}", d) for where, d in decimals_of(inner)]
    elif isinstance(value, tuple):
        for index, inner in enumerate(value):
            found += [(f"{index}.{where}", d) for where, d in decimals_of(inner)]
    return found


def same_digits(a: object, b: object) -> bool:
    """Equal values and the same digits: 0.350 stays 0.350 (a value-equal 1E+2 may come back
    spelt 100, which is the same number and the same stored text)."""
    left, right = decimals_of(a), decimals_of(b)
    return [where for where, _ in left] == [where for where, _ in right] and all(
        x == y and (x.as_tuple() == y.as_tuple()
                    or max(int(x.as_tuple().exponent), int(y.as_tuple().exponent)) > 0)
        for (_, x), (_, y) in zip(left, right, strict=True))


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("entry", [default_ketamine_iv(), default_esketamine_iv()],
                         ids=["ketamine", "esketamine"])
def test_the_shipped_entries_round_trip(entry: LibraryEntry) -> None:
    text = entry_to_json(entry)
    assert entry_from_json(text) == entry
    assert entry_to_json(entry_from_json(text)) == text
    assert same_digits(entry_from_json(text), entry)
    data = entry_to_dict(entry)
    assert data["limits"]["bolus_mg_per_kg"]["soft_max"] == (
        "0.35" if entry.drug is Drug.KETAMINE else "0.175")
    assert data["limits"]["rate_mg_per_kg_h"]["hard_max"] == (
        "1.0" if entry.drug is Drug.KETAMINE else "0.5")
    assert entry_from_dict(data) == entry


@given(library_entries())
def test_any_library_entry_round_trips_exactly(entry: LibraryEntry) -> None:
    text = entry_to_json(entry)
    back = entry_from_json(text)
    assert back == entry
    assert same_digits(back, entry)
    assert entry_to_json(back) == text  # stable text, so a content hash stays stable
    assert entry_to_dict(back) == entry_to_dict(entry)


@given(dose_orders())
def test_any_dose_order_round_trips_exactly(order: DoseOrder) -> None:
    text = order_to_json(order)
    back = order_from_json(text)
    assert back == order
    assert same_digits(back, order)
    assert order_to_json(back) == text
    assert order_to_dict(back) == order_to_dict(order)


def test_decimals_are_written_as_plain_text_never_floats() -> None:
    order = DoseOrder(Drug.KETAMINE, DosingForm.RATE_DURATION,
                      concentration_mg_per_ml=Decimal("1"), rate_mg_per_kg_h=Decimal("0.35"),
                      duration_minutes=Decimal("2.4E+2"))
    assert order_to_json(order) == (
        '{"bolus_mg_per_kg":null,"bolus_minutes":null,"concentration_mg_per_ml":"1",'
        '"dose_mg":null,"drug":"ketamine","duration_minutes":"240","form":"rate-duration",'
        '"rate_mg_per_kg_h":"0.35","total_mg_per_kg":null}')
    assert order_from_json(order_to_json(order)).rate_mg_per_kg_h == Decimal("0.35")


# ---------------------------------------------------------------- exact decimals in the database


@pytest.mark.parametrize("value", ["0.35", "0.1", "0.30000000000000004", "70.350",
                                   "123456789.123456789"])
def test_decimals_stay_exact_in_the_database(
    services: Services, admin: Actor, database: Database, value: str,
) -> None:
    exact = Decimal(value)
    patient = services.patients.register(admin, PatientDetails(
        mrn="MRN-1001", family_name="Harper", given_name="Eleanor",
        date_of_birth=date(1968, 3, 14), sex=Sex.FEMALE))
    limits = dict(default_ketamine_iv().limits)
    limits[LimitParameter.BOLUS_MG_PER_KG] = LimitRange(soft_max=exact, hard_max=exact + 1)
    entry = LibraryEntry(name="Exact entry", drug=Drug.KETAMINE, route=Route.IV_CONTINUOUS,
                         limits=limits)
    order = DoseOrder(Drug.KETAMINE, DosingForm.RATE_DURATION,
                      concentration_mg_per_ml=Decimal(1), rate_mg_per_kg_h=exact,
                      duration_minutes=Decimal(240))
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    with database.write() as uow:
        version = uow.library.add(entry, lineage_id=None, version=1, at=at, by=admin.user_id)
        protocol = uow.protocols.add(
            patient_id=patient.id, lineage_id=None, version=1, library_entry_id=version.id,
            order=order, course=Course(10, 5), titration=Titration(exact, exact + 1),
            notes="", planning_weight_kg=exact, author_id=admin.user_id, at=at,
            override_reasons={})
    with database.read() as uow:
        stored_entry = uow.library.get(version.id).entry
        stored = uow.protocols.get(protocol.id)
        raw = uow.session.execute(sa.text(
            "SELECT titration_min, planning_weight_kg FROM protocol WHERE id = :id"),
            {"id": protocol.id}).one()
    bolus = stored_entry.limits[LimitParameter.BOLUS_MG_PER_KG].soft_max
    assert stored_entry == entry
    assert stored.order == order
    assert stored.titration is not None
    for back in (bolus, stored.order.rate_mg_per_kg_h, stored.titration.min_mg_per_kg_h,
                 stored.planning_weight_kg):
        assert isinstance(back, Decimal)
        assert back == exact
        assert str(back) == value  # the same digits, not a float's nearest neighbour
    assert tuple(raw) == (value, value)  # stored as text on every engine


# ---------------------------------------------------------------- migration from 0001


USERS = sa.table("user_account", *(sa.column(name) for name in (
    "username", "full_name", "role", "password_hash", "active", "must_change_password",
    "failed_attempts", "version")), sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()))
PATIENTS = sa.table("patient", *(sa.column(name) for name in (
    "mrn", "family_name", "given_name", "sex", "version")),
    sa.column("date_of_birth", sa.Date()), sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()))
OLD_PASSWORD = "old-clinic-pass"


def _foundation_database(url: str) -> None:
    """A database as the foundation release left it, with one user and one patient."""
    engine = make_engine(url)
    try:
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, FOUNDATION)
        at = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(sa.insert(USERS).values(
                username="olga", full_name="Olga Older", role=Role.ADMINISTRATOR.value,
                password_hash=hash_password(OLD_PASSWORD), active=True,
                must_change_password=False, failed_attempts=0, version=1, created_at=at,
                updated_at=at))
            connection.execute(sa.insert(PATIENTS).values(
                mrn="OLD-0001", family_name="Fischer", given_name="Lukas",
                date_of_birth=date(1959, 1, 30), sex="male", version=1, created_at=at,
                updated_at=at))
        assert schema_state(engine).current == FOUNDATION
    finally:
        engine.dispose()


def _check_upgraded(database: Database, clock: ManualClock) -> None:
    with database.read() as uow:
        patient = uow.patients.find_by_mrn("OLD-0001")
        user = uow.users.find_by_username("olga")
    assert patient is not None
    assert (patient.family_name, patient.given_name, patient.date_of_birth, patient.sex) == (
        "Fischer", "Lukas", date(1959, 1, 30), Sex.MALE)
    assert (patient.diagnosis, patient.allergies) == ("", "")
    assert user is not None
    assert (user.full_name, user.role) == ("Olga Older", Role.ADMINISTRATOR)
    # The old account still signs in and the new tables work.
    services = build_services(database, clock)
    olga = services.auth.sign_in("olga", OLD_PASSWORD)
    assert services.patients.search(olga, "fisch") == [patient]
    assert services.protocols.for_patient(olga, patient.id) == []
    assert services.library.list_versions(olga) == []


def test_a_foundation_database_upgrades_to_head_keeping_its_data(
    database_url: str, clock: ManualClock,
) -> None:
    _foundation_database(database_url)
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        assert schema_state(engine).current == HEAD_REVISION
        _check_upgraded(Database(engine), clock)
    finally:
        engine.dispose()


def test_prepare_schema_keeps_a_copy_of_a_foundation_sqlite_database(
    tmp_path: Path, clock: ManualClock,
) -> None:
    path = tmp_path / "console.sqlite3"
    _foundation_database(f"sqlite:///{path}")
    backups = tmp_path / "backups"
    engine = make_engine(f"sqlite:///{path}")
    try:
        state = prepare_schema(engine, backup_dir=backups, allow_upgrade=True)
        assert state.current == HEAD_REVISION
        _check_upgraded(Database(engine), clock)
    finally:
        engine.dispose()
    (copy,) = backups.glob(f"pre-migration-{FOUNDATION}-*.sqlite3")
    with sqlite3.connect(copy) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == (
            FOUNDATION,)
        columns = {row[1] for row in old.execute("PRAGMA table_info(patient)")}
        assert "diagnosis" not in columns
        tables = {row[0] for row in old.execute("SELECT name FROM sqlite_master")}
        assert "library_entry" not in tables
        assert old.execute("SELECT mrn, family_name FROM patient").fetchall() == [
            ("OLD-0001", "Fischer")]
        assert old.execute("SELECT username FROM user_account").fetchall() == [("olga",)]
    old.close()
