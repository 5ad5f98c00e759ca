"""Municipalities and countries as arrays the generator indexes into.

Municipalities are the 565 of 2025 (``codelists.municipalities()``), weighted by their 2020 inhabitants;
countries are NIS codes from DmfA annex 5 (``codelists.load("country_codes")``) looked up by ISO code,
so no country code is typed in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads import codelists

FLANDERS, WALLONIA, BRUSSELS = "02000", "03000", "04000"
REGIONS = (FLANDERS, WALLONIA, BRUSSELS)

# Countries of birth of people born abroad: (ISO code, share among the 2007 stock, share among arrivals).
COUNTRY_MIX: tuple[tuple[str, float, float], ...] = (
    ("IT", 0.15, 0.04),
    ("MA", 0.15, 0.08),
    ("FR", 0.13, 0.11),
    ("NL", 0.13, 0.09),
    ("TR", 0.07, 0.02),
    ("DE", 0.05, 0.03),
    ("ES", 0.04, 0.04),
    ("PT", 0.03, 0.03),
    ("CD", 0.04, 0.03),
    ("PL", 0.04, 0.06),
    ("RO", 0.02, 0.10),
    ("BG", 0.01, 0.04),
    ("DZ", 0.03, 0.02),
    ("TN", 0.02, 0.02),
    ("GB", 0.02, 0.02),
    ("US", 0.01, 0.02),
    ("RU", 0.01, 0.02),
    ("CN", 0.01, 0.02),
    ("IN", 0.01, 0.03),
    ("SY", 0.00, 0.04),
    ("AF", 0.00, 0.03),
    ("IQ", 0.00, 0.03),
    ("CM", 0.01, 0.02),
    ("GN", 0.01, 0.02),
    ("BR", 0.01, 0.02),
)
EU_ISO = frozenset(["IT", "FR", "NL", "DE", "ES", "PT", "PL", "RO", "BG"])
REFUGEE_ISO = frozenset(["SY", "AF", "IQ", "GN"])


@dataclass(frozen=True)
class Geography:
    nis: pa.Array
    """NIS5 codes (strings), index = municipality number."""
    weight: npt.NDArray[np.float64]
    region: npt.NDArray[np.int8]
    """0 Flanders, 1 Wallonia, 2 Brussels."""
    arrondissement: npt.NDArray[np.int32]
    by_arrondissement: dict[int, npt.NDArray[np.int64]]
    by_region: dict[int, npt.NDArray[np.int64]]
    country_nis: pa.Array
    """NIS country codes; index 0 is Belgium (150), then ``COUNTRY_MIX`` in order."""
    country_iso: tuple[str, ...]
    stock_mix: npt.NDArray[np.float64]
    arrival_mix: npt.NDArray[np.float64]
    is_eu: npt.NDArray[np.bool_]
    is_refugee_origin: npt.NDArray[np.bool_]

    @property
    def n(self) -> int:
        return len(self.weight)

    def draw(
        self, rng: np.random.Generator, size: int, region_factor: tuple[float, float, float] = (1, 1, 1)
    ) -> npt.NDArray[np.int64]:
        w = self.weight * np.asarray(region_factor)[self.region]
        cum = np.cumsum(w / w.sum())
        return np.minimum(np.searchsorted(cum, rng.random(size)), self.n - 1)

    def nearby(
        self,
        rng: np.random.Generator,
        origin: npt.NDArray[np.int64],
        p_same_arr: float = 0.7,
        p_same_region: float = 0.25,
    ) -> npt.NDArray[np.int64]:
        """A new municipality for a move: mostly in the same arrondissement, else region, rarely anywhere."""
        u = rng.random(len(origin))
        out = self.draw(rng, len(origin))
        for kind, groups, key in (
            ("arr", self.by_arrondissement, self.arrondissement),
            ("reg", self.by_region, self.region),
        ):
            sel = (
                (u < p_same_arr) if kind == "arr" else ((u >= p_same_arr) & (u < p_same_arr + p_same_region))
            )
            idx = np.flatnonzero(sel)
            if idx.size == 0:
                continue
            keys = key[origin[idx]]
            for k in np.unique(keys):
                members = groups[int(k)]
                hit = idx[keys == k]
                w = self.weight[members]
                cum = np.cumsum(w / w.sum())
                out[hit] = members[np.minimum(np.searchsorted(cum, rng.random(hit.size)), members.size - 1)]
        return out


@cache
def geography() -> Geography:
    m = codelists.municipalities()
    region = np.array([REGIONS.index(r) for r in m["region_nis"]], dtype=np.int8)
    arr = m["arrondissement_nis"].astype(int).to_numpy().astype(np.int32)
    weight = m["inhabitants_2020"].astype(float).to_numpy()
    countries = codelists.load("country_codes")
    current = countries[countries["einde_geldigheid"].str.endswith("9999")]
    by_iso = dict(zip(current["isocode"], current["Code"], strict=False))
    isos = ("BE", *tuple(c for c, _, _ in COUNTRY_MIX))
    missing = [i for i in isos if i not in by_iso]
    if missing:
        raise KeyError(f"country_codes code list lacks ISO codes {missing}")
    stock = np.array([0.0] + [s for _, s, _ in COUNTRY_MIX])
    arrival = np.array([0.0] + [a for _, _, a in COUNTRY_MIX])
    return Geography(
        nis=pa.array(m["nis_code"].tolist(), pa.string()),
        weight=weight,
        region=region,
        arrondissement=arr,
        by_arrondissement={int(a): np.flatnonzero(arr == a) for a in np.unique(arr)},
        by_region={r: np.flatnonzero(region == r) for r in range(3)},
        country_nis=pa.array([by_iso[i] for i in isos], pa.string()),
        country_iso=isos,
        stock_mix=stock / stock.sum(),
        arrival_mix=arrival / arrival.sum(),
        is_eu=np.array([i in EU_ISO or i == "BE" for i in isos]),
        is_refugee_origin=np.array([i in REFUGEE_ISO for i in isos]),
    )
