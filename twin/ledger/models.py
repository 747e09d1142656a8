"""The ledger's tables: SQLAlchemy 2 ``Mapped[...]`` models, the same on SQLite and PostgreSQL.

Hierarchy: campus (院落, an IfcSite) -> building (建筑物) -> storey (楼层) -> room (房间). Every
spatial record is keyed by its IFC GlobalId. A *model* is one IFC project's lineage (keyed by
the IfcProject GlobalId); each file ingested for it is a *model version*. Rooms that disappear
from a new version are retired, never deleted. Coordinates stored here are in the model's world
frame: metres, Z up.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Campus(Base):
    """A campus (院落): the IfcSite several building models share, keyed by its GlobalId."""

    __tablename__ = "campus"
    id: Mapped[int] = mapped_column(primary_key=True)
    global_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    long_name: Mapped[str | None] = mapped_column(String(255))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    elevation_m: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    buildings: Mapped[list[Building]] = relationship(back_populates="campus")


class Model(Base):
    """One IFC project's lineage of files, keyed by the IfcProject GlobalId."""

    __tablename__ = "model"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_global_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    versions: Mapped[list[ModelVersion]] = relationship(back_populates="model", order_by="ModelVersion.seq")


class ModelVersion(Base):
    """One ingested file of a model: its bytes' sha256, schema, counts and georeference."""

    __tablename__ = "model_version"
    __table_args__ = (UniqueConstraint("model_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("model.id"))
    seq: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(1024))
    schema: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ingested_by: Mapped[str | None] = mapped_column(String(255))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failed_elements: Mapped[list[Any]] = mapped_column(JSON, default=list)
    georeference: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    seconds: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str] = mapped_column(String(16), default="complete", server_default="complete")  # rooms (context still coming) | complete
    model: Mapped[Model] = relationship(back_populates="versions")


class Building(Base):
    """A building (建筑物), keyed by its IfcBuilding GlobalId."""

    __tablename__ = "building"
    id: Mapped[int] = mapped_column(primary_key=True)
    global_id: Mapped[str] = mapped_column(String(64), unique=True)
    campus_id: Mapped[int | None] = mapped_column(ForeignKey("campus.id"))
    model_id: Mapped[int] = mapped_column(ForeignKey("model.id"))
    name: Mapped[str | None] = mapped_column(String(255))
    long_name: Mapped[str | None] = mapped_column(String(255))
    elevation_m: Mapped[float] = mapped_column(Float, default=0.0)
    is_active: Mapped[bool] = mapped_column(default=True)
    outline: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON, world x/y (m)
    outline_wgs84: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON, lon/lat
    campus: Mapped[Campus | None] = relationship(back_populates="buildings")
    storeys: Mapped[list[Storey]] = relationship(back_populates="building", order_by="Storey.elevation_m")


