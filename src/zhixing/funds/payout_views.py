"""Money out: plans, approvals, payment files."""


def payouts_context(case, officer) -> dict:
    """Context for templates/funds/_case_payouts.html."""
    return {}
