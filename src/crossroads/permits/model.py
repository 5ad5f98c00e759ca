"""The permit model: a deliberation of the information security committee, machine-readable.

A permit file (YAML, see ``docs/reference/permit-format.md``) holds the deliberation's fixed facts
(number, decision date, committee, requester, controller) and a list of **versions**. Version 1 is the
original decision; each amendment is a later version with its own approval and effective date. Every
version, once its ``extends:`` is resolved by the loader, is a complete document: the engine, the
governance registry and the hub never need to apply amendments themselves.

All models forbid unknown keys (a misspelt key is an error, not a silently ignored condition) and are
frozen. Checks that span several fields (units must differ, datasets name existing target groups, ...)
live in :func:`consistency_issues`; :class:`Permit` runs them after field validation.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crossroads import codelists
from crossroads.permits.errors import PermitNotInForce

FieldPath = tuple[str | int, ...]
"""A field path inside a permit, as pydantic writes it: ``("versions", 0, "datasets", 2, "name")``."""

Name = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9_]*$", description="Lower-case snake_case identifier."),
]

GEOGRAPHIC_LEVELS: tuple[str, ...] = (
    "municipality",
    "central_city",
    "werkwinkel",
    "arrondissement",
    "province",
    "region",
)
"""Geographic levels from fine to coarse; a fallback list must climb this order."""

DATASET_UNITS = (
    "person-year",
    "person-quarter",
    "person",
    "person-record",
    "job-quarter",
    "employer",
    "employer-quarter",
    "aggregate",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitRef(_Model):
    """An organisational unit: the organisation's code and the unit inside it."""

    organisation: str = Field(description="Organisation code, e.g. DWSE, KSZ, SWSE.")
    unit: str = Field(description="Unit inside the organisation (afdeling, dienst, team).")
    label: str | None = Field(default=None, description="Dutch name of the unit, as users read it.")

    def same_unit(self, other: UnitRef) -> bool:
        return (self.organisation, self.unit) == (other.organisation, other.unit)


class Processor(_Model):
    """A group of staff allowed to process the data: its role and the unit it belongs to (S004-4)."""

    role: Name
    unit: UnitRef
    label: str = Field(description="Dutch description of the staff, as the deliberation words it.")


class YearRange(_Model):
    first: int = Field(ge=1990, le=2100)
    last: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.last < self.first:
            raise ValueError(f"last year {self.last} is before first year {self.first}")
        return self

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.first <= year <= self.last


class TargetGroup(_Model):
    """A population the permit names, defined by a population rule of the engine."""

    name: Name
    label: str = Field(description="Dutch name of the group.")
    entity: Literal["person", "employer"] = Field(
        default="person", description="Whether the group holds persons (INSZ) or employers."
    )
    rule: Name = Field(description="Population rule known to the engine, e.g. voucher_workers_issuer.")
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters of the rule.")
    years: YearRange | None = Field(default=None, description="Reference period, counted per year.")
    sample_size: int | None = Field(
        default=None, gt=0, description="Phase-1 sample size; absent means the whole group."
    )
    sample: Name | None = Field(
        default=None,
        description=(
            "Name of a joint sample: groups sharing it are pooled (union of their persons) and "
            "sample_size persons are drawn once from that union."
        ),
    )
    approximate_size: int | None = Field(
        default=None, ge=0, description="Size the deliberation quotes, for plausibility only."
    )
    description: str | None = None


class VariableRequest(_Model):
    """One catalog variable requested in a dataset."""

    name: Name = Field(description="Catalog variable name.")
    column: Name | None = Field(
        default=None,
        description="Column name in the delivered file when it differs from `name` (to request one "
        "variable twice with different options).",
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description='Options for the derivation, e.g. {"scheme": "age_5y"}.'
    )
    after_outflow: bool = Field(
        default=False,
        description="Also delivered measured after the outflow (outflow datasets only, S000-6).",
    )
    source: str | None = Field(
        default=None, description="Name of the provider input the value comes from, when not the DWH."
    )
    condition: str | None = Field(
        default=None,
        pattern=r"^(not )?[a-z][a-z0-9_]*$",
        description="Filled only on rows where this 0/1 variable of the same dataset is 1 "
        "(`working`) or, with `not `, 0 (`not working`); empty elsewhere (S000-7).",
    )

    @property
    def column_name(self) -> str:
        return self.column or self.name


