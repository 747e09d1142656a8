"""Compliance checks: pure functions over plain ledger facts (see :mod:`twin.compliance.facts`).

* :mod:`.person` — each occupant's share of the room against their rank's standard, the room
  against the sum of its occupants' standards, leaders holding more than one office;
* :mod:`.unit` — approved area by the 2014 formula against actual area per category;
* :mod:`.deviation` — declared against measured area per room, in classes;
* :mod:`.versions` — rooms added, removed and changed between two model versions.

Every figure (limits, tolerance, K, shares) comes from :mod:`twin.standards`.
"""
