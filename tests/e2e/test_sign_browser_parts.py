"""The browser's half of signing, in headless Chromium: a non-extractable WebCrypto key and a drawn
signature.

- ``sign-keys.js`` makes an ECDSA P-256 key that the page's own script cannot export, keeps it in
  IndexedDB (a reload gets the same key back), and signs bytes in the IEEE P1363 form; the
  server's wrapper (``signing.primitives``) verifies that signature against the exported SPKI
  public key, and refuses it for other bytes.
- ``signature-pad.js`` turns pointer strokes into a PNG cropped to the ink.

Runs in a private network namespace like the other browser tests (the page needs the app's
static files only; the ASR is a fake).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from signing.errors import InvalidSignatureError
from signing.primitives import ecdsa_p256_verify_p1363
from tests.e2e.harness import (
    assert_private_namespace,
    launch_chromium,
    live_server,
    new_context,
    run_module_in_namespace,
    silence,
    write_browser_wav,
)
from tests.server.live_fakes import FakeStreams

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

KEY_JS = """async (data) => {
  const keys = await import('/sign-keys.js');
  const pair = await keys.signerKey('participant-7');
  let exported = 'refused';
  try { await crypto.subtle.exportKey('pkcs8', pair.privateKey); exported = 'exported'; }
  catch (e) { exported = 'refused'; }
  return {
    spki: await keys.publicKeySpki(pair),
    sig: await keys.signBytes(pair, data),
    extractable: pair.privateKey.extractable,
    exported,
  };
}"""

PAD_JS = """() => {
  const canvas = document.createElement('canvas');
  canvas.id = 'pad';
  canvas.style.cssText = 'position:fixed;left:0;top:0;width:400px;height:160px';
  document.body.appendChild(canvas);
  return import('/signature-pad.js').then((m) => {
    window.__pad = new m.SignaturePad(canvas);
    return window.__pad.toPngBase64();
  });
}"""


def test_sign_browser_parts_in_private_network_namespace() -> None:
    run_module_in_namespace(__file__, timeout_s=110)


def test_key_stays_in_the_browser_and_signs_for_the_server(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert_private_namespace()
    wav = write_browser_wav(tmp_path / "silence.wav", silence(1.0))
    message = "签名属性 signed attributes".encode()
    with live_server(tmp_path / "data", FakeStreams()) as server, sync_playwright() as pw:
        browser = launch_chromium(pw, wav)
        try:
            page = new_context(browser).new_page()
            page.goto(f"{server.base_url}/login.html")
            first = page.evaluate(KEY_JS, base64.b64encode(message).decode())
            assert first["extractable"] is False and first["exported"] == "refused"
            spki = base64.b64decode(first["spki"])
            signature = base64.b64decode(first["sig"])
            assert len(signature) == 64  # P1363 r || s
            ecdsa_p256_verify_p1363(spki, message, signature)
            with pytest.raises(InvalidSignatureError):
                ecdsa_p256_verify_p1363(spki, message + b"!", signature)

            page.reload()  # the same key comes back from IndexedDB
            again = page.evaluate(KEY_JS, base64.b64encode(b"other").decode())
            assert again["spki"] == first["spki"]
            ecdsa_p256_verify_p1363(spki, b"other", base64.b64decode(again["sig"]))

            assert page.evaluate(PAD_JS) is None  # nothing drawn yet
            page.mouse.move(40, 100)
            page.mouse.down()
            for x in range(40, 360, 8):
                page.mouse.move(x, 100 + (30 if (x // 40) % 2 else -30))
            page.mouse.up()
            png = page.evaluate("() => window.__pad.toPngBase64()")
        finally:
            browser.close()
    image = Image.open(io.BytesIO(base64.b64decode(png)))
    assert image.format == "PNG" and image.mode == "RGBA"
    width, height = image.size
    assert 300 <= width <= 400 * 3 and 50 <= height <= 160 * 3  # cropped to the ink
    alpha = image.getchannel("A")
    assert alpha.getbbox() is not None
    assert alpha.getpixel((0, 0)) == 0  # transparent around the ink
