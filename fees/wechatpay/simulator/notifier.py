"""Delivery of notifications to the merchant's ``notify_url``, as WeChat does it.

An attempt is a POST of the notification's fixed JSON body, freshly signed with the platform key
(``Wechatpay-Signature``/``-Timestamp``/``-Nonce``/``-Serial``). Any 2xx answer within
``timeout_s`` ends the delivery; anything else (another status, a timeout, a refused connection)
is retried after WeChat's schedule 15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min ×3, 60 min,
3 h ×3, 6 h ×2 (about 24 h), each delay divided by ``time_scale`` so that tests run it in
milliseconds. Attempts are recorded in the store, so a restarted simulator resumes the pending
deliveries where they were.

The delivery faults of :class:`~.faults.DeliveryFaults` are applied here: ``drop``, ``delay_s``,
``duplicate`` (copies of the first attempt sent concurrently, each signed anew), ``forge``
(a signature of another text), ``stale`` (a timestamp an hour old), ``replay`` (once delivered,
the very same request, headers and all, sent once more).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

import httpx

from fees.wechatpay.crypto import new_nonce, sign_response
from fees.wechatpay.simulator.faults import DeliveryFaults
from fees.wechatpay.simulator.keys import SimulatorKeys
from fees.wechatpay.simulator.store import Notification, Store

__all__ = ["RETRY_DELAYS_S", "STALE_BY_S", "Notifier"]

RETRY_DELAYS_S: tuple[int, ...] = (
    15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
)  # fmt: skip
"""Delays before the 2nd … 16th attempt (WeChat Pay's documented notification schedule)."""
STALE_BY_S = 3600
log = logging.getLogger(__name__)


class Notifier:
    def __init__(
        self,
        keys: SimulatorKeys,
        store: Store,
        *,
        time_scale: float = 1.0,
        timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float],
    ) -> None:
        self._keys = keys
        self._store = store
        self._time_scale = time_scale
        self._timeout_s = timeout_s
        self._clock = clock
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout_s)
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, notification: Notification) -> None:
        """Start (or resume) delivering in the background."""
        task = asyncio.get_running_loop().create_task(self._deliver(notification))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Until every delivery started so far has ended (delivered, failed or dropped)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._http.aclose()

    def _update(self, notification: Notification, **changes: object) -> Notification:
        updated = dataclasses.replace(notification, **changes)  # type: ignore[arg-type]
        self._store.put(updated)
        return updated

    def _headers(self, body: str, faults: DeliveryFaults) -> dict[str, str]:
        timestamp = int(self._clock()) - (STALE_BY_S if faults.stale else 0)
        signed = sign_response(
            self._keys.platform_key,
            self._keys.platform_serial,
            body + ("forged" if faults.forge else ""),
            timestamp=timestamp,
            nonce=new_nonce(),
        )
        return {"Content-Type": "application/json", **signed.as_headers()}

    async def _post(self, url: str, body: str, headers: dict[str, str]) -> bool:
        try:
            async with asyncio.timeout(self._timeout_s):
                response = await self._http.post(url, content=body.encode(), headers=headers)
        except (TimeoutError, httpx.HTTPError) as exc:
            log.debug("notification to %s: %s", url, type(exc).__name__)
            return False
        return 200 <= response.status_code < 300

    async def _deliver(self, notification: Notification) -> None:
        faults = DeliveryFaults.from_dict(notification.faults)
        if faults.drop:
            self._update(notification, status="dropped")
            return
        if faults.delay_s and notification.attempts == 0:
            await asyncio.sleep(faults.delay_s)
        url, body = notification.notify_url, notification.body
        while notification.attempts <= len(RETRY_DELAYS_S):
            if notification.attempts:
                await asyncio.sleep(RETRY_DELAYS_S[notification.attempts - 1] / self._time_scale)
            copies = faults.duplicate if notification.attempts == 0 else 1
            sent = [self._headers(body, faults) for _ in range(max(copies, 1))]
            results = await asyncio.gather(*(self._post(url, body, h) for h in sent))
            notification = self._update(notification, attempts=notification.attempts + 1)
            if any(results):
                notification = self._update(notification, status="delivered")
                if faults.replay:
                    accepted = sent[results.index(True)]
                    await self._post(url, body, accepted)
                return
        self._update(notification, status="failed")
        log.info(
            "notification %s not delivered after %d attempts",
            notification.id,
            notification.attempts,
        )
