"""Small corrections to the Rasa 3.6 server, installed when it starts.

1. A failed action gets a kind reply instead of silence.
   Rasa 3.6 catches an exception from an action (the action server is down or times out,
   answers 500 because an action crashed...), logs it, drops the action's events and goes on
   predicting: the caregiver gets no answer at all, and the policies may try the same failing
   action again, up to ten times in one turn. `MessageProcessor._run_action` is wrapped so
   that such a failure leaves `BotUttered(FAILURE_TEXT)` and `FollowupAction("action_listen")`:
   one kind message, and the turn ends there. The conversation keeps its state (a form stays
   where it was, a routine at its step), so trying again in a minute picks up where it
   stopped. The error is still logged with its traceback. `ActionExecutionRejection` (a form
   that could not use the message) is Rasa's normal control flow and passes through untouched.
   Two actions have a fallback instead, computed in the Rasa server (bot/ is in both images;
   actions/ is not):
   - `action_red_flag`: a red flag always wins, so "try again in a minute" would be wrong.
     The caregiver gets the same escalation text (bot.redflags.red_flag_reply) and any form
     is stopped, as the action would have done.
   - `action_session_start` (actions/session.py) falls back, silently, to Rasa's own session
     start plus the phone numbers: without a session a new conversation's first message
     would get the "not sure how to help" fallback; with it the message is understood, and
     gets the kind reply if it needs the action server too.
   The phone numbers and the escalation order are read by bot/config.py, as the action
   server reads them (ESCALATION_ORDER: an unknown value means the default here, where the
   action server refuses it: the red flag is answered whatever the setting).

2. A turn that fails as a whole gets a kind reply too, and a red flag still its answer.
   When the tracker store (PostgreSQL) or the lock store (Redis) cannot be reached, the
   exception leaves `Agent.handle_message`, and every input channel of Rasa 3.6 logs it and
   answers with whatever was collected: usually nothing (REST: HTTP 200 and `[]`).
   `Agent.handle_message` is wrapped so that the caregiver is told, through the same output
   channel, to try again in a minute; if the message is a red flag (the NLU needs no store)
   they get the red-flag answer instead. The turn is not stored (the store is what failed);
   the server stays up and answers normally once the store is back.

   For that the tracker store's errors must reach `Agent.handle_message`. Rasa wraps every
   tracker store in `FailSafeTrackerStore`, which hides them: a failed `retrieve` returns
   "no such conversation" (the turn is answered as the first of a new conversation: a
   caregiver at step 5 of a routine hears "there's no massage in progress"), and a failed
   `save` goes to a per-process in-memory store that is never written back, and that the
   other replica cannot see. Its `retrieve` and `save` now let the error through.

3. The action server's response is validated against a schema compiled once.
   `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks the
   (constant) schema against the JSON Schema meta-schema on every call: with jsonschema 4.17
   that was about 40% of the Rasa server's CPU (measured with py-spy under load). The same
   validation, with the same errors, now uses a validator built once.

4. An event's class is looked up once per event name, not once per event.
   `Event.resolve_by_type` walks every subclass of `Event` (recursively) for every stored
   event it turns back into an object: reading a 50-turn conversation (about 300 events)
   spent 8.7 ms there (bench/profile_turn.py and bench/RESULTS.md), growing with every
   turn. The class found for a name is now remembered (same result: the first subclass
   with that name; unknown names, `default` and the old "topic" go the original way).

5. Nothing a caregiver sends can stop the server.
   `SQLTrackerStore.session_scope` takes *any* `ValueError` raised while a conversation is
   read or written for a missing PostgreSQL schema, and calls `sys.exit`: a sender id or a
   text that the database driver cannot encode (a lone surrogate, "x\\udfff" in JSON; a NUL
   character for PostgreSQL) stopped the whole Rasa server, and `make run` with it. Now only
   a `ValueError` from the schema check itself is treated as a missing schema (at start-up);
   any other error is raised, and the turn gets the kind reply of correction 2.
   Before the turn, `Agent.handle_message` also makes the text valid Unicode (lone surrogates
   become U+FFFD, NULs are dropped) and refuses a sender id that is not 1-160 printable
   characters (each channel names its senders "rest:...", "web:...", "telegram:...",
   "whatsapp:..."; see channels/).

6. The conversation stores at most the text the classifiers read.
   Rasa stores the message as it arrived: a 10 MB message was kept whole in the tracker,
   though only the first 500 characters are read (bot.textguard.MAX_CHARS). The NLU still
   parses the whole message first (the red-flag check reads all of it); then
   `MessageProcessor._handle_message_with_tracker` stores the text cut to STORED_CHARS.

7. CORS never answers with credentials.
   `rasa.server.configure_cors` sets `CORS_SUPPORTS_CREDENTIALS = True`, and sanic-cors then
   answers `*` by reflecting any Origin with `Access-Control-Allow-Credentials: true`, on every
   route (REST, the HTTP API, Socket.IO). Nothing here authenticates with cookies (the API
   takes a token, the widget a signed session id), so the same set-up runs without
   credentials. Both callers (rasa.server.create_app, rasa.core.run) look the function up on
   the module when the app is built: scripts/rasa_serve.py installs these corrections before.

8. A typed menu word is the button it stands for (issue #15).
   When the bot's last reply offered buttons, caregivers often type instead of tapping: the
   title ("Fell asleep"), a shortened or misspelt one ("foot massge", "asleep"), a menu word
   ("feet pls", "the feet one"). The NLU alone misread most of them. `MessageProcessor.
   parse_message` is wrapped: after the usual parse, when the conversation's last bot message
   (with no user message after it, in this session) had buttons and bot.menus.resolve finds
   the one the text clearly means, the message is parsed as that button, as Rasa parses a tap:
   - a "/intent{...}" payload gives its intent (confidence 1.0) and its entities, unpacked by
     Rasa's own RegexMessageHandler code (an intent the domain lacks: nothing changes); the
     parse keeps the typed text;
   - a plain-text payload ("Fell asleep", "not sure") is parsed as if it had been sent, and is
     the text the actions read: the check-in form (actions/routine.py) keeps a tapped title as
     it is, the safety check reads "not sure" from the text.
   A red flag is never overridden (the SafetyNet's verdict wins), nor a text that is itself a
   slash payload (a tap; WhatsApp's numbered choices are turned into their payload by the
   channel before, channels/whatsapp.py). The UserUttered
   event keeps what was typed; parse_data["menu_choice"] holds the payload, and
   parse_data["typed_text"] the typed words when the text was replaced, so the tracker and the
   logs say what happened. Every channel goes through here. A parse without a conversation
   (the HTTP API's /model/parse, correction 2's red-flag check) is untouched; an error here
   keeps the NLU's parse.

`install()` applies them all and is idempotent, and refuses to patch a Rasa version other
than the one these corrections were written and tested against (RASA_VERSION).
`components/tracker_store.py` (the tracker store both endpoints files configure) calls it on
import, so every Rasa server of this project has them; importing this module alone changes
nothing.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from bot import config

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
FAILURE_TEXT = "I'm sorry, I can't do that just now. Please try again in a minute."
# A sender id longer than this, or with a control character, is refused (correction 5).
MAX_SENDER_CHARS = 160
# What the tracker keeps of a message (correction 6): a little over what the classifiers read.
STORED_CHARS = 600
SESSION_START = "action_session_start"
RED_FLAG = "action_red_flag"
_INSTALLED = "_gentle_hands_patched"


def log_tag(sender_id: Any) -> str:
    """What the logs say for a conversation: a short hash, never the id itself (a Telegram
    chat id, a WhatsApp phone number)."""
    from bot.storage import sender_tag

    return "?" if sender_id is None else sender_tag(str(sender_id))


# -- 1. a failed action ---------------------------------------------------------------------------
def failure_events() -> list[Any]:
    """What a failed action leaves on the tracker: the kind reply, then listen."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import BotUttered, FollowupAction

    return [BotUttered(text=FAILURE_TEXT), FollowupAction(ACTION_LISTEN_NAME)]


