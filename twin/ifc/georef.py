"""Where a model sits on Earth: IfcSite latitude/longitude and IFC4's IfcMapConversion.

Frames: *world* is the model's project frame in metres (what the geometry iterator returns);
*map* is the projected CRS of the IfcMapConversion (eastings, northings in metres); *WGS84* is
longitude/latitude in degrees. :meth:`Georeference.world_to_wgs84` goes world -> map -> WGS84
when a map conversion exists, else places the world origin at the site's lat/lon (a local
tangent-plane approximation good to centimetres across a campus).
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass

import numpy as np

from twin.ifc.reader import IfcModel

log = logging.getLogger(__name__)

_EARTH_RADIUS_M = 6_378_137.0


@dataclass(frozen=True)
class Georeference:
    """A model's georeference. Angles in degrees, lengths in metres."""

    latitude: float | None
    longitude: float | None
    elevation_m: float | None
    crs: str | None = None
    eastings: float = 0.0
    northings: float = 0.0
    orthogonal_height: float = 0.0
    x_axis_abscissa: float = 1.0
    x_axis_ordinate: float = 0.0
    scale: float = 1.0

    @property
    def has_map_conversion(self) -> bool:
        return self.crs is not None

    def world_to_map(self, xy: np.ndarray) -> np.ndarray:
        """``(n, 2) float64`` world x, y (m) -> ``(n, 2)`` map eastings, northings (m)."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        norm = math.hypot(self.x_axis_abscissa, self.x_axis_ordinate) or 1.0
        cos, sin = self.x_axis_abscissa / norm, self.x_axis_ordinate / norm
        rotated = np.column_stack((xy[:, 0] * cos - xy[:, 1] * sin, xy[:, 0] * sin + xy[:, 1] * cos))
        return rotated * self.scale + np.array([self.eastings, self.northings])

    def world_to_wgs84(self, xy: np.ndarray) -> np.ndarray:
        """``(n, 2) float64`` world x, y (m) -> ``(n, 2)`` longitude, latitude (degrees)."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        if self.has_map_conversion:
            try:
                transformer = _get_transformer_to_wgs84(self.crs)
                mapped = self.world_to_map(xy)
                lon, lat = transformer.transform(mapped[:, 0], mapped[:, 1])
                return np.column_stack((lon, lat))
            except Exception as error:  # an unknown CRS name: fall back to the site's lat/lon
                log.warning("cannot transform from %s (%s); using the site's latitude/longitude", self.crs, error)
        if self.latitude is None or self.longitude is None:
            raise ValueError("the model is not georeferenced")
        lat = self.latitude + np.degrees(xy[:, 1] / _EARTH_RADIUS_M)
        lon = self.longitude + np.degrees(xy[:, 0] / (_EARTH_RADIUS_M * math.cos(math.radians(self.latitude))))
        return np.column_stack((lon, lat))


@functools.lru_cache(maxsize=16)
def _get_transformer_to_wgs84(crs: str):
    """A pyproj transformer from ``crs`` to WGS84 lon/lat (building one takes ~50 ms: kept per CRS)."""
    from pyproj import Transformer

    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def _to_degrees(compound) -> float | None:
    """IfcCompoundPlaneAngleMeasure (deg, min, sec, millionths) -> decimal degrees."""
    if not compound:
        return None
    parts = list(compound) + [0] * (4 - len(compound))
    degrees, minutes, seconds, millionths = (float(p) for p in parts[:4])
    return degrees + minutes / 60 + (seconds + millionths / 1e6) / 3600


def read_georeference(model: IfcModel) -> Georeference | None:
    """The model's georeference, or ``None`` when it has neither site coordinates nor a map conversion."""
    sites = model.file.by_type("IfcSite")
    site = sites[0] if sites else None
    lat = _to_degrees(site.RefLatitude) if site is not None else None
    lon = _to_degrees(site.RefLongitude) if site is not None else None
    elevation = float(site.RefElevation) * model.units.length if site is not None and site.RefElevation is not None else None
    conversion = None
    if model.file.schema != "IFC2X3":
        conversions = model.file.by_type("IfcMapConversion")
        conversion = conversions[0] if conversions else None
    if conversion is None:
        if lat is None or lon is None:
            return None
        return Georeference(latitude=lat, longitude=lon, elevation_m=elevation)
    crs = conversion.TargetCRS
    map_scale = 1.0
    if getattr(crs, "MapUnit", None) is not None:
        from twin.ifc.units import get_unit_scale

        map_scale = get_unit_scale(crs.MapUnit)
    length = model.units.length
    return Georeference(
        latitude=lat,
        longitude=lon,
        elevation_m=elevation,
        crs=crs.Name,
        eastings=float(conversion.Eastings) * map_scale,
        northings=float(conversion.Northings) * map_scale,
        orthogonal_height=float(conversion.OrthogonalHeight or 0.0) * map_scale,
        x_axis_abscissa=float(conversion.XAxisAbscissa if conversion.XAxisAbscissa is not None else 1.0),
        x_axis_ordinate=float(conversion.XAxisOrdinate if conversion.XAxisOrdinate is not None else 0.0),
        scale=float(conversion.Scale if conversion.Scale is not None else 1.0) * length / map_scale,
    )
