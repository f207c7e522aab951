"""The plan's rules one by one (bot/routines/planner.py and steps.py), the content records and
the branches of the package that tests/bot/test_routines.py does not reach. Plain Python."""

from __future__ import annotations

import copy

import pytest

from bot.routines import content as content_module
from bot.routines import planner
from bot.routines.commands import parse_command
from bot.routines.content import (
    STILL,
    TOWARD_HEART,
    StepContent,
    VariantContent,
    _validate,
    fmt,
    load_routines,
    routine_content,
    routine_ids,
    variant_content,
    variant_ids,
)
from bot.routines.planner import Plan, plan
from bot.routines.state import locate, plan_for_state, state_from_json, verdict_from_dict
from bot.routines.stepper import apply, start
from bot.routines.steps import Touch, make_step, swelling_care, touch_for
from bot.verdict import AreaRestriction, Level, Reason, Verdict

GENTLE = Verdict(Level.GENTLE_OK)
LIGHTEST = Verdict(Level.LIGHTEST_TOUCH)
STILL_ONLY = Verdict(Level.LIGHTEST_TOUCH, still_hand_only=True)
SWELLING = Verdict(Level.LIGHTEST_TOUCH, reasons=(Reason("swelling", "", ""),))
NO_MASSAGE = Verdict(Level.DO_NOT_MASSAGE, reasons=(Reason("fever_or_infection", "", ""),))
DECLINED = Verdict(Level.DO_NOT_MASSAGE, reasons=(Reason("refuses_or_distressed", "", ""),))

NO_TOUCH_LIMIT = Touch(still=False, swelling=False, lightest=False)
LIGHTEST_TOUCH = Touch(still=False, swelling=False, lightest=True)
STILL_TOUCH = Touch(still=True, swelling=False, lightest=True)
SWELLING_TOUCH = Touch(still=False, swelling=True, lightest=True)


def avoid(*entries: tuple[str, str | None], level: Level = Level.AVOID_AREA) -> Verdict:
    return Verdict(level, avoid=tuple(AreaRestriction(a, s, "x") for a, s in entries))


def ctx(rid: str = "hand", verdict: Verdict = GENTLE, variant: str | None = None,
        touch: Touch | None = None) -> planner._Context:
    return planner._Context(routine=routine_content(rid), variant=variant_content(variant),
                            verdict=verdict, touch=touch or touch_for(verdict),
                            messages=load_routines()["messages"])


def step(rid: str, sid: str) -> StepContent:
    return {s.id: s for s in routine_content(rid).steps}[sid]


def msg(key: str, **kw: object) -> str:
    return fmt(load_routines()["messages"][key], **kw)


# ------------------------------------------------------------------------------------------
# Refusals


def test_arguments_are_checked_in_order():
    with pytest.raises(ValueError, match="unknown routine 'back'"):
        planner._check_arguments("back", "bogus", "middle")
    with pytest.raises(ValueError, match="unknown variant 'bogus'"):
        planner._check_arguments("hand", "bogus", "middle")
    with pytest.raises(ValueError, match="side must be"):
        planner._check_arguments("hand", None, "middle")
    planner._check_arguments("hand", "tired", "left")


@pytest.mark.parametrize("verdict,key", [(NO_MASSAGE, "refuse_no_massage"),
                                         (DECLINED, "refuse_declined")])
def test_do_not_massage_is_refused_and_a_refusal_alone_makes_no_call(verdict, key):
    p = planner._refusal_without_touch(routine_content("hand"), verdict, "tired", None)
    assert p is not None and p.refused and p.steps == () and p.variant == "tired"
    assert p.message == load_routines()["messages"][key]
    assert p.verdict is None  # the verdict as given (none given here)


@pytest.mark.parametrize("verdict", [GENTLE, LIGHTEST, STILL_ONLY, avoid(("hand", None))])
def test_any_other_level_may_touch(verdict):
    assert planner._refusal_without_touch(routine_content("hand"), verdict, None, verdict) is None