class Window(_Model):
    """A window of quarters around a reference date (15/018: 8 before, 20 after 31 Dec 2008)."""

    reference: date
    quarters_before: int = Field(ge=0)
    quarters_after: int = Field(ge=0)


class Measurement(_Model):
    """When the yearly variables of a dataset are measured, relative to the dataset's year Y."""

    year_offset: int = Field(ge=-5, le=5, description="0 = year Y, -1 = year Y-1, 1 = year Y+1.")
    quarter: int = Field(ge=1, le=4, description="Quarter of that year (last day of the quarter).")


class Dataset(_Model):
    """One delivered file: its unit, the population it covers and its variables."""

    name: Name = Field(description="File name, e.g. workers_timeseries.")
    label: str
    unit: Literal[
        "person-year",
        "person-quarter",
        "person",
        "person-record",
        "job-quarter",
        "employer",
        "employer-quarter",
        "aggregate",
    ]
    population: Name | list[Name] = Field(description="Target-group name(s).")
    selection: Literal["inflow", "outflow"] | None = Field(
        default=None, description="Restricts the population to the year's inflow or outflow."
    )
    years: YearRange | None = None
    reference_date: date | None = Field(
        default=None, description="Single reference date (e.g. 31 Dec 2013 for 15/018)."
    )
    measurement: Measurement | None = Field(
        default=None, description="When yearly variables are measured (inflow: Y-1 Q4; outflow: Y+1 Q1)."
    )
    window: Window | None = None
    variables: list[VariableRequest] = Field(min_length=1)
    description: str | None = None

    @property
    def populations(self) -> list[str]:
        return [self.population] if isinstance(self.population, str) else list(self.population)


class ProviderInput(_Model):
    """Data a third party sends for this permit, linked by INSZ or enterprise number."""

    name: Name
    provider: UnitRef
    key: Literal["insz", "enterprise"]
    table: str = Field(description="Warehouse table it is loaded as, or the provider file's name.")
    description: str
    reference_date: date | None = None
    fields: list[str] = Field(default_factory=list, description="Fields the provider sends besides the key.")


class DisclosureSettings(_Model):
    """Conditions on what may leave: small cells, k-anonymity, recoding (S000-2, S001-4, S003-3)."""

    min_cell: int = Field(default=5, ge=1, description="Smallest count shown in a table.")
    k: int | None = Field(default=None, ge=2, description="k-anonymity on the quasi-identifiers.")
    quasi_identifiers: list[Name] = Field(default_factory=list)
    sensitive: list[Name] = Field(default_factory=list)
    geographic_fallback: list[
        Literal["municipality", "central_city", "werkwinkel", "arrondissement", "province", "region"]
    ] = Field(
        default_factory=list,
        description="Levels tried from fine to coarse when a geographic subgroup is below min_cell.",
    )
    dates_as_year_month: bool = False
    amounts_in_classes: bool = False
    suppression_limit: float | None = Field(
        default=None, ge=0, le=1, description="Largest share of records that local suppression may blank."
    )
    small_cell_analysis: bool = Field(
        default=False, description="KSZ runs a small-cell risk analysis before phase 2 (S000-2)."
    )
    publication: str | None = Field(default=None, description="Rule for published results (Dutch).")

    @field_validator("geographic_fallback")
    @classmethod
    def _fine_to_coarse(cls, levels: list[str]) -> list[str]:
        ranks = [GEOGRAPHIC_LEVELS.index(level) for level in levels]
        if ranks != sorted(set(ranks)):
            raise ValueError(
                "geographic_fallback must go from fine to coarse without repeats, in the order "
                + " > ".join(GEOGRAPHIC_LEVELS)
            )
        return levels


