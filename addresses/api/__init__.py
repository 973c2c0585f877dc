"""The address service's routers."""

from addresses.api.routes import router

ROUTERS = (router,)

__all__ = ["ROUTERS"]
