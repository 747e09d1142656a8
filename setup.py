"""The one compiled part of twin: the Merkle walk that keys the geometry cache
(twin/geometry/_stephash.c). Everything else is in pyproject.toml. The extension is optional:
where it cannot be built, twin.geometry.keys walks in Python and gives the same keys, slower."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("twin.geometry._stephash", ["twin/geometry/_stephash.c"], optional=True)])
