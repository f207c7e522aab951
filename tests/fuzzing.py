"""The fuzz harness: a seeded generator of hostile or odd caregiver messages, and a run that
sends them over REST, concurrently, and checks that no conversation breaks.

Used by tests/e2e/test_fuzz.py (one Rasa server, as `make run` starts it) and by
tests/deploy/test_fuzz_topology.py (nginx, 2 replicas, PostgreSQL, Redis). See the first for
what is generated and asserted.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

SEED = int(os.environ.get("FUZZ_SEED", "8"))
CONVERSATIONS = int(os.environ.get("FUZZ_CONVERSATIONS", "200"))
THREADS = int(os.environ.get("FUZZ_THREADS", "8"))
TIMEOUT = 60

# -- the generator ------------------------------------------------------------------------------

# (first, last) code points: scripts, symbols and the awkward corners of Unicode.
RANGES = [
    (0x0041, 0x007A), (0x00C0, 0x024F),  # Latin, Latin with diacritics
    (0x0370, 0x03FF), (0x0400, 0x04FF),  # Greek, Cyrillic
    (0x0590, 0x05FF), (0x0600, 0x06FF),  # Hebrew, Arabic (right to left)
    (0x0900, 0x097F), (0x0980, 0x09FF),  # Devanagari, Bengali
    (0x0B80, 0x0BFF), (0x0E00, 0x0E7F),  # Tamil, Thai
    (0x10A0, 0x10FF), (0x1200, 0x137F),  # Georgian, Ethiopic
    (0x3040, 0x30FF), (0x4E00, 0x9FFF),  # kana, CJK
    (0xAC00, 0xD7A3), (0x1F300, 0x1FAFF),  # Hangul, emoji
    (0x0300, 0x036F), (0x2000, 0x206F),  # combining marks; spaces, zero-width, bidi controls
    (0x2190, 0x22FF), (0xFE00, 0xFE0F),  # arrows and maths; variation selectors
    (0xE000, 0xE0FF), (0xFFF0, 0xFFFF),  # private use; specials (U+FFFD, U+FFFF)
    (0x1D400, 0x1D7FF), (0x10000, 0x1007F),  # maths alphanumerics, Linear B
    (0xFF00, 0xFFEF),  # full-width forms
]
EMOJI = ["😊", "🙏", "❤️", "👍🏽", "👩‍👩‍👧‍👦", "🇬🇧", "🏳️‍🌈", "🤷‍♀️", "💆", "🖐️", "🦶", "😭", "✨",
         "🔥", "💯", "🫶", "🧑🏿‍⚕️", "0️⃣", "#️⃣", "\u200d", "\ufe0f"]
WHITESPACE = ["", " ", "   ", "\n", "\t", "\r\n", " \n \t ", "\u00a0", "\u3000", "\u200b",
              "\u2028", "\u2029", "\ufeff", "\u180e", "\u2003\u2003", "." * 3, "?", "!!!", "-"]
NUMBERS = ["-2", "11", "1e9", "six hundred", "-1", "0", "10", "10.0001", "-0", "NaN", "nan",
           "inf", "-inf", "Infinity", "1e309", "-1e-9", "0x10", "0b101", "1_000", "1,000",
           "10/10", "7/10", "½", "٣", "５", "〇", "Ⅶ", "7.5", ".5", "5.", "99999999999999999999999",
           "eleven", "twenty", "minus three", "a lot", "ten thousand", "a million", "zero",
           "6 or 7", "between 3 and 4", "3-4", "6 and 8", "pain 12 anxiety -3", "1e-400",
           "pain 6 anxiety 8", "4 times a day for 900 weeks", "every 0 days", "0 weeks",
           "3 times a week for 1e9 weeks", "twice a week for -4 weeks"]
INTENTS = ["routine_command", "choose_topic", "start_routine", "choose_variant", "start_screen",
           "estimate_relief", "estimate_schedule", "red_flag", "inform_condition", "affirm",
           "deny", "unsure", "stop", "greet", "faq", "faq/nothing_here", "tell_more",
           "ask_source", "ask_why", "journal_show", "journal_export", "journal_summary",
           "routine_signal", "empty_message", "long_message", "other_language",
           "ask_medication", "nlu_fallback", "no_such_intent", "restart", "session_start",
           "back", "out_of_scope", "help", "bot_challenge", "thanks", "goodbye",
           "delete_data", "ask_question"]
ENTITY_NAMES = ["command", "faq_topic", "routine", "variant", "finding", "red_flag_tier",
                "red_flag_kind", "language", "est_pain", "requested_slot", "routine_state"]
ODD_VALUES = ["nope", "<b>", "", " ", None, 5, -1, 1e308, True, [], ["next"], {}, {"a": 1},
              "next" * 50, "../../etc/passwd", "'; DROP TABLE events; --", "hand|foot",
              "elbow", "standard ", "NEXT", "resume", "stop", "x" * 2000, "🦶", "\u0000",
              "clot|present|left arm", "|absent|", "emergency", "nurse", "crisis", "∞",
              # findings are "condition|status|area|side": odd ones of the right shape
              "suspected_clot|present|arm|left", "nope|present||", "picc_line|maybe|arm|left",
              "known_clot|present|elbow|middle", "|||", "bone_mets|absent|leg|both"]
PAYLOADS = [
    '/routine_command{"command": "nope"}', '/choose_topic{"faq_topic": "<b>"}',
    '/routine_command{"command": null}', '/routine_command{"command": ["next"]}',
    '/routine_command{"command": {"x": 1}}', '/routine_command{"command": "next"',
    '/routine_command{"command": "next"}}}', '/routine_command{command: next}',
    '/routine_command{}', "/routine_command", "/routine_command[]", '/start_routine{"routine": '
    '"elbow"}', '/start_routine{"routine": ["hand"]}', '/choose_variant{"variant": ["x"]}',
    '/choose_variant{"variant": 7}', '/choose_variant{"variant": "coma"}',
    '/estimate_relief{"est_pain": "x"}', '/red_flag{"red_flag_kind": "zzz", "red_flag_tier": '
    '"boom"}', '/red_flag', '/faq/no_such_topic', '/no_such_intent', "/", "//", "/ /",
    "/\u0000", '/greet{"language": 5}', '/inform_condition{"finding": "x|y|z"}',
    '/choose_topic{"faq_topic": null}', '/choose_topic{"faq_topic": "../../etc"}',
    '/start_routine{"routine": "hand"}{"routine": "foot"}', "/restart", "/session_start",
    "/action_listen", "/stop@0.5", "/affirm@2", "/deny@-1", "/greet@nan",
    '/choose_variant{"variant": "standard"}', '/routine_command{"command": "next"}',
    '/inform_condition{"finding": "nope|present|arm|left"}',
    '/inform_condition{"finding": "suspected_clot|present|nose|up"}',
    '/inform_condition{"finding": "picc_line|maybe||"}', '/affirm{"finding": "|||"}',
    '/start_screen{"finding": "bone_mets|present|leg|left"}',
]
SQL = ["'; DROP TABLE events; --", "1 OR 1=1", "Robert'); DROP TABLE students;--",
       "SELECT * FROM events WHERE sender_id LIKE '%'", "\\'; --", "' UNION SELECT NULL--",
       "admin'--", "1; DELETE FROM journal", "%' AND 1=0 UNION SELECT password FROM users--",
       "\"; TRUNCATE TABLE sessions; --"]
MARKUP = ["<script>alert(1)</script>", "<b>", "<b>hi</b>", "<img src=x onerror=alert(1)>",
          "<!-- -->", "&lt;&amp;&#0;&#x110000;", "<a href='javascript:alert(1)'>x</a>",
          "<style>*{}</style>next", "<" * 300, "<div" * 50, "</script><script>",
          "<svg/onload=alert(1)>", "<![CDATA[x]]>", "<?xml version='1.0'?>", "<iframe src=//x>",
          "<p>next</p>", "<b>yes</b>", "<<<>>>", "<scr<script>ipt>"]
FORMATS = ["{name}", "%s%s%s%n", "{{7*7}}", "${jndi:ldap://x/a}", "{0}", "%(x)s", "\\x00",
           "\\u0000", "$(rm -rf /)", "`id`", "{}", "[]", "null", "true", "None", "undefined"]
ANSWERS = ["next", "yes", "no", "not sure", "6", "back", "again", "stop", "pause", "go on",
           "ok done", "she relaxed", "she pulled her hand away", "more detail", "why?",
           "3 times a week", "every day", "skip", "Relaxed or calmer", "4", "8",
           "don't know", "is lotion ok?", "hi", "thank you", "what pressure should I use?"]


def rand_unicode(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        lo, hi = rng.choice(RANGES)
        out.append(chr(rng.randint(lo, hi)))
        if rng.random() < 0.15:
            out.append(" ")
    return "".join(out)


def rand_json(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.choice(ODD_VALUES)
    if kind == 1:
        return rng.randint(-10**12, 10**12)
    if kind == 2:
        return rng.choice(["text", "sender", "message", "metadata"]) + rand_unicode(rng, 3)
    if kind == 3:
        return rng.random() * 10 ** rng.randint(-5, 30)
    if kind in (4, 5):
        return {rng.choice(ENTITY_NAMES + ["text", "sender", "events"]): rand_json(rng, depth + 1)
                for _ in range(rng.randint(0, 3))}
    return [rand_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]


def payload(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(PAYLOADS)
    intent = rng.choice(INTENTS)
    if rng.random() < 0.3:
        return "/" + intent
    entities = {rng.choice(ENTITY_NAMES): rng.choice(ODD_VALUES)
                for _ in range(rng.randint(1, 3))}
    text = "/" + intent + json.dumps(entities, ensure_ascii=rng.random() < 0.5)
    return text if rng.random() < 0.8 else text[: rng.randint(1, len(text))]


def long_text(rng: random.Random) -> str:
    n = rng.choice([600, 2000, 5000, 10000, 20000])
    kind = rng.randrange(4)
    if kind == 0:
        return (rng.choice(ANSWERS) + " ") * (n // 5)
    if kind == 1:
        return "a" * n  # one enormous token
    if kind == 2:
        return rand_unicode(rng, n)[:n]
    return ("she is calm " * (n // 24) + rng.choice(["now he has chest pain", "next", ""]))


def broken_unicode(rng: random.Random) -> str:
    """Half an emoji (a lone surrogate) or escaped markup, around ordinary words."""
    core = rng.choice(ANSWERS + ["chest pain", "she is bleeding heavily"])
    half = rng.choice(["\ud83d", "\udfff", "\ud800", "\udbff\udbff", "\ude00"])
    return rng.choice([core + " " + half, half + core, core[:2] + half + core[2:],
                       "&lt;img src=x onerror=alert(1)&gt;" + core,
                       "&amp;lt;script&amp;gt;" + core, core + "&#xD83D;"])


# Senders. Valid but odd ones name a conversation of their own (REST names it "rest:<sender>",
# so another channel's prefix reaches nothing of that channel); invalid ones get a 400.
ODD_SENDERS = ["whatsapp:+15551234567", "telegram:4242", "web:abcdefghijklmnop", "rest:x",
               "default", "Zoë 😀", "x" * 128, "../../etc/passwd", "' OR 1=1 --", "0",
               "\u202eevil", "名前"]
BAD_SENDERS: list[object] = ["x\udfff", "\ud83d", "a\x00b", "\x00", "line\nbreak", "tab\tx",
                             "\x1b[31m", "", "x" * 129, "y" * 10_000, None, 7.5, True, ["a"],
                             {"id": 1}]


def control(rng: random.Random) -> str:
    chars = [chr(c) for c in [*range(0, 32), 127, *range(0x80, 0xA0)]]
    core = rng.choice(ANSWERS + NUMBERS[:6])
    noise = "".join(rng.choice(chars) for _ in range(rng.randint(1, 12)))
    return rng.choice([noise, noise + core, core + noise, core[:1] + noise + core[1:]])


GENERATORS = [
    (12, lambda r: rand_unicode(r, r.randint(1, 60))),
    (6, lambda r: "".join(r.choice(EMOJI) for _ in range(r.randint(1, 12)))),
    (2, long_text),
    (6, lambda r: r.choice(WHITESPACE)),
    (6, lambda r: json.dumps(rand_json(r), ensure_ascii=r.random() < 0.5)),
    (6, lambda r: r.choice(MARKUP) + r.choice(["", " next", " yes", " pain 6"])),
    (10, lambda r: r.choice(NUMBERS)),
    (14, payload),
    (5, lambda r: r.choice(SQL)),
    (6, control),
    (4, lambda r: r.choice(FORMATS)),
    (3, lambda r: r.choice(ANSWERS) + " " + rand_unicode(r, r.randint(1, 8))),
    (20, lambda r: r.choice(ANSWERS)),  # ordinary answers keep the conversations moving
    (4, broken_unicode),
]
_WEIGHTS = [w for w, _ in GENERATORS]


def fuzz_message(rng: random.Random) -> str:
    gen = rng.choices(GENERATORS, weights=_WEIGHTS)[0][1]
    text = gen(rng)
    if rng.random() < 0.05:  # a mix of two kinds
        text += rng.choice([" ", "", "\n"]) + rng.choices(GENERATORS, weights=_WEIGHTS)[0][1](rng)
    return text


# -- the run ------------------------------------------------------------------------------------

ROUTINE_START = '/start_routine{"routine": "hand"}'
STEERS = ["estimate relief", "safety check", ROUTINE_START, None]


@dataclass
class Conversation:
    index: int
    sender: str
    steer: str | None
    messages: list[str]
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    empty_replies: int = 0
    body_limit: int | None = None  # a proxy's maximum request body, in bytes
    too_large: int = 0  # 413s for bodies over body_limit: the answer expected
    # message index -> an invalid sender to send that message with instead (400 expected)
    bad_senders: dict[int, object] = field(default_factory=dict)
    refused: int = 0  # 400s for the invalid senders: the answer expected


def plan(index: int, count: int) -> Conversation:
    rng = random.Random(f"{SEED}-{index}")
    steer = STEERS[index % len(STEERS)]
    messages = []
    for _ in range(count):
        # Routine conversations say "next" often enough to reach the end and the check-in.
        if steer == ROUTINE_START and rng.random() < 0.2:
            messages.append(rng.choice(["next", "next", "ok done", "yes", "go on"]))
        else:
            messages.append(fuzz_message(rng))
    sender = f"fuzz-{SEED}-{index:03d}"
    if index % 8 == 7:  # one conversation in eight has an odd but valid sender id
        sender = f"{rng.choice(ODD_SENDERS)}{index:03d}"[-128:]
    bad = {i: rng.choice(BAD_SENDERS) for i in range(count) if rng.random() < 0.03}
    return Conversation(index, sender, steer, messages, bad_senders=bad)


_local = threading.local()


def post(url: str, sender: object, text: str) -> requests.Response:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session.post(url, json={"sender": sender, "message": text}, timeout=TIMEOUT)


def check_refused(conv: Conversation, url: str, sender: object, text: str) -> None:
    """An invalid sender gets a clear 400 (or the proxy's 413 for a body over its limit)."""
    where = f"seed {SEED}, conversation {conv.index}, bad sender {str(sender)[:40]!r}"
    conv.sent += 1
    try:
        r = post(url, sender, text)
    except requests.RequestException as e:
        conv.failures.append(f"{where}: transport error {e!r}")
        return
    if r.status_code == 413 and conv.body_limit is not None \
            and request_size(sender, text) > conv.body_limit:
        conv.too_large += 1
        return
    if r.status_code != 400 or "sender" not in r.text:
        conv.failures.append(f"{where}: HTTP {r.status_code} {r.text[:200]!r}, not a 400")
        return
    conv.refused += 1


def check_reply(conv: Conversation, url: str, text: str) -> list[dict] | None:
    """Send one message; a failure is recorded with what reproduces it."""
    where = f"seed {SEED}, conversation {conv.index}, message {conv.sent}: {text[:120]!r}"
    conv.sent += 1
    try:
        r = post(url, conv.sender, text)
    except requests.RequestException as e:
        conv.failures.append(f"{where}: transport error {e!r}")
        return None
    if r.status_code == 413 and conv.body_limit is not None \
            and request_size(conv.sender, text) > conv.body_limit:
        conv.too_large += 1
        return None
    if r.status_code != 200:
        conv.failures.append(f"{where}: HTTP {r.status_code} {r.text[:200]!r}")
        return None
    try:
        body = r.json()
    except ValueError:
        conv.failures.append(f"{where}: not JSON {r.text[:200]!r}")
        return None
    if not isinstance(body, list) or not all(
        isinstance(m, dict) and m.get("recipient_id") == conv.sender
        and any(k in m for k in ("text", "buttons", "image", "custom", "attachment"))
        for m in body
    ):
        conv.failures.append(f"{where}: not a list of messages {str(body)[:200]!r}")
        return None
    if not body:
        conv.empty_replies += 1
    return body


def steer(conv: Conversation, url: str) -> None:
    if conv.steer is None:
        return
    check_reply(conv, url, conv.steer)
    if conv.steer != ROUTINE_START:
        return
    for answer in ["yes"] + ["no"] * 6:  # willing, then all clear
        body = check_reply(conv, url, answer) or []
        if any("that's all I need" in (m.get("text") or "") for m in body):
            break
    check_reply(conv, url, '/choose_variant{"variant": "standard"}')


def run_conversation(conv: Conversation, url: str) -> Conversation:
    steer(conv, url)
    for i, text in enumerate(conv.messages):
        if i in conv.bad_senders:
            check_refused(conv, url, conv.bad_senders[i], text)
        else:
            check_reply(conv, url, text)
    return conv


def log_tail(path: Path, offset: int) -> str:
    if not path.exists():
        return ""
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", errors="replace")


def request_size(sender: object, text: str) -> int:
    """Bytes of the JSON body `post` sends (requests escapes non-ASCII as \\uXXXX)."""
    return len(json.dumps({"sender": sender, "message": text}).encode("utf-8"))


def fuzz(url: str, logs: list[Path], messages: int, report: Callable[[str], None],
         body_limit: int | None = None) -> None:
    """Send `messages` fuzzed messages (plus steering turns) to the REST webhook at `url`.

    Fails on any failed turn, on a traceback or error in `logs` while it ran, and on any
    conversation that no longer answers "hi" afterwards. With `body_limit` (a proxy's
    maximum body size), a 413 for a body over the limit is the clear answer expected.
    """
    offsets = {p: (p.stat().st_size if p.exists() else 0) for p in logs}
    per = -(-messages // CONVERSATIONS)
    convs = [plan(i, per) for i in range(CONVERSATIONS)]
    for conv in convs:
        conv.body_limit = body_limit

    started = time.monotonic()
    with cf.ThreadPoolExecutor(THREADS) as pool:
        done = list(pool.map(lambda c: run_conversation(c, url), convs))
    elapsed = time.monotonic() - started
    sent = sum(c.sent for c in done)
    fuzzed = sum(len(c.messages) for c in done)
    report(f"fuzz (seed {SEED}): {sent} messages ({fuzzed} fuzzed) in {len(done)} "
           f"conversations, {THREADS} threads, {elapsed:.0f} s: {sent / elapsed:.1f} "
           f"messages/s; {sum(c.empty_replies for c in done)} answered with no message; "
           f"{sum(c.too_large for c in done)} over the body limit; "
           f"{sum(c.refused for c in done)} invalid senders refused")

    failures = [f for c in done for f in c.failures]
    assert not failures, f"{len(failures)} failed turns, e.g.:\n" + "\n".join(failures[:15])
    assert fuzzed >= messages

    # No action failed, nothing crashed: the servers' logs of the run hold no traceback.
    problems = []
    for path in logs:
        for line in log_tail(path, offsets[path]).splitlines():
            if ("Traceback" in line or "Encountered an exception" in line
                    or "could not be run" in line.lower() or " ERROR " in line):
                problems.append(f"{path.name}: {line[:300]}")
    assert not problems, "\n".join(problems[:30])

    # Every conversation still answers a plain "hi".
    stuck = []
    for conv in done:
        try:
            r = post(url, conv.sender, "hi")
            body = r.json() if r.status_code == 200 else []
        except (requests.RequestException, ValueError) as e:
            body, r = [], e
        if not any((m.get("text") or "").strip() for m in body):
            stuck.append(f"{conv.sender}: {getattr(r, 'status_code', r)} {body!r}"[:300])
    assert not stuck, f"{len(stuck)} conversations no longer answer 'hi':\n" + "\n".join(stuck[:10])
