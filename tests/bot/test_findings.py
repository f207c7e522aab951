"""Free-text descriptions -> findings -> verdict, through the project's spaCy pipeline."""

from __future__ import annotations

import pytest

from bot.findings import areas_in, correct_word, extract_findings
from bot.screen import screen
from bot.verdict import Level

DNM = Level.DO_NOT_MASSAGE
AVOID = Level.AVOID_AREA
LIGHT = Level.LIGHTEST_TOUCH
OK = Level.GENTLE_OK

# (text, expected findings as (condition, status, area, side), expected verdict level)
CASES = [
    # the brief's example: a line in one arm (avoid) + easy bruising (lightest)
    ("she has a PICC line in her left arm and bruises easily",
     {("picc_line", "present", "arm", "left"), ("easy_bruising", "present", None, None)}, LIGHT),
    # a question about massage does not make the facts before it doubtful
    ("my mum has a picc line in her left arm and bruises easily, can I massage her?",
     {("picc_line", "present", "arm", "left"), ("easy_bruising", "present", None, None)}, LIGHT),
    # ... while a question about the finding itself does
    ("does she have a clot?", {("suspected_clot", "unsure", None, None)}, DNM),
    # negations
    ("No fever, no clots, she's just tired.",
     {("fever_or_infection", "absent", None, None), ("suspected_clot", "absent", None, None)}, OK),
    ("He hasn't had surgery and isn't on blood thinners.",
     {("recent_surgery", "absent", None, None), ("blood_thinners", "absent", None, None)}, OK),
    ("She denies any clots or bleeding.",
     {("suspected_clot", "absent", None, None),
      ("uncontrolled_bleeding", "absent", None, None)}, OK),
    ("never had a clot", {("suspected_clot", "absent", None, None)}, OK),
    ("without bleeding", {("uncontrolled_bleeding", "absent", None, None)}, OK),
    ("She's no longer on oxygen.", {("oxygen_tubing", "absent", None, None)}, OK),
    ("fever: no", {("fever_or_infection", "absent", None, None)}, OK),
    ("A clot was ruled out by the scan.", {("suspected_clot", "absent", None, None)}, OK),
    ("She doesn't seem distressed", {("refuses_or_distressed", "absent", None, None)}, OK),
    ("The drain was taken out yesterday.", {("drain", "absent", None, None)}, OK),
    ("She was on heparin but she isn't any more.",
     {("blood_thinners", "absent", None, None)}, OK),
    ("no fever and a swollen left leg",
     {("fever_or_infection", "absent", None, None), ("swelling", "present", "leg", "left")},
     LIGHT),
    ("he has no wounds except a bed sore on his heel",
     {("open_wound", "absent", None, None), ("pressure_sore", "present", "foot", None)}, AVOID),
    ("she can't stop the bleeding", {("uncontrolled_bleeding", "present", None, None)}, DNM),
    # history vs now
    ("the clot was years ago and treated", {("suspected_clot", "history", None, None)}, LIGHT),
    ("she had a clot in her left leg in 2019",
     {("suspected_clot", "history", "leg", "left")}, LIGHT),
    ("She had a clot but it's gone now", {("suspected_clot", "history", None, None)}, LIGHT),
    ("he had a dvt in his right leg and it's been treated",
     {("suspected_clot", "history", "leg", "right")}, LIGHT),
    ("The clot was years ago and treated, but her right calf is now swollen and warm.",
     {("suspected_clot", "history", None, None), ("swelling", "present", "leg", "right"),
      ("suspected_clot", "present", "leg", "right")}, DNM),
    ("She used to be on warfarin.", {("blood_thinners", "history", None, None)}, OK),
    ("He had an operation on his hip two years ago.",
     {("recent_surgery", "history", "hip", None)}, OK),
    ("She had surgery on her belly three weeks ago.",
     {("recent_surgery", "present", "belly", None)}, AVOID),
    ("She broke her wrist last month.", {("recent_fracture", "present", "hand", None)}, AVOID),
    ("He broke his hip 10 years ago.", {("recent_fracture", "history", "hip", None)}, OK),
    ("She had radiotherapy to her chest last year.",
     {("radiated_skin", "history", "chest", None)}, AVOID),
    ("She had a fever last night", {("fever_or_infection", "present", None, None)}, DNM),
    # a known, treated clot is not a suspected one
    ("she's on warfarin for a clot in her right leg",
     {("blood_thinners", "present", None, None), ("known_clot", "present", "leg", "right")},
     LIGHT),
    ("She had a DVT six weeks ago and is on injections.",
     {("known_clot", "present", None, None)}, LIGHT),
    ("her clot hasn't been treated yet", {("suspected_clot", "present", None, None)}, DNM),
    ("She has a clot, she's not on blood thinners",
     {("suspected_clot", "present", None, None), ("blood_thinners", "absent", None, None)}, DNM),
    ("she had a fever yesterday but it's gone now",
     {("fever_or_infection", "history", None, None)}, OK),
    ("he doesn't have covid anymore", {("contagious_illness", "absent", None, None)}, OK),
    # negation does not leak across "but" / "and she"
    ("She has no appetite but she has a fever.",
     {("fever_or_infection", "present", None, None)}, DNM),
    ("She has had no surgery but she does have a clot.",
     {("recent_surgery", "absent", None, None), ("suspected_clot", "present", None, None)}, DNM),
    ("No, she has a clot in her leg.", {("suspected_clot", "present", "leg", None)}, DNM),
    ("she isn't on blood thinners, but her platelets are low",
     {("blood_thinners", "absent", None, None), ("low_platelets", "present", None, None)},
     LIGHT),
    ("Her catheter was removed and she has a new bed sore on her sacrum.",
     {("catheter", "absent", None, None), ("pressure_sore", "present", "hip", None)}, AVOID),
    # hedges
    ("she might have a blood clot", {("suspected_clot", "unsure", None, None)}, DNM),
    ("I'm not sure if she has a fever.", {("fever_or_infection", "unsure", None, None)}, DNM),
    ("I think she might have an infection.",
     {("fever_or_infection", "unsure", None, None)}, DNM),
    ("Possibly a clot in his left leg, the nurse is coming.",
     {("suspected_clot", "unsure", "leg", "left")}, DNM),
    ("i dont think she has a fever", {("fever_or_infection", "unsure", None, None)}, DNM),
    ("maybe a bed sore? not sure where", {("pressure_sore", "unsure", None, None)}, LIGHT),
    # clot signs without the word "clot"
    ("her left calf is swollen, red and warm",
     {("swelling", "present", "leg", "left"), ("suspected_clot", "present", "leg", "left")},
     DNM),
    ("Her left leg is swollen and painful.",
     {("swelling", "present", "leg", "left"), ("suspected_clot", "present", "leg", "left")},
     DNM),
    ("Both her legs are swollen.", {("swelling", "present", "leg", None)}, LIGHT),
    ("her legs are swollen but not red or warm", {("swelling", "present", "leg", None)}, LIGHT),
    ("There's swelling in her right arm and it's hot to touch.",
     {("swelling", "present", "arm", "right"), ("suspected_clot", "present", "arm", "right")},
     DNM),
    # do not massage
    ("She has covid.", {("contagious_illness", "present", None, None)}, DNM),
    ("He's got the flu.", {("contagious_illness", "present", None, None)}, DNM),
    ("She's bleeding from her nose and it won't stop.",
     {("uncontrolled_bleeding", "present", None, None)}, DNM),
    ("He pushed my hand away and seemed upset.",
     {("refuses_or_distressed", "present", None, None)}, DNM),
    ("she doesn't want to be touched", {("refuses_or_distressed", "present", None, None)}, DNM),
    # sides and areas
    ("Mum has a bed-sore on her left heel.", {("pressure_sore", "present", "foot", "left")},
     AVOID),
    ("bed sores on her heels and tailbone",
     {("pressure_sore", "present", "foot", None), ("pressure_sore", "present", "hip", None)},
     AVOID),
    ("He has a PICC line in his right arm and an IV in his left hand.",
     {("picc_line", "present", "arm", "right"), ("iv_site", "present", "hand", "left")}, AVOID),
    ("She has an IV in her right hand.", {("iv_site", "present", "hand", "right")}, AVOID),
    ("There's a tumour on her neck.", {("tumour_site", "present", "neck", None)}, AVOID),
    ("He has a port in his chest and a catheter.",
     {("port", "present", "chest", None), ("catheter", "present", None, None)}, LIGHT),
    ("She's on oxygen through a nasal cannula.", {("oxygen_tubing", "present", None, None)},
     AVOID),
    ("There's a feeding tube (PEG) in his tummy.",
     {("feeding_tube", "present", "belly", None)}, AVOID),
    ("she's had a mastectomy on the left", {("recent_surgery", "present", "chest", "left")},
     AVOID),
    # lightest touch
    ("She has osteoporosis, the bones are brittle.",
     {("bone_fragility", "present", None, None)}, LIGHT),
    ("He has bone mets in his spine.", {("bone_mets", "present", "back", None)}, LIGHT),
    ("She has lymphedema in her right arm.", {("lymphoedema", "present", "arm", "right")},
     LIGHT),
    ("His feet are numb from neuropathy.", {("neuropathy", "present", "foot", None)}, LIGHT),
    ("Her ankles are a bit swollen.", {("swelling", "present", "foot", None)}, LIGHT),
    ("He has thrombocytopenia.", {("low_platelets", "present", None, None)}, LIGHT),
    ("her skin tears easily", {("fragile_skin", "present", None, None)}, LIGHT),
    # several at once
    ("Mum has lung cancer. It has spread to her bones. She's on oxygen and bruises easily.",
     {("tumour_site", "present", "chest", None), ("bone_mets", "present", None, None),
      ("oxygen_tubing", "present", None, None), ("easy_bruising", "present", None, None)},
     LIGHT),
    ("He's got a PICC in his left arm, a port in his chest, and his legs are swollen.",
     {("picc_line", "present", "arm", "left"), ("port", "present", "chest", None),
      ("swelling", "present", "leg", None)}, LIGHT),
    ("She has fragile skin and low platelets and a PICC in her left arm.",
     {("fragile_skin", "present", None, None), ("low_platelets", "present", None, None),
      ("picc_line", "present", "arm", "left")}, LIGHT),
    ("She has a wound on her left foot but no fever.",
     {("open_wound", "present", "foot", "left"), ("fever_or_infection", "absent", None, None)},
     AVOID),
    ("She has a rash on her back and a cold sore.",
     {("open_wound", "present", "back", None), ("contagious_illness", "present", None, None)},
     DNM),
    # typos and lay words
    ("she has a feever and brusies on her arms",
     {("fever_or_infection", "present", None, None), ("easy_bruising", "present", "arm", None)},
     DNM),
    ("her plateletts are low", {("low_platelets", "present", None, None)}, LIGHT),
    ("he had thrombossis in his left leg last week",
     {("suspected_clot", "present", "leg", "left")}, DNM),
    ("sweeling in his left arm", {("swelling", "present", "arm", "left")}, LIGHT),
    ("He has rivaroxaban and lymphodema in his left leg.",
     {("blood_thinners", "present", None, None), ("lymphoedema", "present", "leg", "left")},
     LIGHT),
    ("her bones are very brittle", {("bone_fragility", "present", None, None)}, LIGHT),
    ("dad has a bedsore", {("pressure_sore", "present", None, None)}, LIGHT),
    ("She has a sore on her bottom.", {("open_wound", "present", "hip", None)}, AVOID),
    # nothing to report
    ("She seems settled and happy today.", set(), OK),
    ("Dad loves having his feet rubbed", set(), OK),
]


