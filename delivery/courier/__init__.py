"""The courier seam (postal express, 邮政EMS 司法专邮): one interface (:mod:`.api`), one module per
implementation; the local simulator (:mod:`.local`) behaves like the real one: waybill numbers,
signed tracking callbacks, an outage that the durable work retries."""

from delivery.courier.api import (
    TRACKING_STATUSES,
    CallbackError,
    Courier,
    CourierUnavailableError,
    Letter,
    TrackingEvent,
    parse_callback,
    sign_callback,
)

__all__ = [
    "TRACKING_STATUSES",
    "CallbackError",
    "Courier",
    "CourierUnavailableError",
    "Letter",
    "TrackingEvent",
    "parse_callback",
    "sign_callback",
]
