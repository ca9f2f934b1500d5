"""Batch scoring on a real local Dask cluster (two worker processes, localhost only) gives the
same evaluations as the in-process run."""

import datetime as dt
from decimal import Decimal

import pytest
from tests.integration.enterprises.builders import profile
from tests.integration.evaluation.builders import AS_OF, rich_figures

from patientcap.enterprises import services as registry
from patientcap.evaluation import batch, rulesets, services

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local


def _rows(n: int) -> list[dict[str, object]]:
    return [
        {
            "rd_expense_fen": 10_000 * (k % 9),
            "revenue_fen": 200_000 * (k % 5),
            "revenue_fen_previous": 150_000 + k,
            "tech_staff": k % 40,
            "total_staff": 50,
            "rd_staff": k % 13,
            "invention_patents": k % 7,
            "debt_ratio": Decimal(k % 100) / 100,
            "key_staff_turnover": None if k % 11 == 0 else Decimal("0.15"),
            "high_tech_enterprise": k % 17 == 0,
        }
        for k in range(n)
    ]


def test_dask_scores_exactly_like_the_in_process_run(cluster):
    loaded = rulesets.get("tech-credit-card")
    rows = _rows(700)
    here = batch.score_many(loaded.text, loaded.source_name, rows, chunk=100)
    there = batch.score_many(
        loaded.text, loaded.source_name, rows, address=cluster.scheduler_address, chunk=100
    )
    assert there == here and len(there) == 700


@pytest.mark.django_db(transaction=True)
def test_the_registry_batch_on_dask_stores_the_same_evaluations(cluster, users, orgs):
    zone = users["zone_officer"]
    ids = []
    for seed in range(1, 6):
        firm = registry.create_enterprise(actor=zone, data=profile(900 + seed), as_of=AS_OF)
        rich_figures(zone, firm.pk)
        ids.append(firm.pk)
    registry.save_yearly(
        actor=zone, enterprise_id=ids[0], kind="financial", year=2024, values={"revenue_fen": 0}
    )
    local = services.score_registry(
        actor=zone, ruleset_id="tech-credit-card", as_of=AS_OF, address=""
    )
    remote = services.score_registry(
        actor=zone,
        ruleset_id="tech-credit-card",
        as_of=AS_OF + dt.timedelta(days=1),
        address=cluster.scheduler_address,
    )
    assert remote.engine == cluster.scheduler_address and local.engine == "in-process"

    def results(run):
        return [
            (e.enterprise_id, e.total, e.grade, e.indicators, e.reasons, e.inputs)
            for e in run.evaluations.order_by("enterprise_id")
        ]

    assert results(remote) == results(local)
    assert len(results(local)) == 5