class Pseudonymisation(_Model):
    persons: bool = Field(default=True, description="INSZ replaced by a meaningless sequence number.")
    employers: bool = Field(
        default=True, description="Enterprise numbers replaced by a meaningless sequence number."
    )
    employer_reidentification_risk: bool = Field(
        default=False,
        description="The committee found coded employers re-identifiable (S001-9): the "
        "commitment not to re-identify covers employers too.",
    )
    note: str | None = None


class Retention(_Model):
    """How long the recipient may keep the data. ``until`` is the last day (inclusive)."""

    until: date | None = Field(default=None, description="Destroy by this date at the latest.")
    requested_until: date | None = Field(
        default=None,
        description="Date the request asked for, when the decision set another one (S001-9); "
        "only `until` applies.",
    )
    years_after_record: int | None = Field(
        default=None, gt=0, description="Keep each record N years, then destroy without delay (19/072)."
    )
    phase1_years_after_delivery: int | None = Field(
        default=None, gt=0, description="Phase-1 data kept at most N years after delivery (S000-8)."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _something_limits(self) -> Self:
        if self.until is None and self.years_after_record is None:
            raise ValueError("retention needs `until` (a date) or `years_after_record`")
        return self


class ServiceIntegrator(_Model):
    """A regional service integrator the flow may pass through, and on what condition (S004-5)."""

    organisation: str
    own_reference_directory: bool = True
    end_to_end_logs: bool = True
    condition: str


class OnlineAccess(_Model):
    """Online consultation of identified data (19/072)."""

    blocks: list[Annotated[str, Field(pattern=r"^9\d{4}$")]] = Field(
        min_length=1, description="DmfA functional block codes granted."
    )
    future_composition: bool = Field(
        default=False,
        description="The grant covers the blocks in their present and future composition.",
    )
    register_fields: list[Name] = Field(
        default_factory=list, description="Identity fields from the KSZ registers (identity check)."
    )
    reference_directory: bool = Field(
        description="Answers only for persons the requester registered in the reference directory."
    )
    quality_code: str | None = Field(
        default=None,
        description="Hoedanigheidscode under which persons are registered; null when the "
        "deliberation leaves it to the registration.",
    )
    permanent: bool = Field(description="Permanent (year-round) access.")
    indefinite: bool = Field(default=False, description="The permit has no end date.")
    traceability: Literal["end_to_end"] = "end_to_end"
    service_integrator: ServiceIntegrator | None = None


class SampleDraw(BaseModel):
    """One phase-1 draw: ``size`` persons drawn from the union of ``groups``."""

    name: str
    groups: list[str]
    size: int


class PermitVersion(_Model):
    """The permit as it reads from ``effective`` on: the original decision or an amendment."""

    version: int = Field(ge=1)
    label: str
    approved: date
    effective: date
    extends: int | None = Field(default=None, description="Version this one was written against.")
    changes: str | None = Field(default=None, description="What the amendment changes (Dutch).")
    purpose: str
    legal_basis: str
    input_unit: UnitRef = Field(description="The unit that supplies input (S000-8).")
    output_unit: UnitRef = Field(description="The unit that receives output; must differ from input_unit.")
    roles: list[Name] = Field(min_length=1, description="Roles allowed to process the data.")
    processors: list[Processor] = Field(default_factory=list)
    phases: list[Literal[1, 2]] = Field(
        default_factory=list,
        description="1 = pseudonymised extract delivered to the requester; 2 = full population "
        "in the secure environment, only anonymous results leave.",
    )
    target_groups: list[TargetGroup] = Field(default_factory=list)
    datasets: list[Dataset] = Field(default_factory=list)
    inputs: list[ProviderInput] = Field(default_factory=list)
    disclosure: DisclosureSettings = Field(default_factory=DisclosureSettings)
    pseudonymisation: Pseudonymisation = Field(default_factory=Pseudonymisation)
    retention: Retention
    online: OnlineAccess | None = None
    third_parties: list[str] = Field(
        default_factory=list, description="Who else may receive the data; empty means nobody."
    )

    @field_validator("output_unit")
    @classmethod
    def _separation_of_functions(cls, output_unit: UnitRef, info: ValidationInfo) -> UnitRef:
        input_unit = info.data.get("input_unit")
        if isinstance(input_unit, UnitRef) and input_unit.same_unit(output_unit):
            raise ValueError(
                "the unit that receives output must differ from the unit that supplies input "
                f"(both are {output_unit.organisation}/{output_unit.unit}; S000-8)"
            )
        return output_unit

    def target_group(self, name: str) -> TargetGroup:
        for group in self.target_groups:
            if group.name == name:
                return group
        raise KeyError(f"version {self.version} has no target group {name!r}")

    def dataset(self, name: str) -> Dataset:
        for dataset in self.datasets:
            if dataset.name == name:
                return dataset
        raise KeyError(f"version {self.version} has no dataset {name!r}")

    def sample_draws(self) -> list[SampleDraw]:
        """The phase-1 draws: one per joint sample, one per other group with a sample size."""
        draws: dict[str, SampleDraw] = {}
        for group in self.target_groups:
            if group.sample_size is None:
                continue
            key = group.sample or group.name
            if key in draws:
                draws[key].groups.append(group.name)
            else:
                draws[key] = SampleDraw(name=key, groups=[group.name], size=group.sample_size)
        return list(draws.values())

    def variable_names(self) -> list[str]:
        """Every catalog variable the version requests, once, in order of first appearance."""
        seen: dict[str, None] = {}
        for dataset in self.datasets:
            for variable in dataset.variables:
                seen.setdefault(variable.name, None)
        return list(seen)


class Permit(_Model):
    """A deliberation with all its versions."""

    number: str = Field(pattern=r"^\d{2}/\d{3}$", description='Deliberation number, e.g. "21/150".')
    title: str
    committee: str
    reference: str | None = Field(default=None, description="Committee file reference, e.g. SCSZG/15/039.")
    decision_date: date
    request_date: date | None = None
    kind: Literal["research", "online_consultation"]
    requester: str = Field(description="Organisation code of the requester.")
    controller: str = Field(description="Organisation code of the controller (verwerkingsverantwoordelijke).")
    organisations: dict[str, str] = Field(
        default_factory=dict, description="Organisation code -> Dutch name; every code used must be here."
    )
    versions: list[PermitVersion] = Field(min_length=1, description="Ordered; the first is the original.")
    _source: Any = PrivateAttr(default=None)  # the loader's SourceMap, to point at lines later

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        issues = consistency_issues(self)
        if not issues:
            return self
        # The loader collects the issues with their paths to point at lines; direct use raises.
        collect = info.context.get("consistency_issues") if isinstance(info.context, dict) else None
        if isinstance(collect, list):
            collect.extend(issues)
            return self
        raise ValueError("; ".join(f"{format_path(path)}: {message}" for path, message in issues))

    @property
    def slug(self) -> str:
        """Filesystem-safe number: ``21/150`` -> ``21-150``."""
        return self.number.replace("/", "-")

    @property
    def first_effective(self) -> date:
        return self.versions[0].effective

    def version(self, number: int) -> PermitVersion:
        for version in self.versions:
            if version.version == number:
                return version
        raise KeyError(f"permit {self.number} has no version {number}")

    def version_in_force(self, on: date) -> PermitVersion:
        """The latest version whose ``effective`` is on or before ``on``.

        Refuses a date before the first effective date and a date after the retention date of the
        version that would apply (``retention.until`` is the last day the data may be held).
        """
        if isinstance(on, datetime):  # a timestamp would not compare with dates
            on = on.date()
        applicable = [v for v in self.versions if v.effective <= on]
        if not applicable:
            raise PermitNotInForce(
                self.number,
                on,
                f"its first version takes effect on {self.first_effective.isoformat()}",
                first_effective=self.first_effective,
            )
        version = max(applicable, key=lambda v: v.effective)
        until = version.retention.until
        if until is not None and on > until:
            raise PermitNotInForce(
                self.number,
                on,
                f"its retention period ended on {until.isoformat()} (version {version.version})",
                first_effective=self.first_effective,
                until=until,
            )
        return version


def format_path(path: FieldPath) -> str:
    """``("versions", 0, "datasets", 2)`` -> ``versions[0].datasets[2]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def consistency_issues(permit: Permit) -> list[tuple[FieldPath, str]]:
    """Checks that span several fields, each returned with the path of the field to blame."""
    issues: list[tuple[FieldPath, str]] = []
    issues += _version_order_issues(permit)
    declared = set(permit.organisations)
    if declared:
        for path, code in _organisation_refs(permit):
            if code not in declared:
                issues.append((path, f"organisation {code!r} is not declared under `organisations`"))
    for index, version in enumerate(permit.versions):
        issues += [(("versions", index, *path), msg) for path, msg in _version_issues(permit, version)]
    return issues


def _version_order_issues(permit: Permit) -> list[tuple[FieldPath, str]]:
    issues: list[tuple[FieldPath, str]] = []
    first = permit.versions[0]
    if first.approved != permit.decision_date:
        issues.append(
            (
                ("versions", 0, "approved"),
                f"the original version must be approved on the decision date {permit.decision_date}",
            )
        )
    if first.extends is not None:
        issues.append((("versions", 0, "extends"), "the original version cannot extend another"))
    for index, version in enumerate(permit.versions):
        if version.version != index + 1:
            issues.append(
                (("versions", index, "version"), f"versions must be numbered 1, 2, ...; expected {index + 1}")
            )
        if version.effective < version.approved:
            issues.append(
                (
                    ("versions", index, "effective"),
                    f"effective date is before the approval {version.approved}",
                )
            )
        if version.approved < permit.decision_date:
            issues.append((("versions", index, "approved"), "approved before the original decision date"))
        if index > 0 and version.effective <= permit.versions[index - 1].effective:
            issues.append(
                (
                    ("versions", index, "effective"),
                    "effective dates must increase from version to version (previous: "
                    f"{permit.versions[index - 1].effective})",
                )
            )
    return issues


def _organisation_refs(permit: Permit) -> list[tuple[FieldPath, str]]:
    refs: list[tuple[FieldPath, str]] = [
        (("requester",), permit.requester),
        (("controller",), permit.controller),
    ]
    for i, version in enumerate(permit.versions):
        refs.append((("versions", i, "input_unit", "organisation"), version.input_unit.organisation))
        refs.append((("versions", i, "output_unit", "organisation"), version.output_unit.organisation))
        for j, processor in enumerate(version.processors):
            refs.append(
                (("versions", i, "processors", j, "unit", "organisation"), processor.unit.organisation)
            )
        for j, item in enumerate(version.inputs):
            refs.append(
                (("versions", i, "inputs", j, "provider", "organisation"), item.provider.organisation)
            )
        if version.online and version.online.service_integrator:
            refs.append(
                (
                    ("versions", i, "online", "service_integrator", "organisation"),
                    version.online.service_integrator.organisation,
                )
            )
    return refs


def _duplicates(names: list[str]) -> set[str]:
    return {name for name, count in Counter(names).items() if count > 1}


def _version_issues(permit: Permit, v: PermitVersion) -> list[tuple[FieldPath, str]]:
    issues: list[tuple[FieldPath, str]] = []

    # Kind and phases: research goes through phases; an online consultation has none but a grant.
    if permit.kind == "research":
        if not v.phases:
            issues.append((("phases",), "a research permit needs phases ([1], [1, 2] or [2])"))
        if v.online is not None:
            issues.append((("online",), "online access belongs to kind online_consultation only"))
    else:
        if v.phases:
            issues.append((("phases",), "an online consultation has no extraction phases"))
        if v.online is None:
            issues.append((("online",), "an online consultation needs an `online` section"))
    if len(set(v.phases)) != len(v.phases) or v.phases != sorted(v.phases):
        issues.append((("phases",), "phases must be listed once each, in order"))

    for field, names in (
        ("target_groups", [g.name for g in v.target_groups]),
        ("datasets", [d.name for d in v.datasets]),
        ("inputs", [i.name for i in v.inputs]),
    ):
        for name in sorted(_duplicates(names)):
            issues.append(((field, names.index(name), "name"), f"name {name!r} is used twice"))

    processor_roles = set(v.roles)
    for j, processor in enumerate(v.processors):
        if processor.role not in processor_roles:
            issues.append((("processors", j, "role"), f"role {processor.role!r} is not listed under `roles`"))

    # Target groups: samples exist only where phase 1 does, and a joint sample has one size.
    joint_sizes: dict[str, set[int | None]] = {}
    for j, group in enumerate(v.target_groups):
        if group.sample_size is not None and 1 not in v.phases:
            issues.append((("target_groups", j, "sample_size"), "a sample size needs phase 1"))
        if group.sample is not None:
            joint_sizes.setdefault(group.sample, set()).add(group.sample_size)
    for j, group in enumerate(v.target_groups):
        if group.sample is not None and len(joint_sizes[group.sample]) > 1:
            issues.append(
                (
                    ("target_groups", j, "sample_size"),
                    f"groups of joint sample {group.sample!r} must share one sample_size",
                )
            )

    group_names = {g.name for g in v.target_groups}
    input_names = {i.name for i in v.inputs}
    for j, dataset in enumerate(v.datasets):
        populations = dataset.populations
        for k, name in enumerate(populations):
            if name not in group_names:
                path: FieldPath = ("datasets", j, "population")
                if not isinstance(dataset.population, str):
                    path = (*path, k)
                issues.append((path, f"population {name!r} is not a target group of this version"))
        columns = [var.column_name for var in dataset.variables]
        for name in sorted(_duplicates(columns)):
            issues.append(
                (
                    ("datasets", j, "variables", len(columns) - 1 - columns[::-1].index(name), "name"),
                    f"column {name!r} appears twice; give one a different `column`",
                )
            )
        for k, variable in enumerate(dataset.variables):
            if variable.after_outflow and dataset.selection != "outflow":
                issues.append(
                    (
                        ("datasets", j, "variables", k, "after_outflow"),
                        "after_outflow needs selection: outflow",
                    )
                )
            if variable.condition is not None:
                flag = variable.condition.removeprefix("not ")
                if flag not in columns:
                    issues.append(
                        (
                            ("datasets", j, "variables", k, "condition"),
                            f"condition {flag!r} must be a variable of the same dataset",
                        )
                    )
            if variable.source is not None and variable.source not in input_names:
                issues.append(
                    (("datasets", j, "variables", k, "source"), f"input {variable.source!r} is not declared")
                )
        if dataset.window is not None and dataset.unit not in ("person-quarter", "employer-quarter"):
            issues.append((("datasets", j, "window"), "a window of quarters needs a quarterly unit"))

    requested = set(v.variable_names()) | {var.column_name for d in v.datasets for var in d.variables}
    for field in ("quasi_identifiers", "sensitive"):
        for j, name in enumerate(getattr(v.disclosure, field)):
            if name not in requested:
                issues.append((("disclosure", field, j), f"{name!r} is not a variable of any dataset"))

    retention = v.retention
    if retention.until is not None:
        if retention.until <= permit.decision_date:
            issues.append((("retention", "until"), "retention must end after the decision date"))
        elif retention.until < v.effective:
            issues.append((("retention", "until"), "retention ends before this version takes effect"))
    if retention.requested_until is not None and retention.until is None:
        issues.append((("retention", "requested_until"), "requested_until only accompanies `until`"))
    if retention.phase1_years_after_delivery is not None and 1 not in v.phases:
        issues.append((("retention", "phase1_years_after_delivery"), "needs phase 1"))
    if v.online is not None:
        known_blocks = codelists.codes("dmfa_blocks")
        for j, block in enumerate(v.online.blocks):
            if block not in known_blocks:
                issues.append(
                    (("online", "blocks", j), f"{block} is not a DmfA functional block (glossary 2023/3)")
                )
        for block in sorted(_duplicates(list(v.online.blocks))):
            issues.append(
                (("online", "blocks", v.online.blocks.index(block)), f"block {block} is listed twice")
            )
    if v.online is not None and v.online.indefinite and retention.until is not None:
        issues.append(
            (("retention", "until"), "an indefinite permit has no end date; use years_after_record")
        )
    return issues
