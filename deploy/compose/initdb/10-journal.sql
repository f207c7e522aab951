-- The action server's journal gets its own database next to the tracker store.
CREATE DATABASE gentle_hands_journal OWNER rasa;
