"""Restatements and the seal key over HTTP (auditors and admins)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from pydantic import BaseModel, Field

from ledger.services import seals


class ChangeOut(BaseModel):
    metric: str = Field(description="指标 / the claim figure's metric")
    old: dict[str, Any] | None = Field(description="上次封存时的结论：status、ledger、diagnosis / at the older seal")
    new: dict[str, Any] | None = Field(description="本次封存时的结论 / at the newer seal")


class RestatementOut(BaseModel):
    claim: int
    title: str
    old_seal: int
    new_seal: int
    checked_at: str = Field(description="对账时间（UTC）/ when the newer seal reconciled it")
    changes: list[ChangeOut]


class RestatementsOut(BaseModel):
    restatements: list[RestatementOut]


class PublishingController(Controller):
    path = "/"
    tags = ["发布 Publishing"]

    @get("/restatements", summary="因更正而改变对账结论的公开数据 / Claims whose reconciliation moved between seals")
    async def restatements(self) -> RestatementsOut:
        return RestatementsOut(restatements=[RestatementOut(**item) for item in await seals.restatements()])

    @get("/seals/public-key", summary="封存公钥（PEM） / The installation's seal public key (PEM)",
         media_type="text/plain")
    async def public_key(self) -> str:
        seals.require_reader()
        return seals.public_key_pem()


PUBLISHING_CONTROLLERS = [PublishingController]
