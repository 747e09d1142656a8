"""Deterministic IFC4 models of a provincial-government office campus (省直机关一号院).

``python -m models_ifc.generate`` rewrites the committed campus files in this
folder; ``generate_portfolio`` writes a large synthetic portfolio for
performance work.  See :mod:`models_ifc.campus` for the campus programme.
"""

from .campus import ANNEX_V2_CHANGES, CAMPUS_SITE, campus_buildings, get_misdeclared_rooms


def __getattr__(name: str):
    # imported lazily so ``python -m models_ifc.generate`` does not import the module twice
    if name in ("CAMPUS_FILES", "generate_campus", "generate_portfolio"):
        from . import generate

        return getattr(generate, name)
    raise AttributeError(name)


__all__ = [
    "ANNEX_V2_CHANGES", "CAMPUS_FILES", "CAMPUS_SITE", "campus_buildings", "generate_campus",
    "generate_portfolio", "get_misdeclared_rooms",
]
