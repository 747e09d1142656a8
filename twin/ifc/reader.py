"""Open an IFC file and check it is something twin can ingest, with one clear error otherwise.

The checks run before anything touches the database, cheapest first: the file's own checks
(:func:`twin.ifc.spf.check_ifc_file`: it exists, is a complete STEP physical file in a supported
schema), then it parses and holds an IfcProject.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import ifcopenshell

from twin.errors import BadIfcFile, UnsupportedSchema
from twin.ifc.spf import check_ifc_file, get_sha256
from twin.ifc.units import UnitScales, get_unit_scales

log = logging.getLogger(__name__)

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