class Storey(Base):
    """A storey (楼层), keyed by its IfcBuildingStorey GlobalId; elevation is world z in m."""

    __tablename__ = "storey"
    id: Mapped[int] = mapped_column(primary_key=True)
    global_id: Mapped[str] = mapped_column(String(128), unique=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    long_name: Mapped[str | None] = mapped_column(String(255))
    elevation_m: Mapped[float] = mapped_column(Float, default=0.0)
    is_active: Mapped[bool] = mapped_column(default=True)
    plan_walls: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON of cut walls, world x/y
    building: Mapped[Building] = relationship(back_populates="storeys")
    rooms: Mapped[list[Room]] = relationship(back_populates="storey")


class Room(Base):
    """A room (房间): an IfcSpace, keyed by GlobalId, with what the model says and what we measured.

    ``number`` is the IfcSpace Name, ``name`` its LongName. ``measured_*`` come from the
    geometry (world frame, metres); ``declared_area_*`` is the primary declared area (all of
    them are in :class:`DeclaredArea`). ``status`` is ``active`` or ``retired`` (gone from the
    latest model version, kept with its history). ``row_version`` guards concurrent edits.
    """

    __tablename__ = "room"
    # Searches are scoped to storeys (a building is its storeys) and filter on status, area and
    # text: this index answers them, counts included, without reading the wide room rows.
    __table_args__ = (
        Index("ix_room_search", "storey_id", "status", "measured_area_m2", "number", "name", "global_id", "unit_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    global_id: Mapped[str] = mapped_column(String(64), unique=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("model.id"), index=True)
    storey_id: Mapped[int] = mapped_column(ForeignKey("storey.id"))
    number: Mapped[str | None] = mapped_column(String(255), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    ifc_class: Mapped[str] = mapped_column(String(64), default="IfcSpace")
    object_type: Mapped[str | None] = mapped_column(String(255))
    predefined_type: Mapped[str | None] = mapped_column(String(64))
    storey_inferred: Mapped[bool] = mapped_column(default=False)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    measured_area_m2: Mapped[float | None] = mapped_column(Float)
    volume_m3: Mapped[float | None] = mapped_column(Float)
    height_m: Mapped[float | None] = mapped_column(Float)
    perimeter_m: Mapped[float | None] = mapped_column(Float)
    footprint: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON geometry, world x/y
    centroid: Mapped[list[Any] | None] = mapped_column(JSON)  # [x, y, z]
    bbox: Mapped[list[Any] | None] = mapped_column(JSON)  # [xmin, ymin, zmin, xmax, ymax, zmax]
    is_closed: Mapped[bool | None] = mapped_column()
    declared_area_m2: Mapped[float | None] = mapped_column(Float)
    declared_area_source: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    first_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    last_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # what the model said about the room when it was last written (see twin.ledger.roomsync)
    source_digest: Mapped[str | None] = mapped_column(String(32))
    # Ledger-owned fields: never overwritten by a model update.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    category: Mapped[str | None] = mapped_column(String(64), index=True)
    category_source: Mapped[str | None] = mapped_column(String(16))  # model (classified at ingest) | ledger (set by a person)
    use_status: Mapped[str | None] = mapped_column(String(32), index=True)
    use_status_since: Mapped[date | None] = mapped_column(Date)
    compliance: Mapped[str | None] = mapped_column(String(16), index=True)  # over | within | vacant (derived)
    remarks: Mapped[str | None] = mapped_column(Text)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    __mapper_args__ = {"version_id_col": row_version}

    storey: Mapped[Storey] = relationship(back_populates="rooms")
    unit: Mapped[Unit | None] = relationship(back_populates="rooms")
    declared_areas: Mapped[list[DeclaredArea]] = relationship(
        back_populates="room", cascade="all, delete-orphan", order_by="DeclaredArea.id"
    )


class Unit(Base):
    """A using unit (使用单位): an agency or public institution, with its administrative level,
    the level whose standard it applies (参照执行级别), and its approved posts by rank."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), default="agency")  # agency | institution
    admin_level: Mapped[str] = mapped_column(String(32))
    reference_level: Mapped[str] = mapped_column(String(32))
    approved_posts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # rank -> count
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": row_version}
    rooms: Mapped[list[Room]] = relationship(back_populates="unit")
    people: Mapped[list[Person]] = relationship(back_populates="unit")


class Person(Base):
    """A member of staff (人员) with a rank (职级) in a unit; ``status`` active/retired/transferred."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    rank: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(255))  # post title, e.g. 处长
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_since: Mapped[date | None] = mapped_column(Date)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": row_version}
    unit: Mapped[Unit] = relationship(back_populates="people")
    occupancies: Mapped[list[Occupancy]] = relationship(back_populates="person", order_by="Occupancy.start_date")


class Occupancy(Base):
    """A person using a room from ``start_date`` until ``end_date`` (open while ``None``).

    ``kind`` is ``primary`` or ``second`` (a second office for a concurrent post, with approval).
    """

    __tablename__ = "occupancy"
    __table_args__ = (Index("ix_occupancy_room_open", "room_id", "end_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="primary")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    approved: Mapped[bool] = mapped_column(default=False)
    concurrent_post_ended: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    person: Mapped[Person] = relationship(back_populates="occupancies")
    room: Mapped[Room] = relationship()


class Title(Base):
    """A building's title record (权属): certificate, owner, registered area, registration state."""

    __tablename__ = "title"
    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(128))
    owner: Mapped[str] = mapped_column(String(255))
    registered_area_m2: Mapped[float | None] = mapped_column(Float)
    land_area_m2: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default="registered")  # registered | filed | none
    year_built: Mapped[int | None] = mapped_column(Integer)
    issued_on: Mapped[date | None] = mapped_column(Date)


class DeclaredArea(Base):
    """A declared floor area of a room with its source (``BaseQuantities.NetFloorArea``), in m2.

    ``origin`` is ``ifc`` for values read from a model (replaced by each new version) or
    ``ledger`` for values entered by a person (kept across versions).
    """

    __tablename__ = "declared_area"
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    value_m2: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255))
    origin: Mapped[str] = mapped_column(String(16), default="ifc")
    model_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id"))
    room: Mapped[Room] = relationship(back_populates="declared_areas")


class Asset(Base):
    """A derived file (GLB per storey or building), content-addressed by the model's sha256."""

    __tablename__ = "asset"
    __table_args__ = (UniqueConstraint("model_version_id", "kind", "subject_global_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # storey_glb | building_glb
    subject_global_id: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(1024))  # relative to the assets folder
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)


class History(Base):
    """An append-only record of a change: what, by whom (or which model version), when."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_subject", "entity", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_key: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str | None] = mapped_column(String(255))
    model_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class User(Base):
    """An account: ``role`` is admin, unit_manager (bound to ``unit_id``), inspector or viewer."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    display_name: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Inspection(Base):
    """An inspector's finding on a room (检查记录), optionally with an area measured on site."""

    __tablename__ = "inspection"
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    inspector: Mapped[str] = mapped_column(String(64))
    finding: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16), default="info")
    surveyed_area_m2: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """A background job (an uploaded model's ingest): its stage, progress and outcome."""

    __tablename__ = "job"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    stage: Mapped[str | None] = mapped_column(String(32))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str | None] = mapped_column(String(1024))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Warning(Base):
    """A warning raised by a rule (预警): severity, subject, evidence, and its life cycle.

    ``fingerprint`` (rule + subject) makes re-evaluation idempotent: a warning found again is
    the same warning (``last_seen`` moves on); one no longer found is resolved.
    """

    __tablename__ = "warning"
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(255), unique=True)
    rule: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16))  # info | warning | critical
    subject_kind: Mapped[str] = mapped_column(String(16))  # room | person | unit | model
    subject_key: Mapped[str] = mapped_column(String(128))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | acknowledged | resolved
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))


class RoomState(Base):
    """A room as one model version had it: what versions are compared on (keyed by GlobalId)."""

    __tablename__ = "room_state"
    __table_args__ = (UniqueConstraint("model_version_id", "global_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    global_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    storey_global_id: Mapped[str] = mapped_column(String(128))
    storey_name: Mapped[str | None] = mapped_column(String(255))
    measured_area_m2: Mapped[float | None] = mapped_column(Float)
    declared_area_m2: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(64))


class LedgerRevision(Base):
    """One row: a number every committed write to the ledger moves on (see :mod:`twin.ledger.revision`)."""

    __tablename__ = "ledger_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
