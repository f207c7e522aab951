"""What several features of the action server share; no feature module imports another.

- settings.py: the one module that reads the environment.
- flows.py: which flow is in progress, the resume note after a digression, buttons.
- routine_state.py, screen_state.py: the routine's state and today's verdict, from slots.
- journal.py: the journal handle (one engine per database URL and process).
- digressions.py: the intents a form leaves to the digression rules.
- topics.py: FAQ topic buttons and the list of popular topics.
- not_understood.py: the kind "I don't follow" (and the menu on a second miss).

tests/actions/test_structure.py checks the rule.
"""
