"""Implements docs/rules.md §10 (the enforcement fee, 申请执行费).

诉讼费用交纳办法 §14(一): for an application with a monetary amount the fee is
50 yuan up to 10,000 yuan, and then by tiers on the part above each threshold:
1.5% up to 500,000; 1% up to 5,000,000; 0.5% up to 10,000,000; 0.1% above.
The fee is paid after enforcement and borne by the debtor (§20, §38).

Whether the base is the amount claimed or the amount recovered is local
practice [open]: the caller chooses the base, this module only applies the tiers.
An application without a monetary amount is charged 50–500 yuan at the court's
discretion (§14(一)): that is a decision for a person, not a calculation, so an
amount of 0 gives a fee of 0 here and NON_MONETARY_FEE_RANGE gives the bounds.
"""

from __future__ import annotations

from zhixing.rules.money import MoneyError, format_yuan

__all__ = ["FEE_TIERS", "MINIMUM_FEE", "NON_MONETARY_FEE_RANGE", "enforcement_fee"]

# 诉讼费用交纳办法 §14(一): 50 yuan covers the first 10,000 yuan.
MINIMUM_FEE = 50_00
MINIMUM_FEE_COVERS = 10_000_00

# 诉讼费用交纳办法 §14(一): (upper bound of the tier in fen or None, rate in ‰).
FEE_TIERS: tuple[tuple[int | None, int], ...] = (
    (500_000_00, 15),
    (5_000_000_00, 10),
    (10_000_000_00, 5),
    (None, 1),
)

# 诉讼费用交纳办法 §14(一): no monetary amount, 50–500 yuan per case.
NON_MONETARY_FEE_RANGE = (50_00, 500_00)


def enforcement_fee(amount_fen: int) -> int:
    """The enforcement fee in fen for a monetary amount in fen, rounded half up."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError("执行金额应为以分计的整数")
    if amount_fen < 0:
        raise MoneyError(f"执行金额不能为负数：{format_yuan(amount_fen)}元")
    if amount_fen == 0:
        return 0
    # Sum the tiers in thousandths of a fen, so the only rounding is the last one.
    thousandths = MINIMUM_FEE * 1000
    lower = MINIMUM_FEE_COVERS
    for upper, per_mille in FEE_TIERS:
        if amount_fen <= lower:
            break
        portion = (amount_fen if upper is None else min(amount_fen, upper)) - lower
        thousandths += portion * per_mille
        lower = upper if upper is not None else amount_fen
    return (thousandths + 500) // 1000
