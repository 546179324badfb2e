"""Imports over HTTP: upload a sheet, get the report or the annotated sheet; templates, exports.

Thin, like every controller: it hands the upload to ``ledger.importer.run_import`` (the
service the CLI and the admin panel call too) and translates the result. A sheet with
problems answers 422 (409 when every problem is a conflict) in the usual error shape plus
the ``report``; a file that is not a readable spreadsheet answers 415.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from ledger.core.problems import Problem
from ledger.errors import ValidationFailed
from ledger.importer import ImportFailed, ImportOptions, SheetKind, export_pay, run_import
from ledger.importer.exports import Download
from ledger.importer.workbook import XLSX, annotate_source

MAX_UPLOAD = 64 * 1024 * 1024
Form = Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART,
                                              description="字段 file：表格文件 .xlsx 或 .csv / "
                                                          "field `file`: the sheet, .xlsx or .csv")]
Kind = Annotated[SheetKind | None, Parameter(description="pay 月收入、hires 用工 或 low-income 低收入名单；不填则按表头判断 / "
                                                         "pay, hires or low-income; guessed from the header when absent")]
SheetName = Annotated[str | None, Parameter(max_length=100, description="只读取这个工作表（按名称，隐藏的也可）；不填则读取"
                                                                        "每个表头可识别的可见工作表；CSV 没有工作表，指定则"
                                                                        " 422 / read only this tab "
                                                                        "(by name, hidden or not); by default every "
                                                                        "visible tab with a recognised header; a CSV "
                                                                        "has no tabs, naming one answers 422")]
DryRun = Annotated[bool, Parameter(description="只预演、不写入 / check and preview only, write nothing")]
Replace = Annotated[bool, Parameter(description="用表中数据覆盖冲突的已有记录（锁定月份除外） / "
                                                "overwrite conflicting records (never in a locked month)")]
ConfirmUnusual = Annotated[bool, Parameter(description="确认异常金额：超出一个月合理收入范围的金额也照收 / "
                                                       "take amounts outside a month's plausible pay as meant")]
WorkshopCode = Annotated[str | None, Parameter(max_length=32, description="工坊编码：无该列时的默认工坊，其他工坊的行被拒绝 / "
                                                                         "workshop code: for rows without one; "
                                                                         "rows of other workshops are refused")]
Month = Annotated[str, Parameter(max_length=16, description="月份 YYYY-MM / month")]
FileFormat = Annotated[str, Parameter(pattern="^(xlsx|csv)$", description="xlsx 或 csv / xlsx or csv")]


def _upload(data: Any) -> UploadFile:
    if not isinstance(data, UploadFile):
        raise ValidationFailed([Problem("file", "required", "请以 multipart/form-data 的 file 字段上传表格",
                                        "upload the sheet as the multipart/form-data field `file`")])
    return data


def _download(item: Download) -> Response[bytes]:
    return Response(item.content, media_type=item.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{item.filename}"'})


class ImportController(Controller):
    path = "/imports"
    tags = ["导入导出 Import and export"]

    @post("/", summary="导入用工表或月收入表 / Import a hires or pay sheet",
          request_max_body_size=MAX_UPLOAD, status_code=200,
          description="全部写入或全部不写；返回报告（新增/不变/冲突、各工坊指标变化）。有问题时 422（全是冲突时 409），"
                      "列出每一行每一列的问题。/ All or nothing; returns the report (created / unchanged / conflicts, "
                      "how each workshop's figures move). Problems answer 422 (409 if all are conflicts), naming "
                      "every row and column.")
    async def upload(self, data: Form,
                     kind: Kind = None, dry_run: DryRun = False, replace: Replace = False,
                     workshop: WorkshopCode = None, sheet: SheetName = None,
                     confirm_unusual: ConfirmUnusual = False) -> dict[str, Any]:
        upload = _upload(data.get("file"))
        report = await run_import(upload.file, ImportOptions(kind=kind, dry_run=dry_run, replace=replace,
                                                             workshop=workshop, sheet=sheet,
                                                             confirm_unusual=confirm_unusual,
                                                             file_name=upload.filename))
        return report.as_dict()

    @post("/annotated", summary="检查表格并返回标注后的表格 / Check a sheet, get it back annotated",
          request_max_body_size=MAX_UPLOAD, status_code=200,
          description="按预演检查（不写入），返回原表格加“错误 / errors”列、问题单元格标红。问题数在响应头 "
                      "X-Import-Problems。/ Checks as a dry run (writes nothing) and returns the sheet with an "
                      "error column and the offending cells highlighted; the number of problems is in the "
                      "X-Import-Problems header.")
    async def annotated(self, data: Form,
                        kind: Kind = None, replace: Replace = False, workshop: WorkshopCode = None,
                        sheet: SheetName = None) -> Response[bytes]:
        upload = _upload(data.get("file"))
        problems: list[Any] = []
        try:
            await run_import(upload.file, ImportOptions(kind=kind, dry_run=True, replace=replace, workshop=workshop,
                                                        sheet=sheet, file_name=upload.filename))
        except ImportFailed as exc:
            problems = exc.report.problems
            annotated = annotate_source(upload.file, problems, sheet)
            if annotated is None:
                raise
        else:
            annotated = annotate_source(upload.file, problems, sheet)
        assert annotated is not None
        return Response(annotated, media_type=XLSX,
                        headers={"Content-Disposition": 'attachment; filename="checked.xlsx"',
                                 "X-Import-Problems": str(len(problems))})

    @get("/template", summary="下载某工坊某月的月收入模板 / Download a workshop's pay template for a month",
         description="每个当月在岗的用工一行，已登记的收入已填好；身份证号脱敏，用工编号用于匹配。/ One row per "
                     "placement active that month, recorded pay filled in; ID numbers masked, matched by placement id.")
    async def template(self, workshop: Annotated[str, Parameter(max_length=32, description="工坊编码 / workshop code")],
                       month: Month, kind: Annotated[SheetKind, Parameter(description="pay 或 hires")] = SheetKind.pay,
                       format: FileFormat = "xlsx") -> Response[bytes]:
        from ledger.importer import template

        return _download(await template(workshop, month, kind, format))

    @get("/export", summary="导出某工坊的月收入 / Export a workshop's monthly pay",
         description="与模板同列；导出后再导入不改变任何记录。/ Same columns as the template; importing an export "
                     "changes nothing.")
    async def export(self, workshop: Annotated[str, Parameter(max_length=32, description="工坊编码 / workshop code")],
                     first: Annotated[str, Parameter(max_length=16, description="起始月份 / first month YYYY-MM")],
                     last: Annotated[str | None, Parameter(max_length=16, description="截止月份 / last month")] = None,
                     format: FileFormat = "xlsx") -> Response[bytes]:
        return _download(await export_pay(workshop, first, last, format))
