"""The words Piccolo Admin's page prints by itself, in Chinese; and the admins-only notice.

Piccolo Admin translates its labels (``default_language_code="zh-CN"``) and titles columns
from the schema we serve (``ledger.admin.labels``), but its page names tables by their SQL
name (``monthly_pay`` → "monthly pay") and prints a few fixed English strings that no
setting reaches: "None", "NULL", "All", "True"/"False", "Successfully added row", "Problem
logging in" … This module adds one small script to the page it serves (``localise``) that
puts those strings in Chinese where they appear: text, placeholders, options, alerts. The
script changes only what a person reads; the page's requests, values and routes are
Piccolo's own.

Signing in: Piccolo's login page shows "Problem logging in" for any refusal, so an operator
or auditor with the right password would read that their password is wrong. The server
answers them 403 with ``X-Ledger-Error: forbidden`` (``writes._admins_only_sign_in``); the
script sees that answer and says, on the login page, that the panel is for admins and where
their work is done instead.
"""

from __future__ import annotations

import json

from ledger.admin.labels import TABLE_NAMES

FIXED_STRINGS: dict[str, str] = {
    "None": "（未选择）",
    "NULL": "—",
    "All": "全部",
    "True": "是",
    "False": "否",
    "Error": "错误",
    "Type here to filter": "输入姓名、编码等查找",
    "Load more": "加载更多",
    "Loading ...": "加载中……",
    "Add sort column": "添加排序列",
    "Columns": "列",
    "Download": "下载",
    "Successfully added row": "已添加",
    "Successfully saved row": "已保存",
    "Successfully updated rows": "已更新",
    "Successfully deleted row": "已删除",
    "Unable to delete the row.": "无法删除该行",
    "The form has errors.": "表单有误，请按上方提示修改",
    "Invalid column name or value": "列名或值无效",
    "Problem logging in": "登录失败：用户名或密码不正确",
    "Page not found": "页面不存在",
    "Please select at least one column.": "请至少选择一列",
    "Method not supported - running in read only mode.": "只读模式，不能修改",
    "The server can't be reached - please try later.": "无法连接服务器，请稍后再试",
}

OPTION_WORDS: dict[str, str] = {
    "contains": "包含", "exact": "完全相同", "starts": "开头是", "ends": "结尾是",
    "Equals": "等于", "Not Equal": "不等于", "Less Than": "小于", "Less Than or Equal To": "小于等于",
    "Greater Than or Equal To": "大于等于", "Greater Than": "大于",
}
"""The filter sidebar's match and comparison choices: words translated only inside a choice list
(a claim figure's qualifier "exact" is data, not a filter word)."""

ADMINS_ONLY_NOTICE = ("管理后台仅限管理员。您的账号不是管理员：运营方请用导入表格或 API 录入本工坊的用工和月收入，"
                      "审核员请用 API（/docs）或命令行查看数字、对账和签发月份。")
"""What an operator or auditor reads on the login page after a correct password."""

