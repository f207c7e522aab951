"""The words caregivers use for each condition (issue #15), and how their history is read.

Examples written for these tests from conditions.yml and its sources; none comes from the
held-out sets in tests/data/.
"""

from __future__ import annotations

import pytest

from bot.findings import _clean, extract_findings
from bot.nlp import CONDITION, get_nlp
from bot.screen import load_conditions, screen
from bot.verdict import Level

# (text, a finding it must hold: (condition, status, area))
LAY = [
    # suspected / known clot
    ("she had a PE in the spring", ("suspected_clot", "present", None)),
    ("there's phlebitis where the drip was", ("suspected_clot", "present", None)),
    ("she had a clot before", ("known_clot", "present", None)),
    ("he has a history of PE", ("known_clot", "present", None)),
    # fever, contagious illness, bleeding
    ("he's burning up", ("fever_or_infection", "present", None)),
    ("mum has a water infection", ("fever_or_infection", "present", None)),
    ("she's got a high temp tonight", ("fever_or_infection", "present", None)),
    ("he has the flu", ("contagious_illness", "present", None)),
    ("he's got the flue", ("contagious_illness", "present", None)),
    ("she caught a cold off the grandkids", ("contagious_illness", "present", None)),
    ("he tested positive for covid-19", ("contagious_illness", "present", None)),
    ("the ward said c. diff", ("contagious_illness", "present", None)),
    ("she has a stomach flu", ("contagious_illness", "present", None)),
    ("there's a lot of blood from his nose", ("uncontrolled_bleeding", "present", None)),
    ("she bled through the dressing", ("uncontrolled_bleeding", "present", None)),
    # refusal
    ("she hates being touched these days", ("refuses_or_distressed", "present", None)),
    ("he pulls his hand away every time", ("refuses_or_distressed", "present", None)),
    ("mum doesn't want to be massaged", ("refuses_or_distressed", "present", None)),
    ("dad lashes out when I come near", ("refuses_or_distressed", "present", None)),
    # wounds and sores
    ("there's a nasty gash on his shin", ("open_wound", "present", "leg")),
    ("she has a plaster on her elbow", ("open_wound", "present", "arm")),
    ("his skin has split on his heel", ("open_wound", "present", "foot")),
    ("her pressure areas on her bottom are red", ("pressure_sore", "present", "hip")),
    ("he has a bed soar", ("pressure_sore", "present", None)),
    # surgery
    ("she had her gallbladder out 10 days ago", ("recent_surgery", "present", "belly")),
    ("gallbladder removed last week", ("recent_surgery", "present", "belly")),
    ("he had a hysterectomy a fortnight ago", ("recent_surgery", "present", "belly")),
    ("she had a lump removed on monday", ("recent_surgery", "present", None)),
    ("her stitches came out yesterday", ("recent_surgery", "present", None)),
    ("dad's just had his new hip", ("recent_surgery", "present", "hip")),
    # tumours and bones
    ("she has spots on her liver", ("tumour_site", "present", "belly")),
    ("he has throat cancer", ("tumour_site", "present", "neck")),
    ("there's a growth on his back", ("tumour_site", "present", "back")),
    ("she has secondaries in her bones", ("bone_mets", "present", None)),
    ("dad has cancer in his ribs", ("bone_mets", "present", "chest")),
    ("the cancer's in her bones now", ("bone_mets", "present", None)),
    ("it has spread to his pelvis", ("bone_mets", "present", None)),
    ("myeloma has left holes in her bones", ("bone_mets", "present", None)),
    ("she has thin bones", ("bone_fragility", "present", None)),
    ("her bones are like glass", ("bone_fragility", "present", None)),
    ("low bone density, the doctor said", ("bone_fragility", "present", None)),
    ("he broke his wrist last week", ("recent_fracture", "present", "hand")),
    ("her arm is in plaster", ("recent_fracture", "present", "arm")),
    ("he cracked his hip", ("recent_fracture", "present", "hip")),
    # radiation
    ("she's having radio on her chest", ("radiated_skin", "present", "chest")),
    # lines, tubes and devices
    ("she has a needle in her hand for fluids", ("iv_site", "present", "hand")),
    ("he has a portacath", ("port", "present", None)),
    ("she has a pick line in her right arm", ("picc_line", "present", "arm")),
    ("she has a porta-cath in her chest", ("port", "present", "chest")),
    ("he has a hickman's line", ("central_line", "present", None)),
    ("she's got a line in her neck", ("central_line", "present", "neck")),
    ("he has a kidney tube", ("drain", "present", "back")),
    ("she has a chest tube", ("drain", "present", "chest")),
    ("dad has a bag for his wee", ("catheter", "present", None)),
    ("mum's got a pee bag on her leg", ("catheter", "present", "leg")),
    ("he's got a tube in his bladder", ("catheter", "present", None)),
    ("he is fed through a tube", ("feeding_tube", "present", None)),
    ("she's tube fed now", ("feeding_tube", "present", None)),
    ("he has a tube in his tummy for feeding", ("feeding_tube", "present", "belly")),
    ("she has a bag on her tummy", ("stoma", "present", "belly")),
    ("he has tubes up his nose", ("oxygen_tubing", "present", None)),
    ("she's on a ventilator at night", ("oxygen_tubing", "present", None)),
    ("he's got a syringe pump", ("other_device", "present", None)),
    ("she has a trachy", ("other_device", "present", "neck")),
    ("he has a glucose sensor on his arm", ("other_device", "present", "arm")),
    # bleeding tendency, skin
    ("his blood counts are low", ("low_platelets", "present", None)),
    ("her counts are down this week", ("low_platelets", "present", None)),
    ("her platelets are dangerously low", ("low_platelets", "present", None)),
    ("he's having platelet transfusions", ("low_platelets", "present", None)),
    ("the nurse said thrombocytopaenia", ("low_platelets", "present", None)),
    ("she takes tablets to thin her blood", ("blood_thinners", "present", None)),
    ("he's anticoagulated", ("blood_thinners", "present", None)),
    ("he's on a doac", ("blood_thinners", "present", None)),
    ("he goes black and blue if you touch him", ("easy_bruising", "unsure", None)),
    ("she bleeds at the slightest knock", ("easy_bruising", "present", None)),
    ("her skin is paper thin", ("fragile_skin", "present", None)),
    ("her skin is like tissue paper", ("fragile_skin", "present", None)),
    ("his skin tears easily", ("fragile_skin", "present", None)),
    ("she has thinning skin from the steroids", ("fragile_skin", "present", None)),
    # swelling, lymphoedema, nerves
    ("her legs are full of fluid", ("swelling", "present", "leg")),
    ("his tummy is bloated", ("swelling", "present", "belly")),
    ("she had her lymph glands removed", ("lymphoedema", "present", None)),
    ("he wears a compression sleeve on his left arm", ("lymphoedema", "present", "arm")),
    ("she has nerve pain in her hands", ("neuropathy", "present", "hand")),
    ("he has burning feet", ("neuropathy", "present", "foot")),
    ("she can't feel her feet", ("neuropathy", "present", "foot")),
    ("he cant feel his hands", ("neuropathy", "present", "hand")),
    ("she cannot feel her feet", ("neuropathy", "present", "foot")),
    ("there's no feeling in his feet", ("neuropathy", "present", "foot")),
    ("chemo feet, the nurse called it", ("neuropathy", "present", "foot")),
]


