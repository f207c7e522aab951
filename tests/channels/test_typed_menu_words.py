"""Typed button titles and one-word menu answers through the Telegram and WhatsApp webhooks.

Where a typed menu word becomes its button (issue #15): not in the channels. After a reply
with buttons, Telegram forwards whatever the caregiver types as it is (only its own commands,
"/start" and the like, are mapped); WhatsApp turns a number ("4", "4.", "4️⃣") or a button's
exact title into that button's payload (channels/whatsapp.py, `Choices`) and forwards anything
else as it is. The words in between ("feet", "foot massge", "asleep") are read by the Rasa
server, after the channel, for every channel: components/server_patches.py, correction 8
(`MessageProcessor.parse_message`, with bot/menus.py's `resolve` over the buttons of the bot's
last message in the conversation).

So each channel is tested twice here:

1. Always, with a stand-in for Rasa (`MenuBot`): each conversation is a real
   DialogueStateTracker (domain.yml) and every message is parsed by correction 8's own
   `choose_typed_menu_word`, over a stand-in NLU that understands nothing (so any choice found
   is correction 8's). The tests show what text the channel hands to the bot, and that the
   bot's parse of it is the button's payload; the stand-in then answers "You chose <payload>".
2. With the trained model (models/gentle-hands.tar.gz; skipped without it, except in CI where
   `make test` trains first): a real Rasa Agent in this process (with the corrections
   installed, as scripts/rasa_serve.py does) and the real action server, behind each channel's
   webhook: the caregiver types after the real greeting, and the bot's reply is the button's
   (the foot massage starts with its safety check), the stored parse names the button.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from channels.telegram import TelegramInput
from channels.whatsapp import WhatsAppInput, twilio_signature
from components.server_patches import MENU_CHOICE, TYPED_TEXT, choose_typed_menu_word
from tests.channels.fakes import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
)
from tests.understanding_sets import menu_buttons

pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill",
                                        "ignore:Failed to parse arguments")

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "gentle-hands.tar.gz"
PUBLIC = "https://bot.example.org"
WA_PATH = "/webhooks/whatsapp/webhook"
TG_PATH = "/webhooks/telegram/webhook"

MAIN = menu_buttons("main")  # the greeting's buttons (domain.yml, utter_greet)
CHECKIN = menu_buttons("checkin")  # after a routine: plain-text payloads (the titles)
assert MAIN and CHECKIN
FOOT = '/start_routine{"routine": "foot"}'
MENUS = {"main": MAIN, "checkin": CHECKIN}


# -- the stand-in for Rasa ----------------------------------------------------------------------
@lru_cache(maxsize=1)
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


class Processor:
    """What correction 8 needs of Rasa's MessageProcessor: the domain."""

    def __init__(self) -> None:
        self.domain = domain()


async def understands_nothing(processor: Any, message: Any, tracker: Any = None,
                              only_output_properties: bool = True) -> dict[str, Any]:
    """Rasa's own parse_message, as a stand-in: every text is the NLU's fallback."""
    return {"text": message.text, "intent": {"name": "nlu_fallback", "confidence": 0.3},
            "entities": [], "intent_ranking": []}


class MenuBot:
    """Stands in for Rasa's agent, with correction 8 as the server has it (see the module
    docstring): a message that picked a button gets "You chose <payload>", anything else the
    menu (`self.menu`) again."""

    def __init__(self, menu: list[dict[str, str]]) -> None:
        self.menu = menu
        self.trackers: dict[str, DialogueStateTracker] = {}
        self.received: list[str] = []  # the texts as they reached the bot
        self.parses: list[dict[str, Any]] = []
        self.parse = choose_typed_menu_word(understands_nothing)

    async def __call__(self, message: UserMessage) -> None:
        text = message.text or ""
        tracker = self.trackers.setdefault(message.sender_id, DialogueStateTracker.from_events(
            message.sender_id, [], slots=domain().slots))
        parsed = await self.parse(Processor(), message, tracker)
        self.received.append(text)
        self.parses.append(parsed)
        tracker.update(UserUttered(text, parsed["intent"], parsed["entities"], parsed), domain())
        chosen = parsed.get(MENU_CHOICE) or (text if text.startswith("/") else None)
        reply: dict[str, Any] = ({"text": f"You chose {chosen}"} if chosen else
                                 {"text": "What would you like?", "buttons": self.menu})
        tracker.update(BotUttered(reply["text"], data={"buttons": reply.get("buttons")}),
                       domain())
        await message.output_channel.send_response(message.sender_id, dict(reply))


# -- talking to the webhooks --------------------------------------------------------------------
def telegram_channel(api: str) -> TelegramInput:
    return TelegramInput.from_credentials({
        "access_token": TELEGRAM_TOKEN, "secret_token": TELEGRAM_SECRET, "api_base_url": api,
        "public_url": PUBLIC, "rasa_auth_token": "t"})


def whatsapp_channel(api: str) -> WhatsAppInput:
    return WhatsAppInput.from_credentials({
        "account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN, "whatsapp_number": TWILIO_NUMBER,
        "api_base_url": api, "public_url": PUBLIC})


