"""The channels end to end, through the real servers (the session's `bot`).

1. The web widget in a real headless Chromium (Debian's /usr/bin/chromium, driven by
   Playwright without any browser download): FAQ, buttons, routine step cards, reload,
   HTML shown as text, accessibility, larger text, restart, an unreachable server, embedding
   on another origin, and sessions (a server-issued token; a planted id is not honoured; one
   window at a time). Screenshots go to test-artifacts/.
2. Telegram and WhatsApp round trips through Rasa, against local fakes of the providers' APIs
   (the server's env points at them: tests/channels/fakes.py, channel_test_env).

Both live here, beside the `bot` fixture, so they share its one server (a second would cost
another start-up). Browser tests skip only when Chromium is missing and CI is unset.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from channels.whatsapp import twilio_signature
from tests.channels.fakes import (
    PUBLIC_URL,
    TELEGRAM_SECRET,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeTelegram,
    FakeTwilio,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
INPUT = "Your message to Gentle Hands"
TIMEOUT = 30_000  # ms: one bot turn, generously (2 shared cores)
XSS = "<img src=x onerror=alert(1)>"
SESSION_KEY = "gentle-hands:session"
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$")  # channels/socketio.py
TAKEN = "This chat is open in another window."


def web_sender(token: str) -> str:
    """The sender id Rasa sees for a widget's session token."""
    return "web:" + token.split(".")[0]


def user_texts(tracker: dict) -> list[str]:
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]

# JavaScript run in the page: the widget lives in an open shadow root.
SHADOW = "document.querySelector('[data-gentle-hands-host]').shadowRoot"
JS_STATE = f"""() => {{
  const r = {SHADOW};
  if (!r) return null;
  return {{
    bots: r.querySelectorAll('.gh-msg.gh-bot').length,
    typing: !r.querySelector('.gh-typing').hidden,
    replies: Array.from(r.querySelectorAll('.gh-replies button')).map(b => b.textContent),
    cards: Array.from(r.querySelectorAll('.gh-card-count')).map(c => c.textContent),
    lastBot: (Array.from(r.querySelectorAll('.gh-msg.gh-bot')).pop() || {{}}).textContent || '',
  }};
}}"""


# ------------------------------------------------------------------------------- the browser
def _why_no_browser() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (scripts/install_system_packages.sh)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (requirements-dev.txt)"
    return None


# Decided before any fixture runs, so a machine without Chromium does not start the bot for
# nothing. In CI nothing is skipped: the `chromium` fixture fails and says what is missing.
needs_browser = pytest.mark.skipif(
    not os.environ.get("CI") and _why_no_browser() is not None,
    reason=f"{_why_no_browser()}; with CI set this fails instead",
)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    problem = _why_no_browser()
    if problem:
        pytest.fail(f"CI must run the browser tests, but {problem}.", pytrace=False)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        # Playwright gives every launch a fresh temporary --user-data-dir of its own.
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A Playwright page on the widget, with helpers that wait for the bot's turn."""

    def __init__(self, page, name: str) -> None:
        self.page = page
        self.name = name
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.set_default_timeout(TIMEOUT)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def state(self) -> dict:
        return self.page.evaluate(JS_STATE)

    def wait_for_bot(self, before: int) -> dict:
        """Wait until a bot message beyond `before` has come and the typing indicator is gone."""
        self.page.wait_for_function(
            f"() => {{ const s = ({JS_STATE})(); return s && s.bots > {before} && !s.typing; }}",
            timeout=TIMEOUT)
        return self.state()

    def open(self, url: str) -> dict:
        self.page.goto(url)
        return self.wait_for_bot(0)

    def say(self, text: str) -> dict:
        before = self.state()["bots"]
        box = self.page.get_by_role("textbox", name=INPUT)
        box.fill(text)
        box.press("Enter")
        return self.wait_for_bot(before)

    def tap(self, title: str) -> dict:
        before = self.state()["bots"]
        self.page.locator(".gh-replies").get_by_role("button", name=title, exact=True).last\
            .click()
        return self.wait_for_bot(before)

    def shot(self, label: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"widget-{label}.png"))


@pytest.fixture
def web(chromium, request) -> Iterator[Page]:
    context = chromium.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True,
                                   is_mobile=False, locale="en-GB")
    page = Page(context.new_page(), request.node.name.removeprefix("test_")[:40])
    yield page
    context.close()
    assert page.errors == [], f"JavaScript errors on the page: {page.errors}"