@pytest.mark.parametrize("verdict,sides", [
    (GENTLE, ["right", "left"]),
    (avoid(("hand", "left")), ["right"]),
    (avoid(("hand", "right")), ["left"]),
    (avoid(("hand", None)), []),
    (avoid(("hand", "left"), ("hand", "right")), []),
    (avoid(("arm", None)), ["right", "left"]),  # a related area never takes a side away
])
def test_allowed_sides_follow_the_main_area_only(verdict, sides):
    assert planner._allowed_sides(routine_content("hand"), verdict) == sides


def test_both_hands_avoided_suggests_the_feet():
    v = avoid(("hand", None))
    assert planner._refusal_without_side(routine_content("hand"), avoid(("hand", "left")),
                                         None, v) is None
    p = planner._refusal_without_side(routine_content("hand"), v, None, v)
    assert p is not None and p.refused and p.alternative == "foot" and p.verdict is v
    assert p.message == msg("refuse_area", area_plural="hands", other="foot")


def test_hands_and_feet_avoided_suggests_nothing():
    v = avoid(("hand", None), ("foot", None))
    p = planner._refusal_without_side(routine_content("foot"), v, None, v)
    assert p is not None and p.alternative is None
    assert p.message == msg("refuse_area_no_other", area_plural="feet")


def test_a_plan_with_only_the_closing_left_is_refused():
    c = ctx()
    closing = make_step(c.routine.closing, kind="closing", key="closing", side=None,
                        label=None, touch=c.touch, variant=c.variant)
    p = planner._refusal_nothing_left(c, [closing], "dementia", None)
    assert p is not None and p.refused and p.variant == "dementia"
    assert p.message == msg("refuse_area_no_other", area_plural="hands")
    assert planner._refusal_nothing_left(c, [closing, closing], None, None) is not None


def test_plan_refuses_when_every_step_is_left_out(monkeypatch):
    monkeypatch.setattr(planner, "_keeps", lambda *args: False)
    p = plan("hand", None)
    assert p.refused and p.total == 0
    assert p.message == msg("refuse_area_no_other", area_plural="hands")


# ------------------------------------------------------------------------------------------
# Sides


def test_an_asked_side_is_kept_when_allowed():
    assert planner._asked_side("left", ["right", "left"], ctx()) == (["left"], [])


def test_an_asked_side_that_is_avoided_moves_to_the_other():
    passes, notes = planner._asked_side("left", ["right"], ctx())
    assert passes == ["right"]
    assert notes == [msg("moved_side", asked="left", side="right", area="hand")]


def test_one_allowed_side_says_the_other_stays_still():
    passes, notes = planner._only_side("left", ctx("foot"))
    assert passes == ["left"]
    assert notes == [msg("one_side", side="left", other="right", area="foot")]


@pytest.mark.parametrize("rid,verdict,passes", [
    ("hand", GENTLE, [None, None]),
    ("hand", avoid(("arm", "left")), ["right", "left"]),  # named, so the notes can say which
    ("hand", avoid(("arm", None)), [None, None]),
    ("hand", avoid(("leg", "left")), [None, None]),  # not the hand routine's related area
    ("foot", avoid(("leg", "right")), ["right", "left"]),
])
def test_both_sides_are_named_only_for_a_one_sided_related_area(rid, verdict, passes):
    assert planner._both_sides(ctx(rid, verdict)) == passes


@pytest.mark.parametrize("side,verdict,passes,n_notes", [
    ("right", GENTLE, ["right"], 0),
    ("left", avoid(("hand", "left")), ["right"], 1),
    (None, avoid(("hand", "left")), ["right"], 1),
    (None, GENTLE, [None, None], 0),
])
def test_passes(side, verdict, passes, n_notes):
    got, notes = planner._passes(side, ctx("hand", verdict))
    assert got == passes and len(notes) == n_notes


# ------------------------------------------------------------------------------------------
# Which steps


