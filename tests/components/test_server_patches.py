"""components/server_patches.py: kind replies for failed actions and turns; the validator."""

from __future__ import annotations

import socket

import jsonschema
import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from components import server_patches
from components.server_patches import (
    FAILURE_TEXT,
    GuardedAction,
    guard_handle_message,
    guard_run_action,
    validate_action_result,
)

KIND = [BotUttered(text=FAILURE_TEXT), FollowupAction(ACTION_LISTEN_NAME)]
DOMAIN_YAML = """
version: "3.1"
session_config: {carry_over_slots_to_new_session: true}
slots:
  routine_variant: {type: text, mappings: [{type: custom}]}
  hospice_phone: {type: text, mappings: [{type: custom}]}
  emergency_number: {type: text, mappings: [{type: custom}]}
"""


class Failing:
    def __init__(self, name: str, error: Exception) -> None:
        self._name, self.error = name, error

    def name(self) -> str:
        return self._name

    async def run(self, *args):
        raise self.error


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_remote_action_whose_server_is_down_becomes_a_kind_reply():
    endpoint = EndpointConfig(f"http://127.0.0.1:{closed_port()}/webhook")
    action = GuardedAction(RemoteAction("action_estimate_relief", endpoint))
    events = await action.run(CollectingOutputChannel(), None,
                              DialogueStateTracker("caregiver", []), Domain.empty())
    assert events == KIND
    assert action.name() == "action_estimate_relief"


@pytest.mark.parametrize("error", [RasaException("500 from the action server"),
                                   ValueError("a bug"), TimeoutError()])
async def test_any_failure_of_an_action_is_one_kind_message_then_listen(error):
    events = await GuardedAction(Failing("validate_estimate_form", error)).run(
        None, None, DialogueStateTracker("caregiver", []), None)
    assert events == KIND


async def test_the_logs_name_a_conversation_by_a_hash_never_by_its_id(caplog):
    from bot.storage import sender_tag

    phone = "whatsapp:+447700900123"
    with caplog.at_level("ERROR"):
        await GuardedAction(Failing("action_estimate_relief", ValueError("a bug"))).run(
            None, None, DialogueStateTracker(phone, []), None)
        async def original(self, message):
            raise ConnectionError("the tracker store is down")

        await guard_handle_message(original)(None, UserMessage("hi", CollectingOutputChannel(),
                                                               phone))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records and "+447700900123" not in logged
    assert logged.count(sender_tag(phone)) == 2


async def test_a_rejection_is_rasa_control_flow_and_passes_through():
    action = GuardedAction(Failing("estimate_form", ActionExecutionRejection("estimate_form")))
    with pytest.raises(ActionExecutionRejection):
        await action.run(None, None, DialogueStateTracker("caregiver", []), None)


@pytest.mark.filterwarnings("ignore:Slot auto-fill")
async def test_a_failed_session_start_falls_back_to_rasas_own_with_the_phone_numbers(
        monkeypatch):
    monkeypatch.setenv("HOSPICE_PHONE", "0800 555 0100")
    monkeypatch.delenv("EMERGENCY_NUMBER", raising=False)
    domain = Domain.from_yaml(DOMAIN_YAML)
    tracker = DialogueStateTracker.from_events(
        "caregiver", [SlotSet("routine_variant", "tired")], slots=domain.slots)
    action = GuardedAction(Failing("action_session_start", RasaException("down")))
    events = await action.run(CollectingOutputChannel(), None, tracker, domain)
    assert events == [SessionStarted(), SlotSet("routine_variant", "tired"),
                      SlotSet("hospice_phone", "0800 555 0100"),
                      SlotSet("emergency_number", "911"), ActionExecuted(ACTION_LISTEN_NAME)]


@pytest.mark.parametrize("kind,tier,number", [("chest_pain", "emergency", "999"),
                                               ("fever", "nurse", "0800 555 0100"),
                                               ("unknown_kind", None, "999")])
