"""The caregiver journal, on a real SQLite file and, when TEST_POSTGRES_URL is set, PostgreSQL.

Every test runs once per backend. PostgreSQL tests get a fresh schema each (named
gh_test_<random>, set through the connection's search_path) that is dropped afterwards, so
parallel runs never collide; their connections use a session time zone far from UTC.
"""

import csv
import io
import logging
import os
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, event, func, inspect, select, text
from sqlalchemy.engine import make_url

from bot.storage import (
    HARDER,
    IMPROVING,
    NOT_ENOUGH,
    SAME,
    SCHEMA_VERSION,
    Caregiver,
    Journal,
    MassageSession,
    Person,
    ScreenResult,
    sender_tag,
)
from bot.storage.engine import make_journal_engine, normalise_url

PG_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()
UTC = timezone.utc
DAY0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not PG_URL,
                reason="TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)",
            ),
        ],
    ),
]


@pytest.fixture
def db_url(request, tmp_path):
    """A database URL for one test: a SQLite file in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nested' / 'dir' / 'journal.db'}"
        return
    schema = f"gh_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # A session time zone far from UTC, to prove the UTC conversion on the way in and out.
    options = f"-csearch_path={schema} -ctimezone=Pacific/Chatham"
    url = make_url(PG_URL).update_query_dict({"options": options})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def journal(db_url):
    j = Journal(db_url)
    yield j
    j.close()


def pytest_generate_tests(metafunc):
    if "db_url" in metafunc.fixturenames:
        metafunc.parametrize("db_url", BACKENDS, indirect=True)


def count(j: Journal, model) -> int:
    with j.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


# --- construction ------------------------------------------------------------------------


def test_construction_is_lazy(tmp_path):
    path = tmp_path / "later" / "journal.db"
    j = Journal(f"sqlite:///{path}")
    assert not path.exists() and not path.parent.exists()
    assert j.recent_sessions("someone") == []
    assert path.exists()
    j.close()


def test_bad_url_is_refused():
    with pytest.raises(ValueError):
        Journal("")


def test_postgres_scheme_alias_is_accepted():
    assert Journal("postgres://u@localhost/db").backend == "postgresql"


class Captured(Exception):
    pass


def connect_params(url: str) -> dict:
    """What the journal's engine hands the database driver to connect (nothing is connected)."""
    engine = make_journal_engine(normalise_url(url))
    seen: dict = {}

    @event.listens_for(engine, "do_connect")
    def capture(dialect, record, cargs, cparams):
        seen.update(cparams)
        raise Captured

    with pytest.raises(Captured):
        engine.connect()
    assert engine.pool._pre_ping  # a pooled connection is pinged before each use
    engine.dispose()
    return seen


