"""The log core, pure (no web framework, no database, no command line): an append-only Merkle
tree in the RFC 9162 (Certificate Transparency v2) shape, its inclusion and consistency proofs,
C2SP signed notes, tlog-checkpoints and tlog-cosignatures (Ed25519 through ``cryptography``).

Errors (``ledger.log.errors``)::

    LogError                  every failure of this package; ``reason`` names what failed
    ├── ProofError            an inclusion or consistency proof does not hold
    ├── NoteError             a signed note is malformed, or a signature does not verify
    └── CheckpointError       a checkpoint is malformed, or inconsistent with an earlier one
"""
