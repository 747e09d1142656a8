"""twin: a 3D building digital twin and office-space ledger.

Data flows one way: IFC file -> :mod:`twin.ifc` (read) -> :mod:`twin.geometry`
(mesh, measure, GLB) -> :mod:`twin.ledger` (database) -> ``api`` -> viewer.
"""

__version__ = "0.1.0"