def test_postgres_connections_time_out_and_keep_alive():
    params = connect_params("postgresql://u@db.invalid:5432/gh")
    assert params["connect_timeout"] == 5
    assert {k: params[k] for k in ("keepalives", "keepalives_idle", "keepalives_interval",
                                   "keepalives_count")} == {
        "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
    # a setting in the URL wins over ours
    given = connect_params("postgres://u@db.invalid/gh?connect_timeout=20")
    assert given["connect_timeout"] == "20"


def test_sqlite_gets_no_postgres_connect_options(tmp_path):
    for url in (f"sqlite:///{tmp_path}/j.db", "sqlite://"):
        params = connect_params(url)
        assert not {"connect_timeout", "keepalives", "keepalives_idle"} & set(params)


def test_memory_sqlite_shares_one_database():
    with Journal("sqlite://") as j:
        j.log_session("a", "hand")
        assert len(j.recent_sessions("a")) == 1


def test_schema_created_with_version(journal):
    assert journal.schema_version() == SCHEMA_VERSION
    names = set(inspect(journal.engine).get_table_names())
    assert {"journal_meta", "journal_caregivers", "journal_persons", "journal_sessions",
            "journal_screens"} <= names
    # a second Journal on the same database finds the schema and leaves it alone
    again = Journal(str(journal.engine.url.render_as_string(hide_password=False)))
    assert again.schema_version() == SCHEMA_VERSION
    again.close()


# --- logging sessions --------------------------------------------------------------------


def test_log_and_read_back(journal):
    sid = journal.log_session(
        "conv-1", "hand", duration_minutes=15,
        before={"comfort": 4, "pain": 6, "anxiety": 8},
        after={"comfort": 7, "pain": 4, "anxiety": 5},
        note="She sighed and her hands relaxed", person="Anna", when=DAY0,
    )
    assert isinstance(sid, int)
    [rec] = journal.recent_sessions("conv-1")
    assert rec.id == sid and rec.routine == "hand" and rec.duration_minutes == 15
    assert rec.before == {"comfort": 4, "pain": 6, "anxiety": 8}
    assert rec.after == {"comfort": 7, "pain": 4, "anxiety": 5}
    assert rec.note == "She sighed and her hands relaxed" and rec.person == "Anna"
    assert rec.started_at == DAY0 and rec.started_at.tzinfo is not None
    assert rec.started_at.utcoffset() == timedelta(0)
    assert rec.ended_at == DAY0 + timedelta(minutes=15) and rec.time_known
    assert rec.change("pain") == -2 and rec.change("comfort") == 3


def test_log_with_defaults_and_date_only(journal):
    before = datetime.now(UTC)
    journal.log_session("c", "foot")
    journal.log_session("c", "Feet", when=date(2024, 1, 5))
    newest, oldest = journal.recent_sessions("c")
    assert before - timedelta(seconds=5) <= newest.started_at <= datetime.now(UTC)
    assert newest.before == {"comfort": None, "pain": None, "anxiety": None}
    assert oldest.routine == "foot" and not oldest.time_known and oldest.ended_at is None
    assert oldest.started_at == datetime(2024, 1, 5, tzinfo=UTC)


def test_other_timezones_are_stored_as_utc(journal):
    local = datetime(2024, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    journal.log_session("c", "hand", when=local)
    journal.log_session("c", "hand", when=datetime(2024, 3, 1, 7, 0))  # naive = UTC
    journal.log_session("c", "hand", when="2024-03-01T06:00")
    times = [r.started_at for r in journal.recent_sessions("c")]
    assert times == [datetime(2024, 3, 1, h, tzinfo=UTC) for h in (8, 7, 6)]


def test_float_ratings_round_half_up_and_notes_are_trimmed(journal):
    journal.log_session("c", "hand", before={"pain": 7.5}, after={"PAIN": 2.4},
                        note="  line one\n line two  " + "x" * 600)
    [rec] = journal.recent_sessions("c")
    assert rec.before["pain"] == 8 and rec.after["pain"] == 2
    assert rec.note.startswith("line one line two") and len(rec.note) == 500


def test_nul_characters_in_a_note_or_name_are_dropped(journal):
    # Found by tests/e2e/test_fuzz.py's control characters: PostgreSQL refuses NUL in text, so
    # a check-in answer with one made action_log_session fail there.
    journal.log_session("c", "hand", note="calm\x00er\x00", person="Ma\x00y")
    [rec] = journal.recent_sessions("c")
    assert rec.note == "calmer" and rec.person == "May"


def test_recent_sessions_order_and_limit(journal):
    for i in range(7):
        journal.log_session("c", "hand", when=DAY0 + timedelta(days=i), note=f"n{i}")
    recent = journal.recent_sessions("c")
    assert [r.note for r in recent] == ["n6", "n5", "n4", "n3", "n2"]
    assert [r.note for r in journal.recent_sessions("c", limit=2)] == ["n6", "n5"]
    assert journal.recent_sessions("nobody") == []


def test_person_is_reused_per_caregiver(journal):
    journal.log_session("c", "hand", person="Anna")
    journal.log_session("c", "foot", person="Anna")
    journal.log_session("other", "hand", person="Anna")
    assert count(journal, Person) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"routine": "back"},
        {"routine": ""},
        {"routine": "hand", "before": {"pain": 11}},
        {"routine": "hand", "after": {"anxiety": -1}},
        {"routine": "hand", "before": {"mood": 3}},
        {"routine": "hand", "before": {"pain": "six"}},
        {"routine": "hand", "before": [6]},
        {"routine": "hand", "duration_minutes": 0},
        {"routine": "hand", "duration_minutes": 500},
        {"routine": "hand", "person": "x" * 61},
        {"routine": "hand", "when": "yesterday"},
        {"routine": "hand", "when": datetime.now(UTC) + timedelta(days=3)},
    ],
)
def test_bad_sessions_raise_value_error_and_store_nothing(journal, kwargs):
    with pytest.raises(ValueError):
        journal.log_session("c", **kwargs)
    assert count(journal, MassageSession) == 0


