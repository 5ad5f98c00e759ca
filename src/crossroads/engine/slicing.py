"""Slices of persons for a run built a slice at a time (issue 6): whole households, not INSZ ranges.

The household variables read about every member of a point's household at any date of the run, so a slice
reads about its own persons and everyone they shared a household with. Cut by INSZ range, those members
mostly belonged to other slices: at scale 1.0 a slice of 150,000 persons read about ~3.5 persons per own
person, and every block of the members (the DmfA's FTE and pay, benefits, household spells) was built and
read ~2.4 times over. Here persons who ever shared a household (directly or through others: the connected
components of the persons-households graph) go to the same slice, so a slice's members are mostly its own.
A component larger than a slice (a data error, or a very long chain of moves) is cut by INSZ like before:
the scope of a slice still adds the members it lacks, so the rows are the same whatever the cut.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def household_slices(persons: pa.Array, households: pa.Table, slice_persons: int) -> npt.NDArray[np.int32]:
    """The slice (0, 1, ...) of each of ``persons`` (distinct INSZ): slices of about ``slice_persons``
    persons, each holding whole households (``households``: ``insz``, ``household_id``, any dates).

    Components are ordered by their smallest INSZ among ``persons`` and persons by INSZ within one; a
    component goes to the slice its first person falls in when the persons are cut every ``slice_persons``
    in that order, so a slice may hold up to a component more than ``slice_persons``. Slices are numbered
    without gaps.
    """
    if slice_persons < 1:
        raise ValueError(f"slice_persons must be at least 1, not {slice_persons}")
    n = len(persons)
    households = households.filter(
        pc.and_(pc.is_valid(households["insz"]), pc.is_valid(households["household_id"]))
    )
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    # Nodes: the persons first (dictionary order is first appearance), the households' other persons, then
    # the households; an edge per household row.
    everyone = pc.dictionary_encode(pa.chunked_array([persons, households.column("insz")])).combine_chunks()
    person_of = everyone.indices.to_numpy(zero_copy_only=False)
    homes = pc.dictionary_encode(households.column("household_id")).combine_chunks()
    home_of = homes.indices.to_numpy(zero_copy_only=False).astype(np.int64) + len(everyone.dictionary)
    nodes = len(everyone.dictionary) + len(homes.dictionary)
    rows = person_of[n:].astype(np.int64)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, home_of)), shape=(nodes, nodes))
    _, label = connected_components(graph, directed=False)
    component = label[:n]

    by_insz = pc.sort_indices(persons).to_numpy()
    comp = component[by_insz]
    # Each component's first position in INSZ order, and its size among the persons.
    labels, first, size = np.unique(comp, return_index=True, return_counts=True)
    at = np.searchsorted(labels, comp)
    order = np.argsort(first[at], kind="stable")  # components in order of their first person, INSZ within
    comp_first = first[at][order]
    comp_size = size[at][order]
    position = np.arange(n)
    start = np.searchsorted(comp_first, comp_first)  # where each person's component starts in the order
    whole = comp_size <= slice_persons
    cut = np.where(whole, start // slice_persons, position // slice_persons)
    _, number = np.unique(cut, return_inverse=True)
    out = np.empty(n, dtype=np.int32)
    out[by_insz[order]] = number.astype(np.int32)
    return out
