"""One database session per user action: commit on success, roll back on any error."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from console.errors import StorageUnavailable
from console.storage.engine import writer
from console.storage.repositories.audit import AuditRepository
from console.storage.repositories.library import LibraryRepository
from console.storage.repositories.monitoring import MonitoringRepository
from console.storage.repositories.patients import PatientRepository
from console.storage.repositories.protocols import ProtocolRepository
from console.storage.repositories.sessions import SessionRepository
from console.storage.repositories.settings import SettingsRepository
from console.storage.repositories.side_effects import SideEffectRepository
from console.storage.repositories.signatures import SignatureRepository
from console.storage.repositories.users import UserRepository


class Database:
    """Hands out units of work; the only object services hold to reach storage."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def write(self) -> UnitOfWork:
        return UnitOfWork(self._writer)

    def read(self) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=True)

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = Session(bind=self._engine, expire_on_commit=False, autoflush=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is None and not self._read_only:
                session.commit()
            else:
                session.rollback()
        except OperationalError as error:
            session.rollback()
            raise StorageUnavailable(
                "The entry could not be saved because the database is not available "
                f"({error.orig}). Nothing was changed; try again, and if it persists "
                "call the administrator."
            ) from error
        finally:
            session.close()
            self._session = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        return self._session

    @property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @property
    def settings(self) -> SettingsRepository:
        return SettingsRepository(self.session)

    @property
    def patients(self) -> PatientRepository:
        return PatientRepository(self.session)

    @property
    def library(self) -> LibraryRepository:
        return LibraryRepository(self.session)

    @property
    def protocols(self) -> ProtocolRepository:
        return ProtocolRepository(self.session)

    @property
    def signatures(self) -> SignatureRepository:
        return SignatureRepository(self.session)

    @property
    def sessions(self) -> SessionRepository:
        return SessionRepository(self.session)

    @property
    def monitoring(self) -> MonitoringRepository:
        return MonitoringRepository(self.session)

    @property
    def side_effects(self) -> SideEffectRepository:
        return SideEffectRepository(self.session)