async def test_a_red_flag_is_still_answered_when_the_action_server_is_down(monkeypatch, kind,
                                                                          tier, number):
    from actions.safety import ActionRedFlag
    from tests.actions.conftest import make_tracker

    monkeypatch.setenv("HOSPICE_PHONE", "0800 555 0100")
    monkeypatch.setenv("EMERGENCY_NUMBER", "999")
    entities = [{"entity": "red_flag_kind", "value": kind}]
    if tier:
        entities.append({"entity": "red_flag_tier", "value": tier})
    tracker = DialogueStateTracker.from_events("caregiver", [
        UserUttered("she has chest pain", {"name": "red_flag"}, entities)])
    action = GuardedAction(Failing("action_red_flag", RasaException("down")))
    events = await action.run(CollectingOutputChannel(), None, tracker, None)
    assert events[1:] == [ActiveLoop(None), SlotSet("requested_slot", None),
                          SlotSet("routine_state", None), SlotSet("pending_routine", None),
                          FollowupAction(ACTION_LISTEN_NAME)]
    text = events[0].text
    assert number in text and "stop" in text.lower()

    # word for word what action_red_flag itself says
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    sdk_events = await ActionRedFlag().run(dispatcher, make_tracker("x", "red_flag", entities), {})
    assert dispatcher.messages[0]["text"] == text
    # and does the same to the conversation
    assert [(e["event"], e.get("name")) for e in sdk_events] == [
        (e.type_name, getattr(e, "key", None) or getattr(e, "name", None))
        for e in events[1:-1]]


def test_the_default_phone_numbers_are_those_of_the_action_server(monkeypatch):
    from actions.common import settings

    monkeypatch.delenv("HOSPICE_PHONE", raising=False)
    monkeypatch.delenv("EMERGENCY_NUMBER", raising=False)
    cfg = settings.get()
    assert server_patches.phone_numbers() == {"hospice_phone": cfg.hospice_phone,
                                              "emergency_number": cfg.emergency_number}


async def test_the_processor_runs_actions_through_the_guard():
    seen = []

    async def original(self, action, tracker, output_channel, nlg, prediction):
        seen.append(await action.run(output_channel, nlg, tracker, None))
        return True

    wrapped = guard_run_action(original)
    assert await wrapped(None, Failing("action_x", RuntimeError("boom")),
                         DialogueStateTracker("c", []), None, None, None)
    assert seen == [KIND]


async def test_a_turn_that_fails_as_a_whole_gets_the_kind_reply():
    async def original(self, message):
        raise ConnectionError("the tracker store is down")

    channel = CollectingOutputChannel()
    result = await guard_handle_message(original)(None, UserMessage("hi", channel, "caregiver"))
    assert result is None
    assert [m["text"] for m in channel.messages] == [FAILURE_TEXT]
    assert channel.messages[0]["recipient_id"] == "caregiver"


async def test_a_turn_that_works_is_untouched():
    async def original(self, message):
        await message.output_channel.send_response(message.sender_id, {"text": "hello"})
        return ["ok"]

    channel = CollectingOutputChannel()
    assert await guard_handle_message(original)(None, UserMessage("hi", channel, "c")) == ["ok"]
    assert [m["text"] for m in channel.messages] == ["hello"]


@pytest.mark.parametrize("response", [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]},
    {"events": [{"event": "nonsense"}]},
    {"events": "not a list"},
    {"responses": [{"text": 5}], "events": [{"event": "slot"}]},
    {"events": [{"no": "event key"}]},
])
def test_validation_gives_the_same_verdict_and_error_as_jsonschema(response):
    schema = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(response, schema)
        expected = None
    except jsonschema.ValidationError as e:
        expected = e.message
    if expected is None:
        assert validate_action_result(None, response) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as caught:
            validate_action_result(None, response)
        assert caught.value.message.startswith(expected + ". Failed to validate")


def test_install_is_idempotent_and_applies_them_all():
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor

    server_patches.install()
    run_action, handle = MessageProcessor._run_action, Agent.handle_message
    resolve = Event.resolve_by_type
    server_patches.install()
    assert MessageProcessor._run_action is run_action and Agent.handle_message is handle
    assert Event.resolve_by_type is resolve and getattr(resolve, "_gentle_hands_patched", False)
    assert getattr(run_action, "_gentle_hands_patched", False)
    assert getattr(handle, "_gentle_hands_patched", False)
    assert RemoteAction._validate_action_result is validate_action_result
    from rasa.core.tracker_store import SQLTrackerStore

    scope, handle_with = (SQLTrackerStore.session_scope,
                          MessageProcessor._handle_message_with_tracker)
    server_patches.install()
    assert SQLTrackerStore.session_scope is scope
    assert getattr(scope, "_gentle_hands_patched", False)
    assert MessageProcessor._handle_message_with_tracker is handle_with
    assert getattr(handle_with, "_gentle_hands_patched", False)


def test_install_refuses_another_rasa_version(monkeypatch):
    """The corrections are checked against Rasa's code of one version: on another they could
    silently do nothing (or harm), so the server refuses to start and says why."""
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(RuntimeError, match="3.6.21"):
        server_patches.install()


