"""The content review sheet (`make content-review`): every content item is on it, each beside
a passage of its source, grouped by topic, with the sign-off kept in bot/content/review.yml."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "bot" / "content"
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "scripts"))

import content_review  # noqa: E402

pytestmark = pytest.mark.skipif(not (SHARED / "seeds").is_dir() or
                                not (SHARED / "EVIDENCE.md").is_file(),
                                reason=f"source documents not found in {SHARED}")


def _yaml(name: str) -> dict:
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))


def expected_items() -> set[str]:
    """Every content item, read straight from the content files (not from the script)."""
    ids = {f"faq/{t['id']}" for t in _yaml("faq.yml")["topics"]}
    conditions = _yaml("conditions.yml")
    ids |= {f"condition/{c['id']}" for c in conditions["conditions"]}
    ids |= {f"question/{q['id']}" for q in conditions["questions"]}
    routines = _yaml("routines.yml")
    for rid, r in routines["routines"].items():
        ids |= {f"routine/{rid}/{s['id']}" for s in [*r["steps"], r["switch"], r["closing"]]}
        ids |= {f"routine/{rid}/prep/{p['id']}" for p in r["preparation"]}
    ids |= {f"routine/variant/{v}" for v in routines["variants"]}
    ids |= {"routine/lightest", "routine/still", "routine/swelling",
            "routine/signal/comfort", "routine/signal/discomfort"}
    ids |= {f"redflag/{k}" for k in _yaml("redflags.yml")["kinds"]}
    ids |= {f"estimate/{k}" for k in _yaml("estimator.yml")["lines"]}
    return ids


class Sheet(HTMLParser):
    """Items (data-item) with their texts, source figures and passages."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, dict] = {}
        self.current: dict | None = None
        self.in_passage: dict | None = None
        self.external: list[str] = []
        self.headings: list[str] = []
        self._h3 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "link", "img", "iframe") and (a.get("src") or a.get("href")):
            self.external.append(f"{tag} {a.get('src') or a.get('href')}")
        if tag == "h3":
            self._h3 = True
        if tag == "article" and a.get("data-item"):
            self.current = {"group": self.headings[-1] if self.headings else "", "sources": [],
                            "status": a.get("data-status"), "text": ""}
            self.items[a["data-item"]] = self.current
        if tag == "figure" and self.current is not None:
            self.current["sources"].append({"source": a.get("data-source"), "passage": ""})
        if tag == "blockquote" and self.current is not None:
            self.in_passage = self.current["sources"][-1]
            self.in_passage["class"] = a.get("class", "")
        if tag == "input" and self.current is not None:
            self.current.setdefault("inputs", []).append(a.get("name"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self.in_passage = None
        if tag == "article":
            self.current = None
        if tag == "h3":
            self._h3 = False

    def handle_data(self, data: str) -> None:
        if self._h3:
            self.headings.append(data.strip())
        if self.in_passage is not None:
            self.in_passage["passage"] += data
        elif self.current is not None:
            self.current["text"] += data


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sheet, str]:
    out = tmp_path_factory.mktemp("review") / "content-review.html"
    assert content_review.main(["--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    parser = Sheet()
    parser.feed(page)
    return parser, page


def test_every_content_item_is_on_the_sheet(sheet: tuple[Sheet, str]) -> None:
    parsed, _ = sheet
    missing = expected_items() - set(parsed.items)
    assert not missing, sorted(missing)
    assert set(parsed.items) == expected_items()


def test_every_item_stands_beside_a_passage_of_each_source(sheet: tuple[Sheet, str]) -> None:
    parsed, _ = sheet
    for item_id, item in parsed.items.items():
        assert item["sources"], item_id
        for src in item["sources"]:
            if src["source"] == "own":  # the estimate's schedule rule: our own assumption
                assert "own assumption" in src["passage"], item_id
                continue
            assert "missing" not in src["class"], (item_id, src)
            assert len(src["passage"].split()) >= 4, (item_id, src)


def test_items_are_grouped_by_topic_and_can_be_signed(sheet: tuple[Sheet, str]) -> None:
    parsed, page = sheet
    for section in content_review.SECTIONS:
        assert f">{section}</h2>" in page
    groups = {item["group"] for item in parsed.items.values()}
    assert {"Is it safe?", "Lightest touch only", "The hospice nurse line",
            "Gentle foot massage"} <= groups
    for item_id, item in parsed.items.items():
        assert item["inputs"] == ["reviewer", "date", "note"], item_id
        assert item["status"] in ("signed", "changed", "unsigned"), item_id
    assert "Download review.yml" in page


def test_the_sheet_is_self_contained(sheet: tuple[Sheet, str]) -> None:
    parsed, page = sheet
    assert not parsed.external
    assert not re.search(r"""(?:src|href)=["']https?:""", page)
    assert page.lstrip().startswith("<!doctype html>")


def test_the_sheet_shows_what_the_bot_says(sheet: tuple[Sheet, str]) -> None:
    parsed, _ = sheet
    from bot.faq import load_topics

    for topic in load_topics().values():
        assert " ".join(topic.answer.split()) in " ".join(parsed.items[f"faq/{topic.id}"]["text"]
                                                          .split()).replace("&#x27;", "'")
    assert "[the emergency number]" in parsed.items["redflag/chest_pain"]["text"]
    clot = parsed.items["condition/known_clot"]["text"]
    assert "ask the hospice nurse" in clot.lower()


def test_review_yml_names_only_items_that_exist() -> None:
    # A new item without an entry is simply "not yet signed off" on the sheet; an entry for an
    # item that no longer exists (renamed, removed) would keep a sign-off for words nobody
    # reads any more.
    reviews = content_review.load_review()
    stale = set(reviews) - expected_items()
    assert not stale, (
        "bot/content/review.yml names items that no longer exist: run "
        f"`.venv/bin/python scripts/content_review.py --sync-review`: {sorted(stale)[:5]}")
    for item_id, entry in reviews.items():
        if entry["date"]:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["date"]), item_id
        if entry["reviewer"] or entry["date"]:
            assert entry["reviewer"] and entry["date"], f"{item_id}: reviewer and date go together"


def test_signing_and_changing_an_item(tmp_path: Path) -> None:
    items = content_review.collect_items()
    item = items[0]
    review = tmp_path / "review.yml"
    entries = {it.id: {"reviewer": "", "date": "", "fingerprint": "", "note": ""}
               for it in items}
    entries[item.id] = {"reviewer": "A. Nurse, RN", "date": "2025-01-31",
                        "fingerprint": item.fingerprint(), "note": ""}
    review.write_text(content_review.render_review(entries), encoding="utf-8")
    loaded = content_review.load_review(review)
    assert content_review.status(item, loaded[item.id]) == "signed"
    assert content_review.status(items[1], loaded[items[1].id]) == "unsigned"
    item.texts = [*item.texts, ("Extra", "new words")]
    assert content_review.status(item, loaded[item.id]) == "changed"
    html = content_review.render_html(items, loaded)
    assert "Changed since it was signed" in html and "A. Nurse, RN" in html


def test_sync_review_keeps_sign_offs_and_drops_old_items(tmp_path: Path) -> None:
    items = content_review.collect_items()
    review = tmp_path / "review.yml"
    review.write_text(content_review.render_review({
        items[0].id: {"reviewer": "B", "date": "2025-02-01", "fingerprint": "x", "note": "ok"},
        "faq/gone": {"reviewer": "C", "date": "2025-02-01", "fingerprint": "y", "note": ""},
    }), encoding="utf-8")
    entries = content_review.sync_review(items, review)
    assert set(entries) == {it.id for it in items}
    assert entries[items[0].id]["reviewer"] == "B"
    saved = yaml.safe_load(review.read_text(encoding="utf-8"))["reviews"]
    assert saved[items[0].id]["note"] == "ok" and "faq/gone" not in saved


def test_make_content_review_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"(?m)^content-review:", makefile)
    assert "content-review" in makefile.split(".PHONY:")[1].split("\n\n")[0]
