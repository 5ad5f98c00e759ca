"""Slices of persons for a run built a slice at a time (issue 6): whole households, not INSZ ranges.

The household variables read about every member of a point's household at any date of the run, so a slice
reads about its own persons and everyone they shared a household with. Cut by INSZ range, those members
mostly belonged to other slices: at scale 1.0 a slice of 150,000 persons read about ~3.5 persons per own
person, and every block of the members (the DmfA's FTE and pay, benefits, household spells) was built and
read ~2.4 times over. Here persons who ever shared a household (directly or through others: the connected
components of the persons-households graph) go to the same slice, so a slice's members are mostly its own.
A component larger than a slice (a data error, or a very long chain of moves) is cut by position like before:
the scope of a slice still adds the members it lacks, so the rows are the same whatever the cut.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def household_slices(
    persons: npt.NDArray[np.integer],
    person: npt.NDArray[np.integer],
    home: npt.NDArray[np.integer],
    slice_persons: int,
    component_keys: Callable[[int], npt.NDArray[np.integer]] | None = None,
) -> npt.NDArray[np.int32]:
    """The slice (0, 1, ...) of each of ``persons``: slices of about ``slice_persons`` persons, each holding
    whole households.

    Persons are numbered 0 .. p - 1 (the persons of the households too, whether sliced or not), households
    0 .. h - 1; ``persons`` are the numbers of the persons to slice, distinct, in INSZ order; ``person`` and
    ``home`` the household rows (a person lived in a household, at any date). Components are ordered by
    their first person in ``persons``, or by ``component_keys(count)`` (a number for each of the ``count``
    components: the run draws them at random, so that a slice's place in the files tells nothing of its
    persons' INSZ nor, as the first person would, of its households' sizes: a large component's first person
    comes early), and keep the given order within; a component goes to the slice its first person falls in
    when the persons are cut every ``slice_persons`` in that order, so a slice may hold up to a component
    more than ``slice_persons``; a component larger than a slice is cut by position.
    """
    if slice_persons < 1:
        raise ValueError(f"slice_persons must be at least 1, not {slice_persons}")
    n = len(persons)
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    people = int(max(persons.max(), person.max() if len(person) else -1)) + 1
    nodes = people + (int(home.max()) + 1 if len(home) else 0)
    # Persons and households are the nodes, a household row an edge (int32 indices: at scale 1.0, 21 M rows).
    graph = coo_matrix(
        (np.ones(len(person), dtype=np.int8), (person.astype(np.int32), (home + people).astype(np.int32))),
        shape=(nodes, nodes),
    )
    count, label = connected_components(graph, directed=False)
    comp = label[persons]
    position = np.arange(n)
    # Each component's first position in the given order (the last write of a reversed walk is the first
    # position) and its size among the persons: indexed by label, no sort (at 1.0, 7.5 M persons).
    first = np.empty(count, dtype=np.int64)
    first[comp[::-1]] = position[::-1]
    size = np.bincount(comp, minlength=count)
    rank = first if component_keys is None else component_keys(count)
    # Components in order of their rank, each one's persons together in the given order.
    order = np.lexsort((comp, rank[comp]))
    key = comp[order]
    # Where each person's component starts in that order (positions where the component changes, carried).
    change = np.r_[True, key[1:] != key[:-1]]
    start = np.maximum.accumulate(np.where(change, position, 0))
    cut = np.where(size[comp][order] <= slice_persons, start // slice_persons, position // slice_persons)
    # Non-decreasing: numbered without gaps by counting its steps.
    number = np.cumsum(np.r_[0, cut[1:] != cut[:-1]])
    out = np.empty(n, dtype=np.int32)
    out[order] = number.astype(np.int32)
    return out
