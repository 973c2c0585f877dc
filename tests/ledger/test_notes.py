"""Signed notes against the published vectors of golang.org/x/mod/sumdb/note (BSD-3-Clause,
``note_test.go``: PeterNeumann's keys, the signature of the Peter Neumann quote, and EnochRoot's
signature); checkpoints and cosignatures."""

from __future__ import annotations

import pytest

from ledger.log.checkpoint import Checkpoint, check_extends, open_checkpoint, sign_checkpoint
from ledger.log.cosign import Quorum, cosign, count_cosignatures, verify_cosignature
from ledger.log.errors import CheckpointError, LogError, NoteError
from ledger.log.merkle import MerkleTree
from ledger.log.note import NoteSigner, NoteVerifier, SignedNote, parse_note

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"


def test_keys_round_trip_and_match_the_go_encoding():
    signer = NoteSigner.parse(PETER_SKEY)
    assert signer.skey() == PETER_SKEY
    assert signer.verifier().vkey() == PETER_VKEY
    assert NoteVerifier.parse(PETER_VKEY).hash == 0xC74F20A3


@pytest.mark.parametrize(
    "bad",
    [
        PETER_VKEY[:-1],
        PETER_VKEY.replace("c74f20a3", "c74f20a4"),
        "PeterNeumann+c74f20a3",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_mangled_verifier_keys_are_refused(bad):
    with pytest.raises(NoteError):
        NoteVerifier.parse(bad)


def test_signing_gives_the_published_signature():
    note = SignedNote(TEXT, (NoteSigner.parse(PETER_SKEY).sign(TEXT),))
    assert note.render() == TEXT + "\n" + PETER_SIG


def test_open_verifies_each_signer_and_names_a_bad_signature():
    note = parse_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    assert note.text == TEXT
    note.signed_by(NoteVerifier.parse(PETER_VKEY))
    note.signed_by(NoteVerifier.parse(ENOCH_VKEY))
    broken = parse_note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:])
    with pytest.raises(NoteError) as bad:
        broken.signed_by(NoteVerifier.parse(PETER_VKEY))
    assert bad.value.reason in {"note.bad_signature", "note.unsigned"}
    changed = parse_note(TEXT.replace("answer", "ANSWER") + "\n" + PETER_SIG)
    with pytest.raises(NoteError) as tampered:
        changed.signed_by(NoteVerifier.parse(PETER_VKEY))
    assert tampered.value.reason == "note.bad_signature"


@pytest.mark.parametrize(
    "msg",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT
        + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG * 101,
    ],
)
def test_malformed_notes_are_refused(msg):
    with pytest.raises(NoteError) as err:
        parse_note(msg)
    assert err.value.reason.startswith("note.")


LOG = NoteSigner.parse(PETER_SKEY)
ORIGIN = "ledger.tingshen.example/intermediate-court"


def checkpoint_of(tree: MerkleTree, size: int | None = None) -> Checkpoint:
    return Checkpoint(ORIGIN, tree.size if size is None else size, tree.root(size))


def test_a_checkpoint_signs_opens_and_names_what_is_wrong():
    tree = MerkleTree()
    for i in range(5):
        tree.append(b"%d" % i)
    cp = checkpoint_of(tree)
    message = sign_checkpoint(cp, LOG).render()
    assert message.startswith(f"{ORIGIN}\n5\n")
    opened, _ = open_checkpoint(message, LOG.verifier(), ORIGIN)
    assert opened == cp
    with pytest.raises(CheckpointError) as other:
        open_checkpoint(message, NoteVerifier.parse(ENOCH_VKEY))
    assert other.value.reason == "checkpoint.unsigned"
    with pytest.raises(CheckpointError) as forged:
        open_checkpoint(message.replace("\n5\n", "\n6\n"), LOG.verifier())
    assert forged.value.reason == "checkpoint.bad_signature"
    with pytest.raises(CheckpointError) as origin:
        open_checkpoint(message, LOG.verifier(), "another.log")
    assert origin.value.reason == "checkpoint.wrong_origin"


def test_check_extends_names_rollback_and_fork():
    honest = MerkleTree()
    forked = MerkleTree()
    for i in range(10):
        honest.append(b"%d" % i)
        forked.append(b"%d" % i if i != 3 else b"forged")
    old = checkpoint_of(honest, 6)
    check_extends(old, checkpoint_of(honest), honest.consistency_proof(6))
    with pytest.raises(CheckpointError) as fork:
        check_extends(old, checkpoint_of(forked), forked.consistency_proof(6))
    assert fork.value.reason == "checkpoint.fork"
    with pytest.raises(CheckpointError) as back:
        check_extends(checkpoint_of(honest), old, [])
    assert back.value.reason == "checkpoint.rollback"
    with pytest.raises(CheckpointError) as same_size:
        check_extends(checkpoint_of(honest), checkpoint_of(forked), [])
    assert same_size.value.reason == "checkpoint.fork"


def test_cosignatures_and_a_two_of_three_quorum():
    tree = MerkleTree([bytes(32)])
    note = sign_checkpoint(checkpoint_of(tree), LOG)
    witnesses = [NoteSigner.generate(f"witness-{n}") for n in range(3)]
    quorum = Quorum(tuple(w.verifier() for w in witnesses), 2)
    one = SignedNote(note.text, (*note.signatures, cosign(witnesses[0], note.text, 1_700_000_000)))
    assert count_cosignatures(parse_note(one.render()), quorum) == (False, ("witness-0",))
    two = SignedNote(one.text, (*one.signatures, cosign(witnesses[2], note.text, 1_700_000_001)))
    reopened = parse_note(two.render())
    assert count_cosignatures(reopened, quorum) == (True, ("witness-0", "witness-2"))
    assert verify_cosignature(reopened, witnesses[2].verifier()) == 1_700_000_001
    # A cosignature of another checkpoint does not count for this one.
    other = sign_checkpoint(Checkpoint(ORIGIN, 1, bytes(31) + b"\x01"), LOG)
    moved = SignedNote(other.text, two.signatures)
    assert count_cosignatures(moved, quorum) == (False, ())
    with pytest.raises(LogError) as wrong:
        verify_cosignature(moved, witnesses[0].verifier())
    assert wrong.value.reason == "cosignature.bad_signature"
    # The log's own note signature is not a cosignature (different key hash type).
    with pytest.raises(NoteError) as missing:
        verify_cosignature(note, LOG.verifier())
    assert missing.value.reason == "cosignature.missing"
