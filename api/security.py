"""Who is calling: OAuth2 password-flow bearer tokens turned into a :class:`Principal`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from twin.auth import NotAuthenticated, Principal, read_token

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


async def get_current_user(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> Principal:
    """The caller named by the bearer token (signature and expiry checked; no database read).

    ``async`` because it only computes: it runs on the event loop without a worker-thread hop."""
    if not token:
        raise NotAuthenticated("log in first: this endpoint needs a bearer token")
    return read_token(token, request.app.state.secret_key)


CurrentUser = Annotated[Principal, Depends(get_current_user)]
