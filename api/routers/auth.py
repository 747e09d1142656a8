"""Log in (OAuth2 password flow) and say who you are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import SessionDep
from api.schemas import Token
from api.security import CurrentUser
from twin.auth import authenticate, issue_token

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/auth/token")
def login(request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    user = authenticate(session, form.username, form.password)
    return Token(access_token=issue_token(user, request.app.state.secret_key), username=user.username, role=user.role, unit_id=user.unit_id)


@router.get("/me")
async def me(user: CurrentUser) -> dict:
    return {"username": user.username, "role": user.role, "unit_id": user.unit_id, "sees_names": user.sees_names}
