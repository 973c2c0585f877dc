"""After logging in, the login page follows ``next`` only within the site (web/static/redirect.js,
run by Node.js as the page runs it): an open redirect would hand a phishing page the court's
own login link."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

MODULE = (Path(__file__).resolve().parents[2] / "web" / "static" / "redirect.js").as_uri()
ORIGIN = "https://court.example"
NODE = """
const [module, cases] = process.argv.slice(1);
const { sameSiteTarget } = await import(module);
const out = JSON.parse(cases).map((next) => sameSiteTarget(next, "ORIGIN"));
process.stdout.write(JSON.stringify(out));
""".replace("ORIGIN", ORIGIN)

CASES = {
    "/room.html?h=3": "/room.html?h=3",
    "/sign/7#top": "/sign/7#top",
    "//evil.example/login": "/dashboard.html",
    "/\\\\evil.example/login": "/dashboard.html",
    "/\\evil.example": "/dashboard.html",
    "https://evil.example/": "/dashboard.html",
    "https://court.example/room.html": "/dashboard.html",  # absolute: not what the site sends
    "javascript:alert(1)": "/dashboard.html",
    "room.html": "/dashboard.html",
    "": "/dashboard.html",
    "/%2F%2Fevil.example": "/%2F%2Fevil.example",  # a path on this site, harmless
}


def test_next_stays_on_the_site() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js runs the page's module for this test (the machine has it)")
    nexts = list(CASES)
    result = subprocess.run(
        [node, "--input-type=module", "-e", NODE, MODULE, json.dumps(nexts)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert dict(zip(nexts, json.loads(result.stdout), strict=True)) == CASES
