"""Local simulators of other agencies' address services (development and tests): one process
per agency (``python -m addresses.simulator --agency migrant|postal``), each with its own data
(``data/<agency>.json`` or ``--data``), serving the protocol of :mod:`addresses.connectors` with
signed requests and answers, and faults a test can turn on (``POST /sim/faults``)."""
