"""The caregiver's journal: summary, log, export and deletion (bot/storage/ underneath)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import settings
from actions.common.flows import active_form, buttons, utter_resume
from actions.common.journal import in_journal
from bot.estimator import estimate
from bot.storage.wording import record_line, summary_text  # the export's words live there too


class ActionJournalSummary(Action):
    def name(self) -> str:
        return "action_journal_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        summary = await in_journal(lambda j: j.summary(tracker.sender_id))
        dispatcher.utter_message(text=summary_text(summary))
        pain, anxiety = tracker.get_slot("est_pain"), tracker.get_slot("est_anxiety")
        if isinstance(pain, (int, float)) or isinstance(anxiety, (int, float)):
            e = estimate(pain if isinstance(pain, (int, float)) else None,
                         anxiety if isinstance(anxiety, (int, float)) else None,
                         tracker.get_slot("est_sessions") or 2, tracker.get_slot("est_weeks") or 2)
            dispatcher.utter_message(text="For comparison, your earlier estimate: " + e.lines()[0])
        if active_form(tracker):  # asked in the middle of the check-in: back to it
            return utter_resume(dispatcher, tracker)
        dispatcher.utter_message(
            text="Would you like to see the log or share it with the nurse?",
            buttons=buttons([("Show my log", "/journal_show"), ("Export for the nurse",
                                                                "/journal_export")]),
        )
        return []


class ActionJournalShow(Action):
    def name(self) -> str:
        return "action_journal_show"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        records = await in_journal(lambda j: j.recent_sessions(tracker.sender_id, limit=5))
        if not records:
            dispatcher.utter_message(text="Your journal is empty so far.")
            return utter_resume(dispatcher, tracker) if active_form(tracker) else []
        lines = "\n".join("• " + record_line(r) for r in records)
        dispatcher.utter_message(text=f"Your last {len(records)} sessions:\n{lines}")
        return utter_resume(dispatcher, tracker) if active_form(tracker) else []


class ActionJournalExport(Action):
    def name(self) -> str:
        return "action_journal_export"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text, csv = await in_journal(
            lambda j: (j.export_text(tracker.sender_id), j.export_csv(tracker.sender_id)))
        dispatcher.utter_message(
            text="Here is a summary you can copy and share with your hospice nurse:")
        dispatcher.utter_message(text=text, custom={"type": "export", "format": "text/plain",
                                                    "csv": csv})
        return utter_resume(dispatcher, tracker) if active_form(tracker) else []


class ActionDeleteData(Action):
    """Deletes the journal here; the tracker store forgets the conversation (see
    components/tracker_store.py), triggered by this action's name."""

    def name(self) -> str:
        return "action_delete_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        await in_journal(lambda j: j.delete_caregiver(tracker.sender_id))
        cfg = settings.get()
        dispatcher.utter_message(
            text="Done. I've deleted your journal and our conversation. Nothing is kept. "
            "You can start again whenever you like.")
        return [Restarted(), SessionStarted(), SlotSet("hospice_phone", cfg.hospice_phone),
                SlotSet("emergency_number", cfg.emergency_number)]
