"""The content review sheet: one self-contained HTML page a hospice's nurse can sign off.

`make content-review` writes build/content-review.html. It needs no server: open the file in a
browser, or print it. On it, grouped by topic, is every text the bot says about care:

* the safety check: each question, and for each condition the verdict the bot gives when that
  is the only thing reported, with its advice;
* red flags: the reply for each kind (emergency services, or the hospice nurse line);
* the guided hand and foot massage: preparation, every step (with its lightest-touch, still-hand
  and swelling versions), and how the steps change (lightest touch, still hand, swelling,
  unconscious, dementia, tired, signs of comfort or discomfort);
* every FAQ answer, with its "Tell me more";
* the relief estimate's lines.

Each item stands beside the words of each source it rests on: the passage of the seed document
(../shared/seeds/) or the line of ../shared/EVIDENCE.md that the item's `quote` (or the
source's `passage`, sources.yml) finds. A line that is the bot's own assumption says so.

Sign-off is kept in bot/content/review.yml: reviewer, date, a note, and a fingerprint of the
words signed. The sheet shows each item as signed, changed since it was signed, or not yet
signed; the reviewer can type a name and date on the sheet and press "Download review.yml" to
get the file back (it replaces bot/content/review.yml). `--sync-review` adds an empty entry for
every new item and drops entries of items that no longer exist.

Usage: python scripts/content_review.py [--out build/content-review.html] [--shared DIR]
                                        [--sync-review]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONTENT = ROOT / "bot" / "content"
REVIEW = CONTENT / "review.yml"
DEFAULT_OUT = ROOT / "build" / "content-review.html"
DEFAULT_SHARED = ROOT.parent / "shared"
OWN = "own"  # a line that is the bot's own assumption, not any document's
LONG_PASSAGE_WORDS = 90  # longer paragraphs are cut to the sentences around the quote

HOSPICE = "[the hospice line]"
EMERGENCY = "[the emergency number]"

SECTIONS = ("Safety check", "Red flags: stop and call", "Guided massage",
            "Questions and answers", "Relief estimate")
LEVEL_GROUPS = {
    "do_not_massage": "Do not massage: ask the care team first",
    "avoid_area": "Keep away from one area",
    "lightest_touch": "Lightest touch only",
}
LEVEL_WORDS = {
    "do_not_massage": "Do not massage now; contact the care team first.",
    "avoid_area": "Keep away from that area; gentle touch elsewhere.",
    "lightest_touch": "Lightest touch only (or a still hand).",
}


# --------------------------------------------------------------------------------------------
# Source passages


@dataclass(frozen=True)
class Block:
    text: str  # the paragraph (seeds) or bullet (EVIDENCE.md), white space collapsed
    first: int  # line numbers, 1-based
    last: int


_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def fold(text: str) -> str:
    """Lower case, plain quotes and dashes, single spaces: how quotes are matched."""
    return " ".join(text.translate(_FOLD).split()).lower()


def _blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    out: list[Block] = []
    if path.name.endswith(".md"):  # bullets and their indented continuation lines
        cur: list[str] = []
        start = 0
        for n, line in enumerate(lines, start=1):
            stripped = line.strip()
            cont = cur and line.startswith("  ") and stripped and not stripped.startswith("- ")
            if cont:
                cur.append(line.strip())
                continue
            if cur:
                out.append(Block(" ".join(cur), start, n - 1))
            cur, start = ([line.strip().removeprefix("- ")], n) if line.strip() else ([], n)
        if cur:
            out.append(Block(" ".join(cur), start, len(lines)))
    else:
        out = [Block(" ".join(line.split()), n, n) for n, line in enumerate(lines, start=1)
               if line.strip()]
    return out


@cache
def _file_blocks(path: str) -> tuple[Block, ...]:
    return tuple(_blocks(Path(path)))


def load_sources() -> dict[str, dict[str, Any]]:
    with (CONTENT / "sources.yml").open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh)["sources"])


def source_path(source: dict[str, Any], shared: Path) -> Path:
    name = str(source.get("file") or "")
    return shared / name if source.get("kind") != "seed" else shared / "seeds" / name


_SENTENCE = re.compile(r"(?<=[a-z0-9)\"'\u2019\u201d][.!?])\s*(?=[A-Z\"\u201c])|(?<=[.!?])\s+")


def _trim(block: str, quote: str) -> str:
    """The block, or for a long one the fewest consecutive sentences that hold the quote."""
    if len(block.split()) <= LONG_PASSAGE_WORDS:
        return block
    sentences = [s for s in _SENTENCE.split(block) if s.strip()]
    q = fold(quote)
    for size in range(1, len(sentences) + 1):
        for i in range(len(sentences) - size + 1):
            piece = " ".join(sentences[i:i + size])
            if q in fold(piece):
                pre = "\u2026 " if i > 0 else ""
                post = " \u2026" if i + size < len(sentences) else ""
                return pre + piece + post
    return block


@dataclass(frozen=True)
class Passage:
    text: str | None  # the source's own words; None when not found
    where: str  # "000_....txt, line 58", "EVIDENCE.md, lines 41-44", or why not found
    matches: int  # how many paragraphs the quote was found in (1 is right)


def find_passage(source_id: str, quote: str | None, shared: Path = DEFAULT_SHARED) -> Passage:
    """The passage of `source_id` that `quote` (or the source's default `passage`) finds."""
    sources = load_sources()
    source = sources.get(source_id)
    if source is None:
        return Passage(None, f"unknown source {source_id!r}", 0)
    locator = quote or source.get("passage")
    if not locator:
        return Passage(None, "no quote names the passage", 0)
    path = source_path(source, shared)
    if not path.is_file():
        return Passage(None, f"{path.name} not found (looked in {path.parent})", 0)
    q = fold(str(locator))
    hits = [b for b in _file_blocks(str(path)) if q in fold(b.text)]
    if not hits:
        return Passage(None, f"{path.name}: quote not found: {locator!r}", 0)
    b = _with_context(_file_blocks(str(path)), hits[0])
    lines = f"line {b.first}" if b.first == b.last else f"lines {b.first}-{b.last}"
    return Passage(_trim(b.text, str(locator)), f"{path.name}, {lines}", len(hits))


SHORT_BLOCK_WORDS = 12


def _with_context(blocks: tuple[Block, ...], hit: Block) -> Block:
    """A short line of a list ("improved sleep quality;") together with the lines before it,
    back to the line that leads the list in ("Documented benefits:"), one line each."""
    if len(hit.text.split()) >= SHORT_BLOCK_WORDS:
        return hit
    i = blocks.index(hit)
    start = i
    while start > 0 and i - start < 6:
        prev = blocks[start - 1]
        if prev.last != blocks[start].first - 1:  # a blank line ends the list
            break
        start -= 1
        if prev.text.endswith(":") or len(prev.text.split()) >= SHORT_BLOCK_WORDS:
            break
    if start == i:
        return hit
    return Block("\n".join(b.text for b in blocks[start:i + 1]), blocks[start].first, hit.last)


# --------------------------------------------------------------------------------------------
# Items


@dataclass
class Citation:
    source: str  # a sources.yml id, or OWN
    quote: str | None = None


@dataclass
class Item:
    id: str
    section: str
    group: str
    title: str
    texts: list[tuple[str, str]]
    citations: list[Citation]
    note: str = ""
    extra: list[tuple[str, str]] = field(default_factory=list)  # shown, not fingerprinted

    def fingerprint(self) -> str:
        words = json.dumps([self.texts, [(c.source, c.quote) for c in self.citations]],
                           ensure_ascii=False)
        return hashlib.sha256(words.encode("utf-8")).hexdigest()[:12]


def _yaml(name: str) -> Any:
    with (CONTENT / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _clean(text: Any) -> str:
    return " ".join(str(text).split())


def _safety_items() -> list[Item]:
    from bot.screen import Finding, load_conditions, questions, screen

    raw = {c["id"]: c for c in _yaml("conditions.yml")["conditions"]}
    conds = load_conditions()
    items: list[Item] = []
    qs = questions()
    for n, q in enumerate(qs, start=1):
        covered = list(q["conditions"])
        labels = ", ".join(conds[c].label for c in covered)
        answer = "a no" if q["inverted"] else "a yes"
        cites = [Citation(raw[c]["source"], raw[c].get("quote")) for c in covered]
        items.append(Item(f"question/{q['id']}", SECTIONS[0], "The questions",
                          f"Question {n} of {len(qs)}",
                          [("Question", q["text"]),
                           ("Counts as", f"{answer} or \"not sure\" counts as: {labels}")],
                          cites))
    for cid, cond in conds.items():
        v = screen([Finding(cid)])
        level = raw[cid]["level"]
        texts = [("Verdict", f"{LEVEL_WORDS[level]} {v.possible}"),
                 ("Reason and advice", v.reasons[0].text if v.reasons else cond.advice)]
        items.append(Item(f"condition/{cid}", SECTIONS[0], LEVEL_GROUPS[level], cond.label,
                          texts, [Citation(cond.source, raw[cid].get("quote"))],
                          note="The verdict when this is the only thing reported."))
    return items


def _redflag_items() -> list[Item]:
    from bot.redflags import red_flag_reply

    data = _yaml("redflags.yml")
    items: list[Item] = []
    for kind, spec in data["kinds"].items():
        tier = spec["tier"]
        reply = red_flag_reply(kind, tier, HOSPICE, EMERGENCY)
        texts = [("Reply", reply)]
        try:  # deployments outside hospice care may put emergency services first
            other = red_flag_reply(kind, tier, HOSPICE, EMERGENCY,
                                   escalation_order="emergency_first")
        except TypeError:
            other = reply
        if other != reply:
            texts.append(("Outside hospice care (emergency services first)", other))
        group = "Emergency services" if tier == "emergency" else "The hospice nurse line"
        source = spec.get("source") or data["tiers"][tier]["source"]
        items.append(Item(f"redflag/{kind}", SECTIONS[1], group, str(spec["label"]), texts,
                          [Citation(source, spec.get("quote"))]))
    return items


_STEP_TEXTS = (("text", "Step"), ("more", "More detail"), ("amount", "How much"),
               ("pressure", "How light"), ("watch", "Watch"),
               ("lightest_text", "With the lightest touch"),
               ("swelling_text", "With swelling (toward the heart)"),
               ("swelling_more", "With swelling, more detail"),
               ("still_alternative", "Still-hand version"))


def _routine_items() -> list[Item]:
    data = _yaml("routines.yml")
    items: list[Item] = []
    sec = SECTIONS[2]
    for rid, r in data["routines"].items():
        group = str(r["title"])
        for p in r["preparation"]:
            items.append(Item(f"routine/{rid}/prep/{p['id']}", sec, group,
                              f"Before you start: {p['id']}", [("Preparation", _clean(p["text"]))],
                              [Citation(p["source"], p.get("quote"))]))
        for step in [*r["steps"], r["switch"], r["closing"]]:
            texts = [(label, _clean(step[k])) for k, label in _STEP_TEXTS if step.get(k)]
            if step.get("swelling") == "still":
                texts.append(("With swelling", "A still, resting hand only (the still-hand "
                                               "version)."))
            items.append(Item(f"routine/{rid}/{step['id']}", sec, group, str(step["title"]),
                              texts, [Citation(step["source"], step.get("quote"))]))
    group = "How the steps change"
    for key, title, fields in (
            ("lightest", "Lightest touch", ("intro", "pressure")),
            ("still", "A still hand only (clots)", ("intro", "pressure", "amount", "more")),
            ("swelling", "Swelling or lymphoedema", ("intro", "still_note"))):
        cfg = data[key]
        items.append(Item(f"routine/{key}", sec, group, title,
                          [(f, _clean(cfg[f])) for f in fields if cfg.get(f)],
                          [Citation(cfg["source"], cfg.get("quote"))]))
    for vid, v in data["variants"].items():
        texts = [(f, _clean(v[f])) for f in ("intro", "note") if v.get(f)]
        texts += [(f"Preparation: {k}", _clean(t)) for k, t in (v.get("preparation") or {}).items()]
        texts += [(f"Step {k}", _clean(o["text"])) for k, o in (v.get("steps") or {}).items()
                  if o.get("text")]
        items.append(Item(f"routine/variant/{vid}", sec, group, str(v["title"]), texts,
                          [Citation(v["source"], v.get("quote"))]))
    for kind in ("discomfort", "comfort"):
        s = data["signals"][kind]
        texts = [(f, _clean(s[f])) for f in ("reply", "reply_idle", "reply_finished") if s.get(f)]
        items.append(Item(f"routine/signal/{kind}", sec, group, f"Signs of {kind}", texts,
                          [Citation(s["source"], s.get("quote"))]))
    return items


def _faq_items() -> list[Item]:
    from bot.faq import load_topics

    items = []
    for t in load_topics().values():
        quotes = dict(t.quotes)
        texts = [("Answer", t.answer)] + ([("Tell me more", t.more)] if t.more else [])
        items.append(Item(f"faq/{t.id}", SECTIONS[3], t.group or "Other questions", t.title,
                          texts, [Citation(s, quotes.get(s)) for s in t.sources]))
    return items


def _estimate_items() -> list[Item]:
    from bot.estimator import estimate, load_lines

    example = estimate(6, 8)
    items = []
    for key, line in load_lines().items():
        source = line.get("source") or OWN
        text = line["text"]
        if key == "numbers":
            text = example.lines()[0]
        elif key == "lighter":
            text = text.format(pct=50)
        elif key == "no_numbers":
            text = text.format(plan="twice a week for 2 weeks")
        items.append(Item(f"estimate/{key}", SECTIONS[4], "The estimate's reply", key, [
            ("Line", text)], [Citation(source, line.get("quote"))],
            note="Pain 6 and anxiety 8, twice a week for two weeks, as the example."
            if key == "numbers" else ""))
    return items


def collect_items() -> list[Item]:
    """Every content item the sheet shows, in the sheet's order."""
    items = (_safety_items() + _redflag_items() + _routine_items() + _faq_items()
             + _estimate_items())
    order = {s: i for i, s in enumerate(SECTIONS)}
    groups: dict[tuple[str, str], int] = {}
    for it in items:
        groups.setdefault((it.section, it.group), len(groups))
    return sorted(items, key=lambda it: (order[it.section], groups[(it.section, it.group)]))


# --------------------------------------------------------------------------------------------
# Sign-off records


def load_review(path: Path = REVIEW) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    reviews = data.get("reviews") or {}
    return {str(k): {f: str(v.get(f) or "") for f in ("reviewer", "date", "fingerprint", "note")}
            for k, v in reviews.items()}


REVIEW_HEADER = """\
# Clinical sign-off of the content, one entry per item of the review sheet
# (`make content-review` writes build/content-review.html; the item ids are shown on it).
#
#   reviewer     who signed the item off (name and role), empty until then
#   date         when (YYYY-MM-DD)
#   fingerprint  the sheet's fingerprint of the words signed: when the words change, the
#                sheet shows the item as "changed since it was signed"
#   note         anything the reviewer wants changed or kept in mind
#
# The reviewer can fill the fields in on the sheet and press "Download review.yml"; the file
# replaces this one. `python scripts/content_review.py --sync-review` adds entries for new
# items and drops those of items that no longer exist (an item without an entry is simply not
# yet signed off; tests/test_content_review.py fails on an entry for an item that is gone).
"""


def render_review(entries: dict[str, dict[str, str]]) -> str:
    lines = [REVIEW_HEADER.rstrip("\n"), "reviews:"]
    for key, e in entries.items():
        fields = ", ".join(f"{f}: {json.dumps(e.get(f, ''), ensure_ascii=False)}"
                           for f in ("reviewer", "date", "fingerprint", "note"))
        lines.append(f"  {key}: {{{fields}}}")
    return "\n".join(lines) + "\n"


def sync_review(items: list[Item], path: Path = REVIEW) -> dict[str, dict[str, str]]:
    old = load_review(path)
    blank = {"reviewer": "", "date": "", "fingerprint": "", "note": ""}
    entries = {it.id: old.get(it.id, dict(blank)) for it in items}
    path.write_text(render_review(entries), encoding="utf-8")
    return entries


def status(item: Item, entry: dict[str, str] | None) -> str:
    if not entry or not entry.get("reviewer") or not entry.get("date"):
        return "unsigned"
    return "signed" if entry.get("fingerprint") == item.fingerprint() else "changed"


# --------------------------------------------------------------------------------------------
# HTML


def _quote_regex(quote: str) -> re.Pattern[str]:
    alts = {"'": "['\u2019\u2018]", '"': "[\"\u201c\u201d]", "-": "[-\u2013\u2014]"}
    parts = []
    for word in quote.split():
        parts.append("".join(alts.get(ch, re.escape(ch)) for ch in word))
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def _highlight(passage: str, quote: str | None) -> str:
    if not quote:
        return html.escape(passage)
    m = _quote_regex(quote).search(passage)
    if not m:
        return html.escape(passage)
    return (html.escape(passage[:m.start()]) + "<mark>" + html.escape(m.group(0)) + "</mark>"
            + html.escape(passage[m.end():]))


STATUS_WORDS = {"signed": "Signed off", "changed": "Changed since it was signed",
                "unsigned": "Not yet signed off"}

CSS = """
:root { --ink:#1f2a2e; --muted:#5b6b70; --line:#d6dfe1; --soft:#f4f8f8; --accent:#2f6f73;
        --warn:#a3501b; --ok:#2d6a3e; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem;
     margin-top: 2.5rem; }
h3 { font-size: 1.1rem; color: var(--accent); margin: 1.75rem 0 .5rem; }
.meta, .muted { color: var(--muted); }
.intro { background: var(--soft); border: 1px solid var(--line); border-radius: 8px;
         padding: .75rem 1rem; }
nav > ul { padding-left: 1.2rem; }
nav ul ul { display: flex; flex-wrap: wrap; gap: .1rem 1.5rem; padding-left: 0; list-style: none; }
.item { border: 1px solid var(--line); border-radius: 8px; margin: .75rem 0; padding: .75rem 1rem;
        display: grid; grid-template-columns: 1fr 1fr; gap: .5rem 1.5rem; break-inside: avoid; }
.item header { grid-column: 1 / -1; display: flex; justify-content: space-between; gap: 1rem;
               align-items: baseline; }
.item h4 { margin: 0; font-size: 1.05rem; }
.item code { font-size: .8rem; color: var(--muted); }
dl { margin: 0; }
dt { font-weight: 600; font-size: .85rem; color: var(--muted); margin-top: .4rem; }
dd { margin: 0; }
.sources figure { margin: 0 0 .6rem; }
.sources figcaption { font-size: .85rem; color: var(--muted); }
blockquote { margin: .2rem 0 0; padding: .4rem .7rem; background: var(--soft);
             white-space: pre-line; border-left: 3px solid var(--accent);
             font-family: Georgia, serif; }
blockquote.missing { border-left-color: var(--warn); color: var(--warn); }
blockquote.own { border-left-color: var(--muted); font-family: inherit; }
mark { background: #fff0b3; }
.signoff { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: .5rem 1rem;
           align-items: center; border-top: 1px dashed var(--line); padding-top: .5rem; }
.signoff label { font-size: .85rem; color: var(--muted); }
.signoff input { font: inherit; padding: .15rem .3rem; }
.badge { font-size: .8rem; border-radius: 999px; padding: .05rem .6rem; white-space: nowrap; }
.badge.signed { background: #e3f1e6; color: var(--ok); }
.badge.changed { background: #fbe9dc; color: var(--warn); }
.badge.unsigned { background: #eef1f2; color: var(--muted); }
.extra { color: var(--warn); }
button { font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid var(--accent);
         background: var(--accent); color: white; cursor: pointer; }
@media (max-width: 800px) { .item { grid-template-columns: 1fr; } }
@media print { button, .noprint { display: none; } .item { page-break-inside: avoid; }
               input { border: none; border-bottom: 1px solid #999; } }
"""

JS = """
function yamlString(s) { return JSON.stringify(s || ""); }
function buildReview() {
  var lines = [REVIEW_HEADER.trim(), "reviews:"];
  document.querySelectorAll("article.item").forEach(function (el) {
    var get = function (name) { return el.querySelector("[name=" + name + "]").value.trim(); };
    var reviewer = get("reviewer"), date = get("date"), note = get("note");
    var fp = (reviewer && date) ? el.dataset.fingerprint : "";
    if (reviewer && date && el.dataset.status === "signed") { fp = el.dataset.signed; }
    lines.push("  " + el.dataset.item + ": {reviewer: " + yamlString(reviewer) + ", date: " +
               yamlString(date) + ", fingerprint: " + yamlString(fp) + ", note: " +
               yamlString(note) + "}");
  });
  return lines.join("\\n") + "\\n";
}
function download() {
  var blob = new Blob([buildReview()], {type: "text/yaml"});
  var a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "review.yml";
  document.body.appendChild(a); a.click(); a.remove();
}
function fillAll() {
  var who = document.getElementById("all-reviewer").value.trim();
  var when = document.getElementById("all-date").value;
  document.querySelectorAll("article.item").forEach(function (el) {
    var r = el.querySelector("[name=reviewer]"), d = el.querySelector("[name=date]");
    if (!r.value && who) { r.value = who; }
    if (!d.value && when) { d.value = when; }
  });
}
"""


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10, check=False)
        return out.stdout.strip()
    except OSError:
        return ""


def _attr(entry: dict[str, str], name: str) -> str:
    return html.escape(entry.get(name, ""), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_html(items: list[Item], reviews: dict[str, dict[str, str]],
                shared: Path = DEFAULT_SHARED, today: dt.date | None = None) -> str:
    titles = {k: str(v.get("title", k)) for k, v in load_sources().items()}
    counts = {"signed": 0, "changed": 0, "unsigned": 0}
    statuses = {it.id: status(it, reviews.get(it.id)) for it in items}
    for s in statuses.values():
        counts[s] += 1
    missing = 0
    body: list[str] = []
    toc: list[str] = []
    section = group = None
    for it in items:
        if it.section != section:
            if section is not None:
                toc.append("</ul></li>")
            section, group = it.section, None
            body.append(f'<h2 id="{_slug(section)}">{html.escape(section)}</h2>')
            toc.append(f'<li><a href="#{_slug(section)}">{html.escape(section)}</a><ul>')
        if it.group != group:
            group = it.group
            gid = _slug(section + " " + group)
            n = sum(1 for x in items if x.section == section and x.group == group)
            body.append(f'<h3 id="{gid}">{html.escape(group)}</h3>')
            toc.append(f'<li><a href="#{gid}">{html.escape(group)}</a> ({n})</li>')
        entry = reviews.get(it.id, {})
        st = statuses[it.id]
        texts = "".join(f"<dt>{html.escape(label)}</dt><dd>{html.escape(text)}</dd>"
                        for label, text in it.texts)
        texts += "".join(f'<dt class="extra">{html.escape(label)}</dt><dd>{html.escape(text)}</dd>'
                         for label, text in it.extra)
        if it.note:
            texts += f'<dt>Note</dt><dd class="muted">{html.escape(it.note)}</dd>'
        cites = []
        for c in it.citations:
            if c.source == OWN:
                cites.append('<figure class="source" data-source="own"><figcaption>No source'
                             '</figcaption><blockquote class="own passage">The bot\'s own '
                             'assumption, and the reply says so.</blockquote></figure>')
                continue
            p = find_passage(c.source, c.quote, shared)
            caption = f"{html.escape(titles.get(c.source, c.source))} \u00b7 {html.escape(p.where)}"
            if p.text:
                quote = c.quote or load_sources().get(c.source, {}).get("passage")
                cites.append(f'<figure class="source" data-source="{html.escape(c.source)}">'
                             f"<figcaption>{caption}</figcaption>"
                             f'<blockquote class="passage">{_highlight(p.text, quote)}'
                             "</blockquote></figure>")
            else:
                missing += 1
                cites.append(f'<figure class="source" data-source="{html.escape(c.source)}">'
                             f"<figcaption>{caption}</figcaption>"
                             '<blockquote class="missing">The source passage could not be '
                             "found.</blockquote></figure>")
        fp = it.fingerprint()
        body.append(
            f'<article class="item" id="{_slug(it.id)}" data-item="{html.escape(it.id)}" '
            f'data-status="{st}" data-fingerprint="{fp}" '
            f'data-signed="{html.escape(entry.get("fingerprint", ""))}">'
            f'<header><h4>{html.escape(it.title)} <code>{html.escape(it.id)}</code></h4>'
            f'<span class="badge {st}">{STATUS_WORDS[st]}</span></header>'
            f'<div class="text"><dl>{texts}</dl></div>'
            f'<div class="sources">{"".join(cites)}</div>'
            '<div class="signoff">'
            f'<label>Reviewer <input name="reviewer" value="{_attr(entry, "reviewer")}"'
            ' placeholder="name, role"></label>'
            f'<label>Date <input name="date" type="date" value="{_attr(entry, "date")}">'
            '</label>'
            f'<label>Note <input name="note" size="40" value="{_attr(entry, "note")}">'
            '</label></div></article>')
    toc.append("</ul></li>")
    today = today or dt.date.today()
    commit = _git_commit()
    header_js = json.dumps(REVIEW_HEADER).replace("</", "<\\/")  # safe inside <script>
    built = f"Built {today.isoformat()}" + (f" from commit {commit}" if commit else "")
    warn = (f'<p class="extra"><strong>{missing} source passage(s) could not be found</strong>: '
            "check that ../shared/ is present and the quotes are exact.</p>") if missing else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gentle Hands: content review sheet</title>
<style>{CSS}</style>
</head>
<body>
<h1>Gentle Hands: content review sheet</h1>
<p class="meta">{html.escape(built)}. {len(items)} items: {counts['signed']} signed off,
{counts['changed']} changed since they were signed, {counts['unsigned']} not yet signed off.</p>
{warn}
<div class="intro">
<p>Everything Gentle Hands says about care is on this page, each text beside the words of the
document it rests on (the marked words are how the passage was found). Please read each item
against its source: is it safe, correct and clear for a family caregiver? The bot never
diagnoses and never advises on medicines.</p>
<p>To sign off, type your name and role and the date under each item (or fill them in for
every empty item at once below), add a note where something should change, then press
<em>Download review.yml</em> and send the file to the team: it becomes
<code>bot/content/review.yml</code>, and the next sheet shows your sign-off. An item whose words
change afterwards shows as changed, to be read again.</p>
<p class="noprint">Reviewer <input id="all-reviewer" placeholder="name, role">
Date <input id="all-date" type="date"> <button type="button" onclick="fillAll()">Fill in every
empty item</button> <button type="button" onclick="download()">Download review.yml</button></p>
</div>
<nav><h2>Contents</h2><ul>{"".join(toc)}</ul></nav>
{"".join(body)}
<script>var REVIEW_HEADER = {header_js};
{JS}</script>
</body>
</html>
"""


def build(out: Path = DEFAULT_OUT, shared: Path = DEFAULT_SHARED,
          review: Path = REVIEW) -> tuple[Path, list[Item]]:
    items = collect_items()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(items, load_review(review), shared), encoding="utf-8")
    return out, items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the folder holding seeds/ and EVIDENCE.md")
    parser.add_argument("--sync-review", action="store_true",
                        help="add entries for new items to bot/content/review.yml, drop old ones")
    args = parser.parse_args(argv)
    items = collect_items()
    if args.sync_review:
        sync_review(items)
    out, items = build(args.out, args.shared)
    reviews = load_review()
    signed = sum(status(it, reviews.get(it.id)) == "signed" for it in items)
    try:
        shown = out.resolve().relative_to(ROOT)
    except ValueError:
        shown = out
    print(f"Wrote {shown}: {len(items)} items, {signed} signed off. Open it in a browser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
