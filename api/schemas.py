"""Pydantic shapes of request bodies (responses are the plain dicts twin's queries return)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    username: str
    role: str
    unit_id: int | None = None


class RoomEdit(Body):
    row_version: int | None = Field(None, ge=1, le=2**31 - 1, description="the version you read; 409 if it moved on")
    category: str | None = Field(None, max_length=64)
    use_status: str | None = Field(None, max_length=32)
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1)
    remarks: str | None = Field(None, max_length=2000)


class DeclaredAreaIn(Body):
    kind: str = Field("NetFloorArea", max_length=32)
    value_m2: float = Field(gt=0, lt=1e6)
    source: str = Field(min_length=1, max_length=255)


class InspectionIn(Body):
    finding: str = Field(min_length=1, max_length=4000)
    severity: str = Field("info", max_length=16)
    surveyed_area_m2: float | None = Field(None, gt=0, lt=1e6)


class MoveIn(Body):
    person_code: str = Field(min_length=1, max_length=64)
    start_date: date
    kind: str = Field("primary", max_length=16)
    approved: bool = False


class MoveOut(Body):
    end_date: date


class PersonIn(Body):
    row_version: int | None = Field(None, ge=1, le=2**31 - 1)
    name: str | None = Field(None, min_length=1, max_length=255)
    rank: str | None = Field(None, max_length=64)
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1)
    title: str | None = Field(None, max_length=255)
    status: str | None = Field(None, max_length=16)
    status_since: date | None = None


class UnitIn(Body):
    row_version: int | None = Field(None, ge=1, le=2**31 - 1)
    name: str | None = Field(None, min_length=1, max_length=255)
    kind: str | None = Field(None, max_length=32)
    admin_level: str | None = Field(None, max_length=32)
    reference_level: str | None = Field(None, max_length=32)
    approved_posts: dict[str, int] | None = None


class UserIn(Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    role: str = Field(max_length=32)
    unit_code: str | None = Field(None, max_length=64)
    display_name: str | None = Field(None, max_length=255)
