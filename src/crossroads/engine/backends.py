"""The one place where DuckDB and Spark differ: connecting, registering Parquet files, materialising.

Everything above this module builds Ibis expressions and calls :class:`Engine` methods; no other module
asks which backend it runs on. Capability flags describe the differences that remain visible.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from crossroads import codelists
from crossroads.scratch import private_folder
from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

BackendName = Literal["duckdb", "spark"]
BACKENDS: tuple[BackendName, ...] = ("duckdb", "spark")
_counter = itertools.count()
_SAME_ROWS = 10_000
"""``register_arrow`` looks for an equal earlier table only among tables of at most this many rows (the
quarter steps of a frame, a code list), not among the slices' lists of persons."""
ARROW_BATCH_ROWS = 1_000_000
DUCKDB_MEMORY = "6GB"
"""Default DuckDB memory limit (``CROSSROADS_DUCKDB_MEMORY`` overrides); beyond it DuckDB spills to disk."""


@dataclass(frozen=True)
class Capabilities:
    """Differences between the backends that callers may need to know."""

    in_process: bool
    """Results come back without a cluster round trip (DuckDB)."""
    distributed: bool
    """Work can spread over executors (Spark)."""
    query_overhead_s: float
    """Rough fixed cost of one query, to decide whether to batch small queries."""
    deep_queries: bool = True
    """One query may nest dozens of joins (DuckDB). Spark's SQL is compiled through sqlglot's Spark dialect,
    whose recursion overflowed Python's stack on the ~35 joins of a 21/150 file: such queries are stored in
    steps instead."""
    cheap_materialise: bool = True
    """Storing an intermediate table is cheap and keeps later plans small (DuckDB temp tables). On Spark every
    cached table carries its whole plan into the plans built on it, and the plan strings of a full extract
    exhausted a 2 GB driver; building blocks are then left to the optimiser."""


CAPABILITIES: dict[BackendName, Capabilities] = {
    "duckdb": Capabilities(in_process=True, distributed=False, query_overhead_s=0.001),
    "spark": Capabilities(
        in_process=False, distributed=True, query_overhead_s=0.3, cheap_materialise=False, deep_queries=False
    ),
}


PINNED = frozenset({"occupations"})
"""Person-level building blocks that flatten the DmfA (every worker of the country): a run built in slices
builds them once and cuts each slice's rows from them, instead of scanning the DmfA again per slice. Their
parts hold the slice's own persons only; what the household variables read about the other members (FTE and
pay per quarter) comes with them as companions (``Engine.memo``) keyed ``MEMBERS``."""
QUARTER_CHUNKED = frozenset({"occupations", "scoped:socio_economic_position", "scoped:worker_line_flags"})
"""Shared blocks whose rows of a quarter come from that quarter's rows of the quarter-keyed tables alone
(``catalog.jobs.QUARTER_TABLES``): a pass builds them a calendar year at a time. At scale 1.0 the flattened
DmfA of a pass of 1.5 M persons in one query held hash tables of ~35 M occupations, spilled 17 GB and took
4.5 minutes; the socio-economic positions of 7 M persons over 8 years (213 M rows) sorted by slice took
92-96 s in one query, 76-79 s a year at a time."""
SCOPED = "scoped:"
"""Memo keys of person-keyed rows restricted to the scope (``catalog.jobs.person_rows``): in a sliced run
they are cut into per-slice parts once, like ``PINNED`` blocks, instead of scanning the table per slice; a
slice's part holds its own persons' rows only."""
MEMBERS = "members:"
"""Like ``SCOPED``, for rows the household variables also read about the other members of a point's
household: a slice's part holds the rows of its persons and of their households' members, who are in no
target group or, where a household is larger than a slice (``engine.slicing``), another slice's own persons
(cutting every block that wide copied the flattened DmfA 2.2 times over when slices were INSZ ranges)."""
SLICE_COLUMN = "slice__"
OWN_COLUMN = "own__"
"""In the slices of a run (``Engine.set_run_scope``): the person is the slice's own (a person of the target
groups put in the slice), not a household member of one of them."""
FIRST_COLUMN = "first__"
"""In a pass's per-slice parts: the row's person has its first part of the pass here (the pass's rows, that
other blocks of the pass are built on, hold each person once)."""
_FIRST_OWN = "first_own__"
"""In a pass's persons: the first slice the person is own in (where an own-persons block's rows are the
pass's)."""