@pytest.mark.parametrize("sender, ok", [
    ("rest:ann", True), ("whatsapp:+15551234567", True), ("web:" + "a" * 40, True),
    ("Zoë 😀", True), ("x" * 160, True), ("x" * 161, False), ("", False), (None, False),
    (7, False), ("x\udfff", False), ("a\x00b", False), ("a\nb", False), ("\x1b", False),
])
def test_only_storable_sender_ids_reach_the_stores(sender, ok):
    assert server_patches.valid_sender(sender) is ok


async def test_a_sender_that_cannot_be_stored_never_reaches_the_turn():
    reached = []

    async def original(self, message):
        reached.append(message)

    channel = CollectingOutputChannel()
    assert await guard_handle_message(original)(
        None, UserMessage("hi", channel, "x\udfff")) is None
    assert reached == []


async def test_the_text_is_made_valid_unicode_before_the_turn():
    seen = []

    async def original(self, message):
        seen.append(message.text)

    await guard_handle_message(original)(
        None, UserMessage("chest pain \ud83d\x00", CollectingOutputChannel(), "c"))
    assert seen == ["chest pain \ufffd"]


async def test_the_tracker_keeps_only_the_capped_text_but_nlu_reads_it_all():
    parsed, stored = [], []

    class Processor:
        async def parse_message(self, message, tracker):
            parsed.append(message.text)
            return {"text": message.text[:500], "intent": {}, "entities": []}

    async def original(self, message, tracker):
        stored.append((message.text, message.parse_data["text"]))

    long = "chest pain " + "x" * 100_000
    message = UserMessage(long, CollectingOutputChannel(), "c")
    await server_patches.cap_stored_text(original)(Processor(), message, None)
    assert parsed == [long]  # the NLU (and its red-flag check) read the whole message
    (text, parse_text), = stored
    assert len(text) == server_patches.STORED_CHARS + 1 and text.startswith("chest pain")
    assert len(parse_text) == 500


def test_event_classes_resolve_as_rasa_resolves_them():
    from rasa.shared.utils.common import all_subclasses

    server_patches.install()
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "session_started", "active_loop"} <= names
    for name in names:
        expected = next(c for c in all_subclasses(Event) if c.type_name == name)
        assert Event.resolve_by_type(name) is expected
        assert Event.resolve_by_type(name) is expected  # and again, remembered
    # Unknown names behave as before: the default, None for the old "topic", else an error.
    assert Event.resolve_by_type("nonsense", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name 'nonsense'"):
        Event.resolve_by_type("nonsense")
    stored = [UserUttered("hi", {"name": "greet", "confidence": 1.0}).as_dict(),
              SlotSet("routine_variant", "standard").as_dict(), ActionExecuted("utter_x").as_dict()]
    events = [Event.from_parameters(d) for d in stored]
    assert [type(e) for e in events] == [UserUttered, SlotSet, ActionExecuted]
    assert [e.as_dict() for e in events] == stored


class BrokenStore:
    domain = None
    event_broker = None

    async def retrieve(self, sender_id):
        raise ConnectionError("PostgreSQL is down")

    async def save(self, tracker):
        raise ConnectionError("PostgreSQL is down")


async def test_tracker_store_errors_are_not_hidden_in_memory():
    from rasa.core.tracker_store import FailSafeTrackerStore

    server_patches.install()
    store = FailSafeTrackerStore(BrokenStore())
    with pytest.raises(ConnectionError):
        await store.retrieve("caregiver")
    with pytest.raises(ConnectionError):
        await store.save(DialogueStateTracker("caregiver", []))
    assert store._fallback_tracker_store is None  # nothing was kept in memory


class FakeProcessor:
    def __init__(self, parsed):
        self.parsed = parsed

    async def parse_message(self, message):
        return self.parsed


class FakeAgent:
    def __init__(self, parsed):
        self.processor = FakeProcessor(parsed)


async def test_a_red_flag_still_gets_its_answer_when_the_stores_are_down(monkeypatch):
    monkeypatch.setenv("EMERGENCY_NUMBER", "999")
    parsed = {"intent": {"name": "red_flag"}, "entities": [
        {"entity": "red_flag_tier", "value": "emergency"},
        {"entity": "red_flag_kind", "value": "chest_pain"}]}

    async def original(self, message):
        raise ConnectionError("Redis is down")

    channel = CollectingOutputChannel()
    await guard_handle_message(original)(FakeAgent(parsed),
                                         UserMessage("she has chest pain", channel, "c"))
    (reply,) = [m["text"] for m in channel.messages]
    assert "999" in reply and "stop" in reply.lower()

    channel = CollectingOutputChannel()
    await guard_handle_message(original)(FakeAgent({"intent": {"name": "greet"}}),
                                         UserMessage("hi", channel, "c"))
    assert [m["text"] for m in channel.messages] == [FAILURE_TEXT]
