"""The portal's routers, under ``/api/portal``."""

from portal.api.account import router as account_router
from portal.api.cases import router as cases_router
from portal.api.passkeys import router as passkeys_router
from portal.api.review import router as review_router

ROUTERS = (account_router, cases_router, review_router, passkeys_router)

__all__ = ["ROUTERS"]