def user_bubbles(page) -> list[str]:
    return page.evaluate(f"() => Array.from({SHADOW}.querySelectorAll('.gh-user .gh-bubble'))"
                         ".map(b => b.textContent)")


# ------------------------------------------------------------------------------- widget tests
@needs_browser
def test_an_faq_is_answered_and_buttons_are_large_quick_replies(web, bot):
    state = web.open(bot.url + "/chat")
    assert "Gentle Hands" in state["lastBot"]
    assert {"Ask a question", "Hand massage", "Foot massage"} <= set(state["replies"])
    web.shot("greeting")

    state = web.say("is it safe with cancer?")
    assert "safe" in state["lastBot"] and "cancer" in state["lastBot"].lower()
    assert user_bubbles(web.page)[-1] == "is it safe with cancer?"
    heights = web.page.evaluate(
        f"() => Array.from({SHADOW}.querySelectorAll('.gh-replies button'))"
        ".map(b => b.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights  # WCAG 2.2 target size, with room
    web.shot("faq")


def walk_to_first_step(web: Page) -> dict:
    """Tap "Hand massage", then through the safety check and the person's state."""
    state = web.tap("Hand massage")
    assert user_bubbles(web.page)[-1] == "Hand massage"  # the title is shown, the payload sent
    for _ in range(20):
        if state["cards"]:
            return state
        replies = state["replies"]
        assert replies, f"the routine stopped without buttons: {state['lastBot']!r}"
        question = state["lastBot"].lower()
        for wanted in ("Yes, let's start", "Awake and able to talk"):
            if wanted in replies:
                choice = wanted
                break
        else:
            if {"Yes", "No"} <= set(replies):
                choice = "Yes" if "willing" in question else "No"
            else:
                raise AssertionError(f"unexpected buttons {replies} after {question!r}")
        state = web.tap(choice)
    raise AssertionError(f"no step card after 20 taps: {state}")


def card(web: Page) -> dict:
    return web.page.evaluate(f"""() => {{
      const cards = {SHADOW}.querySelectorAll('.gh-card');
      const c = cards[cards.length - 1];
      return {{
        count: c.querySelector('.gh-card-count').textContent,
        title: c.querySelector('h3').textContent,
        label: c.getAttribute('aria-labelledby') &&
               {SHADOW}.getElementById(c.getAttribute('aria-labelledby')).textContent,
        buttons: Array.from(c.querySelectorAll('button')).map(b => b.textContent),
        facts: Array.from(c.querySelectorAll('dt')).map(d => d.textContent),
      }};
    }}""")


@needs_browser
def test_a_routine_shows_step_cards_and_survives_a_reload(web, bot):
    web.open(bot.url + "/chat")
    walk_to_first_step(web)
    first = card(web)
    assert re.fullmatch(r"Step 1 of \d+", first["count"]), first
    assert first["title"] and first["label"] == first["title"]
    assert {"Next", "Again", "Pause", "Stop"} <= set(first["buttons"]), first
    assert "How much" in first["facts"]
    web.shot("step-1")

    web.tap("Next")
    second = card(web)
    total = first["count"].split(" of ")[1]
    assert second["count"] == f"Step 2 of {total}" and "Back" in second["buttons"]
    session = web.page.evaluate(f"() => localStorage.getItem('{SESSION_KEY}')")
    shown = user_bubbles(web.page)

    web.page.reload()
    web.page.wait_for_function(f"() => ({JS_STATE})() && ({JS_STATE})().cards.length > 0")
    assert web.page.evaluate(f"() => localStorage.getItem('{SESSION_KEY}')") == session
    assert user_bubbles(web.page) == shown
    assert card(web)["count"] == f"Step 2 of {total}"
    web.page.get_by_text("Earlier messages from this conversation").wait_for()
    web.shot("after-reload")

    # The server kept the conversation too (the stored token resumed it): Next carries on
    # from step 2.
    web.tap("Next")
    assert card(web)["count"] == f"Step 3 of {total}"
    tracker = bot.tracker(web_sender(session))
    assert tracker["sender_id"] == web_sender(session)
    assert user_texts(tracker).count('/routine_command{"command": "next"}') >= 2
    web.shot("step-3")


@needs_browser
def test_html_from_the_caregiver_is_shown_as_text(web, bot):
    web.open(bot.url + "/chat")
    web.say(XSS)
    assert user_bubbles(web.page)[-1] == XSS
    images = web.page.evaluate(f"() => {SHADOW}.querySelectorAll('img').length")
    assert images == 0 and web.dialogs == []
    web.page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert web.dialogs == []
    web.shot("html-as-text")


@needs_browser
def test_the_accessibility_tree_has_names_roles_and_a_live_log(web, bot):
    web.open(bot.url + "/chat")
    tree = web.page.locator("[data-gentle-hands-host]").aria_snapshot()
    for expected in (f'textbox "{INPUT}"', 'log "Conversation with Gentle Hands"',
                     'button "Larger text"', 'button "Start over"', 'button "Send"',
                     'group "Choices"', 'heading "Gentle Hands"', 'link "0800 555 0100"'):
        assert expected in tree, f"{expected} not in the accessibility tree:\n{tree}"
    live = web.page.evaluate(f"() => {SHADOW}.querySelector('[role=log]')"
                             ".getAttribute('aria-live')")
    assert live == "polite"

    # Keyboard: Tab reaches the tools, a visible focus ring, and Enter on a choice works.
    web.page.keyboard.press("Tab")
    focused = web.page.evaluate(f"""() => {{
      const a = {SHADOW}.activeElement;
      const s = getComputedStyle(a);
      return {{text: a.textContent, outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}};
    }}""")
    assert focused["outline"] != "none" and focused["width"] >= 2, focused
    web.page.locator(".gh-replies button").first.focus()
    before = web.state()["bots"]
    web.page.keyboard.press("Enter")
    web.wait_for_bot(before)
    web.shot("keyboard")


@needs_browser
def test_text_and_brand_colours_meet_wcag_aa_contrast(web, bot):
    web.open(bot.url + "/chat")
    web.say("is it safe with cancer?")
    ratios = web.page.evaluate(f"""() => {{
      const lum = (c) => {{
        const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => {{
          v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }});
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      }};
      const bg = (el) => {{
        for (let e = el; e; e = e.parentElement || (e.getRootNode() || {{}}).host) {{
          const c = getComputedStyle(e).backgroundColor;
          if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c;
        }}
        return 'rgb(255, 255, 255)';
      }};
      const out = {{}};
      for (const sel of ['.gh-title', '.gh-subtitle', '.gh-help', '.gh-bot .gh-p',
                         '.gh-user .gh-p', '.gh-reply', '.gh-send', '.gh-tool',
                         '.gh-input', '.gh-tel']) {{
        const el = {SHADOW}.querySelector(sel);
        if (!el) continue;
        const a = lum(getComputedStyle(el).color), b = lum(bg(el));
        out[sel] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      }}
      return out;
    }}""")
    assert len(ratios) >= 8, ratios
    low = {k: round(v, 2) for k, v in ratios.items() if v < 4.5}
    assert not low, f"below 4.5:1: {low}"


@needs_browser
def test_larger_text_is_a_remembered_toggle(web, bot):
    web.open(bot.url + "/chat")
    size = f"() => parseFloat(getComputedStyle({SHADOW}.querySelector('.gh-p')).fontSize)"
    normal = web.page.evaluate(size)
    toggle = web.page.get_by_role("button", name="Larger text")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert web.page.evaluate(size) >= normal * 1.2
    web.shot("larger-text")
    web.page.reload()
    web.page.get_by_role("button", name="Larger text", pressed=True).wait_for()
    assert web.page.evaluate(size) >= normal * 1.2


@needs_browser
def test_start_over_clears_the_screen_and_restarts(web, bot):
    web.open(bot.url + "/chat")
    web.say("is it safe with cancer?")
    web.page.get_by_role("button", name="Start over").click()
    yes = web.page.get_by_role("button", name="Yes, start over")
    assert yes.evaluate("b => b === b.getRootNode().activeElement")
    yes.click()
    web.page.get_by_text("Let's start again").wait_for()
    web.page.wait_for_function(f"() => !({JS_STATE})().typing")
    assert user_bubbles(web.page) == []
    assert "is it safe" not in web.page.evaluate(
        "() => localStorage.getItem('gentle-hands:log')")
    web.shot("restarted")


@needs_browser
def test_an_unreachable_server_is_said_plainly_and_retried(web, bot):
    web.page.route("**/socket.io/**", lambda route: route.abort())
    web.page.goto(bot.url + "/chat")
    status = web.page.get_by_role("status").filter(has_text="can't reach")
    status.wait_for()
    text = status.inner_text()
    assert "keep trying" in text and "0800 555 0100" in text and "999" in text
    web.shot("offline")
    # Typing while offline keeps the words and says they were not sent.
    box = web.page.get_by_role("textbox", name=INPUT)
    box.fill("hello")
    box.press("Enter")
    assert box.input_value() == "hello"
    web.page.get_by_text("Not sent yet").wait_for()

    web.page.unroute("**/socket.io/**")
    web.page.get_by_role("button", name="Try again now").first.click()
    web.wait_for_bot(0)  # connected: the greeting arrives
    status_text = web.page.evaluate(f"() => {SHADOW}.querySelector('.gh-status').textContent")
    assert "can't reach" not in status_text
    box.press("Enter")
    web.wait_for_bot(1)
    assert user_bubbles(web.page)[-1] == "hello"


# ---------------------------------------------------------------------------- widget sessions
@needs_browser
def test_the_widget_keeps_a_token_the_server_issued_and_talks_as_web(web, bot):
    web.open(bot.url + "/chat")
    token = web.page.evaluate(f"() => localStorage.getItem('{SESSION_KEY}')")
    assert token and TOKEN_SHAPE.match(token), token
    tracker = bot.tracker(web_sender(token))
    assert tracker["sender_id"].startswith("web:") and tracker["latest_input_channel"] == \
        "socketio"
    assert user_texts(tracker) == ["/greet"]
    assert user_texts(bot.tracker(token)) == []  # the token itself names no conversation


@pytest.mark.parametrize("planted", ["rest", "chosen"])
@needs_browser
def test_a_planted_session_id_is_not_honoured(chromium, bot, sender, planted):
    """A page (or an attacker's script) that stores its own id, such as a REST conversation's
    sender id, gets a new web conversation; the REST conversation is not touched."""
    bot.say(sender, "hi")
    before = user_texts(bot.tracker(sender))
    claimed = sender if planted == "rest" else uuid.uuid4().hex  # the old widget's format
    context = chromium.new_context(viewport=PHONE)
    context.add_init_script(f"localStorage.setItem('{SESSION_KEY}', {json.dumps(claimed)})")
    page = Page(context.new_page(), f"planted-{planted}")
    try:
        page.open(bot.url + "/chat")
        page.say("show my log")
        token = page.page.evaluate(f"() => localStorage.getItem('{SESSION_KEY}')")
        assert token != claimed and TOKEN_SHAPE.match(token)
        assert user_texts(bot.tracker(web_sender(token)))[-1] == "show my log"
        assert user_texts(bot.tracker(sender)) == before
        assert user_texts(bot.tracker("web:" + claimed)) == []
        assert page.errors == []
    finally:
        context.close()


@needs_browser
def test_a_second_window_takes_the_chat_over_and_can_give_it_back(web, bot):
    first = web
    first.open(bot.url + "/chat")
    second = Page(first.page.context.new_page(), "second-window")
    second.page.goto(bot.url + "/chat")  # same browser, same stored token: the same chat
    taken = first.page.get_by_role("status").filter(has_text=TAKEN)
    taken.wait_for()
    first.shot("taken")
    assert "can't reach" not in taken.inner_text()

    # "Continue here" takes it back: the other window is told, this one is connected again.
    first.page.get_by_role("button", name="Continue here").click()
    second.page.get_by_role("status").filter(has_text=TAKEN).wait_for()
    first.page.get_by_role("status").filter(has_text="Connected again").wait_for()
    second_bots = second.state()["bots"]
    first.say("is it safe with cancer?")
    second.page.wait_for_timeout(500)  # a copy of the reply would have arrived by now
    assert second.state()["bots"] == second_bots
    assert second.errors == []

    # Typing in the window that lost the chat keeps the words and says why.
    box = second.page.get_by_role("textbox", name=INPUT)
    box.fill("hello")
    box.press("Enter")
    assert box.input_value() == "hello"
    assert TAKEN in second.page.get_by_role("status").inner_text()


@needs_browser
def test_someone_else_with_the_token_takes_over_and_the_caregiver_hears_nothing_more(
        chromium, web, bot):
    """The token is what grants the conversation; a second holder (another browser) does not
    listen in beside the caregiver: it takes the chat over, and the caregiver is told."""
    web.open(bot.url + "/chat")
    token = web.page.evaluate(f"() => localStorage.getItem('{SESSION_KEY}')")
    context = chromium.new_context(viewport=PHONE)
    context.add_init_script(f"localStorage.setItem('{SESSION_KEY}', {json.dumps(token)})")
    other = Page(context.new_page(), "other-browser")
    try:
        other.open(bot.url + "/chat")  # no transcript there: its greeting proves it is in
        web.page.get_by_role("status").filter(has_text=TAKEN).wait_for()
        mine = web.state()["bots"]
        other.say("is it safe with cancer?")
        web.page.wait_for_timeout(500)
        assert web.state()["bots"] == mine
        assert user_texts(bot.tracker(web_sender(token)))[-1] == "is it safe with cancer?"
        assert other.errors == []
    finally:
        context.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def host_pages(bot, tmp_path_factory) -> Iterator[dict[str, str]]:
    """A hospice's page, served from another origin: the allowed one, and one not allowed."""
    root = tmp_path_factory.mktemp("hospice")
    (root / "index.html").write_text(f"""<!doctype html><html lang="en"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hospice</title></head><body><h1>Example Hospice</h1><p>Caring at home.</p>
<script src="{bot.url}/chat/widget.js" data-hospice-phone="0800 555 0100"
  data-emergency-number="999" data-primary-color="#7a3e9d" defer></script></body></html>""")
    servers, urls = [], {}
    for name, port in (("allowed", bot.side_ports["embed"]), ("other", 0)):
        server = ThreadingHTTPServer(("127.0.0.1", port),
                                     partial(_Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[name] = f"http://127.0.0.1:{server.server_address[1]}/"
    yield urls
    for server in servers:
        server.shutdown()


@needs_browser
def test_a_hospice_page_embeds_the_widget_with_one_script_tag(web, bot, host_pages):
    page = web.page
    page.goto(host_pages["allowed"])
    launcher = page.get_by_role("button", name="Chat with Gentle Hands")
    assert launcher.get_attribute("aria-expanded") == "false"
    web.shot("embed-closed")
    launcher.focus()
    page.keyboard.press("Enter")
    # On a phone the panel fills the screen and the launcher hides: find it by class.
    assert page.locator(".gh-launcher").get_attribute("aria-expanded") == "true"
    dialog = page.get_by_role("dialog", name="Gentle Hands")
    dialog.wait_for()
    web.wait_for_bot(0)  # the greeting, over a cross-origin socket
    assert page.evaluate(f"() => {SHADOW}.activeElement.id") == "gh-input"
    cors = requests.get(bot.url + "/socket.io/", params={"EIO": "4", "transport": "polling"},
                        headers={"Origin": host_pages["allowed"].rstrip("/")}, timeout=10)
    assert cors.headers.get("Access-Control-Allow-Origin") == host_pages["allowed"].rstrip("/")
    assert len(cors.raw.headers.getlist("Access-Control-Allow-Origin")) == 1
    web.shot("embed-open")
    page.keyboard.press("Escape")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.evaluate(f"() => {SHADOW}.activeElement === {SHADOW}"
                         ".querySelector('.gh-launcher')")


@needs_browser
def test_a_page_from_an_origin_not_allowed_cannot_connect(web, bot, host_pages):
    web.page.goto(host_pages["other"])
    web.page.get_by_role("button", name="Chat with Gentle Hands").click()
    web.page.get_by_role("status").filter(has_text="can't reach").wait_for()
    refused = requests.get(bot.url + "/socket.io/", params={"EIO": "4", "transport": "polling"},
                           headers={"Origin": host_pages["other"].rstrip("/")}, timeout=10)
    assert refused.status_code == 400


@needs_browser
def test_the_layout_fits_a_small_phone(chromium, bot):
    context = chromium.new_context(viewport={"width": 320, "height": 568}, has_touch=True)
    page = Page(context.new_page(), "small-phone")
    try:
        page.open(bot.url + "/chat")
        overflow = page.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        box = page.page.get_by_role("textbox", name=INPUT).bounding_box()
        assert box and box["y"] + box["height"] <= 568
        page.shot("320px")
    finally:
        context.close()


# ------------------------------------------------------------------ messaging through Rasa
@pytest.fixture(scope="module")
def telegram(bot) -> Iterator[FakeTelegram]:
    fake = FakeTelegram(port=bot.side_ports["telegram"]).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def twilio(bot) -> Iterator[FakeTwilio]:
    fake = FakeTwilio(port=bot.side_ports["twilio"]).start()
    yield fake
    fake.stop()


def tg_post(bot, body: dict, secret: str | None = TELEGRAM_SECRET) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return requests.post(bot.url + "/webhooks/telegram/webhook", json=body, headers=headers,
                         timeout=60)


def test_telegram_round_trip_through_rasa(bot, telegram):
    chat = int(time.time() * 1000) % 10**9
    first = {"update_id": chat, "message": {
        "message_id": 1, "date": 0, "text": "hello", "chat": {"id": chat, "type": "private"}}}
    assert tg_post(bot, first, secret="forged").status_code == 403
    assert tg_post(bot, first, secret=None).status_code == 403
    assert telegram.calls == []

    assert tg_post(bot, first).status_code == 200
    sent = telegram.wait_for(lambda calls: any(
        c.method == "sendMessage" and c.data["chat_id"] == str(chat) for c in calls))
    greeting = [c.data for c in sent if c.method == "sendMessage"][-1]
    assert "Gentle Hands" in greeting["text"]
    keys = {k["text"]: k["callback_data"]
            for row in greeting["reply_markup"]["inline_keyboard"] for k in row}
    assert "Hand massage" in keys

    telegram.clear()
    tap = {"update_id": chat + 1, "callback_query": {
        "id": "cbq-e2e", "data": keys["Hand massage"], "from": {"id": chat},
        "message": {"message_id": 2, "chat": {"id": chat, "type": "private"},
                    "text": greeting["text"], "reply_markup": greeting["reply_markup"]}}}
    assert tg_post(bot, tap).status_code == 200
    calls = telegram.wait_for(lambda calls: any(c.method == "sendMessage" for c in calls))
    assert calls[0].method == "answerCallbackQuery"
    replies = " ".join(c.data["text"] for c in calls if c.method == "sendMessage")
    assert "safety check" in replies.lower()
    tracker = bot.tracker(f"telegram:{chat}")
    assert tracker["latest_input_channel"] == "telegram"

    r = requests.post(bot.url + "/webhooks/telegram/set_webhook", params={"token": bot.token},
                      timeout=30)
    assert r.status_code == 200, r.text
    (hook,) = telegram.calls_to("setWebhook")
    assert hook.data["url"] == PUBLIC_URL + "/webhooks/telegram/webhook"
    assert hook.data["secret_token"] == TELEGRAM_SECRET


def wa_post(bot, body: str, sender: str, sign: bool = True) -> requests.Response:
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_SID, "From": sender,
            "To": TWILIO_NUMBER, "Body": body, "NumMedia": "0"}
    path = "/webhooks/whatsapp/webhook"
    headers = {"X-Twilio-Signature": twilio_signature(
        TWILIO_TOKEN, PUBLIC_URL + path, form) if sign else "Zm9yZ2Vk"}
    return requests.post(bot.url + path, data=form, headers=headers, timeout=60)


def test_whatsapp_round_trip_through_rasa(bot, twilio):
    sender = f"whatsapp:+4477009{int(time.time() * 1000) % 10**5:05d}"
    assert wa_post(bot, "hello", sender, sign=False).status_code == 403
    assert twilio.calls == []

    assert wa_post(bot, "hello", sender).status_code == 200
    calls = twilio.wait_for(lambda calls: any(c.data["To"] == sender for c in calls))
    body = calls[-1].data["Body"]
    assert "Gentle Hands" in body and "Reply with a number:" in body
    number = re.search(r"^(\d+)\. Hand massage$", body, re.M)
    assert number, body

    twilio.clear()
    assert wa_post(bot, number.group(1), sender).status_code == 200
    calls = twilio.wait_for(lambda calls: len(calls) >= 1)
    assert all(c.data["From"] == TWILIO_NUMBER and c.data["To"] == sender for c in calls)
    assert "safety check" in " ".join(c.data["Body"] for c in calls).lower()
    events = bot.tracker(sender)["events"]
    user_texts = [e.get("text") for e in events if e["event"] == "user"]
    assert user_texts[-1] == '/start_routine{"routine": "hand"}'
