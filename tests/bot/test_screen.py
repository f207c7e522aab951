"""The contraindication screen as a pure function: levels, combinations, the short form."""

from __future__ import annotations

import itertools
import json
import re

import pytest

import bot.screen as screen_module
from bot.screen import (
    ABSENT,
    HISTORY,
    PRESENT,
    UNSURE,
    Finding,
    explain,
    finding_from_dict,
    finding_to_dict,
    findings_from_answer,
    load_conditions,
    missing_areas,
    next_question,
    normalise_answer,
    questions,
    screen,
    source_titles,
    verdict_from_dict,
    verdict_to_dict,
    where_question,
)
from bot.verdict import Level

CONDS = load_conditions()
ALL_IDS = list(CONDS)
DO_NOT = [c for c in ALL_IDS if CONDS[c].level == Level.DO_NOT_MASSAGE]
AVOID = [c for c in ALL_IDS if CONDS[c].level == Level.AVOID_AREA]
LIGHTEST = [c for c in ALL_IDS if CONDS[c].level == Level.LIGHTEST_TOUCH]


def F(cid: str, status: str = PRESENT, area: str | None = None,  # noqa: N802
      side: str | None = None) -> Finding:
    return Finding(cid, status, area, side)


# --- content -------------------------------------------------------------------------------
@pytest.mark.parametrize("cid, level", [
    ("suspected_clot", Level.DO_NOT_MASSAGE),
    ("fever_or_infection", Level.DO_NOT_MASSAGE),
    ("contagious_illness", Level.DO_NOT_MASSAGE),
    ("uncontrolled_bleeding", Level.DO_NOT_MASSAGE),
    ("refuses_or_distressed", Level.DO_NOT_MASSAGE),
    ("open_wound", Level.AVOID_AREA),
    ("pressure_sore", Level.AVOID_AREA),
    ("recent_surgery", Level.AVOID_AREA),
    ("tumour_site", Level.AVOID_AREA),
    ("radiated_skin", Level.AVOID_AREA),
    ("iv_site", Level.AVOID_AREA),
    ("port", Level.AVOID_AREA),
    ("picc_line", Level.AVOID_AREA),
    ("drain", Level.AVOID_AREA),
    ("catheter", Level.AVOID_AREA),
    ("feeding_tube", Level.AVOID_AREA),
    ("oxygen_tubing", Level.AVOID_AREA),
    ("other_device", Level.AVOID_AREA),
    ("recent_fracture", Level.AVOID_AREA),
    ("known_clot", Level.AVOID_AREA),
    ("low_platelets", Level.LIGHTEST_TOUCH),
    ("blood_thinners", Level.LIGHTEST_TOUCH),
    ("easy_bruising", Level.LIGHTEST_TOUCH),
    ("fragile_skin", Level.LIGHTEST_TOUCH),
    ("bone_fragility", Level.LIGHTEST_TOUCH),
    ("bone_mets", Level.LIGHTEST_TOUCH),
    ("lymphoedema", Level.LIGHTEST_TOUCH),
    ("swelling", Level.LIGHTEST_TOUCH),
    ("neuropathy", Level.LIGHTEST_TOUCH),
])
def test_condition_levels(cid: str, level: Level) -> None:
    assert CONDS[cid].level == level


@pytest.mark.parametrize("term, cid", [
    ("bed sore", "pressure_sore"), ("bedsore", "pressure_sore"),
    ("pressure ulcer", "pressure_sore"), ("port", "port"), ("picc", "picc_line"),
    ("drain", "drain"), ("catheter", "catheter"), ("feeding tube", "feeding_tube"),
    ("peg", "feeding_tube"), ("oxygen", "oxygen_tubing"), ("bones are brittle", "bone_fragility"),
    ("bruises easily", "easy_bruising"), ("warfarin", "blood_thinners"),
    ("heparin", "blood_thinners"), ("apixaban", "blood_thinners"),
    ("rivaroxaban", "blood_thinners"), ("blood thinner", "blood_thinners"),
    ("thrombocytopenia", "low_platelets"), ("bone mets", "bone_mets"),
    ("cancer in the bones", "bone_mets"), ("lymphedema", "lymphoedema"),
    ("lymphoedema", "lymphoedema"), ("osteoporosis", "bone_fragility"), ("dvt", "suspected_clot"),
    ("blood clot", "suspected_clot"), ("fever", "fever_or_infection"),
    ("oedema", "swelling"), ("neuropathy", "neuropathy"), ("iv", "iv_site"),
])
def test_lay_terms_are_covered(term: str, cid: str) -> None:
    assert term in CONDS[cid].terms