def _partitioned(key: str) -> bool:
    """Whether a sliced run builds the block once per pass and cuts it into per-slice parts."""
    return key in PINNED or key.startswith((SCOPED, MEMBERS))


def _unscoped(memo: dict[str, ir.Table]) -> dict[str, ir.Table]:
    """The memos that stay valid when the scope or the run's quarters change: reference tables and blocks
    keyed ``@all`` (built from whole tables)."""
    return {k: v for k, v in memo.items() if k.startswith("lookup:") or k.endswith("@all")}


def _years(window: tuple[int, int] | None) -> list[tuple[int, int]]:
    """Quarters ``first`` to ``last`` (YYYYQ) cut at calendar years: [(first, YYYY4), ..., (YYYY1, last)]."""
    if window is None:
        return []
    first, last = window
    return [
        (max(first, year * 10 + 1), min(last, year * 10 + 4)) for year in range(first // 10, last // 10 + 1)
    ]


class EngineError(Exception):
    """The engine cannot run (unknown backend, missing session, bad request)."""


def _spark_session() -> Any:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("crossroads-engine")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "6g")
        # A whole file comes back to the driver (the users file at scale 0.1: ~4 M rows x 20 columns).
        .config("spark.driver.maxResultSize", "4g")
        # Size estimates of derived tables are poor; a broadcast of a large one exhausted the driver at
        # scale 0.1, so joins are shuffled (sort-merge) instead, also when adaptive execution re-plans.
        .config("spark.sql.autoBroadcastJoinThreshold", "-1")
        .config("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1")
        # Adaptive execution merges the many small shuffle partitions of the per-variable queries.
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class Engine:
    """A warehouse opened on one backend: the ``Sources`` the catalog derivations read."""

    def __init__(self, warehouse: Warehouse, backend: BackendName = "duckdb", spark: Any = None) -> None:
        if backend not in BACKENDS:
            raise EngineError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        self.warehouse = warehouse
        self.name: BackendName = backend
        self.capabilities = CAPABILITIES[backend]
        self._prefix = f"cr{next(_counter)}_"
        self._tmp = private_folder("crossroads-engine")
        self._tables: dict[str, ir.Table] = {}
        self._overrides: dict[str, ir.Table] = {}
        self._memo: dict[str, ir.Table] = {}
        self._scope: ir.Table | None = None
        self._slices: ir.Table | None = None
        """``insz``, ``slice__``, ``own__``: the scope of each slice of a sliced run (``set_run_scope``)."""
        self._slice: int | None = None
        self._pass_slices: int | None = None
        """Slices whose building blocks are built together (``set_run_scope``); None: all of them."""
        self._pass: int | None = None
        """The pass of the slice being worked on."""
        self._pinning = False
        self._pinning_key: str | None = None
        """The block whose pass is being built (``_part``)."""
        self._pinning_wide = False
        """Whether that block holds households' members (it may not read an own-persons block's pass rows)."""
        self._parts_dir: Path | None = None
        self._pinned: dict[tuple[str, int], tuple[ir.Table, Path]] = {}
        """Building blocks built once per pass of slices (see ``PINNED``, ``SCOPED``): (key, pass) -> the
        pass's rows and the folder of their per-slice parts."""
        self._pass_rows: tuple[int, ir.Table, ir.Table] | None = None
        """The pass's persons in their slices and its scope (``_pass_persons``)."""
        self.run_quarters: tuple[int, int] | None = None
        """The quarters of the quarter-keyed tables the run's person blocks hold (``set_run_quarters``); None:
        all."""
        self._stored: list[ir.Table] = []
        """Every table ``materialise`` stored, in order (``release_since`` drops the later ones)."""
        self._stored_ids: set[int] = set()
        self._kept: set[int] = set()
        self._by_expression: dict[ops.Relation, ir.Table] = {}
        """DuckDB: the table stored for each expression (``materialise`` stores an equal expression once)."""
        self._expression_of: dict[str, ops.Relation] = {}
        """The expression each of those tables was stored for, by the table's name."""
        self._registered: dict[str, list[tuple[pa.Table, ir.Table]]] = {}
        """Small tables given to ``register_arrow``, by name: equal rows are registered once."""
        if backend == "duckdb":
            # Bounded memory: DuckDB spills to the engine's temporary folder beyond the limit.
            self.con: Any = ibis.duckdb.connect(
                memory_limit=os.environ.get("CROSSROADS_DUCKDB_MEMORY", DUCKDB_MEMORY),
                temp_directory=str(self._tmp / "spill"),
                preserve_insertion_order=False,
            )
            self.spark: Any = None
        else:
            self.spark = spark if spark is not None else _spark_session()
            self.con = ibis.pyspark.connect(self.spark)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Drop temporary views and files (they may hold identifiers of a sample)."""
        if self.name == "spark" and self.spark is not None:
            for view in self.spark.catalog.listTables():
                if view.name.startswith(self._prefix) and view.isTemporary:
                    self.spark.catalog.dropTempView(view.name)
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ registering data
    def _read_parquet(self, name: str, files: list[str]) -> ir.Table:
        view = f"{self._prefix}{name}"
        if self.name == "duckdb":
            return self.con.read_parquet(files, table_name=view, hive_partitioning=False)
        # Reading the files themselves (not their folder) keeps Spark from adding a ``year`` partition column.
        self.spark.read.parquet(*files).createOrReplaceTempView(view)
        return self.con.table(view)

    def register_arrow(self, name: str, data: pa.Table) -> ir.Table:
        """A small in-memory table on the backend (through a temporary Parquet file: types survive).

        A table of at most ``_SAME_ROWS`` rows equal to one registered before under the same name is that
        table again: expressions built on equal rows are then equal, and so is what is stored of them (two
        datasets' frames over the same persons and quarters are one set of points for the derivations)."""
        small = data.num_rows <= _SAME_ROWS
        if small:
            for earlier, table in self._registered.get(name, ()):
                if earlier.equals(data, check_metadata=True):
                    return table
        path = self._tmp / f"{name}-{next(_counter)}.parquet"
        pq.write_table(data, path)
        table = self._read_parquet(f"{name}_{next(_counter)}", [str(path)])
        if small:
            self._registered.setdefault(name, []).append((data, table))
        return table

    def table(self, name: str) -> ir.Table:
        """A warehouse table; an empty one with the declared schema when the warehouse has none."""
        if name in self._overrides:
            return self._overrides[name]
        if name not in self._tables:
            spec = table_spec(name)
            files = [str(p) for p in self.warehouse.files(name)] if self.warehouse.exists() else []
            if files:
                self._tables[name] = self._read_parquet(name, files)
            else:
                self._tables[name] = self.register_arrow(name, spec.arrow_schema().empty_table())
        return self._tables[name]

    def raw_table(self, name: str) -> ir.Table:
        """The stored table, ignoring a linked replacement (for the linkage itself)."""
        saved = self._overrides.pop(name, None)
        try:
            return self.table(name)
        finally:
            if saved is not None:
                self._overrides[name] = saved

    def replace(self, name: str, expr: ir.Table) -> None:
        """Serve ``expr`` (e.g. the linked provider input) wherever ``name`` is read from now on."""
        self._overrides[name] = self.materialise(expr)
        self._memo.clear()

    def lookup(self, name: str) -> ir.Table:
        """Reference tables: ``geography`` (municipality -> arrondissement, province, region)."""
        if name != "geography":
            raise EngineError(f"unknown reference table {name!r}; known: geography")
        key = f"lookup:{name}"
        if key not in self._memo:
            m = codelists.municipalities()
            data = pa.table(
                {
                    "nis_code": pa.array(m["nis_code"].tolist(), pa.string()),
                    "arrondissement_nis": pa.array(m["arrondissement_nis"].tolist(), pa.string()),
                    "province_nis": pa.array([p or None for p in m["province_nis"]], pa.string()),
                    "region_nis": pa.array(m["region_nis"].tolist(), pa.string()),
                }
            )
            self._memo[key] = self.register_arrow("geography", data)
        return self._memo[key]

    def scope(self) -> ir.Table | None:
        return self._scope

    def set_scope(self, persons: ir.Table | None) -> None:
        """Restrict the person-level building blocks to ``persons`` (``insz``); rebuilds them when used."""
        self._scope = None if persons is None else self.materialise(persons.select("insz").distinct())
        self._memo = _unscoped(self._memo)

    def set_run_quarters(self, window: tuple[int, int] | None) -> None:
        """Build the person blocks of the quarter-keyed tables (the flattened DmfA, the socio-economic
        position: ``catalog.jobs.QUARTER_TABLES``) for quarters ``first`` to ``last`` only
        (``engine.windows.run_quarters``): at scale 1.0 they span 18 years, a permit's datasets a few. None:
        every quarter. Forgets built blocks."""
        if window is not None and window[0] > window[1]:
            raise EngineError(f"run quarters {window[0]} to {window[1]}: the first is after the last")
        self.run_quarters = window
        self._memo = _unscoped(self._memo)

    def set_run_scope(self, slices: ir.Table | None, pass_slices: int | None = None) -> None:
        """The scopes of every slice of a sliced run: ``insz``, ``slice__`` (the slice's number) and
        ``own__`` (``OWN_COLUMN``: the slice's own person, not a household member of one; without the column
        every person is own), a person once per slice that reads about them (household members of two slices
        are in both).

        The ``PINNED`` building blocks and the ``SCOPED`` rows are built once for everyone of a pass of
        ``pass_slices`` consecutive slices (None: the whole run), when a slice of the pass first asks, and
        written sorted by slice; each slice then reads only its own part, its row groups (``set_slice``).
        Without this every slice scanned whole tables again: a run of n slices read the warehouse n times.
        Passes bound the spill and the parts on disk: at scale 1.0 the blocks of the whole run needed more
        than 58 GB of temporary space. Slices are worked in order: a new pass removes the former's parts.
        None: the run is over (its parts are removed).
        """
        self._drop_pinned()
        if self._parts_dir is not None:
            shutil.rmtree(self._parts_dir, ignore_errors=True)
            self._parts_dir = None
        self._slice = self._pass = None
        if pass_slices is not None and pass_slices < 1:
            raise EngineError(f"a pass holds at least one slice, not {pass_slices}")
        self._pass_slices = pass_slices
        if slices is None:
            self._slices = None
            return
        if OWN_COLUMN in slices.columns:
            # A person both own and a member in a slice (two group persons of one household) is own there.
            runs = slices.group_by("insz", SLICE_COLUMN).aggregate(**{OWN_COLUMN: slices[OWN_COLUMN].max()})
        else:
            runs = slices.select("insz", SLICE_COLUMN).distinct().mutate(**{OWN_COLUMN: ibis.literal(True)})
        # Sorted by slice: a slice's rows are read from their own row groups (``set_slice``).
        self._slices = self.materialise(runs.order_by(SLICE_COLUMN), keep=True)
        self._parts_dir = self._tmp / f"parts-{next(_counter)}"
        self._parts_dir.mkdir()

    def _drop_pinned(self) -> None:
        self._drop_pass_persons()
        for _, folder in self._pinned.values():
            shutil.rmtree(folder.parent, ignore_errors=True)
        self._pinned = {}

    def set_slice(self, number: int | None) -> None:
        """Work on slice ``number`` of the run (``set_run_scope``): its persons become the scope."""
        if self._slices is None:
            raise EngineError("set_slice needs the slices of the run (set_run_scope)")
        self._slice = number
        if number is None:
            self._pass = None
            self.set_scope(None)
        else:
            self._pass = 0 if self._pass_slices is None else number // self._pass_slices
            self.set_scope(self._slices.filter(self._slices[SLICE_COLUMN] == number))

    def memo(
        self,
        key: str,
        build: Callable[[], ir.Table],
        companions: Mapping[str, Callable[[ir.Table], ir.Table]] | None = None,
    ) -> ir.Table:
        """``build()`` once per scope, stored (see ``catalog.model.Sources.memo``).

        ``companions``: blocks computed from this block's rows (memo key -> function of the rows), which a
        sliced run builds in the same pass from each chunk of those rows; their keys start with ``MEMBERS``
        (they hold household members' rows where the block holds the own persons'). Elsewhere a companion is
        built when its own key is asked. The pass reads ``build()``'s expression once per write (the block's,
        then each companion's), so ``build`` stores what is costly to compute (``scoped:`` memos).
        """
        if key not in self._memo:
            partitioned = _partitioned(key)
            pinned = self._pinned.get((key, self._pass)) if self._pass is not None else None
            if partitioned and self._pinning and pinned is not None:
                if self._pinning_wide and not key.startswith(MEMBERS):
                    # The pass's rows of an own-persons block lack the households' other members.
                    raise EngineError(
                        f"the shared block {self._pinning_key!r} covers households' members but reads "
                        f"{key!r}, which a sliced run holds for the slices' own persons only"
                    )
                self._memo[key] = pinned[0]  # a block built on another: the pass's rows
            elif partitioned and self._slice is not None and not self._pinning:
                self._memo[key] = self._part(key, build, dict(companions or {}))
            else:
                self._memo[key] = self.materialise(build())
        return self._memo[key]

    def _part(
        self,
        key: str,
        build: Callable[[], ir.Table],
        companions: dict[str, Callable[[ir.Table], ir.Table]] | None = None,
    ) -> ir.Table:
        """The current slice's part of ``build()``, built once for the slice's pass (with its companions)
        and cut by slice."""
        assert self._parts_dir is not None and self._slices is not None and self._slice is not None
        assert self._pass is not None
        companions = companions or {}
        if (key, self._pass) not in self._pinned:
            if any(p != self._pass for _, p in self._pinned):
                self._drop_pinned()  # a new pass: the former's parts are read no more
            wrong = [c for c in companions if not c.startswith(MEMBERS)]
            if wrong:
                raise EngineError(f"companions of {key!r} must be keyed {MEMBERS}<name>, not {wrong}")
            # Built as for a scope of everyone in the pass (the slice's own blocks set aside meanwhile);
            # rows of a person do not depend on other persons, so a slice's rows are the same either way.
            scope, memo = self._scope, self._memo
            self._memo = _unscoped(memo)
            mark = self.stored_count()
            try:
                in_pass, self._scope = self._pass_persons()
                self._pinning = True
                self._pinning_key = key
                self._pinning_wide = key.startswith(MEMBERS) or bool(companions)
                folders = {k: self._parts_dir / f"p{next(_counter)}" for k in (key, *companions)}
                # Written straight into the slices' parts; the pass's rows (other blocks of the pass may be
                # built on them) are the parts' rows of each person's first slice. Writing the rows whole and
                # then cutting them wrote the pass's DmfA twice and kept both copies on the temporary disk.
                schemas = self._write_parts(key, build, companions, in_pass, folders)
                for k, folder in folders.items():
                    files = sorted(str(f) for f in folder.glob("*.parquet"))
                    rows = self._read_parquet(f"pass{next(_counter)}", files) if files else None
                    whole = (
                        rows.filter(rows[FIRST_COLUMN]).drop(FIRST_COLUMN, SLICE_COLUMN)
                        if rows is not None
                        else self.register_arrow("pass", schemas[k].empty_table()).drop(FIRST_COLUMN)
                    )
                    self._pinned[k, self._pass] = whole, folder
            finally:
                self._scope, self._memo, self._pinning = scope, memo, False
                self._pinning_key, self._pinning_wide = None, False
                self.release_since(mark)
        whole, parts = self._pinned[key, self._pass]
        schema = whole.schema().to_pyarrow().append(pa.field(FIRST_COLUMN, pa.bool_()))
        rows = self._read_folder("part", parts, schema.append(pa.field(SLICE_COLUMN, pa.int64())))
        # The files are sorted by slice: the filter reads the slice's own row groups (Parquet statistics).
        return rows.filter(rows[SLICE_COLUMN] == self._slice).drop(FIRST_COLUMN, SLICE_COLUMN)

    def _pass_persons(self) -> tuple[ir.Table, ir.Table]:
        """The slices of the pass's persons (``insz``, the slice, ``OWN_COLUMN``, ``FIRST_COLUMN``) and the
        pass's scope (its own persons and their households' members), stored once for every block of the
        pass."""
        assert self._slices is not None and self._pass is not None
        if self._pass_rows is None or self._pass_rows[0] != self._pass:
            self._drop_pass_persons()
            in_pass = self._slices
            if self._pass_slices is not None:
                first = self._pass * self._pass_slices
                number = in_pass[SLICE_COLUMN]
                in_pass = in_pass.filter((number >= first) & (number < first + self._pass_slices))
            # A person of two slices (a household member of another slice) is in both; their rows are the
            # pass's once, in the first.
            number = in_pass[SLICE_COLUMN]
            first_slice = number.min().over(ibis.window(group_by="insz"))
            # ... and an own person's once, in its first slice as own (a person is own in one slice only,
            # unless the slices come without OWN_COLUMN: then everyone is own everywhere).
            first_own = number.min(where=in_pass[OWN_COLUMN]).over(ibis.window(group_by="insz"))
            in_pass = self.materialise(
                in_pass.mutate(
                    **{
                        FIRST_COLUMN: number == first_slice,
                        _FIRST_OWN: in_pass[OWN_COLUMN] & (number == first_own),
                    }
                ),
                keep=True,
            )
            scope = self.materialise(in_pass.select("insz").distinct(), keep=True)
            self._pass_rows = (self._pass, in_pass, scope)
        return self._pass_rows[1], self._pass_rows[2]

    def _drop_pass_persons(self) -> None:
        if self._pass_rows is not None:
            for table in self._pass_rows[1:]:
                self._kept.discard(id(table))
                self._drop(table)
            self._pass_rows = None

    def _write_parts(
        self,
        key: str,
        build: Callable[[], ir.Table],
        companions: dict[str, Callable[[ir.Table], ir.Table]],
        in_pass: ir.Table,
        folders: dict[str, Path],
    ) -> dict[str, pa.Schema]:
        """``build()``'s rows of each slice of the pass (``in_pass``: ``insz``, the slice, ``OWN_COLUMN``,
        ``FIRST_COLUMN``) written to ``folders[key]``, sorted by slice, and each companion's rows to
        its folder; a year of the run's quarters at a time for ``QUARTER_CHUNKED`` blocks (the same rows: each
        quarter's come from that quarter alone). The schemas of the parts' files."""
        every = in_pass.select("insz", SLICE_COLUMN, FIRST_COLUMN)
        own = in_pass.filter(in_pass[OWN_COLUMN]).select("insz", SLICE_COLUMN, **{FIRST_COLUMN: _FIRST_OWN})
        schemas: dict[str, pa.Schema] = {}

        def write(k: str, rows: ir.Table, name: str) -> None:
            expr = rows.join(every if k.startswith(MEMBERS) else own, "insz")
            self._write(expr, folders[k], SLICE_COLUMN, name=name)
            schemas[k] = expr.drop(SLICE_COLUMN).schema().to_pyarrow()

        def chunk(name: str) -> None:
            # One expression, cut for the own persons and summed for the companions: not stored whole (a
            # copy of the pass's DmfA year); the block stores its costly parts itself (``memo``).
            rows = build()
            write(key, rows, name)
            for k, companion in companions.items():
                write(k, companion(rows), name)

        years = _years(self.run_quarters or self._quarter_span()) if key in QUARTER_CHUNKED else []
        if not years:
            chunk("rows.parquet")
            return schemas
        window, memo = self.run_quarters, self._memo
        try:
            for first, last in years:
                self.run_quarters = (first, last)
                self._memo = _unscoped(memo)  # blocks of other quarters are not this year's
                mark = self.stored_count()
                chunk(f"rows-{first // 10}.parquet")
                self.release_since(mark)
        finally:
            self.run_quarters, self._memo = window, memo
        return schemas

    def _quarter_span(self) -> tuple[int, int] | None:
        """The first and last quarter of the DmfA occupations (None: there are none)."""
        occ = self.table("dmfa_occupation")
        span = self.to_arrow(occ.aggregate(low=occ.quarter.min(), high=occ.quarter.max())).to_pylist()[0]
        return None if span["low"] is None else (int(span["low"]), int(span["high"]))

    def _write(self, expr: ir.Table, folder: Path, sort_by: str, name: str = "rows.parquet") -> None:
        """``expr`` sorted by ``sort_by`` and streamed by the backend to Parquet files in ``folder`` (``name``
        on DuckDB), added to the folder's files (a chunked block writes a file a year). Sorted, a value's rows
        share a few row groups, which a filter on the column reads alone: at 1.0 a year of the flattened DmfA
        written so took 13-14 s against 16-17 s written into one subfolder per slice (``PARTITION_BY``)."""
        if self.name == "duckdb":
            folder.mkdir(parents=True, exist_ok=True)
            sql = str(self.con.compile(expr.order_by(sort_by)))
            self.con.con.execute(f"COPY ({sql}) TO '{folder / name}' (FORMAT parquet)")
        else:
            self.spark.sql(str(self.con.compile(expr))).orderBy(sort_by).write.mode("append").parquet(
                str(folder)
            )

    def _read_folder(self, name: str, folder: Path, schema: pa.Schema) -> ir.Table:
        """The Parquet files of ``folder`` as a table (an empty one with ``schema`` when there are none)."""
        files = sorted(str(f) for f in folder.glob("*.parquet"))
        if not files:
            return self.register_arrow(name, schema.empty_table())
        return self._read_parquet(f"{name}{next(_counter)}", files)

    def materialise(
        self, expr: ir.Table, eager: bool = False, keep: bool = False, present: str | None = None
    ) -> ir.Table:
        """Compute once and keep (DuckDB temp table, Spark local checkpoint behind a view).

        ``keep``: for the whole run (target groups), never dropped by ``release_since``.
        ``present``: keep only the rows where this column is not null. On DuckDB the rows are stored, then
        those with a null deleted: a filter in the query is pushed below the projection that computes the
        column, so its expression (a class map, a case of codes) was computed twice, once to filter and once
        to store (the derivations of a slice of 21/128: 8.0 s against 6.9 s).
        """
        if present is not None and self.name == "duckdb":
            # Not ``_store``: it hands back one stored table per equal expression, and the deletion must not
            # reach a table stored whole for another use.
            name = f"{self._prefix}p{next(_counter)}"
            raw = self.con.con
            raw.execute(f'CREATE TEMP TABLE "{name}" AS {self.con.compile(expr)}').fetchall()
            raw.execute(f'DELETE FROM "{name}" WHERE "{present}" IS NULL').fetchall()
            stored = self.con.table(name)
            if keep:
                self._kept.add(id(stored))
            else:
                self._stored.append(stored)
                self._stored_ids.add(id(stored))
            return stored
        if present is not None:
            expr = expr.filter(expr[present].notnull())
        if self.name == "spark":
            # A cached view keeps the whole plan it came from; nested materialisations (population -> scope
            # -> frame -> points -> building blocks) grew plans of millions of characters that filled the
            # driver's heap. A local checkpoint stores the rows and forgets the plan.
            view = f"{self._prefix}m{next(_counter)}"
            self.spark.sql(str(self.con.compile(expr))).localCheckpoint(eager=True).createOrReplaceTempView(
                view
            )
            stored = self.con.table(view)
        else:
            known = self._by_expression.get(expr.op())
            stored = known if known is not None else self._store(expr)
        # An equal expression gets the same stored table: record each table once, at its first storing, so a
        # slice never releases a table stored before it.
        if keep:
            self._kept.add(id(stored))
        elif id(stored) not in self._kept and id(stored) not in self._stored_ids:
            self._stored.append(stored)
            self._stored_ids.add(id(stored))
        return stored

    def _store(self, expr: ir.Table) -> ir.Table:
        """DuckDB: ``expr``'s rows in a new temporary table with the columns and types Ibis gives them.

        What Ibis's ``cache`` does, without its Python cost: it wraps the compiled query in an INSERT by
        copying the query's whole syntax tree and generates the SQL again: ~12 ms a table, ~100 tables a
        slice of 21/128, 7-15 % of a run of it on a warehouse of 7,300 persons."""
        name = f"{self._prefix}s{next(_counter)}"
        schema = expr.schema()
        columns = ", ".join(
            column.sql(self.con.dialect) for column in schema.to_sqlglot_column_defs(self.con.dialect)
        )
        raw = self.con.con
        raw.execute(f'CREATE TEMP TABLE "{name}" ({columns})')
        try:
            raw.execute(f'INSERT INTO "{name}" {self.con.compile(expr)}').fetchall()
        except BaseException:
            raw.execute(f'DROP TABLE IF EXISTS "{name}"')
            raise
        stored = self.con.table(name)
        self._by_expression[expr.op()] = stored
        self._expression_of[name] = expr.op()
        return stored

    def stored_count(self) -> int:
        """A mark for ``release_since``: how many tables have been stored so far."""
        return len(self._stored)

    def release_since(self, mark: int) -> None:
        """Drop the tables stored after ``mark`` (a finished slice's building blocks): DuckDB frees their
        memory and spill files; Spark forgets their views. Memos built on them are forgotten too."""
        later, self._stored = self._stored[mark:], self._stored[:mark]
        dropped = {id(t) for t in later if id(t) not in self._kept}
        later = [t for t in later if id(t) in dropped]
        self._stored_ids -= dropped
        self._memo = {k: v for k, v in self._memo.items() if id(v) not in dropped}
        for table in later:
            self._drop(table)

    def _drop(self, table: ir.Table) -> None:
        if self.name == "spark":
            self.spark.catalog.dropTempView(table.get_name())
        else:  # DuckDB: every stored table is one of ``materialise``'s own
            name = table.op().name
            self._by_expression.pop(self._expression_of.pop(name, None), None)
            self.con.con.execute(f'DROP TABLE IF EXISTS "{name}"')

    # ------------------------------------------------------------------ results
    def batches(self, expr: ir.Table) -> Iterator[pa.RecordBatch]:
        """The rows in order, a batch at a time, with the types Ibis gives them.

        DuckDB streams (it never holds a second full copy of a large result); Spark collects the result
        first (its driver holds it once).
        """
        schema = expr.schema().to_pyarrow()
        if self.name == "duckdb":
            # (Ibis 12's own to_pyarrow_batches calls a method DuckDB 2.0 renamed: the SQL goes directly.)
            reader = self.con.con.sql(str(self.con.compile(expr))).to_arrow_reader(ARROW_BATCH_ROWS)
            for batch in reader:
                yield batch.cast(schema)  # a no-op where DuckDB already gave Ibis's types
            return
        table: pa.Table = expr.to_pyarrow()
        yield from table.to_batches(max_chunksize=ARROW_BATCH_ROWS)

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        if self.name == "duckdb":
            schema = expr.schema().to_pyarrow()
            return pa.Table.from_batches(list(self.batches(expr)), schema=schema)
        result: pa.Table = expr.to_pyarrow()
        return result

    def scalar(self, expr: ir.Scalar) -> Any:
        return expr.to_pyarrow().as_py()


def connect(warehouse: Warehouse | str | Path, backend: BackendName = "duckdb", spark: Any = None) -> Engine:
    """Open a warehouse on DuckDB (default) or Spark (local mode unless a session is given)."""
    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    return Engine(wh, backend, spark)
