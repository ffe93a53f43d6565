"""Every service, built once by the composition root and handed to whoever needs it."""

from __future__ import annotations

from dataclasses import dataclass

from console.domain.clock import Clock
from console.services.audit import AuditService
from console.services.auth import AuthService
from console.services.backup import BackupService
from console.services.demo import DemoService
from console.services.library import LibraryService
from console.services.monitoring import MonitoringService
from console.services.monitoring_settings import MonitoringSettingsService
from console.services.patients import PatientService
from console.services.protocols import ProtocolService
from console.services.sessions import SessionService
from console.services.settings import SettingsService
from console.services.setup import SetupService
from console.services.side_effects import SideEffectService
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
    library: LibraryService
    patients: PatientService
    protocols: ProtocolService
    sessions: SessionService
    monitoring: MonitoringService
    monitoring_settings: MonitoringSettingsService
    side_effects: SideEffectService


def build_services(database: Database, clock: Clock) -> Services:
    auth = AuthService(database=database, clock=clock)
    library = LibraryService(database=database, clock=clock, auth=auth)
    patients = PatientService(database=database, clock=clock)
    protocols = ProtocolService(database=database, clock=clock, auth=auth)
    monitoring = MonitoringService(database=database, clock=clock)
    return Services(
        auth=auth,
        setup=SetupService(database=database, clock=clock),
        users=UserService(database=database, clock=clock),
        settings=SettingsService(database=database, clock=clock),
        audit=AuditService(database=database, clock=clock),
        backup=BackupService(database=database, clock=clock),
        demo=DemoService(database=database, clock=clock, library=library, patients=patients,
                         protocols=protocols),
        library=library,
        patients=patients,
        protocols=protocols,
        sessions=SessionService(database=database, clock=clock, auth=auth,
                                monitoring=monitoring),
        monitoring=monitoring,
        monitoring_settings=MonitoringSettingsService(database=database, clock=clock),
        side_effects=SideEffectService(database=database, clock=clock),
    )
