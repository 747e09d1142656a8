"""The checks of an IFC-SPF file that need no parser, and its sha256: cheap enough for a command
that only wants to know whether a file is already in the ledger (``twin ingest`` of unchanged
files imports no ifcopenshell; :mod:`twin.ifc.reader` opens the file after them).

The checks, cheapest first: the path exists, is not empty, is a STEP physical file
(``ISO-10303-21;``), is complete (ends with ``END-ISO-10303-21;``) and names a supported schema.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from twin.errors import BadIfcFile, UnsupportedSchema

#: Schemas twin reads, by the prefix of the header's FILE_SCHEMA identifier.
SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4X3", "IFC4")

_SCHEMA_RE = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", re.IGNORECASE)
_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 4 * 1024


def find_ifc_files(paths: Iterable[Path]) -> list[Path]:
    """``paths`` with each folder among them replaced by the IFC files (``*.ifc``, any case) at
    any depth in it, in the order of their paths (a model's revisions, named as they usually are,
    in version order: ``annex.ifc`` before ``annex_v2.ifc``); hidden files and folders are left
    out. Other paths stay as they are, for :func:`check_ifc_file` to judge.

    Raises :class:`BadIfcFile` for a folder that holds no IFC file.
    """
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        files = sorted(
            file for file in path.rglob("*")
            if file.suffix.lower() == ".ifc" and file.is_file()
            and not any(part.startswith(".") for part in file.relative_to(path).parts)
        )
        if not files:
            raise BadIfcFile(f"{path}: the folder holds no IFC file (*.ifc)")
        found.extend(files)
    return found


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
