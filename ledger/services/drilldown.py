"""The drill-down: the rows a figure is computed from, a page at a time (auditors and admins)."""

from __future__ import annotations

from typing import Any

from ledger.core.metrics import Metric, Period, Scope
from ledger.core.money import fen_to_yuan
from ledger.core.problems import Problem
from ledger.errors import ValidationFailed
from ledger.services.figures import (
    _month_of,
    _run,
    check_scope_exists,
    pay_months_sql,
    period_args,
    require_reader,
    scope_sql,
)

PAY_METRICS = {Metric.total_pay, Metric.person_months, Metric.workers_paid, Metric.avg_monthly_pay,
               Metric.avg_monthly_pay_per_worker, Metric.avg_annual_pay, Metric.growth_total_pay,
               Metric.growth_avg_monthly_pay, Metric.uplift_over_baseline}


async def rows_behind(scope: Scope, period: Period, metric_name: str, page: int, page_size: int
                      ) -> tuple[list[dict[str, Any]], int]:
    """The rows a figure is computed from, a page at a time: (worker, month, pay) for the pay
    figures, placements for workers employed, workshops for the workshop counts. ID numbers
    appear masked, as stored."""
    from ledger.core.metrics import split_figure_name
    from ledger.services.common import check_paging

    require_reader()
    check_paging(page, page_size)
    await check_scope_exists(scope)
    try:
        base, low = split_figure_name(metric_name)
        metric = Metric(base)
    except ValueError:
        raise ValidationFailed([Problem("metric", "metric", "未知指标", "unknown metric")]) from None
    offset = (page - 1) * page_size
    where, args = scope_sql(scope)
    if metric in PAY_METRICS:
        inner, args = pay_months_sql(scope)
        filter_low = "WHERE r.low = 1" if low else ""
        sql = f"""SELECT r.worker, wk.name, wk.id_number, r.month, r.fen, r.low, r.baseline
                  FROM ({inner}) r JOIN worker wk ON wk.id = r.worker {filter_low}
                  ORDER BY r.month, r.worker LIMIT {page_size} OFFSET {offset}"""
        count_sql = f"SELECT COUNT(*) AS n FROM ({inner}) r {filter_low}"
        params = period_args(period, args)
        rows = await _run(sql, params)
        total = int((await _run(count_sql, params))[0]["n"])
        return [{"worker": r["worker"], "name": r["name"], "id_number": r["id_number"], "month": r["month"],
                 "pay": str(fen_to_yuan(int(r["fen"]))), "low_income": bool(r["low"]),
                 "counts_as_person_month": int(r["fen"]) > 0,
                 "baseline": None if r["baseline"] is None else str(fen_to_yuan(int(r["baseline"])))}
                for r in rows], total
    if metric == Metric.workers_employed:
        low_filter = ""
        if low:
            low_filter = ("AND EXISTS (SELECT 1 FROM low_income_status s WHERE s.worker = p.worker "
                          f"AND {_month_of('s.valid_from')} <= {{}} AND (s.valid_to IS NULL OR "
                          f"{_month_of('s.valid_to')} >= {{}}))")
        base_sql = f"""FROM placement p JOIN workshop w ON w.id = p.workshop JOIN worker wk ON wk.id = p.worker
                       WHERE p.hired_on <= {{}} AND (p.left_on IS NULL OR p.left_on >= {{}}) AND {where} {low_filter}"""
        params = [period.last_day, period.first_day, *args] + ([str(period.last), str(period.first)] if low else [])
        rows = await _run(f"""SELECT p.id AS placement, p.worker, wk.name, wk.id_number, w.code AS workshop,
                                     p.hired_on, p.left_on {base_sql}
                              ORDER BY p.worker, p.id LIMIT {page_size} OFFSET {offset}""", params)
        total = int((await _run(f"SELECT COUNT(*) AS n {base_sql}", params))[0]["n"])
        return [{**r, "hired_on": str(r["hired_on"]), "left_on": None if r["left_on"] is None else str(r["left_on"])}
                for r in rows], total
    base_sql = f"FROM workshop w WHERE w.opened_on <= {{}} AND (w.closed_on IS NULL OR w.closed_on >= {{}}) AND {where}"
    params = [period.last_day, period.first_day, *args]
    rows = await _run(f"SELECT w.id, w.code, w.name, w.opened_on, w.closed_on {base_sql} ORDER BY w.code "
                      f"LIMIT {page_size} OFFSET {offset}", params)
    total = int((await _run(f"SELECT COUNT(*) AS n {base_sql}", params))[0]["n"])
    return [{**r, "opened_on": str(r["opened_on"]),
             "closed_on": None if r["closed_on"] is None else str(r["closed_on"])} for r in rows], total
