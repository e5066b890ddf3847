"""Documents about what is owed: the execution notice (执行通知书), sent with the
order to report assets (rules.md §3: 民诉解释第四百八十条; 财产调查规定第三条),
carrying the amount due on its day (rules/due.py via funds/due.py) and the
case's sub-account number, so the debtor's payment finds its case
(一案一账号, rules.md §10)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from zhixing.cases.selectors import access_case
from zhixing.funds.case_panel import account_number
from zhixing.funds.due import case_due
from zhixing.funds.settings import FundsSettings, funds_settings
from zhixing.rules.calendar import chinese_date
from zhixing.rules.due import DueStatement
from zhixing.rules.money import capitalize_yuan, format_yuan

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# [practice] The report-assets order gives the debtor five days to report
# (财产调查规定第三条 leaves the period to the order; five days is the common form).
REPORT_DAYS = 5


@dataclass(frozen=True)
class NoticeFacts:
    court_name: str
    case_number: str
    filed_on: date
    creditors: tuple[str, ...]
    debtors: tuple[str, ...]
    title_number: str
    title_kind: str
    title_due_on: date
    amount_claimed: int
    on: date
    due: DueStatement
    sub_account: str
    custody: FundsSettings


def execution_notice_for(*, officer, case_id: int, on: date) -> tuple[str, bytes]:
    """The execution notice of a case of the officer's court (404 otherwise), as
    (file name, .docx bytes). RuleError if the case's Terms are bad."""
    case = access_case(officer, case_id)
    facts = NoticeFacts(
        court_name=case.court.name,
        case_number=case.case_number,
        filed_on=case.filed_on,
        creditors=tuple(p.name for p in case.creditors),
        debtors=tuple(p.name for p in case.debtors),
        title_number=case.title.number,
        title_kind=case.title.kind,
        title_due_on=case.title.due_on,
        amount_claimed=case.amount_claimed,
        on=on,
        due=case_due(case, on),
        sub_account=account_number(case),
        custody=funds_settings(case.court),
    )
    return f"执行通知书{case.case_number}.docx", execution_notice_docx(facts)


def execution_notice_docx(f: NoticeFacts) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    for text in (f.court_name, "执行通知书"):
        doc.add_heading(text, level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f.case_number).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    debtors = "、".join(f.debtors) or "被执行人"
    creditors = "、".join(f.creditors) or "申请执行人"
    doc.add_paragraph(f"{debtors}：")
    doc.add_paragraph(
        f"申请执行人{creditors}与被执行人{debtors}一案，{creditors}依据已经发生法律效力的"
        f"{f.title_number}{f.title_kind}，于{chinese_date(f.filed_on)}向本院申请强制执行，本院已依法立案执行。"
        f"执行依据确定的履行期限已于{chinese_date(f.title_due_on)}届满，你（单位）至今未全部履行。"
        "依照《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第四百八十条的规定，责令你（单位）"
        "自收到本通知之日起立即履行执行依据确定的义务，并依法加倍支付迟延履行期间的债务利息，负担申请执行费。"
    )
    s = f.due
    doc.add_paragraph(f"截至{chinese_date(f.on)}，你（单位）应当支付的款项如下：")
    rows = [
        ("本金（金钱债务）", s.principal),
        ("一般债务利息", s.interest),
        ("加倍部分债务利息", s.doubled_interest),
        ("申请执行费", s.fee),
        ("合计", s.total),
    ]
    if s.paid:
        rows.insert(0, ("已付款项", s.paid))
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("项目", "金额（元）", "大写")):
        cell.text = text
    for label, fen in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, format_yuan(fen), capitalize_yuan(fen)
        cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph(
        f"合计人民币{capitalize_yuan(s.total)}（¥{format_yuan(s.total)}）。加倍部分债务利息按未履行的金钱债务"
        "每日万分之一点七五计算至实际履行之日，申请执行费依照《诉讼费用交纳办法》第十四条计算，"
        "实际应付金额以履行之日计算为准。"
    )
    c = f.custody
    bank = "，".join(
        part for part in (
            f"户名：{c.custody_name}" if c.custody_name else "",
            f"开户行：{c.custody_bank}" if c.custody_bank else "",
        ) if part
    )
    doc.add_paragraph(
        f"请将上述款项汇入本案案款子账号 {f.sub_account}"
        + (f"（{bank}）" if bank else "")
        + "。本院执行款实行一案一账号管理，按本案子账号汇款的款项自动归入本案；"
        f"未按子账号汇款的，请在附言中注明案号{f.case_number}，以免延误入账。"
        "请勿将款项交付承办人员个人或汇入其他账户。"
    )
    doc.add_paragraph(
        "同时，依照《最高人民法院关于民事执行中财产调查若干问题的规定》第三条的规定，本院责令你（单位）"
        f"自收到本通知之日起{REPORT_DAYS}日内，如实向本院报告当前以及收到本通知之日前一年的财产情况"
        "（报告财产令随本通知送达）。拒绝报告、虚假报告或者无正当理由逾期报告的，本院将根据情节轻重"
        "予以罚款、拘留，并可将你（单位）纳入失信被执行人名单；构成犯罪的，依法追究刑事责任。"
    )
    doc.add_paragraph("")
    for text in (f.court_name, chinese_date(f.on), "（院印）"):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
