"""The admin panel's upload page: a sheet from the admin's own computer, its problems on screen, then applied.

Why a page of ours at ``/admin/import/`` and not a Piccolo Admin form: the panel's forms post
JSON only, so a file cannot reach a form endpoint; its media storage keeps a file in a table
column (stored and served back), which is not what an import needs — a file handed once to the
import service and never kept. So this is a small page served inside the admin app:

- **The same session, the same door.** It is mounted in the admin app behind Piccolo's own
  ``SessionsAuthBackend`` (the panel's session cookie, admin users, the same expiry) and
  ``admin_actor`` (the ledger role must be admin, as for every table and form). The panel links
  to it from its sidebar and from the import form's description.
- **The same import.** Every button posts the file to ``ledger.importer.run_import`` — the service
  behind ``POST /api/v1/imports`` and ``ledger import`` — with the same options (kind, workshop,
  dry run, replace). The annotated sheet is a dry run's problems written into the upload
  (``workbook.annotate_source``), as ``POST /api/v1/imports/annotated`` does. The answers are the
  API's bodies (the report, or ``error``/``message``/``problems``); the page only draws them.
- **The file stays in the browser.** The page keeps the chosen file and posts it again for each
  step (dry run, annotated sheet, apply), so the server holds no upload between requests. Apply is
  offered once a dry run of that very file, with those options, found nothing wrong.
- **CSRF-safe.** A cookie-authenticated write needs the panel's own double-submit token (Piccolo's
  ``CSRFMiddleware`` wraps the whole admin app; the page sends ``X-CSRFToken``), and an ``Origin``
  other than the page's own host is refused besides. The page loads nothing from elsewhere: its
  Content-Security-Policy (a nonce per answer) allows only this server.
- Chinese first, English beside. Cell values are drawn as text (``textContent``), never as HTML.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.middleware import SessionsAuthBackend
from piccolo_api.session_auth.tables import SessionsBase
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, Router

from ledger import access
from ledger.admin.writes import admin_actor
from ledger.core.problems import Problem
from ledger.core.rules import control_character_problems
from ledger.errors import LedgerError, ValidationFailed
from ledger.importer import ImportFailed, ImportOptions, SheetKind, run_import
from ledger.importer.headers import FIELDS
from ledger.importer.workbook import XLSX, annotate_source

UPLOAD_PATH = "/import"
"""Where the page is mounted in the admin app: ``/admin/import/``."""
UPLOAD_URL = f"/admin{UPLOAD_PATH}/"
UPLOAD_LINK = {"导入表格（从本机上传） Upload a sheet": UPLOAD_URL}
"""The panel's sidebar link to the page."""
MAX_UPLOAD = 64 * 1024 * 1024
"""The same limit as ``POST /api/v1/imports``."""
SESSION_INCREASE = timedelta(minutes=20)
"""As the panel's own session middleware: each request within 20 minutes of expiry extends it."""

_TRUE = {"1", "on", "true", "yes"}


def _refuse(status: int, code: str, zh: str, en: str) -> JSONResponse:
    """A refusal in the API's error shape, naming the request as the problem."""
    problem = Problem("request", code, zh, en)
    return JSONResponse({"error": code, "message": problem.message, "problems": [problem.as_dict()]},
                        status_code=status)


def _same_origin(request: Request) -> bool:
    """A browser names the page that sent a POST in ``Origin``; it must be this server's page.
    (The double-submit token is checked before this, by the admin app's CSRF middleware.)"""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in {"same-origin", "none"}
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


