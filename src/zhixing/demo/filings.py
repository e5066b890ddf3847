"""The demo's daily applications for enforcement, as a basic court receives them.

About 6,000 first-enforcement (执) cases a year and a few objections (执异).
Each application comes from a kind of dispute that fixes who the creditor is
(bank, lender, company, person), who the debtor is (about two thirds natural
persons), the title (mostly judgments and mediation statements) and the size
of the claim (lognormal: a median of a few tens of thousands of yuan, a long
tail to tens of millions).

The network inquiry answers deterministically from a debtor's identity code
(inquiry.providers.simulated_assets), so a new debtor's code is drawn until
its assets fit an outcome drawn first: enough cash, property, some cash, or
nothing. That is how the year ends with the mix of a real court rather than
whatever the hash gives. Nothing here touches the database.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta

from zhixing.cases.services import FilingApplication, PartyInput, TitleInput
from zhixing.demo.people import BANKS, LENDERS, PeopleFactory
from zhixing.inquiry.providers import DebtorRef, simulated_assets
from zhixing.rules.assets import CASH_KINDS, PROPERTY_KINDS
from zhixing.rules.fees import enforcement_fee
from zhixing.rules.termination import negligible_balance

# What a new debtor turns out to hold, against the amount due in its case.
OUTCOMES = {"cash": 0.22, "property": 0.18, "partial": 0.17, "nothing": 0.43}
FIT_TRIES = 60
CLAIM_CAP = 50_000_000_00  # fen
CLAIM_FLOOR = 300_00
# Filings per working day, month by month: quiet around the Spring Festival,
# busy after it and at the end of the year.
MONTH_FACTOR = {
    1: 1.05,
    2: 0.65,
    3: 1.2,
    4: 1.05,
    5: 0.95,
    6: 1.05,
    7: 1.0,
    8: 0.9,
    9: 1.0,
    10: 0.85,
    11: 1.05,
    12: 1.1,
}
DAILY_DRAWS = 23  # applications drawn per working day; labour clusters add a few


@dataclass(frozen=True)
class Dispute:
    """A kind of dispute: who sues whom, over how much, under which title."""

    weight: float
    creditor: str  # bank / lender / company / person / property
    person_debtor: float  # share of natural-person debtors
    median_yuan: int
    sigma: float
    titles: tuple[tuple[str, float], ...]
    trade: str | None = None


DISPUTES: dict[str, Dispute] = {
    "bank_loan": Dispute(
        0.18,
        "bank",
        0.7,
        60_000,
        1.1,
        (("民事判决书", 0.55), ("民事调解书", 0.28), ("公证债权文书", 0.12), ("支付令", 0.05)),
    ),
    "private_loan": Dispute(
        0.30,
        "person",
        0.9,
        40_000,
        1.1,
        (("民事判决书", 0.55), ("民事调解书", 0.40), ("公证债权文书", 0.05)),
    ),
    "sale": Dispute(
        0.18,
        "company",
        0.35,
        60_000,
        1.3,
        (("民事判决书", 0.50), ("民事调解书", 0.35), ("仲裁裁决书", 0.15)),
    ),
    "property_fee": Dispute(
        0.08, "property", 1.0, 4_000, 0.6, (("民事判决书", 0.6), ("民事调解书", 0.4))
    ),
    "labour": Dispute(
        0.03,
        "person",
        0.0,
        25_000,
        0.6,
        (("劳动人事争议仲裁裁决书", 0.6), ("民事判决书", 0.3), ("民事调解书", 0.1)),
    ),
    "construction": Dispute(
        0.11,
        "company",
        0.2,
        120_000,
        1.4,
        (("民事判决书", 0.5), ("民事调解书", 0.3), ("仲裁裁决书", 0.2)),
        trade="建筑工程",
    ),
    "traffic": Dispute(
        0.05, "person", 1.0, 50_000, 0.9, (("民事判决书", 0.7), ("民事调解书", 0.3))
    ),
    "lender": Dispute(
        0.03,
        "lender",
        0.85,
        80_000,
        1.0,
        (("公证债权文书", 0.4), ("民事判决书", 0.4), ("民事调解书", 0.2)),
    ),
}
OTHER_COURTS = ("鄂0102", "鄂0103", "鄂0104", "鄂0106", "鄂0111", "鄂0114")


def outcome_of(assets, *, claim: int) -> str:
    """Which outcome a debtor's simulated assets give in a case of `claim` fen.

    "nothing" leaves a balance that stays negligible even if a later inquiry
    counts it twice, so such a case can be closed as 终本."""
    cash = sum(a.value for a in assets if a.kind in CASH_KINDS)
    if cash >= claim + enforcement_fee(claim):
        return "cash"
    if any(a.kind in PROPERTY_KINDS for a in assets):
        return "property"
    if any(a.kind not in CASH_KINDS for a in assets):
        return "other"  # a housing fund or an insurance policy only
    return "nothing" if negligible_balance(2 * cash, claim) else "partial"


class Filings:
    """Draws each working day's applications; keeps the parties that recur."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.people = PeopleFactory(rng)
        self.banks = [self.people.new_company(name=name) for name in BANKS]
        self.lenders: list[PartyInput] = []
        self.property_firms: list[PartyInput] = []
        self.troubled: list[PartyInput] = []  # companies that owe many: wages, suppliers
        self.debtors: list[PartyInput] = []  # every debtor so far, for the odd repeat
        self.recent: deque[FilingApplication] = deque(maxlen=300)
        self.serials = {"民初": 3000, "民终": 2000, "民督": 100, "仲裁": 500, "证": 800, "劳": 300}

    # ------------------------------------------------------------ the day

    def day(self, d: date) -> list[FilingApplication]:
        rng = self.rng
        draws = max(3, round(rng.gauss(DAILY_DRAWS * MONTH_FACTOR[d.month], 4)))
        apps: list[FilingApplication] = []
        keys, weights = list(DISPUTES), [x.weight for x in DISPUTES.values()]
        for _ in range(draws):
            key = rng.choices(keys, weights)[0]
            apps.extend(self.labour_cluster(d) if key == "labour" else [self.application(d, key)])
        if self.recent and rng.random() < 0.25:
            apps.append(self.objection(d))
        self.recent.extend(a for a in apps if a.type_code == "执")
        return apps

    def application(self, d: date, key: str) -> FilingApplication:
        rng, spec = self.rng, DISPUTES[key]
        person = rng.random() < spec.person_debtor
        claim = self.claim(spec, person)
        debtors = [self.debtor(key, person, claim)]
        if key == "bank_loan" and rng.random() < 0.2:  # a guarantor
            debtors.append(self.new_debtor("person", self.outcome(), claim))
            if rng.random() < 0.12:
                debtors.append(self.new_debtor("person", "nothing", claim))
        elif (
            key == "private_loan" and person and rng.random() < 0.1
        ):  # the spouse, for a joint debt
            debtors.append(self.new_debtor("person", "nothing", claim))
        elif key == "construction" and rng.random() < 0.1:
            debtors.append(self.new_debtor("company", self.outcome(), claim))
        creditors = (self.creditor(spec),)
        return FilingApplication(
            type_code="执",
            title=self.title(d, spec),
            creditors=creditors,
            debtors=tuple(debtors),
            amount_claimed=claim,
        )

    def labour_cluster(self, d: date) -> list[FilingApplication]:
        """Several workers against one employer, filed together."""
        rng, spec = self.rng, DISPUTES["labour"]
        employer = self.troubled_company()
        title = self.title(d, spec)
        apps = []
        for i in range(rng.choice((1, 2, 2, 3, 3, 4, 5, 6))):
            number = title.number.replace(
                f"第{self.serials['劳']}号", f"第{self.serials['劳'] + i}号"
            )
            apps.append(
                FilingApplication(
                    type_code="执",
                    title=TitleInput(number, title.kind, title.effective_on, title.due_on),
                    creditors=(self.people.new_person(),),
                    debtors=(employer,),
                    amount_claimed=self.claim(spec, False),
                )
            )
        self.serials["劳"] += len(apps)
        return apps

    def objection(self, d: date) -> FilingApplication:
        """执行异议: a debtor objects to a measure in an earlier case."""
        earlier = self.rng.choice(self.recent)
        return FilingApplication(
            type_code="执异",
            title=earlier.title,
            creditors=earlier.creditors,
            debtors=earlier.debtors,
            amount_claimed=0,
        )

    # ------------------------------------------------------------ parties

    def creditor(self, spec: Dispute) -> PartyInput:
        rng = self.rng
        if spec.creditor == "bank":
            return rng.choice(self.banks)
        if spec.creditor in ("lender", "property"):
            pool = self.lenders if spec.creditor == "lender" else self.property_firms
            if len(pool) < (8 if spec.creditor == "lender" else 20) or rng.random() < 0.1:
                trades = LENDERS[:2] if spec.creditor == "lender" else LENDERS[2:4]
                pool.append(self.people.new_company(name=self.people.firm_name(rng.choice(trades))))
            return rng.choice(pool)
        if spec.creditor == "company":
            return self.people.new_company(trade=spec.trade)
        return self.people.new_person()

    def debtor(self, key: str, person: bool, claim: int) -> PartyInput:
        rng = self.rng
        if not person and key in ("sale", "construction") and rng.random() < 0.15:
            return self.troubled_company()
        if self.debtors and rng.random() < 0.04:
            return rng.choice(self.debtors)
        kind = "person" if person else ("organisation" if rng.random() < 0.08 else "company")
        party = self.new_debtor(kind, self.outcome(), claim, trade=DISPUTES[key].trade)
        self.debtors.append(party)
        return party

    def troubled_company(self) -> PartyInput:
        if len(self.troubled) < 80 and (not self.troubled or self.rng.random() < 0.5):
            target = "property" if self.rng.random() < 0.4 else "nothing"
            self.troubled.append(self.new_debtor("company", target, 100_000_00))
        return self.rng.choice(self.troubled)

    def outcome(self) -> str:
        return self.rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0]

    def new_debtor(
        self, kind: str, target: str, claim: int, trade: str | None = None
    ) -> PartyInput:
        """A new debtor whose simulated assets give `target` in a case of `claim`.

        Bounded tries; then the first candidate is taken as it is."""
        people, first = self.people, None
        for _ in range(FIT_TRIES):
            code = people.person_code() if kind == "person" else people.company_code(kind)
            if code in people.used_codes:
                continue
            first = first or code
            if outcome_of(simulated_assets(DebtorRef(code, "", kind)), claim=claim) == target:
                break
        else:
            code = first
        people.use(code)
        return people.person(code) if kind == "person" else people.company(code, kind, trade)

    # ------------------------------------------------------------ amounts and titles

    def claim(self, spec: Dispute, person: bool) -> int:
        rng = self.rng
        median = spec.median_yuan * (1 if person or spec.creditor == "person" else 2.5)
        if rng.random() < 0.02:  # the odd large commercial matter
            median *= 12
        yuan = math.exp(rng.gauss(math.log(median), spec.sigma))
        fen = int(yuan * 100) if rng.random() < 0.5 else int(yuan) * 100
        return min(max(fen, CLAIM_FLOOR), CLAIM_CAP)

    def title(self, d: date, spec: Dispute) -> TitleInput:
        rng = self.rng
        kind = rng.choices([k for k, _ in spec.titles], [w for _, w in spec.titles])[0]
        r = rng.random()
        lag = (
            rng.randint(18, 90)
            if r < 0.7
            else rng.randint(90, 365)
            if r < 0.95
            else rng.randint(365, 680)
        )
        effective_on = d - timedelta(days=lag)
        due_on = effective_on + timedelta(days=rng.randint(10, 15))
        year = effective_on.year - (1 if effective_on.month <= 2 and rng.random() < 0.5 else 0)
        return TitleInput(self.title_number(kind, year), kind, effective_on, due_on)

    def title_number(self, kind: str, year: int) -> str:
        rng, s = self.rng, self.serials

        def take(series: str) -> int:
            s[series] += rng.randint(1, 12)
            return s[series]

        if kind in ("民事判决书", "民事调解书"):
            if kind == "民事判决书" and rng.random() < 0.1:
                return f"（{year}）鄂01民终{take('民终')}号"
            court = "鄂0105" if rng.random() < 0.9 else rng.choice(OTHER_COURTS)
            return f"（{year}）{court}民初{take('民初')}号"
        if kind == "支付令":
            return f"（{year}）鄂0105民督{take('民督')}号"
        if kind == "仲裁裁决书":
            return f"（{year}）武仲裁字第{take('仲裁')}号"
        if kind == "公证债权文书":
            return f"（{year}）鄂琴台证字第{take('证')}号"
        return f"汉阳劳人仲裁字〔{year}〕第{take('劳')}号"
