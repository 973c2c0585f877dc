"""What each decode of a synchronous test stream is taken to cost (``SyncStream(decode_seconds=)``).

A stream paces its partials by the time its decodes take, so on wall time its windows, and what
the model makes of them, change with the machine's load: the same test read a child's poem one
way alone and another way inside the whole suite. Fixed costs make these tests the same on every
run. ``QUICK`` is about what a base-model decode costs on an idle two-core machine; ``LOADED`` is
what it costs while the rest of the test suite runs beside it.
"""

QUICK = 0.2
LOADED = 1.5