async def _read_form(request: Request) -> tuple[UploadFile, ImportOptions]:
    """The upload and the options, every problem at once (as the API's parameters are checked)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD:
        raise ValidationFailed([Problem("file", "too_large", "文件超过 64 MB，请分成几个表格导入",
                                        "the file is over 64 MB; split it into several sheets")])
    try:
        form = await request.form(max_files=1, max_fields=10)
    except MultiPartException as exc:
        raise ValidationFailed([Problem("file", "malformed", "上传的表单无法读取，请重新选择文件",
                                        f"the upload cannot be read ({exc.message}); choose the file again")]) from None
    upload = form.get("file")
    text = {name: form.get(name) for name in ("kind", "workshop", "replace", "dry_run", "confirm_unusual")}
    problems = control_character_problems({k: v for k, v in text.items() if isinstance(v, str)})
    if not isinstance(upload, UploadFile) or not upload.filename:
        problems.append(Problem("file", "required", "请选择要导入的表格文件（.xlsx 或 .csv）",
                                "choose the sheet to import (.xlsx or .csv)"))
    kind = str(text["kind"] or "").strip() or None
    if kind is not None and kind not in {k.value for k in SheetKind}:
        problems.append(Problem("kind", "invalid", "类型应为 pay（月收入表）、hires（用工表）或 low-income（低收入人口名单）",
                                "the kind is pay, hires or low-income"))
    workshop = str(text["workshop"] or "").strip() or None
    if workshop is not None and len(workshop) > 32:
        problems.append(Problem("workshop", "too_long", "工坊编码不超过 32 个字符", "a workshop code has at most 32 characters"))
    if problems:
        raise ValidationFailed(problems)
    assert isinstance(upload, UploadFile)
    options = ImportOptions(kind=SheetKind(kind) if kind else None, workshop=workshop,
                            dry_run=str(text["dry_run"] or "").lower() in _TRUE,
                            replace=str(text["replace"] or "").lower() in _TRUE,
                            confirm_unusual=str(text["confirm_unusual"] or "").lower() in _TRUE)
    return upload, options


async def _as_admin(request: Request) -> access.Actor | JSONResponse:
    if not _same_origin(request):
        return _refuse(403, "cross_origin", "请求不是从本系统的页面发出的，已拒绝", "the request did not come from this site's page")
    try:
        return await admin_actor(request)
    except HTTPException as exc:
        return _refuse(exc.status_code, "forbidden", "管理后台仅限管理员", "the admin panel is for admins only")


async def check(request: Request) -> Response:
    """Dry run or apply: the report, or every problem (the bodies of ``POST /api/v1/imports``)."""
    actor = await _as_admin(request)
    if isinstance(actor, Response):
        return actor
    try:
        upload, options = await _read_form(request)
        with access.acting_as(actor):
            report = await run_import(upload.file, options)
    except LedgerError as exc:
        return JSONResponse(exc.as_dict(), status_code=exc.status_code)
    return JSONResponse(report.as_dict())


async def annotated(request: Request) -> Response:
    """The upload with a dry run's problems written into it (as ``POST /api/v1/imports/annotated``)."""
    actor = await _as_admin(request)
    if isinstance(actor, Response):
        return actor
    problems: list[Any] = []
    try:
        upload, options = await _read_form(request)
        options.dry_run = True
        with access.acting_as(actor):
            try:
                await run_import(upload.file, options)
            except ImportFailed as exc:
                problems = exc.report.problems
        content = annotate_source(upload.file, problems)
        if content is None:
            raise ImportFailed.from_problems(problems)
    except LedgerError as exc:
        return JSONResponse(exc.as_dict(), status_code=exc.status_code)
    return Response(content, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="checked.xlsx"',
                                                       "X-Import-Problems": str(len(problems))})


