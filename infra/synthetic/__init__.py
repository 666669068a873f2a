"""Realistic synthetic data for demos, tests and benchmarks: never real people.

A county with its real GB/T 2260 code and name (from python-stdnum's table), townships
and villages with plausible names and codes, a beneficiary register (valid citizen IDs
for real division codes, names, households, phones, card accounts with a Luhn check
digit), cross-check lists (deceased, public servants, disabled, supported persons), and
rosters (发放清册) written the way county offices write them, with a chosen share of each
kind of defect recorded in a manifest so that tests can prove validation catches exactly
those rows.

Everything is deterministic from a seed and streamed: a 1,000,000-row roster is written
row by row, never held in memory. The entry point is ``write_county``.
"""

from infra.synthetic.defects import Defect, DefectKind, RosterManifest
from infra.synthetic.files import CountyFiles, read_register, write_county
from infra.synthetic.people import Beneficiary
from infra.synthetic.programmes import CATALOGUE, Programme
from infra.synthetic.roster_files import RosterFormat

__all__ = [
    "CATALOGUE",
    "Beneficiary",
    "CountyFiles",
    "Defect",
    "DefectKind",
    "Programme",
    "RosterFormat",
    "RosterManifest",
    "read_register",
    "write_county",
]
