"""The project's spaCy pipeline: blank English, lookup lemmatizer and an EntityRuler.

Official spaCy model downloads are not reachable, so the pipeline is built here from
`spacy.blank("en")`, the lemma lookup table shipped in spacy-lookups-data (saved into the
pipeline directory, so loading needs no network), and EntityRuler patterns made from the
content files (body areas in terms.yml, conditions and devices in conditions.yml).

Rasa fingerprints a spaCy model by its path only, so the directory name carries a hash of
everything that goes into the pipeline: a change of patterns gives a new path, and
config.yml (checked by a test) must name that path, which makes Rasa retrain.

Run `python -m bot.nlp [--update-config]` to build the pipeline and print its path.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = Path(__file__).resolve().parent / "content"
BUILD_DIR = ROOT / "build" / "spacy"
PIPELINE_PREFIX = "gentle_hands_en"

# Entity labels produced by the ruler.
BODY_AREA = "BODY_AREA"
SIDE = "SIDE"
CONDITION = "CONDITION"


def _load_yaml(name: str) -> Any:
    path = CONTENT / name
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _word_pattern(term: str) -> list[dict[str, str]]:
    """A token pattern that matches a term case-insensitively, word by word."""
    return [{"LOWER": word} for word in term.lower().split()]


def ruler_patterns() -> list[dict[str, Any]]:
    """EntityRuler patterns, built from the content files (the one place they live)."""
    terms = _load_yaml("terms.yml")
    patterns: list[dict[str, Any]] = []
    for area, words in (terms.get("body_areas") or {}).items():
        for word in words:
            patterns.append({"label": BODY_AREA, "pattern": _word_pattern(word), "id": area})
    for side, words in (terms.get("sides") or {}).items():
        for word in words:
            patterns.append({"label": SIDE, "pattern": _word_pattern(word), "id": side})
    conditions = _load_yaml("conditions.yml")
    for cond in conditions.get("conditions") or []:
        for term in cond.get("terms") or []:
            patterns.append(
                {"label": CONDITION, "pattern": _word_pattern(term), "id": cond["id"]}
            )
    return patterns


def _lemma_table() -> dict[str, str]:
    from spacy.lookups import load_lookups

    lookups = load_lookups("en", ["lemma_lookup"])
    return dict(lookups.get_table("lemma_lookup").items())


@lru_cache(maxsize=1)
def _lemmas() -> Any:
    from spacy.lookups import load_lookups

    # a spaCy Table: keyed by the string's hash, so it is asked with .get(word), not dict()
    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


def lemma_of(word: str) -> str:
    """The lemma the pipeline's lookup lemmatizer gives a lower-case word (the word if none)."""
    return str(_lemmas().get(word, word))


def pipeline_hash() -> str:
    """A short hash of everything that shapes the pipeline."""
    import spacy

    payload = json.dumps(
        {"patterns": ruler_patterns(), "spacy": spacy.__version__, "format": 1},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:10]


def pipeline_path() -> Path:
    return BUILD_DIR / f"{PIPELINE_PREFIX}-{pipeline_hash()}"


def pipeline_relpath() -> str:
    """The path config.yml gives SpacyNLP (relative to the project root)."""
    return pipeline_path().relative_to(ROOT).as_posix()


def build_pipeline() -> Any:
    """Build the pipeline in memory (no network)."""
    import spacy
    from spacy.lookups import Lookups

    nlp = spacy.blank("en")
    nlp.meta["name"] = PIPELINE_PREFIX
    nlp.meta["description"] = "Gentle Hands: blank English, lookup lemmatizer, caregiving rules"
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lookups = Lookups()
    lookups.add_table("lemma_lookup", _lemma_table())
    lemmatizer.initialize(lookups=lookups)  # type: ignore[call-arg]
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(ruler_patterns())  # type: ignore[attr-defined]
    return nlp


def ensure_pipeline() -> Path:
    """Build the pipeline on disk unless the current one is already there."""
    path = pipeline_path()
    if (path / "meta.json").exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    nlp = build_pipeline()
    nlp.to_disk(tmp)
    tmp.rename(path)
    return path


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """The project's pipeline, loaded by path (built first if needed). Cached per process."""
    import spacy

    return spacy.load(ensure_pipeline())


def update_config(config_path: Path = ROOT / "config.yml") -> bool:
    """Point SpacyNLP's `model:` line in config.yml at the current pipeline. True if changed."""
    import re

    text = config_path.read_text(encoding="utf-8")
    new = re.sub(
        rf"(model:\s*)build/spacy/{PIPELINE_PREFIX}-[0-9a-f]+",
        rf"\g<1>{pipeline_relpath()}",
        text,
    )
    if new == text:
        return False
    config_path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    path = ensure_pipeline()
    if "--update-config" in argv and update_config():
        print(f"config.yml now loads {pipeline_relpath()} (the patterns changed)", file=sys.stderr)
    print(path.relative_to(ROOT).as_posix())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
