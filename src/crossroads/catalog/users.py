"""Voucher-user variables of the year (S000-7), from the issuer's orders (``voucher_order``)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from crossroads.catalog import jobs
from crossroads.catalog.model import Sources, left_join_on

PAPER, ELECTRONIC, BOTH = "P", "E", "PE"


def _orders_in(src: Sources, points: ir.Table, year_offset: int) -> ir.Table:
    """Each point's orders of year Y + offset (two variables read year Y: joined once per points)."""

    def build() -> ir.Table:
        o = jobs.person_rows(src, "voucher_order")
        pts = points.select("insz", "ref_quarter", "ref_year")
        return pts.join(o, (pts.insz == o.insz) & ((o.month // 100) == pts.ref_year + year_offset))

    return jobs.memo_at(src, f"orders{year_offset:+d}", points, build)


def vouchers_bought(src: Sources, points: ir.Table) -> ir.Table:
    """Vouchers bought in the year; 0 when none."""
    j = _orders_in(src, points, 0)
    agg = j.group_by("insz", "ref_quarter").aggregate(n=j.vouchers.sum())
    out = left_join_on(points.select("insz", "ref_quarter"), agg, ["insz", "ref_quarter"])
    return out.select("insz", "ref_quarter", value=out.n.fill_null(0).cast("int64"))


def new_user(src: Sources, points: ir.Table) -> ir.Table:
    """1 if the person placed no order in the previous year (Y-1), else 0."""
    j = _orders_in(src, points, -1)
    before = j.filter(j.orders > 0).select("insz", "ref_quarter").distinct().mutate(seen=ibis.literal(1))
    out = left_join_on(points.select("insz", "ref_quarter"), before, ["insz", "ref_quarter"])
    return out.select("insz", "ref_quarter", value=ibis.ifelse(out.seen.isnull(), "1", "0"))


def voucher_kind(src: Sources, points: ir.Table) -> ir.Table:
    """Kind of vouchers bought in the year: paper only (P), electronic only (E) or both (PE)."""
    j = _orders_in(src, points, 0)
    j = j.filter(j.vouchers > 0)
    agg = j.group_by("insz", "ref_quarter").aggregate(
        paper=(j.kind == PAPER).cast("int32").max(), electronic=(j.kind == ELECTRONIC).cast("int32").max()
    )
    value = ibis.cases(
        ((agg.paper == 1) & (agg.electronic == 1), ibis.literal(BOTH)),
        (agg.paper == 1, ibis.literal(PAPER)),
        else_=ibis.literal(ELECTRONIC),
    )
    return agg.select("insz", "ref_quarter", value=value)


def voucher_kind_labels() -> dict[str, str]:
    return {
        PAPER: "alleen papieren cheques",
        ELECTRONIC: "alleen elektronische cheques",
        BOTH: "papieren en elektronische cheques",
    }