@pytest.mark.parametrize("text, expected, level", CASES, ids=[c[0][:48] for c in CASES])
def test_description_to_findings_and_verdict(text: str, expected: set[tuple], level: Level
                                            ) -> None:
    found = extract_findings(text)
    assert {(f.condition_id, f.status, f.area, f.side) for f in found} == expected
    assert screen(found).level == level


def test_at_least_forty_descriptions() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("text", [
    "how do I avoid bruising?",
    "what are the signs of a clot?",
    "She likes lavender lotion and soft music",
    "He gets cold easily and sleeps most of the day",
    "Can you show me a hand massage?",
    "",
    "   ",
])
def test_no_findings(text: str) -> None:
    assert extract_findings(text) == []


@pytest.mark.parametrize("typo, word", [
    ("feever", "fever"), ("brusies", "bruises"), ("plateletts", "platelets"),
    ("thrombossis", "thrombosis"), ("sweling", "swelling"), ("lymphodema", "lymphodema"),
    ("warfrin", "warfarin"), ("catheder", "catheter"),
])
def test_typos_are_corrected(typo: str, word: str) -> None:
    assert correct_word(typo) == word


@pytest.mark.parametrize("word", ["Brian", "never", "tired", "lotion", "music", "happy",
                                  "sleeps", "brain", "drink"])
def test_ordinary_words_and_names_are_left_alone(word: str) -> None:
    assert correct_word(word) == word


def test_a_name_is_not_a_drain() -> None:
    assert [f.condition_id for f in extract_findings("Brian has a fever")] == [
        "fever_or_infection"]


def test_suspected_clot_leads_to_still_hand_and_the_limb_avoided() -> None:
    v = screen(extract_findings("I think there's a clot in her left calf"))
    assert v.level == DNM and v.still_hand_only and v.avoids("leg", "left")


def test_a_question_that_names_a_device_still_counts_as_caution() -> None:
    found = extract_findings("can I massage her if she has a port?")
    assert [(f.condition_id, f.status) for f in found] == [("port", "unsure")]


@pytest.mark.parametrize("text, expected", [
    ("her left heel", [("foot", "left")]),
    ("on his right upper arm", [("arm", "right")]),
    ("the lower back and both hips", [("back", None), ("hip", None)]),
    ("she came back yesterday", []),
    ("leg on the right", [("leg", "right")]),
])
def test_areas_in(text: str, expected: list) -> None:
    assert areas_in(text) == expected
