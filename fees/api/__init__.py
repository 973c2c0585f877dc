"""The fee service's HTTP routes (every router, in the order they are installed)."""

from fees.api.accounts import router as accounts_router

ROUTERS = (accounts_router,)

__all__ = ["ROUTERS"]