def test_every_condition_has_plain_content() -> None:
    titles = source_titles()
    for cond in CONDS.values():
        assert cond.label and cond.advice and cond.source in titles
        assert 0 < len(cond.advice) < 300
        if cond.level == Level.AVOID_AREA:
            assert cond.noun


def test_questions_are_short_and_few() -> None:
    for pronoun in (None, "she", "he", "they"):
        qs = questions(pronoun)
        assert 1 <= len(qs) <= 7
        assert len({q["id"] for q in qs}) == len(qs)
        for q in qs:
            assert len(q["text"]) <= 140 and "{" not in q["text"]
            assert all(c in CONDS for c in q["conditions"])
    willing = [q for q in questions() if q["inverted"]]
    assert [q["conditions"] for q in willing] == [["refuses_or_distressed"]]


def test_questions_render_pronouns() -> None:
    texts = {q["id"]: q["text"] for q in questions("she")}
    assert texts["willing_now"].startswith("Does she seem willing")
    assert questions("they")[0]["text"].startswith("Do they seem willing")
    assert questions()[0]["text"] == questions("they")[0]["text"]


# --- levels --------------------------------------------------------------------------------
def test_nothing_reported_is_gentle_ok() -> None:
    v = screen([])
    assert v.level == Level.GENTLE_OK and v.may_touch and not v.avoid and not v.reasons
    assert not v.still_hand_only
    assert "gentle" in v.possible.lower()


@pytest.mark.parametrize("cid", DO_NOT)
@pytest.mark.parametrize("status", [PRESENT, UNSURE])
def test_do_not_massage_present_or_unsure(cid: str, status: str) -> None:
    v = screen([F(cid, status)])
    assert v.level == Level.DO_NOT_MASSAGE and not v.may_touch
    assert "don't massage" in v.possible
    assert v.reasons and v.reasons[0].condition_id == cid


@pytest.mark.parametrize("cid", ALL_IDS)
def test_absent_never_counts(cid: str) -> None:
    v = screen([F(cid, ABSENT, "arm", "left")])
    assert v.level == Level.GENTLE_OK and not v.avoid and not v.reasons


@pytest.mark.parametrize("cid", ALL_IDS)
def test_unsure_is_never_a_no(cid: str) -> None:
    present = screen([F(cid, PRESENT, "leg", "left")])
    unsure = screen([F(cid, UNSURE, "leg", "left")])
    assert unsure.level == present.level > Level.GENTLE_OK
    assert unsure.avoid == present.avoid
    assert unsure.still_hand_only == present.still_hand_only
    assert "weren't sure" in unsure.reasons[0].text


@pytest.mark.parametrize("cid", ALL_IDS)
@pytest.mark.parametrize("status", [PRESENT, UNSURE, HISTORY, ABSENT])
@pytest.mark.parametrize("area, side", [(None, None), ("hand", "left"), ("chest", None)])
def test_possible_is_never_empty(cid: str, status: str, area: str | None,
                                 side: str | None) -> None:
    v = screen([F(cid, status, area, side)])
    assert v.possible.strip()
    assert len(v.possible) < 500


@pytest.mark.parametrize("cid", ["fever_or_infection", "contagious_illness",
                                 "uncontrolled_bleeding", "refuses_or_distressed",
                                 "recent_surgery", "recent_fracture", "blood_thinners",
                                 "iv_site", "picc_line"])
