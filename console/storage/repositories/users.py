from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.identity import Role, User
from console.errors import NotFound
from console.storage.rows import UserRow


def to_user(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        full_name=row.full_name,
        role=Role(row.role),
        active=row.active,
        must_change_password=row.must_change_password,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        created_at=row.created_at,
    )


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(UserRow)) or 0

    def get(self, user_id: int) -> User:
        return to_user(self._row(user_id))

    def find_by_username(self, username: str) -> User | None:
        row = self._session.scalar(select(UserRow).where(UserRow.username == username))
        return None if row is None else to_user(row)

    def password_hash(self, user_id: int) -> str:
        return self._row(user_id).password_hash

    def lock_active_administrators(self) -> Sequence[User]:
        """The active administrators, row-locked for this transaction (serialises the
        'never remove the last administrator' check across PCs)."""
        rows = self._session.scalars(
            select(UserRow).where(UserRow.role == "administrator", UserRow.active.is_(True))
            .order_by(UserRow.id).with_for_update()).all()
        return [to_user(row) for row in rows]

    def list_all(self) -> Sequence[User]:
        rows = self._session.scalars(select(UserRow).order_by(UserRow.full_name)).all()
        return [to_user(row) for row in rows]

    def add(self, *, values: Mapping[str, Any]) -> User:
        row = UserRow(**values)
        self._session.add(row)
        self._session.flush()
        return to_user(row)

    def update(self, user_id: int, changes: Mapping[str, Any]) -> User:
        row = self._row(user_id, for_update=True)
        for name, value in changes.items():
            setattr(row, name, value)
        self._session.flush()
        return to_user(row)

    def _row(self, user_id: int, *, for_update: bool = False) -> UserRow:
        statement = select(UserRow).where(UserRow.id == user_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.scalar(statement)
        if row is None:
            raise NotFound(f"User #{user_id} does not exist. Refresh the list and try again.")
        return row
