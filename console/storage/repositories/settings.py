from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.storage.rows import SettingRow


class SettingsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str) -> str | None:
        row = self._session.get(SettingRow, key)
        return None if row is None else row.value

    def all(self) -> dict[str, str]:
        return {row.key: row.value for row in self._session.scalars(select(SettingRow))}

    def put(self, key: str, value: str, *, at: datetime, by: int | None) -> str | None:
        """Store ``value``; returns the previous value (``None`` when new)."""
        row = self._session.get(SettingRow, key, with_for_update=True)
        if row is None:
            self._session.add(SettingRow(key=key, value=value, updated_at=at, updated_by=by))
            self._session.flush()
            return None
        previous = row.value
        row.value, row.updated_at, row.updated_by = value, at, by
        self._session.flush()
        return previous