def phone_numbers() -> dict[str, str]:
    """The slots actions/session.py sets: hospice_phone and emergency_number."""
    phones = config.phones()
    return {"hospice_phone": phones.hospice_phone, "emergency_number": phones.emergency_number}


async def fallback_session_start(output_channel: Any, nlg: Any, tracker: Any,
                                 domain: Any) -> list[Any]:
    """Rasa's built-in session start, plus the phone numbers actions/session.py would set."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import SlotSet

    events = await ActionSessionStart().run(output_channel, nlg, tracker, domain)
    slots = {slot.name for slot in domain.slots}
    phones = [SlotSet(name, value) for name, value in phone_numbers().items() if name in slots]
    return events[:-1] + phones + events[-1:]  # the last event is action_listen


def red_flag_text(entities: list[dict[str, Any]]) -> str:
    """action_red_flag's text for the SafetyNet's red_flag_kind / red_flag_tier entities."""
    from bot.redflags import red_flag_reply

    def entity(name: str) -> str | None:
        value = next((e.get("value") for e in entities if e.get("entity") == name), None)
        return str(value) if value is not None else None

    phones = config.phones()
    return red_flag_reply(entity("red_flag_kind"), entity("red_flag_tier"),
                          phones.hospice_phone, phones.emergency_number,
                          phones.hospice_configured, config.escalation_order_or_default())


def fallback_red_flag(tracker: Any) -> list[Any]:
    """What action_red_flag (actions/safety.py) says and does, without the action server."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
    from rasa.shared.core.events import ActiveLoop, BotUttered, FollowupAction, SlotSet

    text = red_flag_text(list(getattr(tracker.latest_message, "entities", None) or []))
    return [BotUttered(text=text), ActiveLoop(None), SlotSet(REQUESTED_SLOT, None),
            SlotSet("routine_state", None), SlotSet("pending_routine", None),
            FollowupAction(ACTION_LISTEN_NAME)]