def _security_headers(nonce: str) -> dict[str, str]:
    return {"Content-Security-Policy": f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                                       "connect-src 'self'; img-src 'self' data:; form-action 'self'; "
                                       "base-uri 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


async def page(request: Request) -> Response:
    try:
        await admin_actor(request)
    except HTTPException:
        return _message_page(403, "管理后台仅限管理员", "The admin panel is for admins only.")
    nonce = secrets.token_hex(16)
    labels = {name: f"{zh} {en}" for name, (zh, en, _) in FIELDS.items()}
    labels |= {"file": "文件 file", "kind": "类型 kind", "workshop": "工坊编码 workshop", "request": "请求 request"}
    html = (PAGE.replace("__NONCE__", nonce)
            .replace("__CSRF__", _attribute(str(request.scope.get("csrftoken", ""))))
            .replace("__LABELS__", json.dumps(labels, ensure_ascii=False).replace("<", "\\u003c")))
    return HTMLResponse(html, headers=_security_headers(nonce))


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _message_page(status: int, zh: str, en: str) -> HTMLResponse:
    nonce = secrets.token_hex(16)
    body = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{zh} · {en}</title>'
            f'<style nonce="{nonce}">body{{font-family:sans-serif;margin:3em;font-size:18px}}</style></head>'
            f'<body><h1>{zh}</h1><p>{en}</p><p><a href="/admin/">登录管理后台 / sign in to the admin panel</a></p>'
            "</body></html>")
    return HTMLResponse(body, status_code=status, headers=_security_headers(nonce))


def _not_signed_in(connection: HTTPConnection, _: Exception) -> Response:
    if connection.scope.get("method") == "GET":
        return _message_page(401, "请先登录管理后台", "Please sign in to the admin panel first.")
    return _refuse(401, "unauthorized", "登录已过期或未登录，请重新登录管理后台",
                   "not signed in (or the session expired); sign in to the admin panel again")


def upload_app() -> Any:
    """The page and its two endpoints, behind the panel's session (mount at ``UPLOAD_PATH``)."""
    # Litestar hands a mount its path with a trailing slash: the routes end in one (as the panel's own do)
    router = Router(routes=[Route("/", page, methods=["GET"]), Route("/check/", check, methods=["POST"]),
                            Route("/annotated/", annotated, methods=["POST"])])
    return AuthenticationMiddleware(router, backend=SessionsAuthBackend(
        auth_table=BaseUser, session_table=SessionsBase, admin_only=True, increase_expiry=SESSION_INCREASE),
        on_error=_not_signed_in)


PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="__CSRF__">
<title>导入表格 · Import a sheet — 共富工坊台账</title>
<style nonce="__NONCE__">
  body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 0; color: #1f2933;
         background: #f5f7fa; font-size: 16px; }
  header { background: #2c3e50; color: #fff; padding: 14px 28px; display: flex; align-items: baseline; gap: 24px; }
  header h1 { font-size: 22px; margin: 0; }
  header a, header .en { color: #d9e2ec; }
  main { max-width: 1100px; margin: 24px auto; padding: 0 24px; }
  section { background: #fff; border: 1px solid #d9e2ec; border-radius: 6px; padding: 18px 24px; margin-bottom: 20px; }
  h2 { font-size: 18px; margin: 0 0 12px; }
  .en { color: #52606d; font-size: 0.9em; }
  label { display: block; margin: 12px 0 4px; font-weight: bold; }
  input[type=text], select { font-size: 16px; padding: 6px 8px; width: 320px; }
  input[type=file] { font-size: 16px; }
  .check { font-weight: normal; }
  .buttons { margin-top: 18px; display: flex; gap: 12px; flex-wrap: wrap; }
  button { font-size: 16px; padding: 8px 18px; border-radius: 4px; border: 1px solid #2c3e50; background: #fff;
           cursor: pointer; }
  button.primary { background: #2c3e50; color: #fff; }
  button:disabled { opacity: 0.45; cursor: not-allowed; }
  .status { padding: 12px 16px; border-radius: 4px; font-size: 17px; white-space: pre-line; }
  .ok { background: #e3f9e5; border: 1px solid #57ae5b; }
  .bad { background: #ffe3e3; border: 1px solid #e66a6a; }
  .busy { background: #fff8e1; border: 1px solid #f0b429; }
  table { border-collapse: collapse; width: 100%; margin-top: 12px; }
  th, td { border: 1px solid #cbd2d9; padding: 6px 8px; text-align: left; vertical-align: top; }
  th { background: #f0f4f8; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .hint { color: #52606d; font-size: 14px; margin-top: 6px; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>导入表格 <span class="en">Import a sheet</span></h1>
  <a href="/admin/">← 返回管理后台 <span>Back to the admin panel</span></a>
</header>
<main>
<section>
  <h2>1. 选择文件并预演 <span class="en">Choose a file and do a dry run</span></h2>
  <form id="upload">
    <label for="file">表格文件 <span class="en">Sheet file</span>（.xlsx / .csv）</label>
    <input id="file" name="file" type="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv">
    <label for="kind">表格类型 <span class="en">Kind of sheet</span></label>
    <select id="kind" name="kind">
      <option value="">按表头自动判断 / from the header</option>
      <option value="pay">月收入表 / monthly pay</option>
      <option value="hires">用工表 / hires</option>
      <option value="low-income">低收入人口名单 / low-income roster</option>
    </select>
    <label for="workshop">工坊编码（表中无该列时填写）<span class="en">Workshop code, if the sheet has no such column</span></label>
    <input id="workshop" name="workshop" type="text" maxlength="32" autocomplete="off">
    <label class="check"><input id="replace" name="replace" type="checkbox" value="1">
      用表中数据覆盖冲突的已有记录（锁定月份除外） <span class="en">overwrite conflicting records (never in a locked month)</span></label>
    <label class="check"><input id="confirm_unusual" name="confirm_unusual" type="checkbox" value="1">
      确认异常金额（月收入高于 5 万元或低于 100 元，已核实无误） <span class="en">confirm unusual amounts (checked: they are right)</span></label>
    <div class="buttons">
      <button type="button" id="dry-run" class="primary">预演检查 <span>Dry run</span></button>
      <button type="button" id="apply" disabled>正式导入 <span>Apply</span></button>
      <button type="button" id="download" disabled>下载标注后的表格 <span>Download the annotated sheet</span></button>
    </div>
    <p class="hint">全部写入或全部不写；预演不写入任何数据，预演无问题后才能正式导入。
      <span class="en">All or nothing. A dry run writes nothing; Apply is offered after a dry run finds no problem.</span></p>
  </form>
</section>
<section id="result" hidden>
  <h2>2. 结果 <span class="en">Result</span></h2>
  <div id="status" class="status" role="status"></div>
  <table id="counts" hidden><thead><tr>
    <th>数据行 Rows</th><th>新增 Created</th><th>不变 Unchanged</th><th>替换 Replaced</th><th>跳过（空行） Skipped</th>
    <th>冲突 Conflicts</th><th>新登记人员 Workers registered</th></tr></thead><tbody></tbody></table>
  <table id="figures" hidden><thead><tr>
    <th>工坊 Workshop</th><th>期间 Period</th><th>人月数变化 Δ person-months</th>
    <th>合计增收变化（元） Δ total pay (yuan)</th><th>人均月增收变化（元） Δ average monthly pay (yuan)</th>
  </tr></thead><tbody></tbody></table>
  <table id="problems" hidden><thead><tr>
    <th>行 Row</th><th>列 Column</th><th>字段 Field</th><th>单元格内容 Value</th><th>问题 Problem</th><th>English</th>
  </tr></thead><tbody></tbody></table>
</section>
</main>
<script type="application/json" id="field-labels">__LABELS__</script>
<script nonce="__NONCE__">
"use strict";
const form = document.getElementById("upload");
const fileInput = document.getElementById("file");
const csrf = document.querySelector("meta[name=csrf-token]").content;
const labels = JSON.parse(document.getElementById("field-labels").textContent);
const buttons = { dryRun: document.getElementById("dry-run"), apply: document.getElementById("apply"),
                  download: document.getElementById("download") };
let cleanRun = null;  // what the last clean dry run checked: the file and the options

function signature() {
  const f = fileInput.files[0];
  if (!f) return null;
  return [f.name, f.size, f.lastModified, form.kind.value, form.workshop.value.trim(), form.replace.checked, form.confirm_unusual.checked].join("|");
}
function refresh() {
  const chosen = signature() !== null;
  buttons.dryRun.disabled = !chosen;
  buttons.download.disabled = !chosen;
  buttons.apply.disabled = !chosen || cleanRun !== signature();
}
form.addEventListener("change", refresh);
form.addEventListener("input", refresh);
refresh();

function cell(row, text, numeric) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined || text === "" ? "—" : String(text);
  if (numeric) td.className = "num";
  row.appendChild(td);
}
function fill(id, rows) {
  const table = document.getElementById(id);
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const values of rows) {
    const tr = document.createElement("tr");
    for (const v of values) cell(tr, v[0], v[1]);
    body.appendChild(tr);
  }
  table.hidden = rows.length === 0;
}
function signed(n) { return n === null || n === undefined ? "—" : (String(n).startsWith("-") ? String(n) : "+" + n); }
function show(kind, text) {
  document.getElementById("result").hidden = false;
  const status = document.getElementById("status");
  status.className = "status " + kind;
  status.textContent = text;
}
function draw(body, ok) {
  const report = body.report || (ok ? body : null);
  const lines = [(!ok && body.report && body.report.problems.length ? body.report.message : body.message) || ""];
  if (!ok && (body.problems || []).some(p => p.row)) lines.push("可点击“下载标注后的表格”，在表格中逐项修改后重新上传。"
      + " / Download the annotated sheet to fix each problem in the sheet itself, then upload it again.");
  show(ok ? "ok" : "bad", lines.join("\\n"));
  fill("counts", report && ok ? [[[report.rows, 1], [report.created, 1], [report.unchanged, 1], [report.replaced, 1],
                                  [report.skipped, 1], [report.conflicts, 1], [report.workers_created, 1]]] : []);
  fill("figures", report && ok ? report.figures.map(f => [[f.workshop], [f.period.first + " – " + f.period.last],
       [signed(f.delta.person_months), 1], [signed(f.delta.total_pay), 1], [signed(f.delta.avg_monthly_pay), 1]]) : []);
  fill("problems", (body.problems || []).map(p => [[p.row, 1], [p.column], [labels[p.field] || p.field],
       [p.value], [p.zh], [p.en]]));
}

async function post(path, dryRun) {
  const data = new FormData(form);
  data.set("dry_run", dryRun ? "1" : "0");
  if (!form.replace.checked) data.delete("replace");
  if (!form.confirm_unusual.checked) data.delete("confirm_unusual");
  return fetch(path, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf } });
}
async function answer(response) {
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) return response.json();
  const text = await response.text();
  return { message: text || (response.status + " " + response.statusText), problems: [] };
}
async function run(button, busyText, work) {
  const before = signature();
  for (const b of Object.values(buttons)) b.disabled = true;
  show("busy", busyText);
  try {
    await work(before);
  } catch (error) {
    show("bad", "无法连接服务器，请稍后再试 / the server could not be reached: " + error);
  } finally {
    refresh();
  }
}

buttons.dryRun.addEventListener("click", () => run(buttons.dryRun, "正在检查…… / checking…", async (checked) => {
  const response = await post("check/", true);
  const body = await answer(response);
  cleanRun = response.ok ? checked : null;
  draw(body, response.ok);
}));
buttons.apply.addEventListener("click", () => run(buttons.apply, "正在导入…… / importing…", async () => {
  const response = await post("check/", false);
  const body = await answer(response);
  cleanRun = null;
  draw(body, response.ok);
}));
buttons.download.addEventListener("click", () => run(buttons.download, "正在生成标注表格…… / annotating…", async () => {
  const response = await post("annotated/", true);
  if (!response.ok) { draw(await answer(response), false); return; }
  const count = response.headers.get("X-Import-Problems") || "0";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = fileInput.files[0].name.replace(/\\.[^.]*$/, "") + "-检查结果.xlsx";
  document.body.appendChild(link);
  link.click();
  link.remove();
  show(count === "0" ? "ok" : "bad", "已下载标注后的表格（" + count + " 个问题） / the annotated sheet is downloaded ("
       + count + " problems)");
}));
</script>
</body>
</html>
"""