def test_history_of_passing_things_is_ignored(cid: str) -> None:
    assert screen([F(cid, HISTORY, "arm", "left")]).level == Level.GENTLE_OK


@pytest.mark.parametrize("cid", ["bone_mets", "lymphoedema", "neuropathy", "bone_fragility",
                                 "tumour_site", "radiated_skin", "fragile_skin"])
def test_history_of_lasting_things_still_counts(cid: str) -> None:
    assert screen([F(cid, HISTORY)]).level == screen([F(cid)]).level


def test_avoid_area_with_a_named_area() -> None:
    v = screen([F("open_wound", PRESENT, "foot", "left")])
    assert v.level == Level.AVOID_AREA and v.may_touch
    assert v.avoids("foot", "left") and not v.avoids("foot", "right")
    assert not v.avoids("hand")
    assert "You can use the right foot, not the left." in v.possible
    assert "The hands are fine." in v.possible


def test_avoid_area_uses_default_areas_when_none_named() -> None:
    v = screen([F("picc_line")])
    assert v.level == Level.AVOID_AREA
    assert v.avoids("arm", "left") and v.avoids("arm", "right")
    oxygen = screen([F("oxygen_tubing")])
    assert oxygen.avoids("head") and not oxygen.avoids("hand") and not oxygen.avoids("foot")
    assert "The hands and feet are fine." in oxygen.possible


def test_avoid_area_without_any_place_asks_where_and_stays_light() -> None:
    findings = [F("pressure_sore")]
    v = screen(findings)
    assert v.level == Level.LIGHTEST_TOUCH and not v.avoid
    assert "wherever it is" in v.possible and "tell me where" in v.possible
    assert "fine" not in v.possible.split("wherever")[0]  # no area is promised as fine
    assert missing_areas(findings) == ["pressure_sore"]
    assert where_question("pressure_sore").startswith("Where is the bed sore")
    # once placed, nothing is missing
    assert missing_areas([F("pressure_sore", PRESENT, "hip")]) == []


def test_lay_area_words_are_understood() -> None:
    v = screen([F("pressure_sore", PRESENT, "heel", "left")])
    assert v.avoids("foot", "left")


@pytest.mark.parametrize("cid", LIGHTEST)
def test_lightest_touch(cid: str) -> None:
    v = screen([F(cid)])
    assert v.level == Level.LIGHTEST_TOUCH and v.may_touch
    assert "lightest touch" in v.possible


def test_bone_mets_avoid_the_named_place() -> None:
    v = screen([F("bone_mets", PRESENT, "back")])
    assert v.level == Level.LIGHTEST_TOUCH and v.avoids("back")


def test_lightest_plus_areas_is_lightest_with_avoid() -> None:
    v = screen([F("picc_line", PRESENT, "arm", "left"), F("easy_bruising")])
    assert v.level == Level.LIGHTEST_TOUCH
    assert v.avoids("arm", "left") and not v.avoids("arm", "right")
    assert "lightest touch" in v.possible and "the left arm" in v.possible


def test_strictest_wins_and_every_area_is_kept() -> None:
    findings = [F("picc_line", PRESENT, "arm", "left"), F("pressure_sore", PRESENT, "hip"),
                F("blood_thinners"), F("fever_or_infection", UNSURE)]
    for perm in itertools.permutations(findings):
        v = screen(perm)
        assert v.level == Level.DO_NOT_MASSAGE
        assert v.avoids("arm", "left") and v.avoids("hip")
        assert {r.condition_id for r in v.reasons} == {"picc_line", "pressure_sore",
                                                        "blood_thinners", "fever_or_infection"}
        assert v.reasons[0].condition_id == "fever_or_infection"  # the strictest comes first


def test_present_wins_over_absent_in_any_order() -> None:
    for pair in ([F("suspected_clot", ABSENT), F("suspected_clot", UNSURE)],
                 [F("suspected_clot", UNSURE), F("suspected_clot", ABSENT)]):
        assert screen(pair).level == Level.DO_NOT_MASSAGE


