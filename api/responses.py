"""Fast JSON responses for hot routes: serialised once with orjson, skipping FastAPI's generic
encoder (the routes' data are plain dicts of JSON types already)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response


class FastJSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
