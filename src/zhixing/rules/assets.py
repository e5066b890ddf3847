"""Implements the asset kinds of docs/rules.md §8 and §14 (glossary: Assets).

The kinds a network inquiry reports, grouped the way triage (§14) and the 终本
checklist (§8) read them: cash that can be deducted at once, and property that
must be valued and sold first.
"""

from __future__ import annotations

__all__ = ["ASSET_KINDS", "CASH_KINDS", "PROPERTY_KINDS"]

ASSET_KINDS: dict[str, str] = {
    "deposit": "存款",
    "real_estate": "不动产",
    "vehicle": "车辆",
    "securities": "证券",
    "online_funds": "网络资金",
    "housing_fund": "公积金",
    "equity": "股权",
    "insurance": "保险",
}

# §14 T2: money that can be frozen and deducted without a sale.
CASH_KINDS: tuple[str, ...] = ("deposit", "online_funds")

# §14 T4: property that goes to the disposal team for valuation and auction.
PROPERTY_KINDS: tuple[str, ...] = ("real_estate", "vehicle", "equity", "securities")