@pytest.mark.parametrize("do_not", DO_NOT)
@pytest.mark.parametrize("other", ["picc_line", "easy_bruising", "oxygen_tubing", "known_clot"])
@pytest.mark.parametrize("status", [PRESENT, UNSURE])
def test_never_go_ahead_with_a_do_not_finding(do_not: str, other: str, status: str) -> None:
    v = screen([F(other), F(do_not, status), F(do_not, ABSENT)])
    assert v.level == Level.DO_NOT_MASSAGE and not v.may_touch


# --- clots ---------------------------------------------------------------------------------
def test_suspected_clot_in_a_leg() -> None:
    v = screen([F("suspected_clot", PRESENT, "leg", "left")], pronoun="she")
    assert v.level == Level.DO_NOT_MASSAGE and v.still_hand_only
    assert v.avoids("leg", "left") and v.avoids("foot", "left") and not v.avoids("leg", "right")
    assert v.possible == ("Please don't massage today. Call the hospice nurse first; you can "
                          "still sit with her and hold her hand if the team agrees.")


def test_clot_history_in_a_named_limb_avoids_it_with_a_still_hand() -> None:
    v = screen([F("suspected_clot", HISTORY, "arm", "left")], pronoun="he")
    assert v.level == Level.LIGHTEST_TOUCH and v.may_touch and v.still_hand_only
    assert v.avoids("arm", "left") and v.avoids("hand", "left")
    assert not v.avoids("hand", "right")
    assert "hold his right hand without stroking" in v.possible
    assert "no stroking" in v.possible
    assert v.reasons[0].condition_id == "known_clot"


def test_clot_history_without_a_limb_is_still_hand_and_asks_where() -> None:
    findings = [F("suspected_clot", HISTORY)]
    v = screen(findings)
    assert v.level == Level.LIGHTEST_TOUCH and v.still_hand_only
    assert missing_areas(findings) == ["known_clot"]
    # the limb is not known yet: no hand is offered to hold, and the bot asks where it is
    assert "hold their hand" not in v.possible
    assert "ask the hospice nurse" in v.possible and "tell me where it is" in v.possible


def test_known_clot_present() -> None:
    v = screen([F("known_clot", PRESENT, "leg", "right")])
    assert v.level == Level.LIGHTEST_TOUCH and v.still_hand_only
    assert v.avoids("leg", "right") and v.avoids("foot", "right")


def test_still_hand_when_both_hands_are_out() -> None:
    v = screen([F("known_clot", PRESENT, "arm", None)])
    assert v.avoids("hand", "left") and v.avoids("hand", "right")
    assert "foot" in v.possible and "hold their hand" not in v.possible


def test_absent_clot_changes_nothing() -> None:
    v = screen([F("suspected_clot", ABSENT)])
    assert v.level == Level.GENTLE_OK and not v.still_hand_only


# --- words ---------------------------------------------------------------------------------
def test_refusal_alone_does_not_send_to_the_nurse() -> None:
    v = screen([F("refuses_or_distressed")], pronoun="she")
    assert v.level == Level.DO_NOT_MASSAGE
    assert v.possible.startswith("Please don't massage right now. Let her rest")
    assert "nurse" not in v.possible


def test_iv_in_one_hand() -> None:
    v = screen([F("iv_site", PRESENT, "hand", "left")])
    assert "You can use the right hand, not the left." in v.possible
    assert "The feet are fine." in v.possible


def test_pronouns_in_possible_and_reasons() -> None:
    she = screen([F("neuropathy")], pronoun="she")
    they = screen([F("neuropathy")])
    assert "ask her" in she.reasons[0].text and "ask them" in they.reasons[0].text


def test_unknown_condition_is_treated_as_do_not_massage() -> None:
    v = screen([F("something_renamed")])
    assert v.level == Level.DO_NOT_MASSAGE