def test_first_side_only_steps_are_not_repeated():
    greet, fingers = step("hand", "greet"), step("hand", "fingers")
    assert not planner._only_on_first_side(greet, 1)
    assert planner._only_on_first_side(greet, 2)
    assert not planner._only_on_first_side(fingers, 2)


@pytest.mark.parametrize("side,areas", [("left", ["arm"]), ("right", []), (None, ["arm"])])
def test_avoided_areas_on_a_side(side, areas):
    assert planner._avoided_areas(step("hand", "forearm"), side, avoid(("arm", "left"))) == areas


@pytest.mark.parametrize("touch,left_out", [(NO_TOUCH_LIMIT, False), (LIGHTEST_TOUCH, True),
                                            (SWELLING_TOUCH, True), (STILL_TOUCH, False)])
def test_a_joint_move_is_left_out_under_lightest_touch_but_held_still_with_a_still_hand(
        touch, left_out):
    assert planner._joint_move_left_out(step("foot", "ankle_turn"), touch) is left_out
    assert not planner._joint_move_left_out(step("foot", "ankle_circles"), touch)


@pytest.mark.parametrize("variant,rid,sid,left_out", [
    (None, "foot", "ankle_turn", False),
    ("unconscious", "foot", "ankle_turn", True),  # skip
    ("unconscious", "hand", "palm", False),
    ("tired", "hand", "fingers", False),  # keep
    ("tired", "hand", "palm", True),
    ("dementia", "foot", "lower_leg", False),
])
def test_a_variant_leaves_out_its_skip_and_all_but_its_keep(variant, rid, sid, left_out):
    assert planner._left_out_by_variant(step(rid, sid), rid, variant_content(variant)) is left_out


def test_step_rules_apply_in_order_and_note_what_they_left_out():
    c = ctx("foot", avoid(("foot", "left"), level=Level.LIGHTEST_TOUCH))
    left_out = planner._LeftOut()
    # an avoided area wins over a joint move: noted as the area, not as the move
    assert not planner._keeps(step("foot", "ankle_turn"), 1, "left", c, left_out)
    assert left_out.areas == {"foot": {"left"}} and left_out.moves == []
    assert not planner._keeps(step("foot", "ankle_turn"), 1, "right", c, left_out)
    assert not planner._keeps(step("foot", "ankle_turn"), 2, "right", c, left_out)
    assert left_out.moves == ["Turn the ankle gently"]  # once, however many passes
    # first_side_only wins over everything and is not noted
    left_out = planner._LeftOut()
    assert not planner._keeps(step("foot", "cover"), 2, "left", c, left_out)
    assert left_out == planner._LeftOut()
    assert planner._keeps(step("foot", "sole"), 1, "right", c, left_out)


def test_build_steps_adds_a_switch_between_passes_and_the_closing_last():
    steps, left_out = planner._build_steps(["right", "left"], ctx("hand", avoid(("arm", "left"))))
    keys = [s.key for s in steps]
    assert keys[0] == "greet" and keys[-1] == "closing"
    assert "switch@2" in keys and "forearm" in keys and "forearm@2" not in keys
    assert "greet@2" not in keys
    assert left_out.areas == {"arm": {"left"}}
    assert steps[keys.index("switch@2")].side_label == "left hand"
    steps, _ = planner._build_steps([None], ctx("hand"))
    assert steps[0].side_label == "first hand" and "switch" not in [s.kind for s in steps]


# ------------------------------------------------------------------------------------------
# What the plan says


def test_join_sides():
    assert planner._join_sides({"left"}) == "left"
    assert planner._join_sides({"left", "right"}) is None
    assert planner._join_sides({None}) is None


