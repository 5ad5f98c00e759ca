"""Permits: the deliberations of the information security committee, as validated YAML files.

``load(path)`` reads a permit file into a :class:`Permit`; ``Permit.version_in_force(on)`` gives the
version that applies on a date and refuses dates outside the permit's lifetime.
"""

from crossroads.permits.errors import PermitError, PermitFileError, PermitIssue, PermitNotInForce
from crossroads.permits.loading import SourceMap, load, load_text, source_of
from crossroads.permits.model import (
    Dataset,
    DisclosureSettings,
    Measurement,
    OnlineAccess,
    Permit,
    PermitVersion,
    Processor,
    ProviderInput,
    Pseudonymisation,
    Retention,
    SampleDraw,
    ServiceIntegrator,
    TargetGroup,
    UnitRef,
    VariableRequest,
    Window,
    YearRange,
)

__all__ = [
    "Dataset",
    "DisclosureSettings",
    "Measurement",
    "OnlineAccess",
    "Permit",
    "PermitError",
    "PermitFileError",
    "PermitIssue",
    "PermitNotInForce",
    "PermitVersion",
    "Processor",
    "ProviderInput",
    "Pseudonymisation",
    "Retention",
    "SampleDraw",
    "ServiceIntegrator",
    "SourceMap",
    "TargetGroup",
    "UnitRef",
    "VariableRequest",
    "Window",
    "YearRange",
    "load",
    "load_text",
    "source_of",
]
