"""Household spells with LIPRO position and household type, derived from who lives together when.

A household's type changes when its composition changes (a child is born or leaves, a partner dies), so
each household's life is cut into segments at every membership start and end; in each segment the adults
and children present give the household type, and each member's role gives the LIPRO position. A
member's consecutive segments with the same position and type are merged into one spell. The LIPRO
position is therefore always consistent with the household type (tested).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads.warehouse.synthetic.period import dates
from crossroads.warehouse.synthetic.population import (
    CHILD,
    COLLECTIVE,
    COUPLE_MAR,
    MEMBER,
    OTHER,
    PARTNER,
    REF,
    People,
)

HOUSEHOLD_TYPES = ("1P", "CPL0", "CPL+", "1PAR", "OTH", "COLL")
LIPRO = ("SING", "MAR0", "MAR+", "CMAR", "UNM0", "UNM+", "CUNM", "H1PA", "C1PA", "NFRP", "OTHR", "COLL")
# which LIPRO positions can occur in which household type (the coherence rule the tests check)
LIPRO_BY_TYPE = {
    "1P": {"SING"},
    "CPL0": {"MAR0", "UNM0"},
    "CPL+": {"MAR+", "UNM+", "CMAR", "CUNM"},
    "1PAR": {"H1PA", "C1PA"},
    "OTH": {"NFRP", "OTHR"},
    "COLL": {"COLL"},
}

_DAY0 = -30_000  # days since 1970 of the earliest date that can occur (1887)


def household_spells(people: People, id_base: int) -> tuple[pa.Table, npt.NDArray[np.int64]]:
    """The ``household`` table rows of this chunk and, per row, the local person index."""
    mp, mh, role = people.m_person, people.m_household, people.m_role
    m_in, m_out = people.m_in.astype(np.int64), people.m_out.astype(np.int64)
    # segment boundaries: every membership start and end, per household
    key_in = mh.astype(np.int64) * 200_000 + (m_in - _DAY0)
    key_out = mh.astype(np.int64) * 200_000 + (np.minimum(m_out, 70_000) - _DAY0)
    bounds = np.unique(np.concatenate([key_in, key_out]))
    first = np.searchsorted(bounds, key_in)
    last = np.searchsorted(bounds, key_out)  # segments first .. last-1 belong to the membership
    n_seg = bounds.size
    adult = np.isin(role, (REF, PARTNER))
    counts = {}
    for name, sel in (("adults", adult), ("children", role == CHILD), ("ref", role == REF)):
        diff = np.zeros(n_seg + 1, np.int64)
        np.add.at(diff, first[sel], 1)
        np.add.at(diff, last[sel], -1)
        counts[name] = np.cumsum(diff)[:-1]
    # expand memberships over their segments
    n_rows = last - first
    rows = np.repeat(np.arange(mp.size), n_rows)
    seg = np.repeat(first - np.cumsum(np.r_[0, n_rows[:-1]]), n_rows) + np.arange(n_rows.sum())
    kind = people.h_kind[mh[rows]]
    a, c, has_ref = counts["adults"][seg], counts["children"][seg], counts["ref"][seg] > 0
    r = role[rows]
    married = kind == COUPLE_MAR
    htype = np.select(
        [kind == COLLECTIVE, kind == OTHER, a >= 2, (a == 1) & (c > 0), a == 1],
        [5, 4, np.where(c > 0, 2, 1), 3, 0],
        default=4,
    )
    lipro = np.select(
        [
            kind == COLLECTIVE,
            kind == OTHER,
            (r == CHILD) & (a >= 2),
            (r == CHILD) & (a == 1),
            r == CHILD,
            (r == MEMBER),
            a >= 2,
            c > 0,
        ],
        [
            11,
            np.where(r == REF, 10, 9),
            np.where(married, 3, 6),
            8,
            10,
            9,
            np.where(married, np.where(c > 0, 2, 1), np.where(c > 0, 5, 4)),
            7,
        ],
        default=0,
    )
    is_ref = (r == REF) | ((r == PARTNER) & ~has_ref)
    start = np.maximum(bounds[seg] % 200_000 + _DAY0, m_in[rows])
    end = np.minimum(
        np.where(seg + 1 < n_seg, bounds[np.minimum(seg + 1, n_seg - 1)] % 200_000 + _DAY0, 70_000),
        m_out[rows],
    )
    # merge a member's consecutive segments with equal position, type and reference flag
    attr = (lipro * 10 + htype) * 2 + is_ref
    new = np.ones(rows.size, bool)
    new[1:] = (rows[1:] != rows[:-1]) | (attr[1:] != attr[:-1])
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], rows.size] - 1
    rows_m, start_m, end_m = rows[starts], start[starts], end[ends]
    keep = end_m > start_m
    starts, rows_m, start_m, end_m = starts[keep], rows_m[keep], start_m[keep], end_m[keep]
    person = mp[rows_m].astype(np.int64)
    hh_id = id_base + mh[rows_m].astype(np.int64)
    # collective households: one household number per municipality (the institution)
    coll = people.h_kind[mh[rows_m]] == COLLECTIVE
    hh_id = np.where(coll, id_base + 2**31 + people.h_muni[mh[rows_m]], hh_id)
    tbl = pa.table(
        {
            "insz": people.insz.take(pa.array(person)),
            "household_id": pa.array(hh_id, pa.int64()),
            "lipro": pa.array(LIPRO, pa.string()).take(pa.array(lipro[starts])),
            "household_type": pa.array(HOUSEHOLD_TYPES, pa.string()).take(pa.array(htype[starts])),
            "is_reference_person": pa.array(is_ref[starts]),
            "start_date": dates(start_m),
            "end_date": dates(_inclusive_end(end_m)),
        }
    )
    return tbl, person


def _inclusive_end(end_exclusive: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Spells end the day before the next one starts; open spells stay open."""
    return np.where(end_exclusive >= 60_000, 2**31 - 1, end_exclusive - 1)
