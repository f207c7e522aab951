"""The cue words of the red-flag context rules: the word lists and patterns that set a
lexicon match aside (negated, history, prevention, someone else, a mention, a what-if for later,
another sense of the words, a general question) or keep it (the present, "now"), and where a
message splits into clauses. Read by bot/redflag_context.py; re-exported by bot/redflags.py.
"""

from __future__ import annotations

import re

NEGATION_CUES = {"no", "not", "n't", "nt", "never", "without", "denies", "deny", "denied", "nor",
                 "none", "free", "neither", "nothing"}
NEGATION_WINDOW = 5
HISTORY_CUES = re.compile(
    r"\b(years?|months?|decades?)\s+(ago|back)\b|\bin the past\b|\bused to\b|\bhistory of\b|"
    r"\blast (year|month)\b|\bwas treated\b|\bgot treated\b|\bbeen treated\b|\bresolved\b|"
    r"\b(weeks?|fortnight|fortnite|winters?|summers?|springs?|autumns?) (ago|back)\b|"
    r"\bback in (the )?('?\d0s|spring|summer|autumn|winter|january|february|march|april|may|"
    r"june|july|august|september|october|november|december)\b|\bcleared up\b|"
    r"\b(none|nothing|never) since\b|\bsince then\b|"
    r"\bhealed\b|\blong ago\b|\bback in (19|20)\d\d\b|\bin (19|20)\d\d\b|\bno longer\b|"
    # a long-known, stable state: "COPD for over ten years", "nothing new", "normal for him"
    r"\bfor (over |about |nearly |almost |at least |the (last|past) )?(\d+|a few|two|three|four|"
    r"five|six|ten|many|several|some) (years|yrs|months)\b|\bfor years\b|\bnothing new\b|"
    r"\b(normal|usual|standard) for (him|her|them|mum|mom|dad)\s*([.,!;]|$)|"
    r"\ball (his|her|their) life\b|"
    r"\bsince (he|she) was (a )?(young|little|small|child|kid|boy|girl)\b|"
    r"\bfor as long as (i|we) (can|could) remember\b|\bfor (decades|ages)\b|"
    r"\blast (spring|summer|autumn|fall|winter|christmas|easter|week)\b"
)
# The matter is over: said anywhere in the clause, it sets the clause's mentions aside.
RESOLVED_CUES = re.compile(
    r"\bhealed\b|\bcleared up\b|\bresolved\b|\b(was|got|been|were) treated\b|\bno longer\b|"
    r"\b(none|nothing|never) since\b|\bsince then\b|\b(fine|better|ok|okay|alright) now\b|"
    r"\ball better\b|\brecovered\b|\bgot over it\b"
)
# The present in the words of a sub-clause: a history cue elsewhere in the clause does not set
# aside "his face is swelling" in "he has an epipen from years ago, his face is swelling".
PRESENT_CUES = re.compile(
    r"\b(now|right now|just now|at the moment|currently|tonight|today|this (morning|afternoon|"
    r"evening)|happening|again)\b|\b(is|are|'s|keeps?|kept|started|starting) \w+ing\b|"
    r"\bhas (just|gone|started|suddenly)\b"
)
PREVENTION_CUES = re.compile(
    r"\b(avoid|avoiding|prevent|preventing|prevention|risk|risks|cause|causes|causing)\b|"
    r"\bwhat are the (signs|symptoms)\b|\bhow (do|can|would) (i|we|you) (tell|know|spot)\b|"
    r"\bsigns to (look|watch)\b|\bstop (him|her|them) from\b|\bkeep (him|her|them) from\b|"
    r"\bstops? (him|her|them|mum|mom|dad)\b|\bso (that )?(he|she|they|it|we|i) (does ?n'?t|doesnt|"
    r"do ?n'?t|dont|wo ?n'?t|wont|never|ca ?n'?t|cant) (get|slip|fall|choke|tear)\b|"
    r"\bmake sure (that )?(it |this |that )?(never|does ?n'?t|doesnt|wo ?n'?t|wont) "
    r"(happens?|again)\b|"
    r"\btips? (for|on|to) (keep|keeping|stop|stopping|avoid|avoiding|help|helping)\b|"
    r"\bwhat'?s the (trick|secret)\b"
)
# Someone who is not the person cared for ("my neighbour's husband had a seizure once"),
# or the word only mentioned ("I only mentioned fever because the leaflet says to check").
OTHER_PERSON_CUES = re.compile(
    r"\b(my|a|her|his|our|their|the) (friend|friends|neighbou?r|neighbou?rs|sister|brother|"
    r"cousin|aunt|auntie|uncle|colleague|workmate|boss|pal|mate)('s|s'|s)? (husband|wife|dad|"
    r"father|mother|mum|mom|son|daughter|partner|father in law|mother in law|gran|nan|grandad|"
    r"grandma|grandpa|uncle|aunt|brother|sister|friend)\b|"
    r"\b(a|my|one) (friend|neighbou?r|colleague|lady|man|woman) (told|said|says|tells|mentioned)\b|"
    r"\b(someone|somebody|a man|a woman|a lady) (on (the )?(tv|telly|news|radio|facebook|forum)|"
    r"at (church|work|the group|the support group))\b|\basking for (a friend|her|him|them)\b|"
    r"\b(could|will|would|might) (that|this|it) happen (to|with)\b"
)
META_CUES = re.compile(
    r"\bonly (mentioned|said|asked about|brought up)\b|\b(the (nurse|doctor|gp|hospice)|they) "
    r"called it\b"
)
# A what-if for later, kept even when the message also says "now" ("asking for later on, I'm
# alright right now").
LATER_CUES = re.compile(
    r"\basking for (later|the future|future)\b|\bfor (later on|the future)\b|"
    r"\b(write|written|stick|stuck|put|pin|keep) (it|them|the numbers?|a list)( up)? "
    r"on the fridge\b|"
    r"\bfor the fridge\b|\bin the future\b|\b(say|suppose|supposing|imagine) (i'?m|i am|"
    r"he|she|they|mum|mom|dad|nan|gran)\b"
)
# Another sense of the words, a what-if or a general question: "that bill nearly gave me a
# heart attack", "my back is killing me", "what if he chokes", "how high does a temperature
# have to be before I worry?". A clause that also says now (NOW_CUES) is never set aside.
OTHER_SENSE_CUES = re.compile(
    r"\b(nearly|almost|near|practically) (gave|give|had|have|having) (me |him |her |us )?a heart "
    r"attack\b|\bgave me a heart attack\b|\b(dying|dyin) (for|to)\b|\b(is|was|are) killing me\b|"
    r"\bsick (of|and tired)\b|\bbleeding (money|us dry|me dry)\b|"
    r"\b(kettle|machine|car|phone|computer|telly|tv|printer|boiler|laptop|hoover|battery|"
    r"engine|dishwasher|fridge|washing machine)\b.{0,30}\b(choked|collapsed|died|dead|dying|"
    r"fainted|sick)\b|\b(nearly|almost) (had a stroke|fainted|died|choked) (when|at|laughing|"
    r"on my)\b|\b(threw|throw|throws|throwing|thew) a fit\b|\bdrowning in\b|\bsick to death\b|"
    r"\b(laughing|laughed) (so|till|until)\b|\bkilling us\b|\bblack and blue\b"
)
HYPOTHETICAL_CUES = re.compile(
    r"\bwhat if\b|\bwhat (should|would|do|can) (i|we) do if\b|\bif (he|she|they|mum|mom|dad|"
    r"nan|gran) (ever|were|was|gets?|got|starts?|started|had|has)\b|\bin case (he|she|they)\b|"
    r"\bhow (high|low|long|bad|much|many|hot)\b.{0,60}\b(before|should|worry|call|ring)\b|"
    r"\bwhat (does|do|would|will) .{0,40}\blook like\b|"
    r"\bwhen (should|do|would|must) (i|we|you) (call|ring|phone|worry|ask)\b|"
    r"\bhow (would|do|can|will|could) (i|we|you) (know|tell|spot|recognise|recognize)\b|"
    r"\bwhat are the (signs|symptoms|warning signs)\b|\b(in general|generally|generally "
    r"speaking|for future reference|for future refrence|for later|just in case)\b|"
    r"\bwhat(?:'s| is) the (difference|diffrence|right|best)\b|\bwhat counts as\b|"
    r"\bwhat (is|does) [\w' ]{1,30} mean\b|\bif i ever\b|\bwhat should you do if\b|"
    r"\bis [\w ]{1,20} always\b|\bif (he|she|they|mum|mom|dad|nan|gran|grandad) (fell|fainted|"
    r"collapsed|choked|stopped|took|went)\b|\bhow long (does|do|will|would|can|should) "
    r"(a |an |the )?[\w-]+( [\w-]+)? (last|take|go on)\b|"
    r"\bhow (is|are) (it|they|that|this|those) (different|"
    r"diffrent|differ)\b|\bdifferen(t|ce|ces) (from|between)\b|\bwhat (is|are) (a |an )?[\w-]+ "
    r"and\b"
)
NOW_CUES = re.compile(r"\b(right now|now|just now|at the moment|currently|tonight|today|this "
                      r"(morning|afternoon|evening)|happening)\b")

# Where a message splits into clauses: sentence ends and contrast words.
CLAUSE_SPLIT = re.compile(r"[.!?;\n]+|,\s*but\b|\bbut\b|\bhowever\b|\balthough\b")
