"""Template context: the signed-in officer, and htmx's CSP nonce."""


def officer(request):
    user = getattr(request, "user", None)
    context = {"officer": getattr(user, "officer", None) if user and user.is_authenticated else None}
    nonce = getattr(request, "csp_nonce", None)
    if nonce is not None:
        context["csp_nonce"] = nonce  # django-htmx reads this key; django-csp 4 sets CSP_NONCE
    return context