def test_reasons_name_the_places_and_sources() -> None:
    v = screen([F("picc_line", PRESENT, "arm", "left"), F("picc_line", PRESENT, "chest")])
    assert len(v.reasons) == 1
    assert "the left arm" in v.reasons[0].text and "the chest" in v.reasons[0].text
    lines = explain(v)
    assert len(lines) == 1 and source_titles()["doc001"] in lines[0]
    assert explain(screen([])) and "gentle" in explain(screen([]))[0]


def test_screen_accepts_finding_dicts() -> None:
    a = screen([F("port", PRESENT, "chest")])
    b = screen([finding_to_dict(F("port", PRESENT, "chest"))])
    assert a == b


def test_screen_is_pure() -> None:
    findings = [F("picc_line", PRESENT, "arm", "left"), F("easy_bruising")]
    assert screen(findings) == screen(list(findings)) == screen(tuple(findings))


# --- storage -------------------------------------------------------------------------------
@pytest.mark.parametrize("findings", [
    [],
    [F("picc_line", PRESENT, "arm", "left"), F("easy_bruising")],
    [F("suspected_clot", UNSURE, "leg", "right"), F("oxygen_tubing")],
    [F("suspected_clot", HISTORY, "arm", "left")],
    [F("pressure_sore")],
])
def test_verdict_round_trip(findings: list[Finding]) -> None:
    v = screen(findings, pronoun="she")
    d = json.loads(json.dumps(verdict_to_dict(v)))
    assert verdict_from_dict(d) == v
    assert isinstance(d["level"], str)


def test_verdict_from_dict_accepts_numbers_and_names() -> None:
    d = verdict_to_dict(screen([F("fever_or_infection")]))
    assert verdict_from_dict({**d, "level": 3}).level == Level.DO_NOT_MASSAGE
    assert verdict_from_dict({**d, "level": "DO_NOT_MASSAGE"}).level == Level.DO_NOT_MASSAGE


@pytest.mark.parametrize("f", [F("port"), F("suspected_clot", UNSURE, "leg", "left"),
                               F("fever_or_infection", ABSENT), F("known_clot", HISTORY, "arm")])
def test_finding_round_trip(f: Finding) -> None:
    assert finding_from_dict(json.loads(json.dumps(finding_to_dict(f)))) == f


def test_finding_validation() -> None:
    with pytest.raises(ValueError):
        Finding("port", "maybe")
    with pytest.raises(ValueError):
        Finding("port", PRESENT, "arm", "middle")


# --- the short form ------------------------------------------------------------------------
ORDER = [q["id"] for q in questions()]


def test_questions_come_in_order_when_all_is_well() -> None:
    answered: dict[str, str] = {}
    findings: list[Finding] = []
    seen = []
    while (q := next_question(answered, findings)) is not None:
        seen.append(q["id"])
        answer = "yes" if q["inverted"] else "no"
        answered[q["id"]] = answer
        findings += findings_from_answer(q["id"], answer)
    assert seen == ORDER
    assert screen(findings).level == Level.GENTLE_OK


def test_next_question_skips_answered() -> None:
    assert next_question({ORDER[0]: "yes"}, [])["id"] == ORDER[1]


def test_next_question_skips_what_the_findings_settle() -> None:
    findings = [F("easy_bruising"), F("bone_mets", PRESENT, "back")]
    answered = {"willing_now": "yes", "clot_signs": "no", "fever_infection": "no",
                "bleeding_now": "no"}
    assert next_question(answered, findings)["id"] == "areas_to_avoid"


def test_absent_findings_settle_only_when_everything_is_covered() -> None:
    answered = {"willing_now": "yes", "clot_signs": "no"}
    only_fever = [F("fever_or_infection", ABSENT)]
    assert next_question(answered, only_fever)["id"] == "fever_infection"
    both = only_fever + [F("contagious_illness", ABSENT)]
    assert next_question(answered, both)["id"] == "bleeding_now"


def test_consent_and_clot_signs_are_always_asked() -> None:
    findings = [F("refuses_or_distressed", ABSENT), F("suspected_clot", ABSENT)]
    assert next_question({}, findings)["id"] == "willing_now"
    assert next_question({"willing_now": "yes"}, findings)["id"] == "clot_signs"


