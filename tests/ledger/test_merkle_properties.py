"""Property tests: for random sizes, every proof the tree generates verifies, against the root
recomputed by the plain RFC 9162 recursion, and tampering (a changed, removed or reordered leaf;
a forked tree) makes the proofs fail with a reason that names it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.log.errors import ProofError
from ledger.log.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def mth(hashes: list[bytes]) -> bytes:
    """MTH of RFC 9162 §2.1.1, literally (the reference the tree's cache is checked against)."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def build(n: int) -> tuple[MerkleTree, list[bytes]]:
    t = MerkleTree()
    for i in range(n):
        t.append(f"entry {i}".encode())
    return t, [leaf_hash(f"entry {i}".encode()) for i in range(n)]


sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=60, deadline=None)
@given(size=sizes, data=st.data())
def test_every_inclusion_proof_verifies(size, data):
    t, hashes = build(size)
    assert t.root() == mth(hashes)
    index = data.draw(st.integers(0, size - 1))
    at = data.draw(st.integers(index + 1, size))
    proof = t.inclusion_proof(index, at)
    verify_inclusion(index, at, hashes[index], proof, mth(hashes[:at]))
    assert len(proof) <= (at - 1).bit_length()


@settings(max_examples=60, deadline=None)
@given(size=sizes, data=st.data())
def test_every_consistency_proof_verifies(size, data):
    t, hashes = build(size)
    old = data.draw(st.integers(0, size))
    proof = t.consistency_proof(old, size)
    verify_consistency(old, size, mth(hashes[:old]), mth(hashes), proof)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(2, 200), data=st.data())
def test_a_changed_leaf_breaks_inclusion_and_consistency(size, data):
    t, hashes = build(size)
    victim = data.draw(st.integers(0, size - 1))
    forged = list(hashes)
    forged[victim] = leaf_hash(b"forged")
    forged_tree = MerkleTree(forged)
    with pytest.raises(ProofError) as inc:
        # the changed leaf, with the proof the tampered log gives, against the checkpointed root
        verify_inclusion(
            victim, size, forged[victim], forged_tree.inclusion_proof(victim), t.root()
        )
    assert inc.value.reason == "inclusion.root_mismatch"
    old = data.draw(st.integers(victim + 1, size))
    if old < size:  # a verifier who saw the honest tree of `old` leaves is shown the forged one
        with pytest.raises(ProofError) as fork:
            verify_consistency(
                old, size, t.root(old), forged_tree.root(), forged_tree.consistency_proof(old)
            )
        assert fork.value.reason == "consistency.fork"


@settings(max_examples=40, deadline=None)
@given(size=st.integers(3, 200), data=st.data())
def test_a_removed_or_reordered_leaf_is_detected(size, data):
    t, hashes = build(size)
    i = data.draw(st.integers(0, size - 2))
    removed = MerkleTree(hashes[:i] + hashes[i + 1 :])
    swapped_hashes = list(hashes)
    swapped_hashes[i], swapped_hashes[i + 1] = swapped_hashes[i + 1], swapped_hashes[i]
    swapped = MerkleTree(swapped_hashes)
    assert removed.root() != t.root() and swapped.root() != t.root()
    with pytest.raises(ProofError) as reordered:
        verify_inclusion(i, size, swapped_hashes[i], swapped.inclusion_proof(i), t.root())
    assert reordered.value.reason == "inclusion.root_mismatch"
    with pytest.raises(ProofError) as shrunk:  # the log, one leaf shorter, looks like a rollback
        verify_consistency(size, size - 1, t.root(), removed.root(), [])
    assert shrunk.value.reason == "consistency.rollback"


def test_an_appended_tree_keeps_old_roots():
    t, hashes = build(1000)
    for n in (1, 2, 3, 511, 512, 513, 999, 1000):
        assert t.root(n) == mth(hashes[:n])


@settings(max_examples=40, deadline=None)
@given(size=st.integers(0, 300), data=st.data())
def test_truncate_then_append_is_the_same_tree(size, data):
    t, hashes = build(size)
    keep = data.draw(st.integers(0, size))
    t.truncate(keep)
    assert t.size == keep and t.root() == mth(hashes[:keep])
    t.append_hash(leaf_hash(b"after"))
    assert t.root() == mth([*hashes[:keep], leaf_hash(b"after")])
    assert t.consistency_proof(keep) == MerkleTree(
        t.leaf_hash_at(i) for i in range(t.size)
    ).consistency_proof(keep)
