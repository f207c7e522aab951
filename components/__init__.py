"""Custom Rasa graph components: thin adapters that wire bot/ into Rasa's NLU and Core."""
