"""Thin rasa-sdk adapters over bot/, one module per feature (loaded by `rasa run actions`)."""
