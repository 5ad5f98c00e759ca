"""Catalog variables the engine fills from a dataset's frame, not from a warehouse table (issue 6).

- ``group_membership``: one 0/1 column ``in_<group>`` per population of the dataset (the engine knows the
  groups; the variable only asks for the columns, also when the dataset has one group).
- ``employer_seq``: the row's employer (the key of employer and job datasets, the person's main employer
  of the quarter in person datasets). Its value is the enterprise number, which the pseudonyms step
  replaces with the permit's meaningless sequence number (``identifier="employer"``).
- ``person_count`` / ``employer_count``: the count of an ``aggregate`` dataset, per combination of its
  other variables; counts below the permit's ``min_cell`` are not shown (``below_min_cell``).

Their derivations are only used outside a dataset (``engine.extract.variables_at`` and checks):
``employer_seq`` returns the enterprise number of its points; the others have no meaning at a single
point and refuse.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from crossroads.catalog.model import Sources, Variable

GROUP_MEMBERSHIP = "group_membership"
EMPLOYER_SEQ = "employer_seq"
PERSON_COUNT = "person_count"
EMPLOYER_COUNT = "employer_count"
COUNTS = {PERSON_COUNT: "person", EMPLOYER_COUNT: "employer"}
"""Count variable -> the entity it counts."""
ENGINE_VARIABLES = frozenset({GROUP_MEMBERSHIP, EMPLOYER_SEQ, PERSON_COUNT, EMPLOYER_COUNT})
"""Variables the engine computes from the frame; allowed in every dataset unit where they make sense."""


class FrameVariableError(ValueError):
    """A frame variable asked for outside a dataset."""


def _engine_only(name: str) -> Any:
    def derivation(src: Sources, points: ir.Table) -> ir.Table:
        raise FrameVariableError(f"variable {name!r} is computed by the engine from a dataset's frame")

    return derivation


def _employer_seq(src: Sources, points: ir.Table) -> ir.Table:
    # The value is the employer itself; the delivery replaces it with its sequence number.
    return points.select("enterprise_number", "ref_quarter", value=points.enterprise_number)


VARIABLES: tuple[Variable, ...] = (
    Variable(
        GROUP_MEMBERSHIP,
        "behoort tot de doelgroep (één 0/1-kolom in_<doelgroep> per doelgroep van het bestand)",
        "membership of the target groups (one 0/1 column in_<group> per population of the dataset)",
        "person-year",
        (),
        _engine_only(GROUP_MEMBERSHIP),
        "One column in_<group> per target group the dataset covers: 1 when the row's person (or employer) "
        "belongs to that group (in phase 1: to the group's sample) in the row's year, else 0. A person can "
        "be in several groups.",
        value_type="int",
        requirement="S001-1, S003-1",
    ),
    Variable(
        EMPLOYER_SEQ,
        "volgnummer van de werkgever (betekenisloos, eigen aan deze machtiging)",
        "employer sequence number (meaningless, specific to this permit)",
        "employer",
        (),
        _employer_seq,
        "The row's employer: the employer itself in employer and job datasets, the person's main employer "
        "of the quarter (largest FTE) in person datasets. Delivered as the permit's meaningless sequence "
        "number, never as the enterprise number.",
        identifier="employer",
        requirement="S001-3, S003-3",
    ),
    Variable(
        PERSON_COUNT,
        "aantal personen",
        "number of persons",
        "person-year",
        (),
        _engine_only(PERSON_COUNT),
        "Aggregate datasets: the number of distinct persons of the dataset's populations at the reference "
        "date per combination of the other variables. Counts below the permit's min_cell are not shown: "
        "the count is empty and below_min_cell = 1.",
        value_type="int",
        requirement="S001-6",
    ),
    Variable(
        EMPLOYER_COUNT,
        "aantal werkgevers",
        "number of employers",
        "employer",
        (),
        _engine_only(EMPLOYER_COUNT),
        "Aggregate datasets: the number of distinct employers of the dataset's populations at the reference "
        "date per combination of the other variables. Counts below the permit's min_cell are not shown: "
        "the count is empty and below_min_cell = 1.",
        value_type="int",
        requirement="S001-6",
    ),
)