@pytest.mark.parametrize("text, want", LAY, ids=[t for t, _ in LAY])
def test_lay_words(text: str, want: tuple) -> None:
    got = {(f.condition_id, f.status, f.area) for f in extract_findings(text)}
    assert want in got, got


def test_every_condition_with_terms_has_a_lay_example() -> None:
    covered = {w[0] for _, w in LAY}
    with_terms = {cid for cid, c in load_conditions().items() if c.terms}
    assert with_terms - covered == set()


# --- history: what "on_history" sees --------------------------------------------------------
@pytest.mark.parametrize("text, want, level", [
    # a clot some months back is an earlier (known) clot, not a possible new one
    ("he had a DVT a few months back", ("suspected_clot", "history", None), Level.LIGHTEST_TOUCH),
    ("she had a clot a couple of months ago", ("suspected_clot", "history", None),
     Level.LIGHTEST_TOUCH),
    ("she had a PE last year", ("suspected_clot", "history", None), Level.LIGHTEST_TOUCH),
    # a fracture last week is recent
    ("she broke her wrist last week", ("recent_fracture", "present", "hand"), Level.AVOID_AREA),
    ("he broke a bone in his foot a few weeks back", ("recent_fracture", "present", "foot"),
     Level.AVOID_AREA),
    # ... years ago it has healed
    ("he had his appendix out two years ago", ("recent_surgery", "history", "belly"),
     Level.GENTLE_OK),
    ("she broke her hip a couple of years ago", ("recent_fracture", "history", "hip"),
     Level.GENTLE_OK),
    # lasting conditions stay, whenever they began
    ("she had bone mets treated two years ago", ("bone_mets", "history", None),
     Level.LIGHTEST_TOUCH),
])
def test_history(text: str, want: tuple, level: Level) -> None:
    found = extract_findings(text)
    assert want in {(f.condition_id, f.status, f.area) for f in found}
    verdict = screen(found)
    assert verdict.level == level
    if want[0] == "suspected_clot":
        assert verdict.still_hand_only
        assert [r.condition_id for r in verdict.reasons] == ["known_clot"]


