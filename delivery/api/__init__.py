"""The delivery service's HTTP API: one router per resource."""

from delivery.api.courier import router as courier_router
from delivery.api.sms import router as sms_router
from delivery.api.staff import router as staff_router

ROUTERS = (staff_router, courier_router, sms_router)

__all__ = ["ROUTERS"]
