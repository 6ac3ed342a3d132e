"""The fake Bot API for the dashboard's tests (the admin tests' fixture)."""

from tests.admin.conftest import tg

__all__ = ["tg"]
