"""The ledger (存证账本): lawyers' investigation orders (律师调查令) and an append-only, publicly
verifiable log of every step, witnessed by independent parties (issue 18).

- :mod:`ledger.log`: the pure log core: the RFC 9162 Merkle tree and its proofs, C2SP signed notes,
  checkpoints and witness cosignatures. No web, no database.
- :mod:`ledger.store` / :mod:`ledger.writer`: the log in the platform's database (own tables, own
  Alembic version table ``alembic_version_ledger``); several courts write, each signs its entries.
- :mod:`ledger.witness`: ``tingshen witness``, an independent process that cosigns checkpoints it
  finds consistent with the last one it cosigned.
"""