@pytest.mark.parametrize("sender", ["", "   ", None, 42, "x" * 256])
def test_bad_sender_ids(journal, sender):
    with pytest.raises(ValueError):
        journal.log_session(sender, "hand")


# --- summary and trend -------------------------------------------------------------------


def test_summary_numbers(journal):
    journal.log_session("c", "hand", 10, {"pain": 6, "anxiety": 8}, {"pain": 4, "anxiety": 5},
                        when=DAY0)
    journal.log_session("c", "foot", 20, {"pain": 5, "comfort": 3}, {"pain": 4, "comfort": 6},
                        when=DAY0 + timedelta(days=2))
    journal.log_session("c", "hand", None, {"pain": 7}, None, when=DAY0 + timedelta(days=5))
    journal.log_session("someone else", "hand", 5, {"pain": 9}, {"pain": 1})
    s = journal.summary("c")
    assert s.count == 3
    assert s.average_change == {"comfort": 3.0, "pain": -1.5, "anxiety": -3.0}
    assert s.pairs == {"comfort": 1, "pain": 2, "anxiety": 1}
    assert (s.first_date, s.last_date) == (date(2024, 3, 1), date(2024, 3, 6))
    assert s.total_minutes == 30
    assert s.trend == NOT_ENOUGH


def test_summary_of_unknown_caregiver(journal):
    s = journal.summary("nobody")
    assert s.count == 0 and s.trend == NOT_ENOUGH and s.first_date is None
    assert s.average_change == {"comfort": None, "pain": None, "anxiety": None}


def _log_pains(journal, sender, pains):
    for i, pain in enumerate(pains):
        journal.log_session(sender, "hand", 15, {"pain": pain}, {"pain": max(pain - 1, 0)},
                            when=DAY0 + timedelta(days=i))


@pytest.mark.parametrize(
    "pains, trend",
    [
        ([8, 8, 7, 5, 4, 4], IMPROVING),
        ([3, 3, 4, 6, 7, 7], HARDER),
        ([5, 6, 5, 5, 6, 5], SAME),
        ([5, 6, 5], NOT_ENOUGH),
        ([8, 8, 3, 3], IMPROVING),
    ],
)
def test_trend(journal, pains, trend):
    _log_pains(journal, "c", pains)
    assert journal.summary("c").trend == trend


def test_trend_uses_before_ratings_in_time_order_not_insert_order(journal):
    # logged out of order: by date, pain goes 3, 3, 7, 7 -> harder lately
    for day, pain in [(3, 7), (0, 3), (2, 7), (1, 3)]:
        journal.log_session("c", "foot", before={"pain": pain}, when=DAY0 + timedelta(days=day))
    assert journal.summary("c").trend == HARDER


# --- exports -----------------------------------------------------------------------------


