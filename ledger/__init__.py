"""The ledger (存证账本): lawyers' investigation orders (律师调查令) and an append-only, publicly
verifiable log of every step, witnessed by independent parties (issue 18).

- :mod:`ledger.log`: the pure log core: the RFC 9162 Merkle tree and its proofs, C2SP signed notes,
  checkpoints and witness cosignatures. No web, no database.
- :mod:`ledger.store` / :mod:`ledger.writer`: the log in the platform's database (own tables, own
  Alembic version table ``alembic_version_ledger``); several courts write, each signs its entries.
- :mod:`ledger.witness`: ``tingshen witness``, an independent process that cosigns checkpoints it
  finds consistent with the last one it cosigned.
- The order workflow: :mod:`ledger.order_rules` (pure: number, scope, validity),
  :mod:`ledger.orders` (apply, decide, revoke, expire; who may), :mod:`ledger.order_issue` (the
  sealed PDF, :mod:`ledger.order_pdf`), :mod:`ledger.order_public` (the QR page's verification
  and the institution's answer), :mod:`ledger.order_steps` (each step a leaf; receipts),
  :mod:`ledger.order_events` / :mod:`ledger.order_tell` (the dossier and the parties told),
  :mod:`ledger.order_verify` (``tingshen ledger verify ORDER.pdf``), :mod:`ledger.order_api`
  (routes) and ``ledger/static/`` (pages).
"""
