"""What is owed: the case page's panel and documents."""


def due_context(case, request) -> dict:
    """Context for templates/funds/_case_due.html."""
    return {}
