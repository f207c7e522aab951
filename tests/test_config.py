"""config.yml must load the spaCy pipeline built from the current content."""

from pathlib import Path

import yaml

from bot.nlp import pipeline_relpath

ROOT = Path(__file__).resolve().parent.parent


def test_config_names_the_current_spacy_pipeline() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    models = [c["model"] for c in config["pipeline"] if c["name"] == "SpacyNLP"]
    assert models == [pipeline_relpath()], (
        "The spaCy patterns changed: set SpacyNLP's model in config.yml to "
        f"{pipeline_relpath()} (run `python -m bot.nlp --update-config`)."
    )
