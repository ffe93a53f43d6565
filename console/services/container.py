"""Every service, built once by the composition root and handed to whoever needs it."""

from __future__ import annotations

from dataclasses import dataclass

from console.domain.clock import Clock
from console.services.audit import AuditService
from console.services.auth import AuthService
from console.services.backup import BackupService
from console.services.demo import DemoService
from console.services.settings import SettingsService
from console.services.setup import SetupService
from console.services.users import UserService
from console.storage.unit_of_work import Database


@dataclass(frozen=True, slots=True)
class Services:
    auth: AuthService
    setup: SetupService
    users: UserService
    settings: SettingsService
    audit: AuditService
    backup: BackupService
    demo: DemoService


def build_services(database: Database, clock: Clock) -> Services:
    deps = {"database": database, "clock": clock}
    return Services(
        auth=AuthService(**deps),
        setup=SetupService(**deps),
        users=UserService(**deps),
        settings=SettingsService(**deps),
        audit=AuditService(**deps),
        backup=BackupService(**deps),
        demo=DemoService(**deps),
    )
