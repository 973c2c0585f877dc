"""A local WeChat Pay API v3 gateway that speaks the real protocol, for development and tests.

One process (``python -m fees.wechatpay.simulator --port P --state-dir DIR``): the Native payment,
refund, bill and certificate endpoints with real signatures both ways and AES-GCM resources, the
payer's phone (``/sim/wallet``), notifications with WeChat's retry schedule, and fault injection.
A server is pointed at it by configuration only (base URL and credentials directory, see
:func:`~fees.wechatpay.simulator.keys.provision`).

Modules: :mod:`.keys` (platform and merchant keys, provisioning), :mod:`.store` (append-only
state), :mod:`.faults`, :mod:`.gateway` (the rules), :mod:`.notifier` (delivery and retries),
:mod:`.billing` (the trade bill), :mod:`.wallet` (the payer's page), :mod:`.app` (HTTP).
"""