def test_left_out_notes():
    c = ctx("hand")
    left_out = planner._LeftOut(areas={"hand": {"left"}, "arm": {"left"}}, moves=["Turn"])
    assert planner._left_out_notes(left_out, ["right", "left"], c) == [
        msg("skip_area_side", what="forearm", side="left"), msg("skip_moves", what="Turn")]
    both = planner._LeftOut(areas={"arm": {"left", "right"}})
    assert planner._left_out_notes(both, ["right", "left"], c) == [
        msg("skip_area_both", what="forearm")]
    # one pass on an unnamed side: the pass's side
    unnamed = planner._LeftOut(areas={"arm": {None}})
    assert planner._left_out_notes(unnamed, ["right"], c) == [
        msg("skip_area_side", what="forearm", side="right")]
    # an area without a name in area_names is called by its id
    other = planner._LeftOut(areas={"wrist": {"left"}})
    assert planner._left_out_notes(other, ["left"], c) == [
        msg("skip_area_side", what="wrist", side="left")]


def test_minutes():
    assert planner._minutes([None, None], ctx()) == 10
    assert planner._minutes(["left"], ctx()) == 5
    assert planner._minutes([None, None], ctx(variant="tired")) == 5
    assert planner._minutes([None, None], ctx(variant="dementia")) == 10


def test_start_note():
    assert planner._start_note(["left"], ctx()) == []
    assert planner._start_note([None, None], ctx()) == [msg("start_nearest", area="hand")]
    assert planner._start_note(["right", "left"], ctx("foot")) == [
        msg("start_named", first="right", second="left", area="foot")]


def test_touch_intro():
    content = load_routines()
    held = [make_step(step("foot", "lower_leg"), kind="step", key="k", side=None, label=None,
                      touch=SWELLING_TOUCH, variant=VariantContent())]
    assert held[0].direction == STILL
    assert planner._touch_intro(held, ctx(touch=STILL_TOUCH)) == [content["still"]["intro"]]
    assert planner._touch_intro(held, ctx(touch=SWELLING_TOUCH)) == [
        content["swelling"]["intro"], content["swelling"]["still_note"]]
    assert planner._touch_intro([], ctx(touch=SWELLING_TOUCH)) == [content["swelling"]["intro"]]
    assert planner._touch_intro([], ctx(touch=LIGHTEST_TOUCH)) == [content["lightest"]["intro"]]
    assert planner._touch_intro([], ctx(touch=NO_TOUCH_LIMIT)) == []


def test_message_puts_the_parts_in_order():
    c = ctx("hand", variant="dementia", touch=LIGHTEST_TOUCH)
    text = planner._message([None, None], ["NOTE"], [], 10, c)
    parts = [msg("intro", title="Gentle hand massage", minutes=10),
             msg("start_nearest", area="hand"), "NOTE", load_routines()["lightest"]["intro"],
             load_routines()["variants"]["dementia"]["intro"]]
    assert text == " ".join(parts)


def test_preparation_takes_the_variant_wording():
    plain = planner._preparation(ctx())
    dementia = planner._preparation(ctx(variant="dementia"))
    consent = [i for i, (pid, _) in enumerate(routine_content("hand").preparation)
               if pid == "consent"][0]
    assert dementia[consent] == load_routines()["variants"]["dementia"]["preparation"]["consent"]
    assert plain[consent] != dementia[consent]
    assert plain[:consent] == dementia[:consent]


# ------------------------------------------------------------------------------------------
# How one step reads (steps.py)


def test_touch_for_each_verdict():
    assert touch_for(GENTLE) == NO_TOUCH_LIMIT
    assert touch_for(LIGHTEST) == LIGHTEST_TOUCH
    assert touch_for(STILL_ONLY) == STILL_TOUCH
    assert touch_for(SWELLING) == SWELLING_TOUCH
    assert touch_for(Verdict(Level.GENTLE_OK, reasons=(Reason("lymphoedema", "", ""),))
                     ) == SWELLING_TOUCH
    assert not swelling_care(None)


def worded(rid: str, sid: str, touch: Touch, variant: str | None = None):
    return make_step(step(rid, sid), kind="step", key=sid, side=None, label=None, touch=touch,
                     variant=variant_content(variant))