def test_export_text(journal):
    journal.log_session("conv-secret-id", "hand", 15, {"pain": 6, "anxiety": 8},
                        {"pain": 4, "anxiety": 5}, note="Relaxed, slept after", person="Anna",
                        when=DAY0)
    journal.log_session("conv-secret-id", "foot", 20, {"comfort": 3}, {"comfort": 6},
                        when=date(2024, 3, 3))
    out = journal.export_text("conv-secret-id")
    assert "conv-secret-id" not in out
    assert "Sessions logged: 2 sessions, from 2024-03-01 to 2024-03-03" in out
    assert "about 35 minutes" in out
    assert "pain: -2.0 (lower is better; 1 session)" in out
    assert "comfort: +3.0 (higher is better; 1 session)" in out
    assert "Trend: not enough data" in out
    assert "2024-03-01 09:00 UTC: hand, 15 min, with Anna; pain 6 -> 4, anxiety 8 -> 5" in out
    assert "2024-03-03: foot, 20 min; comfort 3 -> 6" in out
    assert "note: Relaxed, slept after" in out
    assert out.index("2024-03-03:") < out.index("2024-03-01 09:00")  # most recent first
    assert "For: Anna" in out and "not a medical record" in out


def test_export_text_when_empty(journal):
    out = journal.export_text("nobody")
    assert "No sessions logged yet." in out


def test_export_csv(journal):
    journal.log_session("c", "hand", 15, {"pain": 6, "anxiety": 8}, {"pain": 4, "anxiety": 5},
                        note='=HYPERLINK("x"), "quoted", comma', person="Anna", when=DAY0)
    journal.log_session("c", "foot", None, None, {"comfort": 7}, when=date(2024, 3, 2))
    rows = list(csv.DictReader(io.StringIO(journal.export_csv("c"))))
    assert len(rows) == 2
    first, second = rows
    assert first["date"] == "2024-03-01" and first["time_utc"] == "09:00"
    assert first["routine"] == "hand" and first["duration_minutes"] == "15"
    assert first["person"] == "Anna"
    assert (first["pain_before"], first["pain_after"]) == ("6", "4")
    assert (first["anxiety_before"], first["anxiety_after"]) == ("8", "5")
    assert first["comfort_before"] == "" and first["comfort_after"] == ""
    assert first["note"] == "'=HYPERLINK(\"x\"), \"quoted\", comma"  # no formula injection
    assert second["time_utc"] == "" and second["comfort_after"] == "7"
    assert journal.export_csv("nobody").strip().startswith("date,time_utc,routine")


# --- screens -----------------------------------------------------------------------------

FINDINGS = [{"condition_id": "blood_thinners", "level": 1, "areas": ["arm"]},
            {"condition_id": "picc_line", "level": 2, "side": "left"}]
VERDICT = {"level": 2, "still_hand_only": False, "possible": "the feet are fine",
           "reasons": [{"condition_id": "picc_line", "source": "oncology_guidance"}]}


def test_save_and_latest_screen(journal):
    now = datetime.now(UTC)
    old = journal.save_screen("c", [{"condition_id": "old"}], {"level": 0},
                              when=now - timedelta(hours=30))
    new = journal.save_screen("c", FINDINGS, VERDICT, when=now - timedelta(hours=1))
    assert isinstance(old, int) and isinstance(new, int) and new != old
    got = journal.latest_screen("c", since=now - timedelta(hours=24))
    assert got["id"] == new and got["findings"] == FINDINGS and got["verdict"] == VERDICT
    assert got["created_at"] == now - timedelta(hours=1)
    assert got["created_at"].tzinfo is not None
    # both are inside a 48-hour window: the newest wins
    assert journal.latest_screen("c", since=now - timedelta(hours=48))["id"] == new
    assert journal.latest_screen("c", since=now - timedelta(minutes=30)) is None
    assert journal.latest_screen("nobody", since=now - timedelta(days=365)) is None


def test_latest_screen_window_is_inclusive_and_naive_means_utc(journal):
    at = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    sid = journal.save_screen("c", [], {"level": 0}, when=at)
    assert journal.latest_screen("c", since=at)["id"] == sid
    assert journal.latest_screen("c", since=datetime(2024, 3, 1, 12, 0))["id"] == sid
    assert journal.latest_screen("c", since=at + timedelta(seconds=1)) is None
    tz_plus2 = timezone(timedelta(hours=2))
    assert journal.latest_screen("c", since=datetime(2024, 3, 1, 14, 0, tzinfo=tz_plus2))


