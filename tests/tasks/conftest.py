"""The pages' fixtures (frozen clock, logins, a second court) for these tests too."""

from tests.web.conftest import login, other_court, today  # noqa: F401
