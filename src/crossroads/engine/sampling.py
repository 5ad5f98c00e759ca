"""Phase-1 samples (S000-2): a fixed number of persons per draw, reproducible from a recorded seed.

A draw pools the persons of its target groups over all their years (a joint sample: the workers of both
sources together), orders them by INSZ so the order does not depend on the backend, and picks ``size``
of them without replacement with ``numpy.random.default_rng(seed)``. A sampled person keeps every year and
quarter in which they belong to a group. Phase 2 draws nothing: the same code runs on the full groups.

Overlapping groups with separate draws (21/128: 20,000 per group, a person may be in several groups): the
draws are independent, in permit order, from one generator; each group keeps only its own draw. A person
drawn for group A but not for group B is delivered with ``in_A = 1`` and ``in_B = 0`` (the flag says "in
this group's sample"), so every group's rows are a simple random sample of that group and the union is
at most the sum of the sample sizes. Groups that must share one draw name a joint ``sample`` (21/150).
Employer groups with a sample size draw enterprise numbers the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Draw:
    name: str
    groups: list[str]
    size: int


def draw_persons(persons: pa.Array, size: int, rng: np.random.Generator) -> pa.Array:
    """``size`` distinct persons (all of them when fewer), in INSZ order."""
    unique = pc.unique(persons.drop_null())
    ordered = pc.array_sort_indices(unique)
    unique = unique.take(ordered)
    if size >= len(unique):
        return unique
    picks = np.sort(rng.choice(len(unique), size=size, replace=False))
    return unique.take(pa.array(picks))


def draws_of(version: object) -> list[Draw]:
    """The permit version's draws: ``sample_draws()`` when the model offers it, else one per sized group."""
    method = getattr(version, "sample_draws", None)
    if callable(method):
        return [Draw(d.name, list(d.groups), int(d.size)) for d in method()]
    out: dict[str, Draw] = {}
    for g in getattr(version, "target_groups", []):
        if g.sample_size is None:
            continue
        key = getattr(g, "sample", None) or g.name
        if key in out:
            out[key].groups.append(g.name)
        else:
            out[key] = Draw(key, [g.name], int(g.sample_size))
    return list(out.values())
