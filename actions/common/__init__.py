"""What several features of the action server share; no feature module imports another.

- settings.py: the actions' settings, read through bot/config.py (the one module that reads the
  environment).
- handovers.py: the routine actions the safety check hands over to with FollowupAction.
- flows.py: which flow is in progress, the resume note after a digression, buttons.
- routine_state.py, screen_state.py: the routine's state and today's verdict, from slots.
- journal.py: the journal handle (one engine per database URL and process), and `in_journal`,
  the one way actions call it: off the event loop, with a timeout.
- digressions.py: the intents a form leaves to the digression rules.
- topics.py: FAQ topic buttons and the list of popular topics.
- not_understood.py: the kind "I don't follow" (and the menu on a second miss).

tests/actions/test_structure.py checks the rule.
"""