class GuardedAction:
    """An action whose `run` turns an unexpected exception into `failure_events`.

    Everything else (its name, the event logged for its execution...) is the wrapped action's.
    """

    def __init__(self, action: Any) -> None:
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    def name(self) -> str:
        return self._action.name()

    def event_for_successful_execution(self, prediction: Any) -> Any:
        return self._action.event_for_successful_execution(prediction)

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        from rasa.core.actions.action import ActionExecutionRejection

        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception:
            sender = log_tag(getattr(tracker, "sender_id", None))
            if self.name() == RED_FLAG:
                logger.exception("The action '%s' failed in conversation '%s'; the red flag "
                                 "was answered by the Rasa server.", RED_FLAG, sender)
                return fallback_red_flag(tracker)
            if self.name() == SESSION_START:
                logger.exception("The action '%s' failed in conversation '%s'; Rasa's own "
                                 "session start was used instead.", SESSION_START, sender)
                return await fallback_session_start(output_channel, nlg, tracker, domain)
            logger.exception(
                "The action '%s' failed in conversation '%s'; the caregiver was asked to try "
                "again in a minute.", self.name(), sender)
            return failure_events()


def guard_run_action(original: Any) -> Any:
    """`MessageProcessor._run_action`, running the action through `GuardedAction`."""
    @functools.wraps(original)
    async def _run_action(self: Any, action: Any, tracker: Any, output_channel: Any, nlg: Any,
                          prediction: Any) -> bool:
        return await original(self, GuardedAction(action), tracker, output_channel, nlg,
                              prediction)

    setattr(_run_action, _INSTALLED, True)
    return _run_action


# -- 2. a failed turn -----------------------------------------------------------------------------
async def red_flag_answer(agent: Any, message: Any) -> str | None:
    """The red-flag answer if the message is a red flag (parsed without any store), or None."""
    parsed = await agent.processor.parse_message(message)
    if ((parsed.get("intent") or {}).get("name")) != "red_flag":
        return None
    return red_flag_text(list(parsed.get("entities") or []))


def valid_sender(sender_id: Any) -> bool:
    """A sender id every store can keep: 1-MAX_SENDER_CHARS characters, valid Unicode, no
    control characters (NUL, newlines...)."""
    import unicodedata

    if not isinstance(sender_id, str) or not 0 < len(sender_id) <= MAX_SENDER_CHARS:
        return False
    return all(unicodedata.category(ch) not in ("Cc", "Cs", "Cn") for ch in sender_id)


def guard_handle_message(original: Any) -> Any:
    """`Agent.handle_message` that answers kindly when the turn fails (stores unreachable)."""
    @functools.wraps(original)
    async def handle_message(self: Any, message: Any) -> Any:
        from bot.textguard import valid_unicode

        if isinstance(getattr(message, "text", None), str):
            message.text = valid_unicode(message.text)
        if not valid_sender(getattr(message, "sender_id", None)):
            # Each channel validates its own senders; this catches any that does not.
            logger.warning("Refused a message whose sender id cannot be stored.")
            return None
        try:
            return await original(self, message)
        except Exception:
            logger.exception(
                "Could not handle a message of conversation '%s' (is the tracker store or "
                "the lock store down?); the caregiver was asked to try again in a minute.",
                log_tag(getattr(message, "sender_id", None)))
            channel = getattr(message, "output_channel", None)
            if channel is None:
                return None
            text = FAILURE_TEXT
            try:
                text = await red_flag_answer(self, message) or FAILURE_TEXT
            except Exception:
                logger.exception("Could not check the failed message for a red flag.")
            try:
                await channel.send_response(message.sender_id, {"text": text})
            except Exception:
                logger.exception("Could not send the apology either.")
            return None

    setattr(handle_message, _INSTALLED, True)
    return handle_message


