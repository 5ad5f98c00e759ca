"""Build a synthetic warehouse: chunks of persons, each from its own seed, streamed to Parquet.

``build(out_dir, scale, seed)`` writes every table of ``schema.TABLES`` into a temporary sibling directory
and renames it into place at the end, so an interrupted build leaves nothing half-written. Chunk ``c``
draws from ``SeedSequence([seed, c])`` and employers from ``SeedSequence([seed, EMPLOYER_STREAM])``; the
manifest's ``created`` is derived from the seed, so the same seed and scale give byte-identical files.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from crossroads.warehouse.schema import TABLES
from crossroads.warehouse.storage import Warehouse, record_tables, write_tables
from crossroads.warehouse.synthetic import (
    benefits,
    careers,
    dmfa,
    education,
    employers,
    households,
    population,
    positions,
    social_economy,
    vouchers,
)
from crossroads.warehouse.synthetic.geography import geography
from crossroads.warehouse.synthetic.period import N_QUARTERS, PERIOD, Y_END, dates
from crossroads.warehouse.synthetic.residence import Residence

GENERATOR_VERSION = "1.0"
CHUNK_PERSONS = 60_000
EMPLOYER_STREAM = 2**31 - 1
SOCIAL_ECONOMY_STREAM = 2**31 - 2
"""Draws of the social-economy lists and columns (15/018): their own stream, so they change nothing else."""
ProgressHook = Callable[[str, int, int], None]


class WarehouseExists(FileExistsError):
    """The output directory already holds something and ``force`` was not given."""


def n_chunks(scale: float) -> int:
    return max(1, math.ceil(population.PERSONS_PER_SCALE * scale / CHUNK_PERSONS))


def created_for(seed: int) -> str:
    """A fixed creation stamp derived from the seed (never the wall clock: builds must be reproducible)."""
    return (datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=seed % (365 * 86400))).isoformat()


def _id_base(chunk: int) -> int:
    return (chunk + 1) << 32


def build(
    out_dir: str | Path,
    scale: float,
    seed: int,
    progress: bool = False,
    force: bool = False,
    on_chunk: ProgressHook | None = None,
) -> Warehouse:
    """Build the warehouse at ``out_dir``; returns it. ``progress`` shows a Rich progress bar."""
    # above 1.5, more than 499 people of one sex would share a birth day: INSZ serials run out
    if not 0 < scale <= 1.5:
        raise ValueError(f"scale must be in (0, 1.5], got {scale}")
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not force:
        raise WarehouseExists(f"{out} exists and is not empty; use --force to replace it")
    tmp = out.parent / f".{out.name}.building"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    wh = Warehouse(tmp)
    chunks = n_chunks(scale)
    if progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
        )
        bar.start()
        task = bar.add_task("chunks of persons", total=chunks + 1)

        def hook(what: str, done: int, total: int) -> None:
            bar.update(task, completed=done, description=what)
    else:
        bar = None

        def hook(what: str, done: int, total: int) -> None:
            if on_chunk:
                on_chunk(what, done, total)

    try:
        stats = _write(wh, scale, seed, chunks, hook)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if bar is not None:
            bar.stop()
    manifest = record_tables(
        {
            "synthetic": True,
            "seed": seed,
            "scale": scale,
            "generator_version": GENERATOR_VERSION,
            "created": created_for(seed),
            "period": PERIOD,
            "persons": stats["persons"],
            "chunks": chunks,
        },
        stats["writers"],
    )
    manifest["updated"] = manifest["created"]  # reproducible: no wall-clock time in the manifest
    wh.write_manifest(manifest)
    try:
        _import_providers(wh, seed, stats["social_economy"])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # swap in: an old warehouse (--force) is moved aside and deleted only once the new one is in place
    old = out.parent / f".{out.name}.replaced"
    if out.exists():
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return Warehouse(out)


def _write(wh: Warehouse, scale: float, seed: int, chunks: int, hook: ProgressHook) -> dict[str, Any]:
    geo = geography()
    emp = employers.generate(
        np.random.default_rng(np.random.SeedSequence([seed, EMPLOYER_STREAM])), geo, scale
    )
    emp, se = social_economy.prepare(
        np.random.default_rng(np.random.SeedSequence([seed, SOCIAL_ECONOMY_STREAM])), emp, geo, scale
    )
    # the provider inputs are not generated as tables: the build writes the providers' files and imports them
    names = [t.name for t in TABLES if t.group != "inputs"]
    se_employees: list[pa.Table] = []
    seq_counter = np.zeros((emp.n, N_QUARTERS), np.int32)
    net_owed = np.zeros((emp.n, N_QUARTERS), np.int64)
    seen = np.zeros((emp.n, N_QUARTERS), bool)
    jobs_31dec = np.zeros((emp.n, len(Y_END)), np.int64)
    persons = 0
    with write_tables(wh, names) as w:
        w["employer"].write(emp.table_employer)
        w["local_unit"].write(emp.table_local_unit)
        w["voucher_company"].write(emp.table_voucher_company)

        def generate(c: int) -> tuple[dict[str, pa.Table], dmfa.Dmfa]:
            rng = np.random.default_rng(np.random.SeedSequence([seed, c]))
            se_rng = np.random.default_rng(np.random.SeedSequence([seed, c, SOCIAL_ECONOMY_STREAM]))
            return chunk_tables(rng, geo, emp, scale, chunks, c, seq_counter, se, se_rng)

        # Generate chunk c+1 in a worker thread while chunk c is written (numpy and Parquet release the
        # GIL, so the two cores both work). Chunks are generated one after the other and written in order,
        # so the result does not depend on the timing.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(generate, 0)
            for c in range(chunks):
                hook(f"chunk {c + 1}/{chunks}", c, chunks + 1)
                tables, d = pending.result()
                if c + 1 < chunks:
                    pending = pool.submit(generate, c + 1)
                se_employees.append(tables.pop("_se_employees"))
                persons += _write_chunk(w, tables, d, net_owed, seen, jobs_31dec)
        hook("employers", chunks, chunks + 1)
        w["dmfa_employer_declaration"].write(dmfa.declarations(emp, net_owed, seen))
        w["employer_year"].write(
            employers.employer_years(
                np.random.default_rng(np.random.SeedSequence([seed, EMPLOYER_STREAM, 1])), emp, jobs_31dec
            )
        )
        hook("done", chunks + 1, chunks + 1)
    se_files = social_economy.write_files(
        np.random.default_rng(np.random.SeedSequence([seed, SOCIAL_ECONOMY_STREAM, 1])),
        wh.root,
        se,
        emp,
        pa.concat_tables(se_employees),
    )
    return {"persons": persons, "writers": w, "social_economy": se_files}


def _import_providers(wh: Warehouse, seed: int, files: dict[str, list[Path]]) -> None:
    """Load the provider files through the import (quarantine and report), as real deliveries are loaded.

    The time stamp comes from the seed, so quarantine and Parquet file names are reproducible. The report
    (``providers/15-018/import-report.json``) holds counts, rules and row numbers, never a value.
    """
    from crossroads.warehouse.imports import import_files

    now = datetime.fromisoformat(created_for(seed))
    reports = []
    for name, paths in files.items():
        result = import_files(wh.root, name, paths, now=now, keep_synthetic=True)
        report = result.to_dict()
        report["warehouse"] = "."  # the build directory is renamed afterwards
        reports.append(report)
    out = wh.root / social_economy.PROVIDER_DIR / "import-report.json"
    out.write_text(json.dumps(reports, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _write_chunk(
    w: dict[str, Any],
    tables: dict[str, pa.Table],
    d: dmfa.Dmfa,
    net_owed: np.ndarray[Any, Any],
    seen: np.ndarray[Any, Any],
    jobs_31dec: np.ndarray[Any, Any],
) -> int:
    """Write one chunk's tables and add its DmfA totals to the per employer-quarter accumulators."""
    for name, tbl in tables.items():
        w[name].write(tbl)
    np.add.at(net_owed.reshape(-1), d.decl, d.net)
    seen.reshape(-1)[d.decl] = True
    year_end_q = d.k % 4 == 3
    np.add.at(jobs_31dec, (d.employer[year_end_q], d.k[year_end_q] // 4), 1)
    return int(tables["person"].num_rows)


def chunk_tables(
    rng: np.random.Generator,
    geo: Any,
    emp: employers.Employers,
    scale: float,
    chunks: int,
    c: int,
    seq_counter: np.ndarray[Any, Any],
    se: social_economy.SocialEconomy | None = None,
    se_rng: np.random.Generator | None = None,
) -> tuple[dict[str, pa.Table], dmfa.Dmfa]:
    """Every person-level table of chunk ``c``, plus ``_se_employees``: its rows of the agency's lists.

    ``se_rng`` draws the social-economy values (lists, OCMW and self-employment details) apart from ``rng``.
    """
    se_rng = se_rng if se_rng is not None else np.random.default_rng([c, SOCIAL_ECONOMY_STREAM])
    base = _id_base(c)
    people = population.generate(rng, geo, scale, chunks, c)
    out: dict[str, pa.Table] = {}
    last, first = population.names(rng, people)
    out["person"] = _person_table(people, geo, last, first)
    out["nationality"], out["residence_reason"] = _nationality(rng, people, geo)
    out["household"], _ = households.household_spells(people, base)
    res = Residence(people, rng, geo)
    out["residence"] = res.table(people)
    edu = education.generate(rng, people, res.first_region(people.n))
    out["education_level"] = education.education_levels(people, edu)
    out["certificate"] = education.certificates(rng, people, edu, base)
    region_on_arrival = _region_on_arrival(res, people)
    out["naric_recognition"] = education.naric(
        rng, people, region_on_arrival, geo.is_refugee_origin, geo.country_nis, base
    )
    car = careers.generate(rng, people, edu, emp)
    runs = careers.runs(car, people, edu)
    status = benefits.unemployment_status(runs, people, rng)
    spells = benefits.spells(rng, people, car, runs, emp, geo, status)
    covid = spells.pop("_covid").column("flag").to_numpy(zero_copy_only=False)
    assist_eq = spells.pop("_assist_eq").column("flag").to_numpy(zero_copy_only=False)
    spells["ocmw_employment"] = social_economy.ocmw_columns(
        se_rng, spells["ocmw_employment"], emp, emp.table_employer
    )
    spells["self_employment"] = social_economy.self_employment_columns(se_rng, spells["self_employment"])
    out.update(spells)
    if se is not None:
        on_day = {
            social_economy.REF_2008: car.job[:, social_economy.K_2008Q4],
            social_economy.REF_2013: car.job[:, social_economy.K_2013Q4],
        }
        job_employer = {
            ref: np.where(j >= 0, car.j_employer[np.maximum(j, 0)], -1).astype(np.int64)
            for ref, j in on_day.items()
        }
        # the agency's origin: the nationality at birth, or the country of birth of a Belgian born abroad
        fn = people.first_nationality.astype(np.int64)
        origin = np.where(fn != 0, fn, people.birth_country.astype(np.int64))
        foreign = np.where(origin == 0, 0, np.where(geo.is_eu[origin], 1, 2)).astype(np.int8)
        out["_se_employees"] = social_economy.employees(
            se_rng, se, emp, people.insz, job_employer, edu.level, foreign, car.disabled
        )
    d = dmfa.Dmfa(car, people, emp, geo, rng, base, seq_counter)
    out.update(d.tables)
    out["socio_economic_position"] = positions.positions(people, car, runs, emp, status, assist_eq, covid)
    out["voucher_order"] = vouchers.orders(rng, people, edu, car, res)
    out["voucher_worker_payment"] = vouchers.worker_payments(rng, people, d, emp, res)
    return out, d


def _region_on_arrival(res: Residence, people: population.People) -> np.ndarray[Any, Any]:
    return res.first_region(people.n)


def _person_table(people: population.People, geo: Any, last: pa.Array, first: pa.Array) -> pa.Table:
    n = people.n
    born_here = people.birth_country == 0
    # municipality of birth: the first household's municipality for people born here
    first_muni = np.full(n, -1, np.int64)
    order = np.lexsort((people.m_in, people.m_person))[::-1]
    first_muni[people.m_person[order]] = people.h_muni[people.m_household[order]]
    birth_muni = geo.nis.take(pa.array(np.maximum(first_muni, 0)))
    birth_muni = pa.array(
        np.where(born_here & (first_muni >= 0), birth_muni.to_numpy(zero_copy_only=False), None), pa.string()
    )
    parent_insz = []
    parent_nat = []
    for parent in (people.father, people.mother):
        known = parent >= 0
        ins = people.insz.take(pa.array(np.maximum(parent, 0).astype(np.int64))).to_numpy(
            zero_copy_only=False
        )
        parent_insz.append(pa.array(np.where(known, ins, None), pa.string()))
        nat = geo.country_nis.take(pa.array(people.first_nationality[np.maximum(parent, 0)].astype(np.int64)))
        # unknown parents: their nationality equals the child's origin for people born abroad
        fallback = geo.country_nis.take(pa.array(people.first_nationality.astype(np.int64)))
        parent_nat.append(
            pa.array(
                np.where(known, nat.to_numpy(zero_copy_only=False), fallback.to_numpy(zero_copy_only=False)),
                pa.string(),
            )
        )
    return pa.table(
        {
            "insz": people.insz,
            "register": pa.array(np.where(people.bis, "BIS", "RR").astype(object), pa.string()),
            "last_name": last,
            "first_names": first,
            "sex": pa.array(np.where(people.sex == 1, "1", "2").astype(object), pa.string()),
            "birth_date": dates(people.birth),
            "birth_country": geo.country_nis.take(pa.array(people.birth_country.astype(np.int64))),
            "birth_municipality": birth_muni,
            "first_nationality": geo.country_nis.take(pa.array(people.first_nationality.astype(np.int64))),
            "father_insz": parent_insz[0],
            "mother_insz": parent_insz[1],
            "father_first_nationality": parent_nat[0],
            "mother_first_nationality": parent_nat[1],
            "first_registration_date": dates(people.arrival),
            "death_date": dates(people.death),
        }
    )


def _nationality(rng: np.random.Generator, people: population.People, geo: Any) -> tuple[pa.Table, pa.Table]:
    """Nationality spells (foreign nationals naturalise after 5-15 years, 45 %) and residence reasons."""
    n = people.n
    foreign = people.first_nationality != 0
    natur = foreign & (rng.random(n) < 0.45)
    when = people.arrival + (rng.uniform(5, 15, n) * 365.25).astype(np.int32)
    natur &= when < np.minimum(people.out, Y_END[-1])
    start1 = people.birth
    end1 = np.where(natur, when, people.out)
    person = np.r_[np.arange(n), np.flatnonzero(natur)].astype(np.int64)
    nat = np.r_[people.first_nationality, np.zeros(int(natur.sum()), np.int16)].astype(np.int64)
    start = np.r_[start1, when[natur]].astype(np.int32)
    end = np.r_[end1, people.out[natur]].astype(np.int32)
    order = np.lexsort((start, person))
    nationality = pa.table(
        {
            "insz": people.insz.take(pa.array(person[order])),
            "nationality": geo.country_nis.take(pa.array(nat[order])),
            "start_date": dates(start[order]),
            "end_date": dates(np.where(end[order] >= 2**31 - 1, end[order], end[order] - 1)),
        }
    )
    # residence reasons of foreign nationals (from arrival), Belgian ("BE") after naturalisation
    fi = np.flatnonzero(foreign)
    is_eu = geo.is_eu[people.first_nationality[fi]]
    refugee = geo.is_refugee_origin[people.first_nationality[fi]]
    reason = np.where(
        is_eu, 1, np.where(refugee, 5, rng.choice([2, 3, 4, 6, 7], fi.size, p=[0.5, 0.2, 0.12, 0.08, 0.1]))
    )
    ni = np.flatnonzero(natur)
    person = np.r_[fi, ni].astype(np.int64)
    code = np.r_[reason, np.zeros(ni.size, np.int64)]
    start = np.r_[np.maximum(people.arrival[fi], people.birth[fi]), when[ni]].astype(np.int32)
    end = np.r_[np.where(natur[fi], when[fi], people.out[fi]), people.out[ni]].astype(np.int32)
    # naturalised before arrival: the foreign-reason spell is empty, so it is not written
    keep = end > start
    person, code, start, end = person[keep], code[keep], start[keep], end[keep]
    order = np.lexsort((start, person))
    labels = pa.array(["BE", "EU", "FAM", "WRK", "STU", "ASY", "HUM", "OTH"], pa.string())
    reasons = pa.table(
        {
            "insz": people.insz.take(pa.array(person[order])),
            "reason": labels.take(pa.array(code[order])),
            "registration_date": dates(start[order]),
            "start_date": dates(start[order]),
            "end_date": dates(np.where(end[order] >= 2**31 - 1, end[order], end[order] - 1)),
        }
    )
    return nationality, reasons
