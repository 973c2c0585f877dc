"""The fee service's HTTP routes (every router, in the order they are installed)."""

from fees.api.accounts import router as accounts_router
from fees.api.finance import router as finance_router
from fees.api.notify import router as notify_router
from fees.api.pay import router as pay_router
from fees.api.refunds import router as refunds_router

ROUTERS = (accounts_router, pay_router, refunds_router, finance_router, notify_router)

__all__ = ["ROUTERS"]