def test_a_hold_never_changes():
    for touch in (NO_TOUCH_LIMIT, LIGHTEST_TOUCH, STILL_TOUCH, SWELLING_TOUCH):
        s = worded("hand", "hold", touch)
        assert s.text == step("hand", "hold").text and s.direction == "none"


def test_a_still_hand_takes_the_still_alternative():
    raw = step("hand", "back_strokes")
    s = worded("hand", "back_strokes", STILL_TOUCH)
    assert s.text == raw.still_alternative and s.title == raw.still_title
    assert s.pressure == load_routines()["still"]["pressure"] and s.direction == STILL
    assert worded("hand", "forearm", STILL_TOUCH).title == step("hand", "forearm").still_title


def test_lightest_touch_takes_the_lightest_text_and_pressure():
    s = worded("hand", "fingers", LIGHTEST_TOUCH)
    assert s.text == step("hand", "fingers").lightest_text
    assert s.pressure == load_routines()["lightest"]["pressure"]
    assert s.direction == "away"  # as written: only swelling care turns it
    assert worded("hand", "palm", LIGHTEST_TOUCH).text == step("hand", "palm").text


def test_swelling_care_turns_strokes_toward_the_heart_or_holds_still():
    turned = worded("hand", "back_strokes", SWELLING_TOUCH)
    raw = step("hand", "back_strokes")
    assert (turned.text, turned.more) == (raw.swelling_text, raw.swelling_more)
    assert turned.direction == TOWARD_HEART
    assert worded("foot", "sole", SWELLING_TOUCH).text == step("foot", "sole").text
    assert worded("foot", "lower_leg", SWELLING_TOUCH).direction == STILL
    assert worded("foot", "lower_leg", LIGHTEST_TOUCH).direction == TOWARD_HEART


def test_a_variant_rewords_a_step_and_adds_its_note_to_steps_only():
    greet = worded("hand", "greet", NO_TOUCH_LIMIT, "unconscious")
    unconscious = load_routines()["variants"]["unconscious"]
    assert greet.text == unconscious["steps"]["greet"]["text"]
    assert greet.note == unconscious["note"] and greet.id == "greet"
    closing = make_step(routine_content("hand").closing, kind="closing", key="closing",
                        side=None, label=None, touch=NO_TOUCH_LIMIT,
                        variant=variant_content("unconscious"))
    assert closing.note is None


def test_toward_heart_needs_the_swelling_text():
    with pytest.raises(KeyError):
        step("hand", "palm").with_overrides({"swelling_text": None}).toward_heart()


# ------------------------------------------------------------------------------------------
# Content records


def test_records_follow_the_content_and_are_reused():
    assert routine_content("hand") is routine_content("hand")
    r = routine_content("foot")
    raw = load_routines()["routines"]["foot"]
    assert [s.id for s in r.steps] == [s["id"] for s in raw["steps"]]
    assert r.switch.id == "switch" and r.closing.id == "closing"
    assert step("foot", "ankle_turn").moves_joint and step("hand", "greet").first_side_only
    assert step("hand", "greet").level == 0 and step("hand", "palm").level == 2
    with pytest.raises(KeyError):
        routine_content("back")


def test_overrides_keep_the_id_and_the_types():
    s = step("hand", "palm").with_overrides({"id": "x", "touches": ["arm"], "level": "0",
                                              "quote": "ignored"})
    assert s.id == "palm" and s.touches == ("arm",) and s.level == 0
    assert step("hand", "palm").with_overrides({}) is step("hand", "palm")


def test_ids_in_file_order():
    assert routine_ids() == ("hand", "foot")
    assert variant_ids() == ("unconscious", "dementia", "tired")


def test_no_variant():
    none = variant_content(None)
    assert none == VariantContent() and none.kept("hand") is None
    assert none.skipped("hand") == frozenset()
    assert variant_content("tired").kept("hand") == {"back_strokes", "fingers", "hold"}
    assert variant_content("tired").minutes == 5 and variant_content("dementia").minutes is None


