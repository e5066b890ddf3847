"""A court's case-account settings: rules.md's defaults under the court's own
values (Court.funds_settings). Read once per request or batch, never per row."""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.courts.models import Court

# rules.md §3: funds paid out within 30 days of the arrival notice [practice,
# 执行款物规定(2017) §7]; some Hubei courts: 5 days.
PAYOUT_DAYS = 30
# Warn this many days before the payout limit.
PAYOUT_WARN_DAYS = 3
# rules.md §3: an unmatched deposit is claimed to a case within 3 days [practice].
CLAIM_DAYS = 3
# rules.md §10 [open]: the fee's base is the amount claimed or the amount recovered.
FEE_BASES = ("claimed", "recovered")
FEE_BASE = "claimed"
# Approval by amount [practice, a court setting]: (up to fen or None, roles that must approve, in order).
APPROVAL_TIERS: tuple[tuple[int | None, tuple[str, ...]], ...] = (
    (50_000_00, ("director",)),
    (None, ("director", "vice_president")),
)
# rules.md §10: a deferral needs the director's and the vice president's approval.
DEFERRAL_ROLES = ("director", "vice_president")


@dataclass(frozen=True)
class FundsSettings:
    payout_days: int = PAYOUT_DAYS
    payout_warn_days: int = PAYOUT_WARN_DAYS
    claim_days: int = CLAIM_DAYS
    fee_base: str = FEE_BASE
    approval_tiers: tuple[tuple[int | None, tuple[str, ...]], ...] = APPROVAL_TIERS
    deferral_roles: tuple[str, ...] = DEFERRAL_ROLES
    custody_account: str = ""  # the custody account's own number (案款专户账号), for payment files
    custody_name: str = ""  # its holder's name, e.g. 武汉市汉阳区人民法院
    custody_bank: str = ""  # the bank that keeps it
    fee_name: str = ""  # the court's fee income account (诉讼费专户): holder,
    fee_account: str = ""  # number,
    fee_bank: str = ""  # and bank, for the fee lines of payment files
    account_prefix: str = ""  # Court.account_prefix: the sub-account numbers' prefix


def funds_settings(court: Court) -> FundsSettings:
    raw = dict(court.funds_settings or {})
    tiers = raw.pop("approval_tiers", None)
    roles = raw.pop("deferral_roles", None)
    known = {k: v for k, v in raw.items() if k in FundsSettings.__dataclass_fields__}
    s = FundsSettings(**{"custody_name": court.name, **known, "account_prefix": court.account_prefix})
    if tiers is not None:
        s = _replace(s, approval_tiers=tuple((upper, tuple(r)) for upper, r in tiers))
    if roles is not None:
        s = _replace(s, deferral_roles=tuple(roles))
    if s.fee_base not in FEE_BASES:
        raise ValueError(f"fee_base must be one of {FEE_BASES}")
    return s


def _replace(s: FundsSettings, **changes) -> FundsSettings:
    from dataclasses import replace

    return replace(s, **changes)


def director_limit(s: FundsSettings) -> int | None:
    """The amount (fen) up to which the director alone approves, when the tiers
    have that simple two-step shape; None otherwise."""
    tiers = s.approval_tiers
    if len(tiers) == 2 and tiers[0][1] == ("director",) and tiers[1][0] is None:
        return tiers[0][0]
    return None
