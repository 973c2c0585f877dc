"""Litigation fees (诉讼费): the fee computation of the future ``fees`` side service.

So far only the computation: the State Council's 诉讼费用交纳办法 (2007) as data
(``fees/data/*.toml``, read by :mod:`fees.loader`), a small engine that interprets it
(:mod:`fees.engine`: tiers, fixed amounts, ranges chosen by settings, fractions, caps, halving)
into a hand-checkable :class:`~fees.breakdown.Breakdown`, and ``tingshen fees calc``
(:mod:`fees.cli`). Money is integer fen (分) throughout; see :mod:`fees.money`.

Like every side service, ``fees`` imports only the platform, the event contracts and the leaf
libraries, and the hearing server never imports it (it loads the CLI by module name).
"""