async def _retrieve(self: Any, sender_id: str) -> Any:
    """`FailSafeTrackerStore.retrieve` that lets the primary store's error through."""
    return await self._tracker_store.retrieve(sender_id)


async def _save(self: Any, tracker: Any) -> None:
    """`FailSafeTrackerStore.save` that lets the primary store's error through."""
    await self._tracker_store.save(tracker)


# -- 3. validating the action server's response ---------------------------------------------------
@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """A validator for the action server's response, its schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` of Rasa 3.6.21, with the compiled validator."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


# -- 4. event classes by name --------------------------------------------------------------------
_EVENT_CLASSES: dict[str, Any] = {}


def remembering_resolve_by_type(original: Any) -> Any:
    """`Event.resolve_by_type` that remembers the class it found for each event name."""
    @functools.wraps(original)
    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = _EVENT_CLASSES.get(type_name)
        if found is not None:
            return found
        found = original(type_name, default)
        if found is not None and found is not default:
            _EVENT_CLASSES[type_name] = found
        return found

    setattr(resolve_by_type, _INSTALLED, True)
    return resolve_by_type


# -- 5. errors the database driver raises on what a caregiver sent --------------------------------
def session_scope(self: Any) -> Any:
    """`SQLTrackerStore.session_scope` of Rasa 3.6.21, exiting only for a missing schema."""
    from rasa.core.tracker_store import POSTGRESQL_SCHEMA, ensure_schema_exists
    from rasa.shared.utils.cli import print_error_and_exit

    session = self.sessionmaker()
    try:
        try:
            ensure_schema_exists(session)
        except ValueError as e:
            print_error_and_exit(
                f"Requested PostgreSQL schema '{e}' was not found in the database. To "
                f"continue, please create the schema by running 'CREATE DATABASE {e};' "
                f"or unset the '{POSTGRESQL_SCHEMA}' environment variable in order to "
                f"use the default schema. Exiting application.")
        yield session  # an error here (an unencodable sender id...) fails this turn only
    finally:
        session.close()


# -- 6. what the tracker keeps of a message -------------------------------------------------------
def stored_text(text: Any) -> Any:
    """The message text as the conversation keeps it: at most STORED_CHARS characters."""
    if not isinstance(text, str) or len(text) <= STORED_CHARS:
        return text
    return text[:STORED_CHARS] + "…"


def cap_stored_text(original: Any) -> Any:
    """`_handle_message_with_tracker` that parses the whole message, then stores it capped."""
    @functools.wraps(original)
    async def _handle_message_with_tracker(self: Any, message: Any, tracker: Any) -> None:
        if not message.parse_data:
            message.parse_data = await self.parse_message(message, tracker)
        message.text = stored_text(message.text)
        await original(self, message, tracker)

    setattr(_handle_message_with_tracker, _INSTALLED, True)
    return _handle_message_with_tracker


# -- 7. CORS without credentials ------------------------------------------------------------------
def configure_cors_without_credentials(app: Any, cors_origins: Any = "") -> None:
    """`rasa.server.configure_cors` of Rasa 3.6.21 with CORS_SUPPORTS_CREDENTIALS off."""
    from sanic_cors import CORS

    app.config.CORS_AUTOMATIC_OPTIONS = True  # Socket.IO's preflights (as Rasa's comment says)
    app.config.CORS_SUPPORTS_CREDENTIALS = False
    app.config.CORS_EXPOSE_HEADERS = "filename"
    CORS(app, resources={r"/*": {"origins": cors_origins or ""}}, automatic_options=True)


# -- 8. typed menu words --------------------------------------------------------------------------
MENU_CHOICE = "menu_choice"
TYPED_TEXT = "typed_text"


def offered_buttons(tracker: Any) -> list[dict[str, Any]]:
    """The buttons of the bot's last message, unless the user spoke after it or a new session
    (or a restart) began since."""
    from rasa.shared.core.events import BotUttered, Restarted, SessionStarted, UserUttered

    for event in reversed(getattr(tracker, "events", None) or []):
        if isinstance(event, BotUttered):
            return list((event.data or {}).get("buttons") or [])
        if isinstance(event, (UserUttered, SessionStarted, Restarted)):
            return []
    return []


def tapped_intent(domain: Any, payload: str) -> dict[str, Any] | None:
    """What Rasa's RegexMessageHandler makes of a tapped "/intent{...}" payload (text, intent,
    intent_ranking, entities), or None if it is not one the domain knows."""
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message

    unpacked = YAMLStoryReader.unpack_regex_message(
        Message(data={TEXT: payload}), domain, entity_extractor_name="RegexMessageHandler")
    data = unpacked.as_dict(only_output_properties=True)
    return data if data.get(INTENT) else None


async def parse_as_menu_choice(processor: Any, parse: Any, message: Any, tracker: Any,
                               parse_data: dict[str, Any],
                               only_output_properties: bool) -> dict[str, Any]:
    """`parse_data`, or the parse of the button the typed text stands for (see correction 8).
    `parse` is Rasa's own `parse_message`."""
    import copy

    from bot.menus import resolve

    text = getattr(message, "text", None)
    if tracker is None or not isinstance(text, str) or text.lstrip().startswith("/"):
        return parse_data
    if ((parse_data.get("intent") or {}).get("name")) == "red_flag":
        return parse_data  # a red flag always wins
    buttons = offered_buttons(tracker)
    payload = resolve(text, buttons) if buttons else None
    if payload is None:
        return parse_data
    if payload.lstrip().startswith("/"):
        tapped = tapped_intent(processor.domain, payload)
        if tapped is None:
            return parse_data
        chosen = {k: v for k, v in parse_data.items() if k != "response_selector"}
        chosen.update(tapped)
        chosen["text"] = parse_data.get("text", text)  # what was typed (as the NLU cleaned it)
    elif text == payload:
        chosen = dict(parse_data)  # the very text a tap sends: already parsed as such
    else:
        as_tapped = copy.copy(message)
        as_tapped.text = payload
        as_tapped.parse_data = None
        chosen = dict(await parse(processor, as_tapped, tracker, only_output_properties))
        chosen[TYPED_TEXT] = text
    chosen[MENU_CHOICE] = payload
    logger.debug("A typed menu word was read as the button '%s' in conversation '%s'.",
                 payload, log_tag(getattr(message, "sender_id", None)))
    return chosen


