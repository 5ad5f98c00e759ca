"""Class schemes (age, nationality, origin, amounts, dates, ...) and the geography hierarchy.

``scheme(name)`` gives a :class:`ClassScheme` usable on Ibis expressions (DuckDB and Spark alike), on
numpy/pyarrow arrays, and in codebooks (``value_labels``). ``geography()`` gives the municipality ->
werkwinkel -> arrondissement -> province -> region table, ``hierarchy(name)`` the levels of a hierarchy.
This module imports only ``crossroads.codelists``.
"""

from crossroads.classes.countries import BELGIUM, NATIONALITY_GROUPS, CountryGroupsError, country_groups
from crossroads.classes.geography import (
    BRUSSELS_PROVINCE,
    HierarchyError,
    geography,
    hierarchies,
    hierarchy,
    hierarchy_table,
    interval_hierarchy,
)
from crossroads.classes.schemes import (
    SCHEMES,
    CategoricalScheme,
    Class,
    ClassScheme,
    EqualWidthScheme,
    IntervalScheme,
    OriginScheme,
    SchemeError,
    YearMonthScheme,
    amount_classes,
    names,
    origin,
    origin_array,
    scheme,
)

__all__ = [
    "BELGIUM",
    "BRUSSELS_PROVINCE",
    "NATIONALITY_GROUPS",
    "SCHEMES",
    "CategoricalScheme",
    "Class",
    "ClassScheme",
    "CountryGroupsError",
    "EqualWidthScheme",
    "HierarchyError",
    "IntervalScheme",
    "OriginScheme",
    "SchemeError",
    "YearMonthScheme",
    "amount_classes",
    "country_groups",
    "geography",
    "hierarchies",
    "hierarchy",
    "hierarchy_table",
    "interval_hierarchy",
    "names",
    "origin",
    "origin_array",
    "scheme",
]