def test_screen_accepts_enums_and_dataclasses(journal):
    from bot.verdict import AreaRestriction, Level

    sid = journal.save_screen(
        "c", [{"level": Level.AVOID_AREA}],
        {"level": Level.LIGHTEST_TOUCH, "avoid": [AreaRestriction("arm", "left", "picc")]},
    )
    got = journal.latest_screen("c", since=datetime.now(UTC) - timedelta(minutes=5))
    assert got["id"] == sid
    assert got["findings"] == [{"level": 2}]
    assert got["verdict"]["avoid"] == [{"area": "arm", "side": "left", "reason_id": "picc"}]


@pytest.mark.parametrize(
    "findings, verdict",
    [([object()], {}), (["not a dict"], {}), ([], ["not", "a", "dict"]), ([], {"x": object()})],
)
def test_bad_screens_raise_value_error(journal, findings, verdict):
    with pytest.raises(ValueError):
        journal.save_screen("c", findings, verdict)


# --- erasure -----------------------------------------------------------------------------


def test_delete_really_deletes_and_spares_others(journal):
    journal.log_session("gone", "hand", 10, {"pain": 5}, {"pain": 3}, person="Anna")
    journal.log_session("gone", "foot", person="Anna")
    journal.save_screen("gone", FINDINGS, VERDICT)
    journal.log_session("stays", "hand", 10, {"pain": 5}, {"pain": 3}, person="Bo")
    journal.save_screen("stays", FINDINGS, VERDICT)

    # 2 sessions + 1 screen + 1 person + 1 caregiver
    assert journal.delete_caregiver("gone") == 5
    assert journal.recent_sessions("gone") == []
    assert journal.summary("gone").count == 0
    assert journal.latest_screen("gone", since=datetime(2000, 1, 1, tzinfo=UTC)) is None
    with journal.engine.connect() as conn:
        assert conn.execute(
            select(func.count()).select_from(Caregiver).where(Caregiver.sender_id == "gone")
        ).scalar_one() == 0
    assert count(journal, MassageSession) == 1
    assert count(journal, ScreenResult) == 1
    assert count(journal, Person) == 1
    assert count(journal, Caregiver) == 1
    assert len(journal.recent_sessions("stays")) == 1
    assert journal.latest_screen("stays", since=datetime(2000, 1, 1, tzinfo=UTC)) is not None

    assert journal.delete_caregiver("gone") == 0
    assert journal.delete_caregiver("never-seen") == 0
    # the caregiver can start again afterwards
    journal.log_session("gone", "hand")
    assert journal.summary("gone").count == 1


# --- privacy -----------------------------------------------------------------------------


def test_logs_hold_no_sender_id_name_or_note(journal, caplog):
    caplog.set_level(logging.DEBUG)
    journal.log_session("private-sender-77", "hand", note="private note", person="Zebedee")
    journal.save_screen("private-sender-77", FINDINGS, VERDICT)
    journal.delete_caregiver("private-sender-77")
    text_logged = caplog.text
    assert "private-sender-77" not in text_logged
    assert "private note" not in text_logged and "Zebedee" not in text_logged
    assert sender_tag("private-sender-77") in text_logged
    assert len(sender_tag("x")) == 10


def test_chat_and_export_tell_a_session_the_same_way():
    """One wording module: the chat's log line and the nurse's export list the same ratings,
    in the same order, a missing side shown as '?' in both."""
    from datetime import datetime, timezone

    from bot.storage.records import SessionRecord
    from bot.storage.wording import _export_session, record_line

    rec = SessionRecord(id=1, routine="hand", started_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
                        time_known=False, ended_at=None, duration_minutes=10,
                        before={"comfort": 3, "pain": 6, "anxiety": None},
                        after={"comfort": None, "pain": 4, "anxiety": 5}, note=None, person=None)
    chat = record_line(rec)
    export = _export_session(rec)[0]
    assert "comfort 3→?" in chat and "comfort 3 -> ?" in export
    assert chat.index("comfort") < chat.index("pain") < chat.index("anxiety")
    assert export.index("comfort") < export.index("pain") < export.index("anxiety")
    assert "anxiety ?→5" in chat and "anxiety ? -> 5" in export
