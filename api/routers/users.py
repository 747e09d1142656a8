"""Accounts (admin only)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from api.deps import SessionDep
from api.schemas import UserIn
from api.security import CurrentUser
from twin.auth import create_user
from twin.ledger.models import User

router = APIRouter(prefix="/api/users", tags=["users"])


def _user_dict(user: User) -> dict:
    return {"username": user.username, "role": user.role, "unit_id": user.unit_id, "display_name": user.display_name, "is_active": user.is_active}


@router.get("")
def list_users(session: SessionDep, user: CurrentUser) -> list[dict]:
    user.require("admin")
    return [_user_dict(u) for u in session.scalars(select(User).order_by(User.username))]


@router.post("", status_code=201)
def add_user(session: SessionDep, user: CurrentUser, body: UserIn) -> dict:
    user.require("admin")
    created = create_user(session, body.username, body.password, role=body.role, unit_code=body.unit_code,
                          display_name=body.display_name, actor=user.username)
    session.commit()
    return _user_dict(created)
