"""Accounts, passwords (argon2) and signed access tokens; no HTTP here.

Roles: ``admin`` (the bureau: everything), ``unit_manager`` (reads and edits only its own unit's
rooms and people), ``inspector`` (reads everything, records inspection findings), ``viewer``
(tours buildings: rooms and areas, never names of people).
"""

from __future__ import annotations

import functools
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from twin.errors import Forbidden, InvalidUser, NotAuthenticated
from twin.ledger.models import History, Unit, User

__all__ = ["Forbidden", "InvalidUser", "NotAuthenticated", "Principal"]  # the errors live in twin.errors

ROLES = ("admin", "unit_manager", "inspector", "viewer")
TOKEN_HOURS = 12
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is asking: username, role and (for a unit manager) the unit."""

    username: str
    role: str
    unit_id: int | None = None

    @property
    def sees_names(self) -> bool:
        """Whether personal names may be shown to this principal."""
        return self.role != "viewer"

    def can_read_unit(self, unit_id: int | None) -> bool:
        return self.role != "unit_manager" or (unit_id is not None and unit_id == self.unit_id)

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"the {self.role} role may not do this")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, username: str, password: str, *, role: str, unit_code: str | None = None,
                display_name: str | None = None, actor: str | None = None) -> User:
    """Add an account (checks the role, the unit of a unit manager, a password of 8+ characters)."""
    if role not in ROLES:
        raise InvalidUser(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if len(password) < 8:
        raise InvalidUser("a password needs at least 8 characters")
    if not username or len(username) > 64:
        raise InvalidUser("a username needs 1 to 64 characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise InvalidUser(f"user {username!r} exists already")
    unit_id = None
    if role == "unit_manager":
        unit = session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
        if unit is None:
            raise InvalidUser(f"a unit manager needs an existing unit (got {unit_code!r})")
        unit_id = unit.id
    user = User(username=username, password_hash=hash_password(password), role=role, unit_id=unit_id, display_name=display_name)
    session.add(user)
    session.flush()
    session.add(History(entity="user", subject_id=user.id, subject_key=username, action="created",
                        changes={"role": role, "unit_id": unit_id}, actor=actor))
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username, User.is_active))
    if user is None or not verify_password(user.password_hash, password):
        raise NotAuthenticated("wrong username or password")
    return user


def get_secret_key(data_dir: Path) -> str:
    """``$TWIN_SECRET_KEY``, else a key kept in ``data_dir/secret.key`` (made once, mode 0600)."""
    if os.environ.get("TWIN_SECRET_KEY"):
        return os.environ["TWIN_SECRET_KEY"]
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def issue_token(user: User, secret: str, *, hours: int = TOKEN_HOURS) -> str:
    now = datetime.now(timezone.utc)
    claims = {"sub": user.username, "role": user.role, "unit": user.unit_id, "iat": now, "exp": now + timedelta(hours=hours)}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, secret: str) -> Principal:
    """The principal a token names; :class:`NotAuthenticated` if forged, malformed or expired."""
    sub, role, unit, expires = _verify_token(token, secret)
    if expires <= time.time():
        raise NotAuthenticated("invalid or expired token (Signature has expired)")
    return Principal(sub, role, unit)


@functools.lru_cache(maxsize=4096)
def _verify_token(token: str, secret: str) -> tuple[str, str, int | None, float]:
    """A token's claims, its signature checked once per token string (a verified token is
    remembered; its expiry is checked again on every use by :func:`read_token`)."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as error:
        raise NotAuthenticated(f"invalid or expired token ({error})") from error
    return claims["sub"], claims["role"], claims.get("unit"), float(claims["exp"])
