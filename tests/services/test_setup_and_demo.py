"""First start on an empty database, and the demonstration clinic."""

from __future__ import annotations

import pytest

from console.domain.identity import Role
from console.errors import AuthenticationFailed, ConflictError, ValidationError
from console.services.container import Services
from console.services.demo import DEMO_ACCOUNTS, DEMO_CLINIC

GOOD_SETUP = {"clinic_name": "Riverside Clinic", "username": "chief",
              "full_name": "Chris Chief", "password": "a-good-passphrase"}


def test_initialise_creates_the_clinic_and_its_first_administrator(
    services: Services, stored, clock,
) -> None:
    assert services.auth.needs_setup()
    assert not services.setup.is_initialised()
    admin = services.setup.initialise(**GOOD_SETUP)
    assert (admin.username, admin.full_name, admin.role) == ("chief", "Chris Chief",
                                                             Role.ADMINISTRATOR)
    assert services.setup.is_initialised()
    assert not services.auth.needs_setup()
    assert services.settings.clinic_name() == "Riverside Clinic"
    user = stored.user("chief")
    assert not user.must_change_password  # they chose the password themselves
    assert stored.password_hash("chief").startswith("$argon2id$")
    assert services.auth.sign_in("chief", "a-good-passphrase") == admin
    created, initialised = stored.trail()[:2]
    assert (created.action, created.actor_id, created.actor_name) == ("user.created", None,
                                                                      "system")
    assert (initialised.action, initialised.actor_id) == ("clinic.initialised", admin.user_id)
    assert initialised.decoded_new() == {"value": "Riverside Clinic"}
    assert initialised.at == clock.now()
    assert services.audit.verify().intact


def test_initialise_is_refused_once_the_database_has_users(services: Services, stored) -> None:
    services.setup.initialise(**GOOD_SETUP)
    before = stored.snapshot()
    with pytest.raises(ConflictError, match="already has users"):
        services.setup.initialise(**{**GOOD_SETUP, "username": "intruder",
                                     "clinic_name": "Taken Over"})
    assert stored.snapshot() == before
    assert services.settings.clinic_name() == "Riverside Clinic"


def test_initialise_refuses_bad_input_and_stays_empty(services: Services, stored) -> None:
    for changes, field in [({"clinic_name": "x"}, "clinic_name"),
                           ({"username": "9lives"}, "username"),
                           ({"full_name": ""}, "full_name"),
                           ({"password": "short"}, "password"),
                           ({"password": "chief-of-staff"}, "password")]:
        with pytest.raises(ValidationError) as caught:
            services.setup.initialise(**{**GOOD_SETUP, **changes})
        assert caught.value.field == field
        assert services.auth.needs_setup()
        assert stored.trail() == []
        assert stored.settings() == {}


# ---------------------------------------------------------------- demonstration clinic


def test_demo_seed_creates_the_demonstration_clinic(
    services: Services, stored, database,
) -> None:
    services.demo.seed()
    users = stored.users()
    roles = sorted(user.role.value for user in users.values())
    assert roles == ["administrator", "clinician", "clinician", "nurse", "nurse"]
    assert all(user.active and not user.must_change_password for user in users.values())
    assert services.settings.clinic_name() == DEMO_CLINIC
    with database.read() as uow:
        patients = uow.patients.list_all()
    assert len(patients) == 12
    assert len({p.mrn for p in patients}) == 12
    report = services.audit.verify()
    assert report.intact
    actions = [record.action for record in stored.trail()]
    assert report.records == len(actions)
    assert actions.count("patient.created") == 12
    assert actions.count("user.created") == 5
    assert actions.count("clinic.initialised") == 1


def test_every_demo_account_signs_in_with_its_published_password(services: Services) -> None:
    services.demo.seed()
    for account in DEMO_ACCOUNTS:
        actor = services.auth.sign_in(account.username, account.password)
        assert actor.role is account.role
    with pytest.raises(AuthenticationFailed):
        services.auth.sign_in("admin", "clinic-demo-2")


def test_demo_seed_refuses_a_database_with_a_clinic(services: Services, stored, admin) -> None:
    before = stored.snapshot()
    with pytest.raises(ConflictError, match="already holds data"):
        services.demo.seed()
    assert stored.snapshot() == before


def test_demo_seed_refuses_a_second_run(services: Services, stored) -> None:
    services.demo.seed()
    before = stored.snapshot()
    with pytest.raises(ConflictError):
        services.demo.seed()
    assert stored.snapshot() == before


def test_demo_seed_refuses_a_database_whose_only_data_is_audit_records(
    services: Services, stored,
) -> None:
    with pytest.raises(AuthenticationFailed):
        services.auth.sign_in("someone", "some-password")  # writes a failed-sign-in record
    assert len(stored.trail()) == 1
    with pytest.raises(ConflictError):
        services.demo.seed()
    assert stored.users() == {}


def test_setup_is_refused_after_the_demo_was_seeded(services: Services) -> None:
    services.demo.seed()
    with pytest.raises(ConflictError):
        services.setup.initialise(**GOOD_SETUP)