def choose_typed_menu_word(original: Any) -> Any:
    """`MessageProcessor.parse_message` that reads a typed menu word as its button."""
    @functools.wraps(original)
    async def parse_message(self: Any, message: Any, tracker: Any = None,
                            only_output_properties: bool = True) -> dict[str, Any]:
        parse_data = await original(self, message, tracker, only_output_properties)
        try:
            return await parse_as_menu_choice(self, original, message, tracker, parse_data,
                                              only_output_properties)
        except Exception:
            logger.exception("Could not read a typed menu word in conversation '%s'; the "
                             "NLU's parse was kept.",
                             log_tag(getattr(message, "sender_id", None)))
            return parse_data

    setattr(parse_message, _INSTALLED, True)
    return parse_message


def install() -> None:
    """Apply the corrections (once) to Rasa's classes in this process."""
    import contextlib

    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
    from rasa.shared.core.events import Event

    if rasa.__version__ != RASA_VERSION:
        raise RuntimeError(
            f"components/server_patches.py corrects Rasa {RASA_VERSION}, but Rasa "
            f"{rasa.__version__} is installed: check each correction against that version's "
            f"code, then update RASA_VERSION (see constraints.txt for the pinned version).")

    if not getattr(MessageProcessor._run_action, _INSTALLED, False):
        MessageProcessor._run_action = guard_run_action(MessageProcessor._run_action)
    if not getattr(Agent.handle_message, _INSTALLED, False):
        Agent.handle_message = guard_handle_message(Agent.handle_message)
    FailSafeTrackerStore.retrieve = _retrieve
    FailSafeTrackerStore.save = _save
    RemoteAction._validate_action_result = validate_action_result
    if not getattr(SQLTrackerStore.session_scope, _INSTALLED, False):
        scope = contextlib.contextmanager(session_scope)
        setattr(scope, _INSTALLED, True)
        SQLTrackerStore.session_scope = scope
    if not getattr(MessageProcessor._handle_message_with_tracker, _INSTALLED, False):
        MessageProcessor._handle_message_with_tracker = cap_stored_text(
            MessageProcessor._handle_message_with_tracker)
    import rasa.server

    rasa.server.configure_cors = configure_cors_without_credentials
    if not getattr(Event.resolve_by_type, _INSTALLED, False):
        Event.resolve_by_type = staticmethod(remembering_resolve_by_type(Event.resolve_by_type))
    if not getattr(MessageProcessor.parse_message, _INSTALLED, False):
        MessageProcessor.parse_message = choose_typed_menu_word(MessageProcessor.parse_message)