def test_no_more_questions_once_it_is_do_not_massage() -> None:
    assert next_question({}, [F("fever_or_infection", UNSURE)]) is None
    assert next_question({}, findings_from_answer("willing_now", "no")) is None
    q = next_question({}, [F("fever_or_infection")], stop_when_do_not_massage=False)
    assert q is not None and q["id"] == "willing_now"


def test_next_question_renders_the_pronoun() -> None:
    assert next_question({}, [], pronoun="he")["text"].startswith("Does he seem")


def test_all_answered_means_none() -> None:
    assert next_question({q: "no" for q in ORDER}, []) is None


@pytest.mark.parametrize("qid, answer, status", [
    ("clot_signs", "yes", PRESENT), ("clot_signs", "no", ABSENT),
    ("clot_signs", "unsure", UNSURE), ("willing_now", "yes", ABSENT),
    ("willing_now", "no", PRESENT), ("willing_now", "unsure", UNSURE),
    ("clot_signs", "not sure", UNSURE), ("fever_infection", "yep", PRESENT),
])
def test_findings_from_answer(qid: str, answer: str, status: str) -> None:
    spec = next(q for q in questions() if q["id"] == qid)
    fs = findings_from_answer(qid, answer)
    assert [f.condition_id for f in fs] == spec["conditions"]
    assert all(f.status == status and f.area is None for f in fs)


@pytest.mark.parametrize("qid", ORDER)
@pytest.mark.parametrize("answer", ["unsure"])
def test_not_sure_to_any_question_is_a_caution(qid: str, answer: str) -> None:
    assert screen(findings_from_answer(qid, answer)).level > Level.GENTLE_OK


def test_findings_from_answer_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        findings_from_answer("no_such_question", "yes")
    with pytest.raises(ValueError):
        findings_from_answer("clot_signs", "purple")


@pytest.mark.parametrize("text, expected", [
    ("yes", "yes"), ("Yes!", "yes"), ("yeah", "yes"), ("yep", "yes"), ("y", "yes"),
    ("YES", "yes"), ("yup", "yes"), ("yse", "yes"), ("yess", "yes"), ("sure", "yes"),
    ("yes she does", "yes"), ("she does", "yes"), ("yes, a little swelling", "unsure"),
    ("no", "no"), ("No.", "no"), ("nope", "no"), ("n", "no"), ("nah", "no"), ("noo", "no"),
    ("no she doesn't", "no"), ("she doesn't", "no"), ("he isn't", "no"), ("not really", "no"),
    ("never", "no"), ("none", "no"),
    ("not sure", "unsure"), ("Not sure.", "unsure"), ("maybe", "unsure"), ("mabye", "unsure"),
    ("i don't know", "unsure"), ("I don\u2019t know", "unsure"), ("dont know", "unsure"),
    ("idk", "unsure"), ("possibly", "unsure"), ("perhaps", "unsure"), ("unsure", "unsure"),
    ("no idea", "unsure"), ("I think so", "unsure"), ("I don't think so", "unsure"),
    ("probably", "unsure"), ("dunno", "unsure"), ("could be", "unsure"),
    ("", None), ("   ", None), ("banana", None), ("what do you mean", None), ("yes no", None),
    ("ok", None),
    # a question back is not an answer
    ("are you a bot?", None), ("is she ok", None), ("does it hurt?", None),
])
def test_normalise_answer(text: str, expected: str | None) -> None:
    assert normalise_answer(text) == expected


# --- issue 13: clinical corrections ----------------------------------------------------------
def test_a_known_clot_asks_the_nurse_first_and_rests_a_still_hand_elsewhere() -> None:
    advice = CONDS["known_clot"].advice.lower()
    assert "ask the hospice nurse before any massage" in advice
    assert "still hand" in advice and "away from it" in advice
    v = screen([F("known_clot", PRESENT, "leg", "left")])
    assert v.possible.startswith("Please ask the hospice nurse before any massage.")
    assert "still hand" in v.possible


