"""The widget's files: served at /chat, escaped, built from the committed sources."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import aiohttp
import pytest

from channels.web import WebChatWidget

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "web" / "src"


@pytest.fixture
def widget() -> WebChatWidget:
    return WebChatWidget.from_credentials({
        "title": "Gentle Hands", "hospice_name": 'St "Mary\'s" <Hospice>',
        "hospice_phone": "0800 555 0100", "emergency_number": "",
    })


async def get(url: str) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as s, s.get(url) as r:
        return r.status, dict(r.headers), await r.text()


async def test_the_chat_page_is_served_at_slash_chat(serve, widget):
    base = await serve(widget)
    for path in ("/chat", "/chat/"):
        status, headers, body = await get(base + path)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert 'src="/chat/widget.js"' in body and 'data-mode="inline"' in body
        assert 'data-hospice-phone="0800 555 0100"' in body
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"


async def test_configured_values_are_escaped_into_the_page(serve, widget):
    base = await serve(widget)
    _, _, body = await get(base + "/chat")
    assert 'data-hospice-name="St &quot;Mary&#x27;s&quot; &lt;Hospice&gt;"' in body
    assert "<Hospice>" not in body and "{{" not in body


async def test_the_widget_script_and_the_example_page(serve, widget):
    base = await serve(widget)
    status, headers, body = await get(base + "/chat/widget.js")
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert body.startswith("/* Gentle Hands chat widget")
    status, _, body = await get(base + "/chat/example.html")
    assert status == 200 and "/chat/widget.js" in body and 'data-mode="inline"' not in body
    status, headers, _ = await get(base + "/chat/demo.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, _, _ = await get(base + "/chat/../credentials.yml")
    assert status == 404


async def test_a_missing_bundle_says_how_to_build_it(serve, tmp_path):
    (tmp_path / "public").mkdir()
    base = await serve(WebChatWidget(web_dir=tmp_path))
    status, _, body = await get(base + "/chat/widget.js")
    assert status == 503 and "scripts/build_web.sh" in body


def test_the_widget_source_never_writes_markup():
    """All text goes in through textContent: no innerHTML and friends anywhere in web/src."""
    banned = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|"
                        r"createContextualFragment|DOMParser|\beval\(|new Function")
    for path in sorted(SRC.glob("*.js")):
        hits = [f"{path.name}:{i}" for i, line in enumerate(path.read_text().splitlines(), 1)
                if banned.search(line) and not line.lstrip().startswith(("//", "*", "/*"))]
        assert not hits, f"markup-writing APIs in the widget: {hits}"


def test_the_committed_bundle_matches_a_fresh_build():
    """web/dist/widget.js is committed (so `make run` needs no Node): it must be current."""
    if not (shutil.which("node") and shutil.which("npm")):
        if os.environ.get("CI"):
            pytest.fail("CI must check the widget bundle: install Node.js and npm "
                        "(scripts/install_system_packages.sh).")
        pytest.skip("Node.js and npm are not installed: cannot rebuild the widget to compare.")
    run = subprocess.run([str(ROOT / "scripts" / "build_web.sh"), "--check"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
