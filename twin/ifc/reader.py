"""Open an IFC file and check it is something twin can ingest, with one clear error otherwise.

The checks run before anything touches the database, cheapest first: the path exists, is not
empty, is a STEP physical file (``ISO-10303-21;``), is complete (ends with
``END-ISO-10303-21;``), names a supported schema, parses, and holds an IfcProject.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import ifcopenshell

from twin.errors import BadIfcFile, UnsupportedSchema
from twin.ifc.units import UnitScales, get_unit_scales

log = logging.getLogger(__name__)

#: Schemas twin reads, by the prefix of the header's FILE_SCHEMA identifier.
SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4X3", "IFC4")

_SCHEMA_RE = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", re.IGNORECASE)
_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 4 * 1024


@dataclass(frozen=True)
class IfcModel:
    """An opened, validated IFC file.

    ``file`` is the ifcopenshell handle; ``schema`` the file's schema identifier as written in its
    header (``IFC2X3``, ``IFC4``, ``IFC4X3_ADD2`` ...); ``units`` the factors that turn the file's
    own units into metres, square metres and cubic metres.
    """

    path: Path
    file: ifcopenshell.file
    schema: str
    sha256: str
    size_bytes: int
    units: UnitScales

    @property
    def project(self) -> ifcopenshell.entity_instance:
        """The file's IfcProject (validated to exist on open)."""
        return self.file.by_type("IfcProject")[0]


def get_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_ifc_file(path: Path) -> str:
    """Check a path names a complete IFC-SPF file in a supported schema; return the schema.

    Raises :class:`BadIfcFile` or :class:`UnsupportedSchema` with a message naming the file.
    """
    name = str(path)
    if not path.exists():
        raise BadIfcFile(f"{name}: no such file")
    if path.is_dir():
        raise BadIfcFile(f"{name}: is a directory, not an IFC file")
    size = path.stat().st_size
    if size == 0:
        raise BadIfcFile(f"{name}: the file is empty")
    with path.open("rb") as stream:
        head = stream.read(_HEAD_BYTES)
        stream.seek(max(0, size - _TAIL_BYTES))
        tail = stream.read()
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISO-10303-21;"):
        kind = "an HTML page" if b"<html" in head[:2048].lower() else "not an IFC-SPF (STEP) file"
        raise BadIfcFile(f"{name}: {kind}; expected a file starting with 'ISO-10303-21;'")
    if b"END-ISO-10303-21;" not in tail:
        raise BadIfcFile(f"{name}: the file is truncated (no 'END-ISO-10303-21;' at its end)")
    match = _SCHEMA_RE.search(head)
    if not match:
        raise BadIfcFile(f"{name}: the header names no FILE_SCHEMA")
    schema = match.group(1).decode("ascii", "replace").upper()
    if not schema.startswith(SUPPORTED_SCHEMAS):
        raise UnsupportedSchema(
            f"{name}: unsupported schema {schema}; twin reads IFC2X3, IFC4 and IFC4X3"
        )
    return schema


def open_ifc(path: str | Path, *, sha256: str | None = None) -> IfcModel:
    """Open and validate an IFC file; raise :class:`BadIfcFile` with one clear line if unusable.

    ``sha256`` may be passed when the caller has already hashed the file.
    """
    path = Path(path)
    schema = check_ifc_file(path)
    try:
        handle = ifcopenshell.open(str(path))
    except ifcopenshell.SchemaError as error:
        raise UnsupportedSchema(f"{path}: unsupported schema {schema} ({error})") from error
    except Exception as error:  # ifcopenshell raises bare Error/OSError/RuntimeError on bad files
        raise BadIfcFile(f"{path}: cannot be parsed as IFC ({error})") from error
    projects = handle.by_type("IfcProject")
    if not projects:
        raise BadIfcFile(f"{path}: the file holds no IfcProject")
    if len(projects) > 1:
        raise BadIfcFile(f"{path}: the file holds {len(projects)} IfcProject; expected one")
    model = IfcModel(
        path=path,
        file=handle,
        schema=handle.schema_identifier,
        sha256=sha256 or get_sha256(path),
        size_bytes=path.stat().st_size,
        units=get_unit_scales(handle),
    )
    log.info("opened %s (%s, %d bytes)", path, model.schema, model.size_bytes)
    return model
