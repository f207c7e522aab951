"""Journal actions asked in the middle of the check-in: answered, then back to the check-in."""

from __future__ import annotations

import pytest

from actions.journal import ActionJournalExport, ActionJournalShow, ActionJournalSummary
from tests.actions.conftest import texts

BACK = "Now, back to today's check-in."
OFFER = "Would you like to see the log or share it with the nurse?"


@pytest.fixture(autouse=True)
def journal_db(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_DB_URL", f"sqlite:///{tmp_path}/journal.db")


async def test_the_summary_offers_the_log_when_nothing_else_is_going_on(dispatcher,
                                                                      tracker_factory):
    tracker = tracker_factory("how has it been going?", "journal_summary")
    assert await ActionJournalSummary().run(dispatcher, tracker, {}) == []
    assert texts(dispatcher)[-1] == OFFER


@pytest.mark.parametrize("action", [ActionJournalSummary, ActionJournalShow,
                                    ActionJournalExport])
async def test_in_the_middle_of_the_check_in_it_goes_back_to_it(dispatcher, tracker_factory,
                                                                action):
    tracker = tracker_factory("how has it been going?", "journal_summary",
                              active_loop="checkin_form",
                              slots={"requested_slot": "checkin_response"})
    await action().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert said[-1] == BACK and OFFER not in said
    assert len(said) >= 2  # the journal's own answer first