# --- an organ removed is an operation; a device removed is gone -----------------------------
@pytest.mark.parametrize("text, want", [
    ("she had her gallbladder removed 10 days ago", ("recent_surgery", "present", "belly")),
    ("they removed her stitches on friday", ("recent_surgery", "present", None)),
    ("the drain was removed yesterday", ("drain", "absent", None)),
    ("her picc line was taken out", ("picc_line", "absent", None)),
    ("she had a catheter but it's been taken out", ("catheter", "absent", None)),
])
def test_removed(text: str, want: tuple) -> None:
    assert want in {(f.condition_id, f.status, f.area) for f in extract_findings(text)}


# --- words in another sense are not findings ------------------------------------------------
@pytest.mark.parametrize("text, not_this", [
    ("she broke down in tears", "recent_fracture"),
    ("a rash broke out on her arm and it's itchy", "recent_fracture"),
    ("he broke the news to his sister", "recent_fracture"),
    ("she had her flu jab yesterday", "contagious_illness"),
    ("his covid booster is next week", "contagious_illness"),
    ("can I bring her a cold drink", "contagious_illness"),
    ("she loves scones with clotted cream", "suspected_clot"),
    ("she keeps weeping", "open_wound"),
    ("we have a temp carer today", "fever_or_infection"),
    ("he's on fluids only now", "iv_site"),
    ("I feel drained", "drain"),
    ("can I do lymphatic drainage on her legs", "drain"),
    ("I'll start from scratch", "open_wound"),
    ("he feels cut off from everyone", "open_wound"),
    ("she's really cut up about it", "open_wound"),
    ("she has a stitch in her side from laughing", "recent_surgery"),
    ("the carers convene on monday", "catheter"),
    ("his white count is low", "low_platelets"),
    ("can I put a pain patch on him", "other_device"),
])
def test_other_senses(text: str, not_this: str) -> None:
    assert not_this not in {f.condition_id for f in extract_findings(text)}


# --- the file's conventions -----------------------------------------------------------------
def test_every_term_is_written_as_spacy_splits_it_and_matches_itself() -> None:
    nlp = get_nlp()
    wrong = []
    for cid, cond in load_conditions().items():
        for term in cond.terms:
            text = _clean(term)
            tokens = [t.text for t in nlp.make_doc(text)]
            ents = [(e.ent_id_, e.text) for e in nlp(text).ents if e.label_ == CONDITION]
            if tokens != term.split() or ents != [(cid, text)]:
                wrong.append((cid, term, tokens, ents))
    assert not wrong, wrong


def test_no_term_belongs_to_two_conditions() -> None:
    seen: dict[str, str] = {}
    clash = []
    for cid, cond in load_conditions().items():
        for term in cond.terms:
            if seen.setdefault(term, cid) != cid:
                clash.append((term, seen[term], cid))
    assert not clash, clash
