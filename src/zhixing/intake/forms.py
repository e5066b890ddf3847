"""The 立案 web form: it only collects text and puts errors back in place.

Validation is not done here. The form turns what was typed into the API's JSON
shape, `intake.parsing.parse_application` judges it (the same parser as the API
and the Excel import), and `attach_errors` puts each of the parser's errors next
to the field it names, so the three doors refuse the same things in the same
words.
"""

from __future__ import annotations

from django import forms

from zhixing.intake.parsing import PARTY_KINDS, FieldError
from zhixing.rules.case_number import TYPE_CODES
from zhixing.rules.deadlines import TITLE_KINDS

# Debtor rows a person can add on the page; more debtors go through the import.
MAX_DEBTORS = 10

TYPE_CHOICES = [(code, f"{code}（{name}）") for code, name in TYPE_CODES.items()]
TITLE_KIND_CHOICES = [("", "请选择")] + [(kind, kind) for kind in TITLE_KINDS]
PARTY_KIND_CHOICES = list(PARTY_KINDS.items())


def _text(label: str, **attrs) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


def _select(label: str, choices, initial: str = "") -> forms.CharField:
    """A select whose value the parser judges, so a forged value gets the
    parser's Chinese message rather than a form error of its own."""
    return forms.CharField(
        label=label, required=False, initial=initial, widget=forms.Select(choices=choices)
    )


class _ErrorsInPlace:
    """Mark a field that has an error, for the stylesheet's `.invalid`."""

    def mark_invalid(self, name: str | None, message: str) -> None:
        self.add_error(name, message)
        if name:
            widget = self.fields[name].widget
            widget.attrs["class"] = (widget.attrs.get("class", "") + " invalid").strip()


class CaseForm(_ErrorsInPlace, forms.Form):
    type = _select("案件类型", TYPE_CHOICES, initial="执")
    title_number = _text("执行依据文书编号", placeholder="（2026）鄂0105民初123号", size=28)
    title_kind = _select("执行依据种类", TITLE_KIND_CHOICES)
    title_effective_on = forms.CharField(
        label="生效日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    title_due_on = forms.CharField(
        label="履行期限届满日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount_claimed = _text("申请执行标的额（元）", placeholder="123456.78", inputmode="decimal")


class PartyForm(_ErrorsInPlace, forms.Form):
    kind = _select("类型", PARTY_KIND_CHOICES, initial="person")
    # Wide enough for a long company name and an 18-character code in full.
    name = _text("名称", size=40)
    id_code = _text("证件号码", placeholder="公民身份号码或统一社会信用代码", size=30)
    phone = _text("电话", size=14)
    address = _text("地址", size=40)

    TEXT_FIELDS = ("name", "id_code", "phone", "address")

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(f) for f in self.TEXT_FIELDS)

    def as_json(self) -> dict:
        """The API's party object: the one code field becomes id_number for a
        person and credit_code otherwise, as the parser expects."""
        data = self.cleaned_data
        code_key = "id_number" if data["kind"] == "person" else "credit_code"
        return {
            "kind": data["kind"],
            "name": data["name"],
            code_key: data["id_code"],
            "phone": data["phone"],
            "address": data["address"],
        }


class FilingForm:
    """The whole page: the case, one creditor and `debtor_count` debtor rows."""

    def __init__(self, data=None, *, add_row: bool = False):
        debtor_count = _int(data.get("debtor_count"), 1) if data is not None else 1
        if add_row:
            debtor_count += 1
        self.debtor_count = max(1, min(debtor_count, MAX_DEBTORS))
        self.case = CaseForm(data)
        self.creditor = PartyForm(data, prefix="creditor", initial={"kind": "company"})
        self.debtors = [PartyForm(data, prefix=f"debtor-{i}") for i in range(self.debtor_count)]
        self.summary: list[str] = []
        # The JSON index of each debtor sent to the parser -> its row on the page.
        self._debtor_rows: list[int] = []

    @property
    def can_add_debtor(self) -> bool:
        return self.debtor_count < MAX_DEBTORS

    def as_application_json(self) -> dict:
        """What was typed, in the API's shape. Blank debtor rows are left out."""
        for form in (self.case, self.creditor, *self.debtors):
            form.is_valid()  # every field is optional text: this only cleans
        case = self.case.cleaned_data
        self._debtor_rows = [i for i, d in enumerate(self.debtors) if not d.is_blank()]
        return {
            "type": case["type"] or "执",
            "title": {
                "number": case["title_number"],
                "kind": case["title_kind"],
                "effective_on": case["title_effective_on"],
                "due_on": case["title_due_on"],
            },
            "creditors": [] if self.creditor.is_blank() else [self.creditor.as_json()],
            "debtors": [self.debtors[i].as_json() for i in self._debtor_rows],
            "amount_claimed": case["amount_claimed"],
        }

    def attach_errors(self, errors: list[FieldError]) -> None:
        """Put each parser error next to its field and in the summary."""
        for error in errors:
            form, name, label = self._locate(error)
            form.mark_invalid(name, error.message)
            self.summary.append(f"{label}：{error.message}")

    def _locate(self, error: FieldError) -> tuple[forms.Form, str | None, str]:
        path = error.field
        if path.startswith("title."):
            return self.case, "title_" + path.removeprefix("title."), error.label
        if path in ("type", "amount_claimed"):
            return self.case, path, error.label
        if path == "creditors" or path.startswith("creditors["):
            return self.creditor, _party_field(path), error.label
        if path == "debtors":
            return self.debtors[0], None, error.label
        if path.startswith("debtors["):
            index = int(path[len("debtors[") : path.index("]")])
            row = self._debtor_rows[index]
            # The parser counts only the rows sent; the page counts every row.
            label = error.label.replace(f"被执行人{index + 1}", f"被执行人{row + 1}", 1)
            return self.debtors[row], _party_field(path), label
        return self.case, None, error.label


def _party_field(path: str) -> str | None:
    """debtors[0].id_number -> id_code; debtors[0] -> None (the whole row)."""
    if "." not in path:
        return None
    name = path.rsplit(".", 1)[1]
    return "id_code" if name in ("id_number", "credit_code") else name


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
