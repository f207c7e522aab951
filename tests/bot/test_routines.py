"""Guided routines: content, the screen's verdict applied, the stepper, free-text commands and
signals. Plain Python: no Rasa needed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot.routines import (
    COMFORT,
    COMMANDS,
    DISCOMFORT,
    Plan,
    Reply,
    apply,
    begin,
    checkin_questions,
    detect_signal,
    handle_signal,
    load_routines,
    parse_command,
    plan,
    plan_for_state,
    render_step,
    resume_message,
    signal_reply,
    start,
    state_from_json,
    state_to_json,
    verdict_from_dict,
    verdict_to_dict,
)
from bot.verdict import AreaRestriction, Level, Reason, Verdict

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
ROUTINES_YML = ROOT / "bot" / "content" / "routines.yml"

# ------------------------------------------------------------------------------------------
# Verdicts over every level

GENTLE = Verdict(Level.GENTLE_OK)
LIGHTEST = Verdict(Level.LIGHTEST_TOUCH,
                   reasons=(Reason("blood_thinners", "blood thinners", "walton"),))
AVOID_LEFT_ARM = Verdict(Level.AVOID_AREA, avoid=(AreaRestriction("arm", "left", "picc_line"),))
AVOID_BOTH_HANDS = Verdict(Level.AVOID_AREA, avoid=(AreaRestriction("hand", None, "wounds"),))
AVOID_LEFT_HAND = Verdict(Level.AVOID_AREA, avoid=(AreaRestriction("hand", "left", "iv_site"),))
AVOID_BOTH_ARMS = Verdict(Level.AVOID_AREA, avoid=(AreaRestriction("arm", None, "lymphoedema"),))
AVOID_RIGHT_LEG = Verdict(Level.AVOID_AREA, avoid=(AreaRestriction("leg", "right", "swelling"),))
AVOID_HANDS_AND_FEET = Verdict(Level.AVOID_AREA, avoid=(AreaRestriction("hand", None, "a"),
                                                        AreaRestriction("foot", None, "b")))
STILL = Verdict(Level.LIGHTEST_TOUCH, still_hand_only=True,
                avoid=(AreaRestriction("leg", "left", "clot"),))
DO_NOT_MASSAGE = Verdict(Level.DO_NOT_MASSAGE, possible="hold her hand if the nurse agrees")
LIGHTEST_AVOID_LEFT_ARM = Verdict(Level.LIGHTEST_TOUCH,
                                  avoid=(AreaRestriction("arm", "left", "picc_line"),))
SWELLING = Verdict(Level.LIGHTEST_TOUCH, reasons=(Reason("swelling", "swelling",
                                                         "oncology_guidance"),))

VERDICTS = {
    "none": None,
    "gentle": GENTLE,
    "lightest": LIGHTEST,
    "avoid_left_arm": AVOID_LEFT_ARM,
    "avoid_both_hands": AVOID_BOTH_HANDS,
    "avoid_left_hand": AVOID_LEFT_HAND,
    "avoid_both_arms": AVOID_BOTH_ARMS,
    "avoid_right_leg": AVOID_RIGHT_LEG,
    "still": STILL,
    "do_not_massage": DO_NOT_MASSAGE,
    "lightest_avoid_left_arm": LIGHTEST_AVOID_LEFT_ARM,
    "swelling": SWELLING,
}
VARIANTS = [None, "unconscious", "dementia", "tired"]
ROUTINES = ["hand", "foot"]


def startable_plans():
    out = []
    for rid in ROUTINES:
        for vname, verdict in VERDICTS.items():
            for variant in VARIANTS:
                p = plan(rid, verdict, variant)
                if not p.refused:
                    out.append(pytest.param(rid, vname, variant, id=f"{rid}-{vname}-{variant}"))
    return out


STARTABLE = startable_plans()


def keys(p: Plan) -> list[str]:
    return [s.key for s in p.steps]


def ids(p: Plan) -> list[str]:
    return [s.id for s in p.steps]


def sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s])


# ------------------------------------------------------------------------------------------
# Content


def test_content_loads_and_is_cached():
    assert load_routines() is load_routines()
    assert set(load_routines()["routines"]) == {"hand", "foot"}


@pytest.mark.parametrize("rid", ROUTINES)
def test_routine_shape(rid):
    r = load_routines()["routines"][rid]
    assert r["area"] == rid
    assert r["related_areas"] == {"hand": ["arm"], "foot": ["leg"]}[rid]
    assert 4 <= r["minutes"] <= 6
    assert 6 <= len(r["steps"]) <= 10
    assert 4 <= len(r["preparation"]) <= 6
    prep = " ".join(item["text"].lower() for item in r["preparation"])
    for word in ("wash", "nails", "unscented", "ask"):
        assert word in prep
    assert r["closing"]["id"] == "closing"
    sources = set(yaml.safe_load((ROOT / "bot/content/sources.yml").read_text())["sources"])
    assert set(r["sources"]) <= sources


def all_steps():
    for rid in ROUTINES:
        r = load_routines()["routines"][rid]
        for step in [*r["steps"], r["switch"], r["closing"]]:
            yield pytest.param(rid, step, id=f"{rid}-{step['id']}")


@pytest.mark.parametrize("rid,step", list(all_steps()))
def test_every_step_is_short_and_complete(rid, step):
    sources = set(yaml.safe_load((ROOT / "bot/content/sources.yml").read_text())["sources"])
    terms = yaml.safe_load((ROOT / "bot/content/terms.yml").read_text())["body_areas"]
    for name in ("id", "title", "text", "amount", "pressure", "watch", "more", "source",
                 "still_alternative"):
        assert isinstance(step[name], str) and step[name].strip(), name
    assert step["source"] in sources
    assert set(step["touches"]) <= set(terms)
    assert len(step["title"]) <= 30
    assert len(step.get("still_title", "")) <= 30
    for name in ("text", "lightest_text", "still_alternative"):
        if name in step:
            assert len(step[name]) <= 300, name
            assert 1 <= sentences(step[name]) <= 2, (name, step[name])
    assert len(step["more"]) <= 600
    assert len(step["watch"]) <= 200


def test_variant_overrides_are_short_too():
    for variant in load_routines()["variants"].values():
        for override in (variant.get("steps") or {}).values():
            if "text" in override:
                assert len(override["text"]) <= 300 and sentences(override["text"]) <= 2


def test_published_facts_are_in_the_steps():
    hand = {s["id"]: s for s in load_routines()["routines"]["hand"]["steps"]}
    assert "wrist toward the fingertips" in hand["back_strokes"]["text"]
    assert "circles" in hand["fingers"]["text"] and "squeeze" in hand["fingers"]["text"]
    assert "thumbs" in hand["palm"]["text"]
    assert "elbow" in hand["forearm"]["text"] and hand["forearm"]["touches"] == ["arm"]
    foot = {s["id"]: s for s in load_routines()["routines"]["foot"]["steps"]}
    assert "towel" in foot["cover"]["text"]
    assert "toes toward the ankle" in foot["top_strokes"]["text"]
    assert "3 times each way" in foot["ankle_turn"]["text"] and foot["ankle_turn"]["moves_joint"]
    assert foot["lower_leg"]["touches"] == ["leg"]
    assert "sunburned" in hand["back_strokes"]["pressure"]


def test_the_foot_cover_step_claims_only_what_its_source_gives():
    # grealish2000 gives the towel, warm hands and strokes; no source says feet turn tender
    cover = {s["id"]: s for s in load_routines()["routines"]["foot"]["steps"]}["cover"]
    assert cover["source"] == "grealish2000"
    assert "tender" not in cover["more"].lower() and "warm" in cover["more"].lower()


def test_variants_and_signals_present():
    data = load_routines()
    assert set(data["variants"]) == {"unconscious", "dementia", "tired"}
    assert "eye level" in data["variants"]["dementia"]["intro"]
    assert "hear" in data["variants"]["unconscious"]["intro"]
    note = data["variants"]["unconscious"]["note"].lower()
    assert "grimace" in note and "pull away" in note and "breathing" in note
    assert data["variants"]["tired"]["minutes"] == 5
    assert len(data["signals"]["discomfort"]["phrases"]) >= 10
    assert len(data["signals"]["comfort"]["phrases"]) >= 6
    assert all(isinstance(p, str) for k in (DISCOMFORT, COMFORT)
               for p in data["signals"][k]["phrases"])


def test_no_medication_advice_or_diagnosis_words():
    lines = ROUTINES_YML.read_text().lower().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    for word in ("dose", "doses", "morphine", "tablets?", "pills?", "medication", "you have a",
                 "diagnos[a-z]*"):
        assert not re.search(rf"\b{word}\b", text), word


def _grams(text: str, n: int = 12) -> set[tuple[str, ...]]:
    t = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(t[i:i + n]) for i in range(len(t) - n + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not present")
@pytest.mark.parametrize("path", [ROUTINES_YML, *sorted((ROOT / "bot" / "routines").glob("*.py"))],
                         ids=lambda p: p.name if p == ROUTINES_YML else f"routines/{p.name}")
def test_no_12_word_run_copied_from_the_seeds(path):
    seeds: set[tuple[str, ...]] = set()
    for f in SEEDS.glob("*.txt"):
        seeds |= _grams(f.read_text(errors="ignore"))
    copied = _grams(path.read_text()) & seeds
    assert not copied, [" ".join(g) for g in sorted(copied)[:5]]


# ------------------------------------------------------------------------------------------
# Plan: every verdict level


def test_gentle_hand_covers_both_hands():
    p = plan("hand", GENTLE)
    assert not p.refused and p.side is None and p.sides == (None, None)
    assert ids(p)[:7] == ["greet", "back_strokes", "fingers", "palm", "forearm",
                          "finish_strokes", "hold"]
    assert ids(p)[7] == "switch" and ids(p)[-1] == "closing"
    assert "greet" not in ids(p)[8:]  # the switch step replaces the hello on the second hand
    assert len(set(keys(p))) == p.total == 15
    assert p.minutes == 10
    assert "nearest you" in p.message
    assert p.steps[1].side_label == "first hand" and p.steps[9].side_label == "second hand"
    assert len(p.preparation) == 6


def test_none_verdict_is_gentle():
    assert keys(plan("hand", None)) == keys(plan("hand", GENTLE))


def test_gentle_foot():
    p = plan("foot", GENTLE)
    assert ids(p)[:8] == ["cover", "top_strokes", "toes", "sole", "ankle_circles", "ankle_turn",
                          "lower_leg", "hold"]
    assert p.total == 8 + 1 + 7 + 1


def test_single_side_requested():
    p = plan("hand", GENTLE, side="left")
    assert p.side == "left" and p.sides == ("left",)
    assert "switch" not in ids(p) and ids(p)[-1] == "closing"
    assert all(s.side == "left" for s in p.steps if s.kind == "step")
    assert p.steps[0].side_label == "left hand"
    assert p.minutes == 5


@pytest.mark.parametrize("rid", ROUTINES)
def test_lightest_touch(rid):
    p = plan(rid, LIGHTEST)
    assert p.lightest and not p.still
    for s in p.steps:
        if s.id in ("greet", "cover", "hold", "switch", "closing"):
            assert "Lightest" not in s.pressure
        else:
            assert s.pressure.startswith("Lightest touch only, level 1")
    assert "lightest touch" in p.message.lower()
    assert "squeez" not in next(s for s in p.steps if s.id in ("fingers", "toes")).text.replace(
        "instead of squeezing", "")
    if rid == "foot":
        assert "ankle_turn" not in ids(p)
        assert "Turn the ankle gently" in p.message


def test_avoid_left_arm_skips_forearm_on_the_left_only():
    p = plan("hand", AVOID_LEFT_ARM)
    assert p.sides == ("right", "left")
    forearms = [s for s in p.steps if s.id == "forearm"]
    assert [s.side for s in forearms] == ["right"]
    assert "forearm on the left side" in p.message
    assert "start with the right hand" in p.message
    assert all(not (s.side == "left" and "arm" in s.touches) for s in p.steps)


def test_avoid_left_arm_does_not_change_the_foot_routine():
    assert keys(plan("foot", AVOID_LEFT_ARM)) == keys(plan("foot", GENTLE))


def test_avoid_both_arms_skips_every_forearm():
    p = plan("hand", AVOID_BOTH_ARMS)
    assert "forearm" not in ids(p) and p.sides == (None, None)
    assert "forearm on both sides" in p.message


def test_avoid_left_hand_works_on_the_right_only():
    p = plan("hand", AVOID_LEFT_HAND)
    assert p.side == "right" and p.sides == ("right",)
    assert "right hand only; the left hand stays still" in p.message
    assert "switch" not in ids(p)


def test_asking_for_an_avoided_side_moves_to_the_other():
    p = plan("hand", AVOID_LEFT_HAND, side="left")
    assert p.side == "right" and not p.refused
    assert "left hand is best left alone" in p.message


def test_avoid_right_leg_skips_the_lower_leg_on_the_right():
    p = plan("foot", AVOID_RIGHT_LEG)
    assert [s.side for s in p.steps if s.id == "lower_leg"] == ["left"]
    assert "lower leg on the right side" in p.message


def test_avoid_both_hands_refuses_and_suggests_feet():
    p = plan("hand", AVOID_BOTH_HANDS)
    assert p.refused and p.steps == () and p.total == 0
    assert p.alternative == "foot" and "foot massage" in p.message
    assert not plan("foot", AVOID_BOTH_HANDS).refused
    with pytest.raises(ValueError):
        start(p)


def test_avoid_hands_and_feet_refuses_without_alternative():
    p = plan("foot", AVOID_HANDS_AND_FEET)
    assert p.refused and p.alternative is None
    assert "sit close" in p.message


@pytest.mark.parametrize("rid", ROUTINES)
def test_still_hand_only(rid):
    p = plan(rid, STILL)
    assert p.still and not p.refused
    still = load_routines()["still"]
    for s in p.steps:
        assert "strok" not in s.text.lower().replace("without stroking", "").replace(
            "no stroking", ""), s.text
        assert "circle" not in s.text.lower()
        if s.kind == "step" and s.id not in ("greet", "cover", "hold"):
            assert s.pressure == still["pressure"]
            assert s.text == s.still_alternative
    assert "still, resting hand" in p.message
    if rid == "foot":  # the clot side is avoided as well
        assert [s.side for s in p.steps if s.id == "lower_leg"] == ["right"]


@pytest.mark.parametrize("rid", ROUTINES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_do_not_massage_refuses(rid, variant):
    p = plan(rid, DO_NOT_MASSAGE, variant)
    assert p.refused and p.total == 0
    assert "hospice nurse" in p.message and "hold their hand" in p.message
    assert "don't massage" in p.message


def test_bad_arguments():
    with pytest.raises(ValueError):
        plan("back", GENTLE)
    with pytest.raises(ValueError):
        plan("hand", GENTLE, variant="sporty")
    with pytest.raises(ValueError):
        plan("hand", GENTLE, side="middle")


# ------------------------------------------------------------------------------------------
# Plan: variants


@pytest.mark.parametrize("rid", ROUTINES)
def test_unconscious_variant(rid):
    p = plan(rid, GENTLE, "unconscious")
    assert "hear" in p.message
    assert all(s.note and "grimace" in s.note for s in p.steps if s.kind == "step")
    assert p.steps[-1].note is None
    first = p.steps[0]
    assert "Say their name" in first.text
    assert not any(item.startswith("Ask") for item in p.preparation)
    if rid == "foot":
        assert "ankle_turn" not in ids(p)


@pytest.mark.parametrize("rid", ROUTINES)
def test_dementia_variant(rid):
    p = plan(rid, GENTLE, "dementia")
    assert "eye level" in p.message and "one step at a time" in p.message
    assert all("ask again" in s.note for s in p.steps if s.kind == "step")
    assert "eye level" in p.steps[0].text
    assert any("eye level" in item for item in p.preparation)


@pytest.mark.parametrize("rid", ROUTINES)
def test_tired_variant_is_short(rid):
    full = plan(rid, GENTLE)
    p = plan(rid, GENTLE, "tired")
    keep = set(load_routines()["variants"]["tired"]["keep"][rid])
    assert {s.id for s in p.steps if s.kind == "step"} <= keep
    assert p.total < full.total and p.minutes == 5
    assert ids(p)[-1] == "closing"


def test_variants_combine_with_verdicts():
    p = plan("hand", LIGHTEST_AVOID_LEFT_ARM, "tired")
    assert p.lightest and "forearm" not in ids(p)
    p = plan("foot", STILL, "dementia")
    assert p.still and all("ask again" in s.note for s in p.steps if s.kind == "step")


# ------------------------------------------------------------------------------------------
# Stepper: every command at every position, for every startable plan


def positions(total: int) -> dict[str, int]:
    return {"first": 0, "middle": total // 2, "last": total - 1}


def state_at(p: Plan, index: int) -> dict:
    st = start(p)
    for _ in range(index):
        st, _reply = apply(st, "next")
    assert st["index"] == index
    return st


@pytest.mark.parametrize("rid,vname,variant", STARTABLE)
def test_every_command_at_every_position(rid, vname, variant):
    p = plan(rid, VERDICTS[vname], variant)
    for where, i in positions(p.total).items():
        for command in COMMANDS:
            st = state_at(p, i)
            before = json.dumps(st, sort_keys=True)
            new, reply = apply(st, command)
            assert json.dumps(st, sort_keys=True) == before, "apply must not change its input"
            assert json.loads(json.dumps(new)) == new
            assert isinstance(reply, Reply) and reply.text and reply.total == p.total
            msg = f"{where} {command}"
            if command in ("next", "resume"):
                if where == "last":
                    assert new["finished"] and reply.finished and not reply.buttons, msg
                else:
                    assert new["index"] == i + 1 and reply.step_index == i + 1, msg
                    assert reply.text.startswith(f"Step {i + 2} of {p.total} · "), msg
            elif command == "back":
                assert new["index"] == max(0, i - 1) and reply.step_index == max(0, i - 1), msg
                if where == "first":
                    assert reply.text.startswith("This is the first step."), msg
            elif command == "repeat":
                assert new["index"] == i and reply.text.startswith("Once more"), msg
                assert p.steps[i].text in reply.text
            elif command == "more":
                assert new["index"] == i and p.steps[i].more in reply.text, msg
            elif command == "pause":
                assert new["paused"] and reply.paused, msg
                assert reply.buttons == [("Resume", "resume"), ("Stop", "stop")]
            elif command == "stop":
                assert new["stopped"] and reply.stopped and not reply.buttons, msg
            if not (reply.finished or reply.stopped or reply.paused):
                labels = [c for _label, c in reply.buttons]
                assert ("back" in labels) == (reply.step_index > 0), msg
                assert labels[0] == "next"
                assert {"repeat", "more", "pause", "stop"} <= set(labels)
                if reply.step_index == p.total - 1:
                    assert reply.buttons[0] == ("Finish", "next")


@pytest.mark.parametrize("rid,vname,variant", STARTABLE)
def test_walk_to_the_end(rid, vname, variant):
    p = plan(rid, VERDICTS[vname], variant)
    st, reply = begin(p)
    seen = [reply.title]
    while not reply.finished:
        st, reply = apply(st, "next")
        if not reply.finished:
            seen.append(reply.title)
    assert seen == [s.title for s in p.steps]
    assert p.steps[-1].id == "closing"
    # a finished routine stays finished
    for command in COMMANDS:
        again, r = apply(st, command)
        assert r.finished and again["finished"]


def test_render_step_text_format():
    p = plan("hand", GENTLE, side="right")
    r = render_step(p, 2)
    assert r.text.splitlines()[0] == f"Step 3 of {p.total} · Each finger in turn (right hand)"
    assert r.title == "Each finger in turn" and r.step_index == 2 and r.total == p.total
    assert "How much: " in r.text and "How light: " in r.text and "Watch: " in r.text
    assert [c for _l, c in render_step(p, 0).buttons] == ["next", "repeat", "more", "pause",
                                                          "stop"]
    with pytest.raises(IndexError):
        render_step(p, p.total)


def test_pause_and_resume():
    p = plan("hand", GENTLE)
    st = state_at(p, 3)
    st, r = apply(st, "pause")
    assert st["paused"] and r.paused
    st, r = apply(st, "pause")
    assert st["paused"] and r.paused and "still paused" in r.text
    st, r = apply(st, "resume")
    assert not st["paused"] and st["index"] == 3 and r.text.startswith("Let's go on.")
    # next while paused shows the same step again: nothing is skipped
    st, _ = apply(st, "pause")
    st, r = apply(st, "next")
    assert not st["paused"] and st["index"] == 3 and r.step_index == 3
    # back and more unpause and do their work
    st, _ = apply(st, "pause")
    st, r = apply(st, "back")
    assert not st["paused"] and st["index"] == 2
    st, _ = apply(st, "pause")
    st, r = apply(st, "more")
    assert not st["paused"] and p.steps[2].more in r.text
    # stop while paused
    st, _ = apply(st, "pause")
    st, r = apply(st, "stop")
    assert st["stopped"] and not st["paused"] and r.stopped


def test_stop_then_resume():
    p = plan("foot", GENTLE)
    st = state_at(p, 4)
    st, r = apply(st, "stop")
    assert st["stopped"] and r.stopped and r.step_index == 4
    for command in ("next", "back", "repeat", "more", "pause"):
        same, r = apply(st, command)
        assert same["stopped"] and same["index"] == 4 and "resume" in r.text
    st, r = apply(st, "resume")
    assert not st["stopped"] and st["index"] == 4 and r.step_index == 4


def test_back_at_first_step_stays():
    p = plan("hand", GENTLE)
    st = start(p)
    for _ in range(3):
        st, r = apply(st, "back")
        assert st["index"] == 0 and "first step" in r.text
        assert "back" not in [c for _l, c in r.buttons]


def test_resume_on_active_routine_moves_on():
    p = plan("hand", GENTLE)
    st, r = apply(start(p), "resume")
    assert st["index"] == 1


def test_unknown_command():
    with pytest.raises(ValueError):
        apply(start(plan("hand", GENTLE)), "jump")


# ------------------------------------------------------------------------------------------
# State: JSON-safe, reconstructible


@pytest.mark.parametrize("rid,vname,variant", STARTABLE)
def test_state_round_trip_through_json(rid, vname, variant):
    p = plan(rid, VERDICTS[vname], variant)
    script = ["next", "next", "more", "pause", "resume", "back", "repeat", "next", "next",
              "pause", "next", "stop", "resume", "next"]
    st_a = st_b = start(p)
    for command in script:
        st_a, ra = apply(st_a, command)
        st_b, rb = apply(json.loads(json.dumps(st_b)), command)
        assert st_a == st_b and ra == rb
    assert state_from_json(state_to_json(st_a)) == st_a
    assert plan_for_state(json.loads(json.dumps(st_a))).steps == p.steps


def test_state_format():
    p = plan("hand", LIGHTEST_AVOID_LEFT_ARM, "dementia")
    st = start(p)
    assert set(st) == {"v", "routine_id", "variant", "side", "verdict", "index", "step", "total",
                       "paused", "stopped", "finished"}
    assert st["verdict"] == {"level": 1, "still_hand_only": False,
                             "avoid": [["arm", "left", "picc_line"]]}
    assert st["routine_id"] == "hand" and st["variant"] == "dementia" and st["step"] == "greet"
    assert len(json.dumps(st)) < 400


def test_verdict_dict_round_trip():
    for verdict in VERDICTS.values():
        back = verdict_from_dict(json.loads(json.dumps(verdict_to_dict(verdict))))
        if verdict is None:
            assert back is None
        else:
            assert back.level == verdict.level and back.avoid == verdict.avoid
            assert back.still_hand_only == verdict.still_hand_only


def test_verdict_from_the_screens_dict_form():
    d = {"level": "lightest_touch", "still_hand_only": False,
         "avoid": [{"area": "arm", "side": "left", "reason_id": "picc_line"}],
         "reasons": [], "possible": ""}
    v = verdict_from_dict(d)
    assert v.level == Level.LIGHTEST_TOUCH and v.avoid == LIGHTEST_AVOID_LEFT_ARM.avoid


def test_moved_side_state_rebuilds_the_same_plan():
    p = plan("hand", AVOID_LEFT_HAND, side="left")
    st = start(p)
    assert plan_for_state(st).steps == p.steps


def test_state_finds_its_step_by_key_when_the_index_is_stale():
    p = plan("hand", GENTLE)
    st = state_at(p, 5)
    stale = dict(st, index=2)  # e.g. content changed between turns
    st2, r = apply(stale, "repeat")
    assert st2["index"] == 5 and r.step_index == 5
    lost = dict(st, index=99, step="no_such_step")
    st3, r = apply(lost, "repeat")
    assert st3["index"] == p.total - 1


def test_resume_message():
    p = plan("hand", GENTLE)
    st = state_at(p, 3)
    assert resume_message(st) == (f"We were on step 4 of {p.total} of the hand massage "
                                  "(Open the palm softly). Shall we go on?")
    st, _ = apply(st, "stop")
    assert "stopped at step 4" in resume_message(st)
    st = state_at(p, p.total - 1)
    st, _ = apply(st, "next")
    assert "finished" in resume_message(st)


# ------------------------------------------------------------------------------------------
# Free text: commands

COMMAND_TABLE = [
    ("ok done", "next"), ("done", "next"), ("Done.", "next"), ("next", "next"),
    ("go on", "next"), ("ok", "next"), ("OK!", "next"), ("okay", "next"), ("yes", "next"),
    ("keep going", "next"), ("ok, next please", "next"), ("please don't stop", "next"),
    ("again", "repeat"), ("repeat", "repeat"), ("one more time", "repeat"),
    ("can you repeat that?", "repeat"), ("once more", "repeat"),
    ("back", "back"), ("previous", "back"), ("go back", "back"),
    ("can we go back?", "back"),
    ("slower", "more"), ("more detail", "more"), ("explain", "more"), ("how?", "more"),
    ("How do I do that?", "more"), ("I don't understand", "more"), ("slow down please", "more"),
    ("wait", "pause"), ("hold on", "pause"), ("pause", "pause"), ("one moment", "pause"),
    ("wait a sec", "pause"), ("Hang on!", "pause"), ("not now", "pause"),
    ("stop please", "stop"), ("one more", "repeat"),
    ("stop", "stop"), ("that's enough", "stop"), ("That\u2019s enough", "stop"), ("end", "stop"),
    ("ok stop", "stop"), ("let's stop now", "stop"),
    ("continue", "resume"), ("resume", "resume"), ("let's go on", "resume"),
    ("I'm back", "resume"),
    ("", None), ("   ", None), ("hello", None), ("thanks", None), ("what a day", None),
    ("is it ok to use lotion?", None), ("she has a fever", None),
    ("should I do the other hand as well or is one enough for today do you think", None),
]


@pytest.mark.parametrize("text,expected", COMMAND_TABLE)
def test_parse_command(text, expected):
    assert parse_command(text) == expected


# ------------------------------------------------------------------------------------------
# Free text: signals

SIGNAL_TABLE = [
    ("she pulled her hand away", DISCOMFORT),
    ("He pulled away", DISCOMFORT),
    ("she grimaced", DISCOMFORT),
    ("a grimace", DISCOMFORT),
    ("he winced when I touched the wrist", DISCOMFORT),
    ("she flinched", DISCOMFORT),
    ("he's moaning", DISCOMFORT),
    ("she tensed up", DISCOMFORT),
    ("her breathing changed", DISCOMFORT),
    ("his breathing got faster", DISCOMFORT),
    ("she started crying", DISCOMFORT),
    ("she said stop", DISCOMFORT),
    ("ouch", DISCOMFORT),
    ("she said it hurts", DISCOMFORT),
    ("he looks uncomfortable", DISCOMFORT),
    ("she shook her head", DISCOMFORT),
    ("she doesn't like it", DISCOMFORT),
    ("she relaxed, then winced", DISCOMFORT),
    ("I stopped when she winced", DISCOMFORT),
    ("she sighed", COMFORT),
    ("he relaxed", COMFORT),
    ("she smiled", COMFORT),
    ("he fell asleep", COMFORT),
    ("her hand softened", COMFORT),
    ("he seems calmer", COMFORT),
    ("her breathing slowed down", COMFORT),
    ("he's less tense now", COMFORT),
    ("no grimacing, she smiled", COMFORT),
    ("she stopped crying and fell asleep", COMFORT),
    ("she didn't pull away", None),
    ("she didn't pull away or wince", None),
    ("he did not grimace at all", None),
    ("it doesn't hurt", None),
    ("no sign of pain", None),
    ("she hasn't relaxed yet", None),
    ("not relaxed at all", None),
    ("ok done", None),
    ("next", None),
    ("what should I do with the lotion?", None),
    ("", None),
]


@pytest.mark.parametrize("text,expected", SIGNAL_TABLE)
def test_detect_signal(text, expected):
    assert detect_signal(text) == expected


def test_discomfort_stops_the_routine():
    p = plan("hand", GENTLE)
    st = state_at(p, 3)
    r = signal_reply(DISCOMFORT, st)
    assert r.stopped and not r.buttons and "hospice nurse" in r.text and "stop" in r.text.lower()
    new, r2 = handle_signal(st, DISCOMFORT)
    assert new["stopped"] and new["index"] == 3 and r2 == r
    assert not st["stopped"]  # the input is not changed
    assert json.loads(json.dumps(new)) == new
    # resuming later picks up the same step
    new, r3 = apply(new, "resume")
    assert r3.step_index == 3 and not new["stopped"]


def test_comfort_goes_on_with_the_same_step():
    p = plan("hand", GENTLE)
    st = state_at(p, 3)
    new, r = handle_signal(st, COMFORT)
    assert new == st
    assert r.text.startswith("That's a good sign. Let's go on at the same slow pace.")
    assert r.step_index == 3 and not r.stopped and r.buttons[0] == ("Next", "next")
    new, r = apply(new, "next")
    assert new["index"] == 4


def test_signals_when_paused_finished_or_idle():
    p = plan("hand", GENTLE)
    st, _ = apply(state_at(p, 2), "pause")
    r = signal_reply(COMFORT, st)
    assert r.paused and "resume" in r.text
    done, _ = apply(state_at(p, p.total - 1), "next")
    r = signal_reply(COMFORT, done)
    assert r.finished and "go on" not in r.text
    new, r = handle_signal(done, DISCOMFORT)
    assert new["finished"] and not new["stopped"] and "hospice nurse" in r.text
    assert signal_reply(DISCOMFORT, None).stopped
    assert handle_signal(None, COMFORT)[0] is None
    with pytest.raises(ValueError):
        signal_reply("meh", st)


# ------------------------------------------------------------------------------------------
# Check-in


def test_checkin_questions():
    qs = checkin_questions()
    by_id = {q.id: q for q in qs}
    assert qs[0].id == "response" and not qs[0].optional and qs[0].options
    for measure in ("comfort", "pain", "anxiety"):
        for when in ("before", "after"):
            q = by_id[f"{measure}_{when}"]
            assert q.kind == "scale" and q.optional and (q.low, q.high) == (0, 10)
            assert q.when == when and "0" in q.text and "10" in q.text
    assert all(len(q.text) <= 120 for q in qs)


# ------------------------------------------------------------------------------------------
# Swelling and lymphoedema: strokes only toward the heart, lightest touch or a still hand


# Words that would mean a stroke away from the heart, or a stroke up a puffy lower leg.
AWAY = re.compile(r"toward the fingertips|(?<!back )to the fingertips|to the tip|from base to tip|"
                  r"toward the tip|out to the sides|circles?\b|squeeze", re.IGNORECASE)
STROKE = re.compile(r"strok|glid|smooth|circle|rub", re.IGNORECASE)


def _swelling_verdicts():
    from bot.screen import Finding, findings_from_answer, screen

    yield "swelling", screen([Finding("swelling")])
    yield "swelling in the left leg", screen([Finding("swelling", area="leg", side="left")])
    yield "lymphoedema not sure", screen([Finding("lymphoedema", status="unsure")])
    yield "fragile body question: yes", screen(findings_from_answer("fragile_body", "yes"))
    yield "fragile body question: not sure", screen(findings_from_answer("fragile_body",
                                                                         "not sure"))
    yield "swelling and a picc line", screen([Finding("swelling"),
                                              Finding("picc_line", area="arm", side="left")])


SWELLING_CASES = [pytest.param(rid, name, verdict, variant, id=f"{rid}-{name}-{variant}")
                  for rid in ROUTINES for name, verdict in _swelling_verdicts()
                  for variant in VARIANTS]


def _check_swelling_step(step, reply_text: str, where: str) -> None:
    data = load_routines()
    assert step.direction in ("toward_heart", "still", "none"), where
    for text in (step.text, step.more):
        said = re.sub(r"leave out the circles( and the squeeze)?", "", text, flags=re.IGNORECASE)
        assert not AWAY.search(said), f"{where}: {text}"
    if step.direction == "still":
        assert step.text == step.still_alternative, where
        assert step.pressure == data["still"]["pressure"], where
    elif step.direction == "toward_heart":
        assert step.pressure == data["lightest"]["pressure"], where
    else:  # a hold, or no touch at all: nothing that strokes
        assert not STROKE.search(step.text.replace("without stroking", "")), where
    if step.id in ("lower_leg", "ankle_circles"):
        assert step.direction == "still", f"{where}: no stroking up a puffy lower leg"
    assert step.id != "ankle_turn", where
    assert step.text in reply_text or step.more in reply_text, where


@pytest.mark.parametrize("rid,name,verdict,variant", SWELLING_CASES)
def test_swelling_walks_every_step_toward_the_heart_or_still(rid, name, verdict, variant):
    p = plan(rid, verdict, variant)
    assert p.swelling and p.lightest and not p.refused
    assert load_routines()["swelling"]["intro"] in p.message
    held_still = any(step.direction == "still" for step in p.steps)
    assert (load_routines()["swelling"]["still_note"] in p.message) == held_still
    assert held_still == (rid == "foot" and variant != "tired")
    st, reply = begin(p)
    walked = 0
    while not reply.finished:
        step = p.steps[reply.step_index]
        _check_swelling_step(step, reply.text, f"{name}: {step.key}")
        _more_state, more = apply(st, "more")
        assert step.more in more.text
        st = json.loads(state_to_json(st))  # the swelling care survives the slot round trip
        assert st["verdict"]["swelling"] is True
        st, reply = apply(st, "next")
        walked += 1
    assert walked == p.total


def test_swelling_reverses_the_strokes_that_go_away_from_the_heart():
    gentle = {s.key: s for s in plan("hand", GENTLE).steps}
    swollen = {s.key: s for s in plan("hand", SWELLING).steps}
    assert "wrist toward the fingertips" in gentle["back_strokes"].text
    assert "fingertips toward the wrist" in swollen["back_strokes"].text
    assert gentle["forearm"].text == swollen["forearm"].text  # wrist to elbow already is
    foot = {s.key: s for s in plan("foot", SWELLING).steps}
    assert "tip toward the foot" in foot["toes"].text
    assert foot["lower_leg"].text == foot["lower_leg"].still_alternative


def test_no_swelling_no_change():
    for rid in ROUTINES:
        p = plan(rid, LIGHTEST)
        assert not p.swelling
        raw = {s["id"]: s for s in load_routines()["routines"][rid]["steps"]}
        for s in p.steps:
            if s.kind == "step" and s.id in raw and raw[s.id].get("swelling_text"):
                assert s.text != raw[s.id]["swelling_text"]


def test_a_clot_still_wins_over_swelling():
    verdict = Verdict(Level.LIGHTEST_TOUCH, still_hand_only=True,
                      reasons=(Reason("known_clot", "", "ng2018"),
                               Reason("swelling", "", "oncology_guidance")))
    p = plan("foot", verdict)
    assert p.still and not p.swelling
    assert all(s.direction in ("still", "none") for s in p.steps)


def test_swelling_state_format_and_old_states():
    st = start(plan("hand", SWELLING))
    assert st["verdict"] == {"level": 1, "still_hand_only": False, "avoid": [],
                             "swelling": True}
    old = dict(st, verdict={"level": 1, "still_hand_only": False, "avoid": []})
    assert not plan_for_state(old).swelling  # a state saved before swelling care: as it was
    screen_form = {"level": "lightest_touch", "still_hand_only": False, "avoid": [],
                   "reasons": [{"condition_id": "lymphoedema", "text": "", "source": "x"}],
                   "possible": ""}
    assert plan("hand", verdict_from_dict(screen_form)).swelling


def test_content_must_say_how_a_stroke_changes_with_swelling():
    import copy

    from bot import routines as module

    data = copy.deepcopy(load_routines())
    step = data["routines"]["hand"]["steps"][1]
    assert step["direction"] == "away"
    del step["swelling_text"]
    with pytest.raises(ValueError, match="toward the heart"):
        module._validate(data)
    data = copy.deepcopy(load_routines())
    del data["routines"]["foot"]["steps"][1]["direction"]
    with pytest.raises(ValueError, match="direction"):
        module._validate(data)


def test_still_hand_plan_asks_the_nurse_first():
    assert "hospice nurse" in plan("hand", STILL).message


def test_foot_preparation_warns_that_oily_feet_can_slip():
    prep = " ".join(load_routines()["routines"]["foot"]["preparation"][i]["text"]
                    for i in range(len(load_routines()["routines"]["foot"]["preparation"])))
    assert "slip" in prep and "oil" in prep.lower()


def _screened(*cids: str) -> Verdict:
    from bot.screen import Finding, screen

    return screen([Finding(c) for c in cids])


@pytest.mark.parametrize("rid", ROUTINES)
@pytest.mark.parametrize("extra", [(), ("low_platelets",), ("open_wound",)])
def test_a_person_who_says_no_gets_no_call_and_no_touch(rid, extra):
    # Not wanting to be touched is not a reason to call the nurse, and no hand is offered.
    p = plan(rid, _screened("refuses_or_distressed", *extra))
    assert p.refused and p.total == 0
    text = p.message.lower()
    assert "nurse" not in text and "call" not in text
    assert "hold" not in text and "hand" not in text
    assert "sit close" in text


@pytest.mark.parametrize("rid", ROUTINES)
def test_a_refusal_with_a_fever_still_calls_the_nurse(rid):
    p = plan(rid, _screened("refuses_or_distressed", "fever_or_infection"))
    assert p.refused and "hospice nurse" in p.message


def test_sitting_close_needs_no_one_to_agree():
    message = plan("hand", DO_NOT_MASSAGE).message
    assert "If the team agrees, you can simply hold" not in message
    assert message.index("sit close") < message.index("if the team agrees")


@pytest.mark.parametrize("text", [
    "right, I'm back now", "sorry, I am back", "back again, let's go", "back, carry on then",
    "we're back, where were we?", "ok, that was the postman, where was I",
    "all sorted with the carer now, so let's pick up where we had got to",
])
def test_coming_back_after_a_pause_goes_on_never_back_a_step(text):
    """"I'm back" was read as *back* and moved one step backwards."""
    from bot.routines import parse_command

    assert parse_command(text) == "resume"


@pytest.mark.parametrize("text", ["back", "go back", "previous step please", "go back one step"])
def test_asking_for_the_step_before_still_goes_back(text):
    from bot.routines import parse_command

    assert parse_command(text) == "back"