def new_chat() -> int:
    return uuid.uuid4().int % 10**9


def new_phone() -> str:
    return f"whatsapp:+4477{uuid.uuid4().int % 10**8:08d}"


async def tg_say(base: str, chat: int, text: str) -> None:
    update = {"update_id": uuid.uuid4().int % 10**12, "message": {
        "message_id": 1, "date": 0, "text": text, "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "Ann"}}}
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with aiohttp.ClientSession() as s, \
            s.post(base + TG_PATH, json=update, headers=headers) as r:
        assert r.status == 200, await r.text()


async def wa_say(base: str, sender: str, text: str) -> None:
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_SID, "From": sender,
            "To": TWILIO_NUMBER, "Body": text, "NumMedia": "0"}
    headers = {"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, PUBLIC + WA_PATH, form)}
    async with aiohttp.ClientSession() as s, \
            s.post(base + WA_PATH, data=form, headers=headers) as r:
        assert r.status == 200, await r.text()


def keyboard_titles(sent: dict[str, Any]) -> list[str]:
    return [k["text"] for row in sent["reply_markup"]["inline_keyboard"] for k in row]


# -- 1. with the stand-in -----------------------------------------------------------------------
# (the menu offered, what the caregiver types, the button it stands for)
TYPED = [
    ("main", "Foot massage", FOOT),  # the title
    ("main", "foot massage!", FOOT),  # the title, as people type it
    ("main", "feet", FOOT),  # a one-word menu answer
    ("main", "foot massge", FOOT),  # misspelt
    ("main", "questoin", "/ask_question"),
    ("checkin", "Fell asleep", "Fell asleep"),  # a plain-text payload: the title itself
    ("checkin", "asleep", "Fell asleep"),
    ("checkin", "fell aslep", "Fell asleep"),
]


@pytest.mark.parametrize("menu,typed,button", TYPED)
async def test_telegram_forwards_a_typed_menu_word_and_it_means_the_button(
        serve, fake_telegram, menu, typed, button):
    fake_telegram.clear()
    bot = MenuBot(MENUS[menu])
    base = await serve(telegram_channel(fake_telegram.url), bot=bot)
    chat = new_chat()
    await tg_say(base, chat, "hello")
    assert keyboard_titles(fake_telegram.sent()[-1]) == [b["title"] for b in MENUS[menu]]

    await tg_say(base, chat, typed)
    assert bot.received[-1] == typed  # Telegram hands the text over as typed
    parsed = bot.parses[-1]
    assert parsed[MENU_CHOICE] == button  # ... and correction 8 reads it as the button
    if not button.startswith("/") and typed != button:
        assert parsed["text"] == button and parsed[TYPED_TEXT] == typed
    assert fake_telegram.sent()[-1]["text"] == f"You chose {button}"


@pytest.mark.parametrize("menu,typed,button", TYPED)
async def test_whatsapp_forwards_a_typed_menu_word_and_it_means_the_button(
        serve, fake_twilio, menu, typed, button):
    fake_twilio.clear()
    bot = MenuBot(MENUS[menu])
    base = await serve(whatsapp_channel(fake_twilio.url), bot=bot)
    sender = new_phone()
    await wa_say(base, sender, "hello")
    assert fake_twilio.bodies()[-1].endswith(
        "\n".join(f"{i}. {b['title']}" for i, b in enumerate(MENUS[menu], start=1)))

    await wa_say(base, sender, typed)
    exact_title = typed.casefold() in {b["title"].casefold() for b in MENUS[menu]}
    # WhatsApp's numbered choices take an exact title (any case) as the tap itself; any other
    # words are handed over as typed, for the server to read.
    assert bot.received[-1] == (button if exact_title else typed)
    assert bot.parses[-1].get(MENU_CHOICE, bot.received[-1]) == button
    assert fake_twilio.bodies()[-1] == f"You chose {button}"


@pytest.mark.parametrize("typed", ["4", "4.", "4️⃣"])
async def test_whatsapp_numbers_are_the_tap_before_the_bot(serve, fake_twilio, typed):
    fake_twilio.clear()
    bot = MenuBot(MAIN)
    base = await serve(whatsapp_channel(fake_twilio.url), bot=bot)
    sender = new_phone()
    await wa_say(base, sender, "hello")
    await wa_say(base, sender, typed)
    assert bot.received[-1] == FOOT and fake_twilio.bodies()[-1] == f"You chose {FOOT}"


SENTENCE = "she's asleep but can I ask about lotion"


async def test_a_sentence_after_the_menu_reaches_the_bot_as_it_is(serve, fake_telegram,
                                                                  fake_twilio):
    """More than a menu choice: both channels hand it over unchanged, and no button is
    forced on it (the NLU reads it as usual)."""
    bot = MenuBot(MAIN)
    base = await serve(telegram_channel(fake_telegram.url), whatsapp_channel(fake_twilio.url),
                       bot=bot)
    chat, sender = new_chat(), new_phone()
    await tg_say(base, chat, "hello")
    await tg_say(base, chat, SENTENCE)
    await wa_say(base, sender, "hello")
    await wa_say(base, sender, SENTENCE)
    assert bot.received == ["hello", SENTENCE, "hello", SENTENCE]
    assert [MENU_CHOICE in p for p in bot.parses] == [False] * 4


async def test_a_typed_word_without_a_menu_before_it_is_no_choice(serve, fake_telegram,
                                                                  fake_twilio):
    """The reading is tied to the conversation's last reply: "feet" as a first message is no
    button, on either channel."""
    bot = MenuBot(MAIN)
    base = await serve(telegram_channel(fake_telegram.url), whatsapp_channel(fake_twilio.url),
                       bot=bot)
    await tg_say(base, new_chat(), "feet")
    await wa_say(base, new_phone(), "feet")
    assert bot.received == ["feet", "feet"]
    assert [MENU_CHOICE in p for p in bot.parses] == [False, False]


# -- 2. with the trained model and the action server --------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real action server (`rasa run actions`, as scripts/rasa_serve.py starts it)."""
    if not MODEL.exists():
        if os.environ.get("CI"):
            pytest.fail("No trained model: `make test` trains one before pytest.")
        pytest.skip("no trained model (models/gentle-hands.tar.gz): run `make train`")
    tmp = tmp_path_factory.mktemp("actions")
    port = free_port()
    env = dict(os.environ, JOURNAL_DB_URL=f"sqlite:///{tmp}/journal.db",
               SANIC_KEEP_ALIVE_TIMEOUT="75", RASA_TELEMETRY_ENABLED="false",
               HOSPICE_PHONE="0800 555 0100", EMERGENCY_NUMBER="999")
    log = tmp / "actions.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "rasa"), "run", "actions", "--actions", "actions",
             "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the action server stopped:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(url + "/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline:
                pytest.fail(f"the action server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url + "/webhook"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def agent(action_server: str) -> Any:
    """The trained model in this process, as `rasa run` serves it: the server's corrections
    (correction 8 among them) installed first, conversations in memory."""
    from rasa.core.agent import Agent
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.utils.endpoints import EndpointConfig

    from components import server_patches

    os.environ.setdefault("HOSPICE_PHONE", "0800 555 0100")
    os.environ.setdefault("EMERGENCY_NUMBER", "999")
    server_patches.install()
    return Agent.load(str(MODEL), lock_store=InMemoryLockStore(),
                      action_endpoint=EndpointConfig(url=action_server))


async def user_events(agent: Any, sender: str) -> list[dict[str, Any]]:
    tracker = await agent.tracker_store.retrieve(sender)
    events = tracker.current_state(EventVerbosity.ALL)["events"]
    return [e for e in events if e.get("event") == "user"]


@pytest.mark.e2e
@pytest.mark.parametrize("typed", ["foot massge", "feet", "Foot massage"])
async def test_telegram_typed_menu_word_with_the_trained_model(serve, fake_telegram, agent,
                                                              typed):
    fake_telegram.clear()
    base = await serve(telegram_channel(fake_telegram.url), bot=agent.handle_message)
    chat = new_chat()
    await tg_say(base, chat, "hello")
    greeting = [m for m in fake_telegram.sent() if m["chat_id"] == str(chat)][-1]
    assert "Foot massage" in keyboard_titles(greeting)

    fake_telegram.clear()
    await tg_say(base, chat, typed)
    replies = " ".join(m["text"] for m in fake_telegram.sent() if m["chat_id"] == str(chat))
    assert "safety check" in replies.lower(), replies  # the foot massage's first step
    last = (await user_events(agent, f"telegram:{chat}"))[-1]
    assert last["text"] == typed  # as typed: Telegram changed nothing
    assert last["parse_data"]["intent"]["name"] == "start_routine"
    assert last["parse_data"][MENU_CHOICE] == FOOT  # read as the button by correction 8


@pytest.mark.e2e
@pytest.mark.parametrize("typed", ["foot massge", "feet", "Foot massage", "its number"])
async def test_whatsapp_typed_menu_word_with_the_trained_model(serve, fake_twilio, agent,
                                                              typed):
    fake_twilio.clear()
    base = await serve(whatsapp_channel(fake_twilio.url), bot=agent.handle_message)
    sender = new_phone()
    await wa_say(base, sender, "hello")
    greeting = [c.data["Body"] for c in fake_twilio.calls_to("Messages")
                if c.data["To"] == sender][-1]
    number = re.search(r"^(\d+)\. Foot massage$", greeting, re.M)
    assert number, greeting

    fake_twilio.clear()
    typed = number.group(1) if typed == "its number" else typed
    await wa_say(base, sender, typed)
    replies = " ".join(c.data["Body"] for c in fake_twilio.calls_to("Messages")
                       if c.data["To"] == sender)
    assert "safety check" in replies.lower(), replies
    last = (await user_events(agent, sender))[-1]
    assert last["parse_data"]["intent"]["name"] == "start_routine"
    if typed in ("Foot massage", number.group(1)):  # the numbered choices: the tap itself
        assert last["text"] == FOOT
    else:  # handed over as typed, read as the button by correction 8
        assert last["text"] == typed and last["parse_data"][MENU_CHOICE] == FOOT