_SCRIPT = """<script>
(function () {
  "use strict";
  var TABLES = %(tables)s, FIXED = %(fixed)s, OPTIONS = %(options)s, NOTICE = %(notice)s;
  var refusedAsNonAdmin = false;
  function tableName(text) {
    var key = text.trim().toLowerCase().replace(/ /g, "_");
    return Object.prototype.hasOwnProperty.call(TABLES, key) ? TABLES[key] : null;
  }
  function say(text) {
    var bare = text.trim();
    if (!bare) return text;
    if (bare === "Problem logging in" && refusedAsNonAdmin) return NOTICE;
    if (Object.prototype.hasOwnProperty.call(FIXED, bare)) return FIXED[bare];
    var modal = /^Select a row from (.+)$/.exec(bare);
    if (modal) return "选择" + (tableName(modal[1]) || modal[1]);
    var counted = /^([0-9]+) per page$/i.exec(bare) || /^of ([0-9]+)$/.exec(bare);
    if (counted) return bare.charAt(0) === "o" ? "共 " + counted[1] + " 页" : "每页 " + counted[1] + " 行";
    var whole = tableName(bare);
    if (whole) return whole;
    var heading = /^(添加|编辑|Add|Edit) (.+)$/.exec(bare);  // "添加 monthly pay": a form's heading, not data
    if (heading && tableName(heading[2])) {
      return ({"Add": "添加", "Edit": "编辑"}[heading[1]] || heading[1]) + " " + tableName(heading[2]);
    }
    return text;
  }
  function fix(node) {
    if (node.nodeType === 3) {
      var parent = node.parentNode;
      if (parent && /^(SCRIPT|STYLE|TEXTAREA)$/.test(parent.nodeName)) return;
      var word = node.nodeValue.trim();
      var said = parent && parent.nodeName === "OPTION" && Object.prototype.hasOwnProperty.call(OPTIONS, word)
        ? OPTIONS[word] : say(node.nodeValue);
      if (said !== node.nodeValue) node.nodeValue = said;
      return;
    }
    if (node.nodeType !== 1) return;
    if (node.id === "ledger-admins-only") return;
    if (node.nodeName === "OPTION" && node.getAttribute("label")) {
      var label = say(node.getAttribute("label"));  // "15 per page"
      if (label !== node.getAttribute("label")) node.setAttribute("label", label);
    }
    if (node.placeholder) {
      var placeholder = say(node.placeholder);
      if (placeholder !== node.placeholder) node.placeholder = placeholder;
    }
    for (var child = node.firstChild; child; child = child.nextSibling) fix(child);
  }
  function notice() {
    var form = document.querySelector("#login form");
    if (!form) return;
    var shown = document.getElementById("ledger-admins-only");
    if (!shown) {
      shown = document.createElement("p");
      shown.id = "ledger-admins-only";
      shown.setAttribute("role", "alert");
      shown.style.cssText = "color:#b00020;font-weight:bold;line-height:1.6;margin:0 0 1em 0";
      form.insertBefore(shown, form.firstChild);
    }
    shown.textContent = NOTICE;
  }
  // Listening from open(), before the page's own request code sets its handler, so that the
  // answer is known before the page shows its message.
  var open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function () {
    this.addEventListener("loadend", function () {
      if (/\\/public\\/login\\/?$/.test(this.responseURL || "")) {
        refusedAsNonAdmin = this.status === 403 && this.getResponseHeader("X-Ledger-Error") === "forbidden";
        if (refusedAsNonAdmin) notice();
        else if (document.getElementById("ledger-admins-only")) document.getElementById("ledger-admins-only").remove();
        // A message still on screen from the last try: the page will not redraw the same words.
        var shown = document.querySelector("#message_popup .message");
        if (shown && (shown.textContent === NOTICE || shown.textContent === FIXED["Problem logging in"])) {
          shown.textContent = refusedAsNonAdmin ? NOTICE : FIXED["Problem logging in"];
        }
      }
    });
    return open.apply(this, arguments);
  };
  var alert_ = window.alert;
  window.alert = function (message) { return alert_.call(window, say(String(message))); };
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === "childList") change.addedNodes.forEach(fix);
      else fix(change.target);
    });
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true,
                                         attributes: true, attributeFilter: ["placeholder", "label"]});
  document.addEventListener("DOMContentLoaded", function () { fix(document.body); });
})();
</script>"""


def localise(template: str) -> str:
    """Piccolo Admin's index page with the script above, in a Chinese document."""
    script = _SCRIPT % {"tables": json.dumps(TABLE_NAMES, ensure_ascii=False),
                        "fixed": json.dumps(FIXED_STRINGS, ensure_ascii=False),
                        "options": json.dumps(OPTION_WORDS, ensure_ascii=False),
                        "notice": json.dumps(ADMINS_ONLY_NOTICE, ensure_ascii=False)}
    return (template.replace('<html lang="en">', '<html lang="zh-CN">')
            .replace("<title>Piccolo Admin</title>", "<title>共富工坊台账 · 管理后台</title>")
            .replace("</head>", script + "\n</head>", 1))
