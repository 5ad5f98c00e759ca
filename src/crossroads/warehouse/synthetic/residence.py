"""Residence spells (domicile) from household memberships: members live where their household lives.

A household has a municipality and may move once (see :mod:`.population`); a membership is split at the
move. People who emigrate get an open "abroad" spell from the day they leave, in their country of birth
(or a neighbouring country for people born here).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads.warehouse.synthetic.geography import Geography
from crossroads.warehouse.synthetic.period import OPEN, Days, dates
from crossroads.warehouse.synthetic.population import People


class Residence:
    """Residence spells of a chunk as arrays (person, municipality, start, end exclusive)."""

    def __init__(self, people: People, rng: np.random.Generator, geo: Geography) -> None:
        mh = people.m_household
        move = people.h_move[mh]
        split = (move > people.m_in) & (move < people.m_out)
        person = np.concatenate([people.m_person, people.m_person[split]]).astype(np.int64)
        muni = np.concatenate(
            [np.where(move <= people.m_in, people.h_muni2[mh], people.h_muni[mh]), people.h_muni2[mh][split]]
        )
        start = np.concatenate([people.m_in, move[split]]).astype(np.int32)
        end = np.concatenate([np.where(split, move, people.m_out), people.m_out[split]]).astype(np.int32)
        order = np.lexsort((start, person))
        self.person, self.muni, self.start, self.end = person[order], muni[order], start[order], end[order]
        # emigrants: abroad from the day they leave
        emi = np.flatnonzero(people.emigrated)
        neighbour = rng.choice([3, 4, 6, 7], emi.size)  # FR, NL, DE, ES in the country list
        self.abroad_person = emi.astype(np.int64)
        self.abroad_start = people.out[emi]
        self.abroad_country = np.where(people.birth_country[emi] != 0, people.birth_country[emi], neighbour)
        self.geo = geo

    def region_on(self, day_: int | npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int8]:
        """Region (0 Fl, 1 Wal, 2 Bru; -1 not resident) of each of ``n`` persons on one day or per person."""
        when = np.broadcast_to(np.asarray(day_), (n,))
        on = (self.start <= when[self.person]) & (self.end > when[self.person])
        out = np.full(n, -1, np.int8)
        out[self.person[on]] = self.geo.region[self.muni[on]]
        return out

    def first_region(self, n: int) -> npt.NDArray[np.int8]:
        """Region of each person's first residence spell (-1 if none)."""
        out = np.full(n, -1, np.int8)
        rev = slice(None, None, -1)
        out[self.person[rev]] = self.geo.region[self.muni[rev]]  # the earliest write wins (reversed order)
        return out

    def table(self, people: People) -> pa.Table:
        n_be, n_ab = self.person.size, self.abroad_person.size
        geo = self.geo
        person = np.concatenate([self.person, self.abroad_person])
        start = np.concatenate([self.start, self.abroad_start])
        end = np.concatenate([self.end, np.full(n_ab, OPEN, np.int32)])
        nis = pa.concat_arrays([geo.nis.take(pa.array(self.muni)), pa.nulls(n_ab, pa.string())])
        abroad = pa.concat_arrays(
            [
                pa.nulls(n_be, pa.string()),
                geo.country_nis.take(pa.array(self.abroad_country.astype(np.int64))),
            ]
        )
        return pa.table(
            {
                "insz": people.insz.take(pa.array(person)),
                "nis_code": nis,
                "abroad_country": abroad,
                "registration_date": dates(start),
                "start_date": dates(start),
                "end_date": dates(_inclusive(end)),
            }
        )


def _inclusive(end: Days) -> Days:
    return np.where(end >= OPEN, OPEN, end - 1).astype(np.int32)
