"""The signing and encryption recipes, and interop with the independent ``wechatpayv3`` library
both ways: its signatures verify with ours and ours with it; its decryption reads our
ciphertexts and ours reads AES-GCM made without our code."""

from __future__ import annotations

import base64
import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from wechatpayv3 import utils as reference  # type: ignore[import-untyped]

from fees.wechatpay.credentials import MerchantCredentials
from fees.wechatpay.crypto import (
    authorization_header,
    decrypt_resource,
    encrypt_resource,
    new_nonce,
    parse_authorization,
    request_message,
    response_message,
    rsa_sign,
    rsa_verify,
    sign_response,
    signed_headers_from,
    verify_signed,
)
from fees.wechatpay.errors import VerificationError

NOW = 1_765_000_000


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_messages_are_lines_each_ended_by_a_newline():
    assert request_message("post", "/v3/x?a=1", 1554208460, "593BEC0C", '{"a":1}') == (
        'POST\n/v3/x?a=1\n1554208460\n593BEC0C\n{"a":1}\n'
    )
    assert (
        request_message("GET", "/v3/certificates", 1, "N", "") == "GET\n/v3/certificates\n1\nN\n\n"
    )
    assert response_message(1554209980, "c5ac7061", "{}") == "1554209980\nc5ac7061\n{}\n"


def test_nonce_alphabet_and_length():
    nonce = new_nonce(12)
    assert len(nonce) == 12 and nonce.isalnum() and nonce.upper() == nonce


def test_our_authorization_verifies_with_the_reference(key):
    header = authorization_header(
        mchid="1900000001",
        serial_no="ABC123",
        private_key=key,
        method="POST",
        url="/v3/pay/transactions/native",
        body='{"x":"诉讼费"}',
        timestamp=NOW,
        nonce="NONCE1",
    )
    assert header.startswith('WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="NONCE1",')
    parts = parse_authorization(header)
    assert (parts.mchid, parts.serial_no, parts.timestamp) == ("1900000001", "ABC123", NOW)
    message = request_message(
        "POST", "/v3/pay/transactions/native", NOW, "NONCE1", '{"x":"诉讼费"}'
    )
    # rsa_verify of the reference takes the three-line text; give it the whole message instead.
    assert reference.rsa_sign(key, message) == parts.signature
    rsa_verify(key.public_key(), message, parts.signature)


def test_reference_authorization_parses_and_verifies_with_ours(key):
    body = {"mchid": "1900000001", "amount": {"total": 1}}
    header = reference.build_authorization(
        "/v3/refund/domestic/refunds", "POST", "1900000001", "SERIAL9", key, data=body
    )
    parts = parse_authorization(header)
    message = request_message(
        "POST", "/v3/refund/domestic/refunds", parts.timestamp, parts.nonce_str, json.dumps(body)
    )
    rsa_verify(key.public_key(), message, parts.signature)
    with pytest.raises(VerificationError) as caught:
        rsa_verify(key.public_key(), message + "x", parts.signature)
    assert caught.value.reason == "bad_signature"


def test_response_signature_both_ways(key):
    body = '{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}'
    signed = sign_response(key, "PLATFORM1", body, timestamp=NOW, nonce="N0")
    assert reference.rsa_verify(str(NOW), "N0", body, signed.signature, key.public_key())
    theirs = reference.rsa_sign(key, response_message(NOW, "N1", body))
    verify_signed(
        signed_headers_from(
            {
                "wechatpay-signature": theirs,
                "Wechatpay-Timestamp": str(NOW),
                "WECHATPAY-NONCE": "N1",
                "Wechatpay-Serial": "PLATFORM1",
            }
        ),
        body,
        platform_keys={"PLATFORM1": key.public_key()},
        now=NOW + 10,
    )


@pytest.mark.parametrize(
    ("serial", "now", "body", "reason"),
    [
        ("OTHER", NOW, "{}", "unknown_serial"),
        ("P", NOW + 301, "{}", "stale_timestamp"),
        ("P", NOW - 301, "{}", "stale_timestamp"),
        ("P", NOW, "{} ", "bad_signature"),
    ],
)
def test_verify_signed_refuses(key, serial, now, body, reason):
    signed = sign_response(key, serial, "{}", timestamp=NOW, nonce="N")
    with pytest.raises(VerificationError) as caught:
        verify_signed(signed, body, platform_keys={"P": key.public_key()}, now=now)
    assert caught.value.reason == reason


def test_window_is_a_parameter(key):
    signed = sign_response(key, "P", "{}", timestamp=NOW, nonce="N")
    verify_signed(signed, "{}", platform_keys={"P": key.public_key()}, now=NOW + 900, window_s=1000)


def test_missing_header_and_bad_base64_are_refused(key):
    with pytest.raises(VerificationError) as caught:
        signed_headers_from({"Wechatpay-Timestamp": "1"})
    assert caught.value.reason == "malformed"
    with pytest.raises(VerificationError) as caught:
        rsa_verify(key.public_key(), "x", "not base64!!")
    assert caught.value.reason == "bad_signature"
    with pytest.raises(VerificationError):
        parse_authorization('Bearer mchid="1"')
    with pytest.raises(VerificationError):
        parse_authorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="x"')


APIV3 = b"0123456789abcdefghijABCDEFGHIJ01"


def test_our_ciphertext_decrypts_with_the_reference():
    sealed = encrypt_resource(APIV3, "支付成功".encode(), associated_data="transaction")
    assert sealed["algorithm"] == "AEAD_AES_256_GCM" and len(sealed["nonce"]) == 12
    plain = reference.aes_decrypt(
        sealed["nonce"], sealed["ciphertext"], sealed["associated_data"], APIV3.decode()
    )
    assert plain == "支付成功"


def test_independent_ciphertext_decrypts_with_ours():
    nonce, associated = "abcdefABCDEF", "certificate"
    ciphertext = AESGCM(APIV3).encrypt(nonce.encode(), b"-----BEGIN", associated.encode())
    resource = {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated,
        "nonce": nonce,
    }
    assert decrypt_resource(APIV3, resource) == b"-----BEGIN"
    assert (
        reference.aes_decrypt(nonce, resource["ciphertext"], associated, APIV3.decode())
        == "-----BEGIN"
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"associated_data": "refund"}, "bad_ciphertext"),
        ({"nonce": "000000000000"}, "bad_ciphertext"),
        ({"ciphertext": "%%%"}, "bad_ciphertext"),
        ({"algorithm": "AEAD_SM4_GCM"}, "malformed"),
        ({"nonce": 12}, "malformed"),
    ],
)
def test_tampered_resources_are_refused(change, reason):
    sealed: dict[str, object] = {**encrypt_resource(APIV3, b"{}", associated_data="transaction")}
    sealed.update(change)
    with pytest.raises(VerificationError) as caught:
        decrypt_resource(APIV3, sealed)
    assert caught.value.reason == reason
    with pytest.raises(VerificationError):
        decrypt_resource(os.urandom(32), encrypt_resource(APIV3, b"{}", associated_data="x"))


def test_provisioned_credentials_sign_like_the_reference(credentials: MerchantCredentials):
    assert len(credentials.apiv3_key) == 32
    assert len(credentials.platform_keys) == 1
    message = request_message("GET", "/v3/certificates", NOW, "N", "")
    assert rsa_sign(credentials.private_key, message) == reference.rsa_sign(
        credentials.private_key, message
    )
