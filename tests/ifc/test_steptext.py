"""The file's own entity text: every entity of every real model is indexed, and holds the same
references ifcopenshell reads."""

from __future__ import annotations

import re

import ifcopenshell
import pytest

from realdata import get_real_ifc_files
from twin.ifc.steptext import StepText

_REF = re.compile(rb"'(?:[^']|'')*'|#(\d+)")


@pytest.mark.parametrize("path", get_real_ifc_files(), ids=lambda p: p.name)
def test_every_entity_of_a_real_model_is_read_from_its_text(path):
    text = StepText.read(path)
    file = ifcopenshell.open(str(path))
    for entity in file:
        body = text.get_body(entity.id())
        assert body is not None, f"#{entity.id()} not indexed"
        assert body.upper().startswith(entity.is_a().upper().encode())
        refs = [int(r) for r in _REF.findall(body) if r]
        expected = [int(r) for r in re.findall(r"#(\d+)", re.sub(r"'(?:[^']|'')*'", "", entity.to_string().split("=", 1)[1]))]
        assert refs == expected, f"#{entity.id()}"