# ------------------------------------------------------------------------------------------
# Content validation: each kind of problem


def _broken(change) -> dict:
    data = copy.deepcopy(load_routines())
    change(data)
    return data


def _set(path: list, value):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        if value is _DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return change


_DELETE = object()
HAND = ["routines", "hand"]
PALM = [*HAND, "steps", 3]


@pytest.mark.parametrize("change,problem", [
    (_set(["routines"], []), "no `routines` mapping"),
    (_set([*HAND, "area"], _DELETE), "hand: missing area"),
    (_set([*HAND, "steps", 1, "id"], "greet"), "hand: duplicate step ids"),
    (_set([*HAND, "switch"], "text"), "hand.switch: not a mapping"),
    (_set([*PALM, "watch"], _DELETE), "hand.steps[3]: missing watch"),
    (_set([*PALM, "touches"], "hand"), "touches must be a list"),
    (_set([*PALM, "watch"], "  "), "watch must be a non-empty string"),
    (_set([*PALM, "title"], "x" * 31), "title longer than 30"),
    (_set([*PALM, "still_title"], "x" * 31), "still_title longer than 30"),
    (_set([*PALM, "source"], "nowhere"), "unknown source 'nowhere'"),
    (_set([*HAND, "switch", "text"], ""), "hand.switch: text must be"),
    (_set([*HAND, "closing", "text"], ""), "hand.closing: text must be"),
    (_set([*HAND, "preparation", 0], {"id": "x"}), "items need id and text"),
    (_set(["variants", "tired", "keep", "hand"], ["nope"]), "variants.tired.keep.hand"),
    (_set(["swelling", "still_note"], ""), "swelling: needs"),
    (_set(["signals", "comfort", "phrases"], [False]), "signals.comfort: False"),
])
def test_each_content_problem_is_named(change, problem):
    with pytest.raises(ValueError, match="routines.yml") as raised:
        _validate(_broken(change))
    assert problem in str(raised.value)


def test_after_a_problem_later_routines_are_checked_for_their_keys_only():
    data = _broken(_set([*HAND, "area"], _DELETE))
    data["routines"]["foot"]["steps"][1]["title"] = "x" * 31
    with pytest.raises(ValueError) as raised:
        _validate(data)
    assert "foot" not in str(raised.value)


def test_a_missing_sources_file_skips_the_source_check(monkeypatch, tmp_path):
    monkeypatch.setattr(content_module, "CONTENT_DIR", tmp_path)
    _validate(_broken(_set([*PALM, "source"], "nowhere")))


# ------------------------------------------------------------------------------------------
# Stepper, state and commands: branches test_routines.py does not reach


def test_stop_on_a_stopped_routine_says_stopped_again():
    st, _ = apply(start(plan("hand", None)), "stop")
    again, reply = apply(st, "stop")
    assert again["stopped"] and reply.stopped
    assert reply.text == load_routines()["messages"]["stopped"]


def test_broken_states_are_refused():
    with pytest.raises(ValueError, match="not a routine state"):
        plan_for_state({"index": 0})
    with pytest.raises(ValueError, match="not a routine state"):
        state_from_json('{"index": 0}')
    empty = Plan(routine_id="hand", side=None, variant=None, refused=True, message="",
                 preparation=[], steps=())
    with pytest.raises(ValueError, match="no longer be done"):
        locate(empty, {"index": 0})


def test_a_reason_without_a_condition_is_dropped():
    v = verdict_from_dict({"level": 0, "reasons": [{"text": "x"}, "plain",
                                                   {"condition_id": "fever_or_infection"}]})
    assert v is not None and [r.condition_id for r in v.reasons] == ["fever_or_infection"]


@pytest.mark.parametrize("text,command", [
    ("please don't stop", "next"), ("no need to wait", "next"), ("don't explain", None),
    ("is it done?", None), ("done", "next"), ("ok?", "next"),
])
def test_negated_and_questioning_commands(text, command):
    assert parse_command(text) == command
