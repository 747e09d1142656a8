"""Office-space standards as data: limits by level and rank, room categories, settings.

The figures live in a versioned TOML file (``office_space_2014.toml``) with its source and a
``verified`` flag; a jurisdiction overrides any value with a TOML file of the same shape
(``$TWIN_STANDARDS_OVERRIDE``). Code asks :class:`Standards`; it never holds a figure.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from twin.errors import TwinError

BASE_FILE = Path(__file__).with_name("office_space_2014.toml")


class UnknownRank(TwinError):
    """A rank that the standard does not list for the level asked."""


class UnknownLevel(TwinError):
    """An agency level the standard does not know."""


@dataclass(frozen=True)
class Rank:
    """A rank (职级) of one agency level and its per-person office limit (m2 usable area)."""

    level: str
    name: str
    limit_m2: float
    is_leader: bool
    order: int


@dataclass(frozen=True)
class Category:
    """A room category (``office_staff`` ...), its group (basic/ancillary/technical/circulation)
    and kind (office/service/plant/ancillary/technical/circulation)."""

    code: str
    group: str
    kind: str
    zh: str
    en: str
    keywords: tuple[str, ...]


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


class Standards:
    """A loaded standard (with any jurisdiction override applied)."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.meta: dict[str, Any] = data["meta"]
        self.levels: dict[str, str] = data["levels"]
        self.settings: dict[str, Any] = data["settings"]
        self.rules: dict[str, Any] = data.get("rules", {})
        self.ranks: dict[str, dict[str, Rank]] = {
            level: {
                name: Rank(level, name, float(v["limit_m2"]), bool(v.get("leader", False)), int(v.get("order", 99)))
                for name, v in ranks.items()
            }
            for level, ranks in data["office_limits"].items()
        }
        self.categories: dict[str, Category] = {
            code: Category(code, v["group"], v["kind"], v["zh"], v["en"], tuple(v.get("keywords", ())))
            for code, v in data["categories"].items()
        }
        self.aliases: dict[str, str] = data.get("category_aliases", {})
        # longest keyword first, so 处长办公室 wins over 办公室
        self._keywords = sorted(
            ((keyword, code) for code, c in self.categories.items() for keyword in c.keywords), key=lambda kc: -len(kc[0])
        )

    def get_rank(self, level: str, rank: str) -> Rank:
        """The rank of an agency level; raises :class:`UnknownRank` / :class:`UnknownLevel`."""
        if level not in self.ranks:
            raise UnknownLevel(f"unknown agency level {level!r}; known: {', '.join(self.ranks)}")
        try:
            return self.ranks[level][rank]
        except KeyError:
            raise UnknownRank(f"rank {rank!r} is not a rank of {self.levels.get(level, level)} ({level}); known: {', '.join(self.ranks[level])}") from None

    def get_limit_m2(self, level: str, rank: str) -> float:
        """The per-person office limit (m2) of a rank under an agency level's standard."""
        return self.get_rank(level, rank).limit_m2

    def get_category(self, code: str | None) -> Category | None:
        if code is None:
            return None
        return self.categories.get(self.aliases.get(code, code))

    def classify(self, long_name: str | None, *, declared: str | None = None) -> str | None:
        """A room's category code: a declared code (or alias) if known, else by long-name keyword."""
        category = self.get_category(declared)
        if category is not None:
            return category.code
        if long_name:
            for keyword, code in self._keywords:
                if keyword in long_name:
                    return code
        return None

    def is_high_rise(self, storeys: int) -> bool:
        return storeys >= int(self.settings["high_rise_min_storeys"])


def load_standards(override: str | Path | None = None) -> Standards:
    """The base standard with an optional jurisdiction override file merged over it."""
    with BASE_FILE.open("rb") as stream:
        data = tomllib.load(stream)
    if override:
        with Path(override).open("rb") as stream:
            data = _merge(data, tomllib.load(stream))
    return Standards(data)


@lru_cache(maxsize=1)
def get_standards() -> Standards:
    """The process's standard: the base file plus ``$TWIN_STANDARDS_OVERRIDE`` if set."""
    return load_standards(os.environ.get("TWIN_STANDARDS_OVERRIDE") or None)
