"""Controllers: thin translations between HTTP and the services. No queries here."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from pydantic import BaseModel, Field

from ledger.api import schemas as s
from ledger.core.money import fen_str
from ledger.services import employment, masterdata, people
from ledger.services.common import MAX_ID, MAX_PAGE, Page

T = TypeVar("T")

PageNo = Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="页码，从 1 开始 / page number, from 1")]
PageSize = Annotated[int, Parameter(ge=1, le=500, description="每页条数 / items per page (1–500)")]
WorkshopFilter = Annotated[int | None, Parameter(ge=1, le=MAX_ID, description="按工坊编号筛选 / filter by workshop id")]
WorkerFilter = Annotated[int | None, Parameter(ge=1, le=MAX_ID, description="按务工人员编号筛选 / filter by worker id")]
RegionFilter = Annotated[str | None, Parameter(description="行政区划代码前缀 / region code prefix, e.g. 3307")]


class PageOut(BaseModel, Generic[T]):
    items: list[T] = Field(description="本页记录 / the records on this page")
    total: int = Field(description="符合条件的总数 / total matching records")
    page: int = Field(description="页码 / page number")
    page_size: int = Field(description="每页条数 / page size")


def _page(page: Page, model: type[BaseModel], convert=lambda r: r) -> PageOut[Any]:
    return PageOut[model](  # type: ignore[valid-type]
        items=[model.model_validate(convert(r)) for r in page.items],
        total=page.total, page=page.page, page_size=page.page_size)


def _changes(data: BaseModel) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True)


class EnterpriseController(Controller):
    path = "/enterprises"
    tags = ["领办企业 Enterprises"]

    @post("/", summary="登记企业 / Create an enterprise")
    async def create(self, data: s.EnterpriseCreate) -> s.EnterpriseOut:
        return s.EnterpriseOut.model_validate(await masterdata.create_enterprise(data.model_dump()))

    @get("/", summary="企业列表 / List enterprises")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50,
                   region: RegionFilter = None) -> PageOut[s.EnterpriseOut]:
        return _page(await masterdata.list_enterprises(page, page_size, region), s.EnterpriseOut)

    @get("/{enterprise_id:int}", summary="查看企业 / Read an enterprise")
    async def read(self, enterprise_id: int) -> s.EnterpriseOut:
        return s.EnterpriseOut.model_validate(await masterdata.get_enterprise(enterprise_id))

    @patch("/{enterprise_id:int}", summary="修改企业 / Update an enterprise")
    async def update(self, enterprise_id: int, data: s.EnterpriseUpdate) -> s.EnterpriseOut:
        return s.EnterpriseOut.model_validate(await masterdata.update_enterprise(enterprise_id, _changes(data)))

    @delete("/{enterprise_id:int}", summary="删除企业（管理员；无引用时） / Delete an enterprise (admins; when nothing refers to it)", status_code=204)
    async def remove(self, enterprise_id: int) -> None:
        await masterdata.delete_enterprise(enterprise_id)


class WorkshopController(Controller):
    path = "/workshops"
    tags = ["共富工坊 Workshops"]

    @post("/", summary="登记工坊 / Create a workshop")
    async def create(self, data: s.WorkshopCreate) -> s.WorkshopOut:
        return s.WorkshopOut.model_validate(await masterdata.create_workshop(data.model_dump()))

    @get("/", summary="工坊列表 / List workshops")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50, region: RegionFilter = None,
                   enterprise: Annotated[int | None, Parameter(ge=1, le=MAX_ID, description="领办企业编号 / enterprise id")] = None,
                   open_on: Annotated[date | None, Parameter(description="在该日开办中 / open on this date")] = None,
                   ) -> PageOut[s.WorkshopOut]:
        return _page(await masterdata.list_workshops(page, page_size, region, enterprise, open_on), s.WorkshopOut)

    @get("/{workshop_id:int}", summary="查看工坊 / Read a workshop")
    async def read(self, workshop_id: int) -> s.WorkshopOut:
        return s.WorkshopOut.model_validate(await masterdata.get_workshop(workshop_id))

    @patch("/{workshop_id:int}", summary="修改工坊 / Update a workshop")
    async def update(self, workshop_id: int, data: s.WorkshopUpdate) -> s.WorkshopOut:
        return s.WorkshopOut.model_validate(await masterdata.update_workshop(workshop_id, _changes(data)))

    @delete("/{workshop_id:int}", summary="删除工坊（管理员；无引用时） / Delete a workshop (admins; when nothing refers to it)", status_code=204)
    async def remove(self, workshop_id: int) -> None:
        await masterdata.delete_workshop(workshop_id)


class CertificationController(Controller):
    path = "/certifications"
    tags = ["认定 Certifications"]

    @post("/", summary="登记认定 / Record a certification")
    async def create(self, data: s.CertificationCreate) -> s.CertificationOut:
        return s.CertificationOut.model_validate(await masterdata.create_certification(data.model_dump()))

    @get("/", summary="认定列表 / List certifications")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50,
                   workshop: WorkshopFilter = None) -> PageOut[s.CertificationOut]:
        return _page(await masterdata.list_certifications(page, page_size, workshop), s.CertificationOut)

    @get("/{cert_id:int}", summary="查看认定 / Read a certification")
    async def read(self, cert_id: int) -> s.CertificationOut:
        return s.CertificationOut.model_validate(await masterdata.get_certification(cert_id))

    @patch("/{cert_id:int}", summary="修改认定 / Update a certification")
    async def update(self, cert_id: int, data: s.CertificationUpdate) -> s.CertificationOut:
        return s.CertificationOut.model_validate(await masterdata.update_certification(cert_id, _changes(data)))

    @delete("/{cert_id:int}", summary="删除认定（管理员） / Delete a certification (admins)", status_code=204)
    async def remove(self, cert_id: int) -> None:
        await masterdata.delete_certification(cert_id)


def _worker_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "baseline_income": fen_str(row.get("baseline_income_fen"))}


class WorkerController(Controller):
    path = "/workers"
    tags = ["务工人员 Workers"]

    @post("/", summary="登记务工人员 / Register a worker")
    async def create(self, data: s.WorkerCreate) -> s.WorkerOut:
        return s.WorkerOut.model_validate(_worker_out(await people.create_worker(data.model_dump())))

    @get("/", summary="务工人员列表 / List workers (ID numbers masked)")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50,
                   id_number: Annotated[str | None, Parameter(description="按完整身份证号查找 / find by full ID number")] = None,
                   village: Annotated[str | None, Parameter(description="所在村 / village")] = None,
                   workshop: WorkshopFilter = None) -> PageOut[s.WorkerOut]:
        return _page(await people.list_workers(page, page_size, id_number, village, workshop),
                     s.WorkerOut, _worker_out)

    @get("/{worker_id:int}", summary="查看务工人员 / Read a worker")
    async def read(self, worker_id: int) -> s.WorkerOut:
        return s.WorkerOut.model_validate(_worker_out(await people.get_worker(worker_id)))

    @post("/{worker_id:int}/reveal-id-number", status_code=200,
          summary="查看完整身份证号（审核员、管理员；记入审计日志） / Reveal the full ID number (auditors, admins; journaled)")
    async def reveal(self, worker_id: int) -> s.RevealedId:
        return s.RevealedId(**await people.reveal_id_number(worker_id))

    @patch("/{worker_id:int}", summary="修改务工人员 / Update a worker")
    async def update(self, worker_id: int, data: s.WorkerUpdate) -> s.WorkerOut:
        return s.WorkerOut.model_validate(_worker_out(await people.update_worker(worker_id, _changes(data))))

    @delete("/{worker_id:int}", summary="删除务工人员（管理员；无引用时） / Delete a worker (admins; when nothing refers to them)", status_code=204)
    async def remove(self, worker_id: int) -> None:
        await people.delete_worker(worker_id)


class LowIncomeController(Controller):
    path = "/low-income-statuses"
    tags = ["低收入认定 Low-income status"]

    @post("/", summary="登记低收入认定 / Record a low-income status")
    async def create(self, data: s.LowIncomeCreate) -> s.LowIncomeOut:
        return s.LowIncomeOut.model_validate(await people.create_low_income(data.model_dump()))

    @get("/", summary="低收入认定列表 / List low-income statuses")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50, worker: WorkerFilter = None,
                   in_force_on: Annotated[date | None, Parameter(description="在该日有效 / in force on")] = None,
                   ) -> PageOut[s.LowIncomeOut]:
        return _page(await people.list_low_income(page, page_size, worker, in_force_on), s.LowIncomeOut)

    @get("/{status_id:int}", summary="查看低收入认定 / Read a low-income status")
    async def read(self, status_id: int) -> s.LowIncomeOut:
        return s.LowIncomeOut.model_validate(await people.get_low_income(status_id))

    @patch("/{status_id:int}", summary="修改低收入认定 / Update a low-income status")
    async def update(self, status_id: int, data: s.LowIncomeUpdate) -> s.LowIncomeOut:
        return s.LowIncomeOut.model_validate(await people.update_low_income(status_id, _changes(data)))

    @delete("/{status_id:int}", summary="删除低收入认定 / Delete a low-income status", status_code=204)
    async def remove(self, status_id: int) -> None:
        await people.delete_low_income(status_id)


class PlacementController(Controller):
    path = "/placements"
    tags = ["吸纳用工 Placements"]

    @post("/", summary="登记用工 / Record a hire")
    async def create(self, data: s.PlacementCreate) -> s.PlacementOut:
        return s.PlacementOut.model_validate(await employment.create_placement(data.model_dump()))

    @get("/", summary="用工列表 / List placements")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50, workshop: WorkshopFilter = None,
                   worker: WorkerFilter = None,
                   active_on: Annotated[date | None, Parameter(description="在该日在岗 / active on this date")] = None,
                   ) -> PageOut[s.PlacementOut]:
        return _page(await employment.list_placements(page, page_size, workshop, worker, active_on), s.PlacementOut)

    @get("/{placement_id:int}", summary="查看用工 / Read a placement")
    async def read(self, placement_id: int) -> s.PlacementOut:
        return s.PlacementOut.model_validate(await employment.get_placement(placement_id))

    @patch("/{placement_id:int}", summary="修改用工 / Update a placement")
    async def update(self, placement_id: int, data: s.PlacementUpdate) -> s.PlacementOut:
        return s.PlacementOut.model_validate(await employment.update_placement(placement_id, _changes(data)))

    @delete("/{placement_id:int}", summary="删除用工（无收入记录时） / Delete a placement (when it has no pay)", status_code=204)
    async def remove(self, placement_id: int) -> None:
        await employment.delete_placement(placement_id)


def _pay_out(row: dict[str, Any]) -> dict[str, Any]:
    hours = row.get("hours")
    return {**row, "hours": None if hours is None else f"{hours:f}"}


class PayController(Controller):
    path = "/pay"
    tags = ["月收入 Monthly pay"]

    @post("/", summary="登记月收入 / Record a month's pay")
    async def create(self, data: s.PayCreate) -> s.PayOut:
        return s.PayOut.model_validate(_pay_out(await employment.create_pay(data.model_dump())))

    @post("/batch", summary="批量登记某月收入（全部成功或全部不写） / Log a month's pay for many placements, atomically")
    async def batch(self, data: s.PayBatch) -> list[s.PayOut]:
        rows = await employment.create_pay_batch(data.month, [i.model_dump() for i in data.items])
        return [s.PayOut.model_validate(_pay_out(r)) for r in rows]

    @get("/", summary="月收入列表 / List monthly pay")
    async def list(self, page: PageNo = 1, page_size: PageSize = 50, workshop: WorkshopFilter = None,
                   month: Annotated[str | None, Parameter(description="月份 / month YYYY-MM")] = None,
                   worker: WorkerFilter = None,
                   placement: Annotated[int | None, Parameter(ge=1, le=MAX_ID, description="用工记录编号 / placement id")] = None,
                   ) -> PageOut[s.PayOut]:
        return _page(await employment.list_pay(page, page_size, workshop, month, worker, placement),
                     s.PayOut, _pay_out)

    @get("/{pay_id:int}", summary="查看月收入 / Read a pay record")
    async def read(self, pay_id: int) -> s.PayOut:
        return s.PayOut.model_validate(_pay_out(await employment.get_pay(pay_id)))

    @patch("/{pay_id:int}", summary="修改月收入 / Update a pay record")
    async def update(self, pay_id: int, data: s.PayUpdate) -> s.PayOut:
        return s.PayOut.model_validate(_pay_out(await employment.update_pay(pay_id, _changes(data))))

    @delete("/{pay_id:int}", summary="删除月收入（未锁定月份） / Delete a pay record (unlocked months)", status_code=204)
    async def remove(self, pay_id: int) -> None:
        await employment.delete_pay(pay_id)


CONTROLLERS = [EnterpriseController, WorkshopController, CertificationController, WorkerController,
               LowIncomeController, PlacementController, PayController]