@pytest.mark.parametrize("cid", ["low_platelets", "blood_thinners", "easy_bruising",
                                 "bleeding_tendency"])
def test_no_kneading_with_a_bleeding_risk(cid: str) -> None:
    assert "knead" in CONDS[cid].advice.lower()
    assert re.search(r"\b(no|never)\b[^.]*knead", CONDS[cid].advice.lower())


def test_bone_mets_lightest_nearby_none_over_them_calmly() -> None:
    advice = CONDS["bone_mets"].advice.lower()
    assert "lightest touch" in advice and "no touch at all over" in advice
    assert "break" not in advice and "break" not in CONDS["bone_fragility"].advice.lower()


def test_questions_explain_their_medical_words() -> None:
    texts = {q["id"]: q["text"] for q in questions()}
    assert "(lymphoedema)" in texts["fragile_body"] and "swelling" in texts["fragile_body"]
    assert "cells that help blood clot" in texts["bleeds_easily"]
    spec = next(s for s in screen_module._question_specs() if s["id"] == "fragile_body")
    assert "swelling" in spec["covers"]


# --- fresh clinical read -------------------------------------------------------------------
@pytest.mark.parametrize("cid", ["swelling", "fragile_body"])
def test_new_or_one_sided_swelling_is_not_touched_until_the_nurse_has_checked(cid: str) -> None:
    # A possible clot: the nurse checks first; the advice never says to stroke that limb.
    advice = " ".join(CONDS[cid].advice.lower().split())
    assert "if the swelling is new, or in one arm or leg only, don't touch that limb until " \
           "the nurse has checked" in advice
    assert "toward the heart" not in advice


def test_swelling_advice_puts_the_nurse_before_any_touch() -> None:
    advice = CONDS["swelling"].advice.lower()
    assert advice.index("nurse") < advice.index("touch, with no pressure")


def test_lymphoedema_advice_agrees_with_the_routine() -> None:
    """The routine strokes a swollen limb only toward the heart (issue 13); the advice says
    so, and defers to a lymphoedema therapist's own instructions."""
    advice = CONDS["lymphoedema"].advice.lower()
    assert "only toward the heart" in advice and "therapist" in advice
    assert "knead" in advice


def test_bleeding_says_whom_to_call() -> None:
    advice = CONDS["uncontrolled_bleeding"].advice.lower()
    assert "for a small bleed that is slow to settle, call the hospice nurse" in advice
    # the red flag for bleeding that won't stop gives the emergency number: the advice agrees
    assert "heavy or won't stop, call the emergency number now" in advice
    assert "bleeding that won't settle, call the hospice nurse" not in advice


def test_recent_surgery_does_not_promise_everywhere_else_is_fine() -> None:
    advice = " ".join(CONDS["recent_surgery"].advice.lower().split())
    assert "other places are fine" not in advice
    assert "gentle touch is usually fine; ask the nurse after major surgery" in advice


def test_home_oxygen_asks_the_nurse_about_lotion() -> None:
    assert "ask the nurse which lotion is safe" in CONDS["oxygen_tubing"].advice.lower()


def test_fever_or_infection_cites_the_line_that_names_infection() -> None:
    assert CONDS["fever_or_infection"].source == "oncology_guidance"


def test_fragile_body_question_asks_about_spread_to_the_bones() -> None:
    text = {q["id"]: q["text"] for q in questions()}["fragile_body"]
    assert "has cancer spread to the bones" in text and "touched by cancer" not in text


def test_the_picc_line_is_explained() -> None:
    assert "thin tube" in CONDS["picc_line"].label


@pytest.mark.parametrize("cid", ALL_IDS)
def test_a_not_sure_reason_stays_within_25_words(cid: str) -> None:
    v = screen([F(cid, UNSURE)], pronoun="they")
    for r in v.reasons:
        if r.condition_id == cid and r.text.startswith("You weren't sure"):
            first = r.text.split(" so to be safe I count it.")[0] + " so to be safe I count it."
            assert len(first.split()) <= 25, first
