"""Fault bookkeeping (pure), the credentials directory, and provisioning."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from fees.wechatpay.client import WechatPayClient
from fees.wechatpay.credentials import CredentialsError, MerchantCredentials, load_credentials
from fees.wechatpay.errors import ProviderError
from fees.wechatpay.simulator.faults import DeliveryFaults, FaultBook, FaultPlan
from fees.wechatpay.simulator.keys import MERCHANT_DIR, load_simulator_keys, provision
from tests.fees.wechatpay.conftest import APPID, BASE_URL, MCHID, Sim


def test_a_plan_without_order_applies_to_the_next_one():
    book = FaultBook()
    book.add(FaultPlan.from_dict({"drop": True, "fail_refund": True}))
    assert book.take_delivery("A") == DeliveryFaults(drop=True)
    assert book.take_delivery("B") == DeliveryFaults()
    assert book.take_fail_refund("A") and not book.take_fail_refund("A")
    assert book.pending() == []


def test_a_plan_for_an_order_waits_for_it_and_comes_first():
    book = FaultBook()
    book.add(FaultPlan.from_dict({"duplicate": 2}))
    book.add(FaultPlan.from_dict({"out_trade_no": "B", "forge": True}))
    assert book.take_delivery("B") == DeliveryFaults(forge=True)
    assert book.take_delivery("C") == DeliveryFaults(duplicate=2)
    assert book.take_delivery("B") == DeliveryFaults()


def test_timeouts_are_per_api_and_parts_are_consumed_separately():
    book = FaultBook()
    book.add(
        FaultPlan.from_dict(
            {"timeout_once": "query_order", "timeout_s": 2.5, "pay_immediately": True}
        )
    )
    assert book.take_timeout("close_order", None) is None
    assert book.take_pay_immediately("X")
    assert book.take_timeout("query_order", "X") == 2.5
    assert book.take_timeout("query_order", "X") is None
    assert book.pending() == []
    book.add(FaultPlan(out_trade_no="K", timeout_once="query_order"))
    assert book.take_timeout("query_order", "other") is None
    assert book.take_timeout("query_order", "K") == 30.0


def test_provision_writes_what_a_server_reads(provisioned: Path):
    merchant = provisioned / MERCHANT_DIR
    names = sorted(p.relative_to(merchant).as_posix() for p in merchant.rglob("*") if p.is_file())
    credentials = load_credentials(merchant)
    (serial,) = credentials.platform_keys
    assert names == sorted(
        [
            "apiclient_cert.pem",
            "apiclient_key.pem",
            "apiv3_key",
            "merchant.json",
            f"platform/{serial}.pem",
        ]
    )
    assert (credentials.mchid, credentials.appid) == (MCHID, APPID)
    assert (merchant / "apiclient_key.pem").stat().st_mode & 0o077 == 0
    keys = load_simulator_keys(provisioned)
    assert keys.platform_serial == serial and keys.apiv3_key == credentials.apiv3_key
    assert list(keys.merchant_keys) == [credentials.merchant_serial]


def test_provision_again_keeps_the_keys(provisioned: Path, tmp_path: Path):
    copy = tmp_path / "again"
    shutil.copytree(provisioned, copy)
    before = load_credentials(copy / MERCHANT_DIR)
    after = provision(copy, MCHID, APPID)
    assert after.merchant_serial == before.merchant_serial
    assert after.apiv3_key == before.apiv3_key and list(after.platform_keys) == list(
        before.platform_keys
    )


def test_a_platform_public_key_id_is_accepted(credentials: MerchantCredentials, tmp_path: Path):
    directory = tmp_path / "creds"
    assert credentials.directory is not None
    shutil.copytree(credentials.directory, directory)
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (directory / "platform" / "PUB_KEY_ID_0114232134912410000.pem").write_bytes(pem)
    loaded = load_credentials(directory)
    assert (
        "PUB_KEY_ID_0114232134912410000" in loaded.platform_keys and len(loaded.platform_keys) == 2
    )


@pytest.mark.parametrize(
    "breakage", ["no_merchant", "bad_json", "short_key", "no_platform", "bad_pem"]
)
def test_broken_credentials_name_the_file(
    credentials: MerchantCredentials, tmp_path: Path, breakage: str
):
    directory = tmp_path / "creds"
    assert credentials.directory is not None
    shutil.copytree(credentials.directory, directory)
    if breakage == "no_merchant":
        (directory / "merchant.json").unlink()
    elif breakage == "bad_json":
        (directory / "merchant.json").write_text(json.dumps({"mchid": "1"}))
    elif breakage == "short_key":
        (directory / "apiv3_key").write_text("short")
    elif breakage == "no_platform":
        shutil.rmtree(directory / "platform")
    else:
        (directory / "apiclient_key.pem").write_text(
            "-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----\n"
        )
    with pytest.raises(CredentialsError) as caught:
        load_credentials(directory)
    assert str(directory) in str(caught.value)


def test_simulator_refuses_an_unprovisioned_directory(tmp_path: Path):
    with pytest.raises(Exception, match="provision"):
        load_simulator_keys(tmp_path)


async def test_simulator_refuses_a_request_signed_too_long_ago(
    sim: Sim, credentials: MerchantCredentials
):
    transport = httpx.ASGITransport(app=sim.app)
    async with WechatPayClient(
        credentials,
        base_url=BASE_URL,
        transport=transport,
        clock=lambda: time.time() - 600,
        window_s=900,
    ) as client:
        with pytest.raises(ProviderError) as caught:
            await client.query_order("X")
    assert (caught.value.status, caught.value.code) == (401, "SIGN_ERROR")
