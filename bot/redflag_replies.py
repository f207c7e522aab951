"""The replies to a red flag: a kind's tier, label and order of the calls, and the escalation
text of redflags.yml `messages` with the calls in the right order. Re-exported by
bot/redflags.py.
"""

from __future__ import annotations

from bot.redflag_lexicon import EMERGENCY, NURSE, TIER_ORDER, lexicon

# What an unknown kind is called (it errs on the safe side: an emergency).
UNKNOWN_LABEL = "a warning sign"
# The order of the calls when a kind's entry names none (bot/triage.py explains them).
DEFAULT_ORDER = {EMERGENCY: "hospice_first", NURSE: "nurse"}


def describe_kind(kind: str) -> tuple[str, str, str]:
    """(tier, label, order) of a kind; an unknown kind errs on the safe side (emergency)."""
    spec = lexicon()["kinds"].get(kind)
    if not spec:
        return EMERGENCY, UNKNOWN_LABEL, DEFAULT_ORDER[EMERGENCY]
    tier = str(spec["tier"])
    return tier, str(spec["label"]), str(spec.get("order") or DEFAULT_ORDER[tier])


def describe(kind: str) -> tuple[str, str]:
    """(tier, label) of a red-flag kind; unknown kinds are treated as emergencies."""
    tier, label, _ = describe_kind(kind)
    return tier, label


ORDERS = ("immediate", "hospice_first", "expected", "nurse")
# ESCALATION_ORDER values: "hospice_first" (the default: a configured hospice line is named
# first for the emergencies that are not immediate danger) or "emergency_first" (deployments
# outside hospice care: emergency services first for every emergency).
ESCALATION_ORDERS = ("hospice_first", "emergency_first")


def reply_order(kind: str, tier: str | None, hospice_configured: bool = True,
                escalation_order: str = "hospice_first") -> str:
    """Which reply a red flag gets: one of ORDERS, or the kind itself for crisis/overwhelmed."""
    if kind in ("crisis", "overwhelmed"):
        return kind
    default_tier, _, order = describe_kind(kind)
    tier = tier if tier in TIER_ORDER else default_tier
    if tier != default_tier:  # a tier from elsewhere (an entity) wins over the kind's
        order = DEFAULT_ORDER[tier]
    if order == "hospice_first" and (not hospice_configured
                                     or escalation_order == "emergency_first"):
        order = "immediate"
    return order


def red_flag_message(tier: str, kind: str, label: str, hospice: str, emergency: str,
                     hospice_configured: bool = True,
                     escalation_order: str = "hospice_first") -> str:
    """The escalation text for a red flag (redflags.yml `messages`), calls in the right order."""
    order = reply_order(kind, tier, hospice_configured, escalation_order)
    template = " ".join(str(lexicon()["messages"][order]).split())
    return template.format(label=label, Label=label[:1].upper() + label[1:], hospice=hospice,
                           emergency=emergency)


def red_flag_reply(kind: str | None, tier: str | None, hospice: str, emergency: str,
                   hospice_configured: bool = True,
                   escalation_order: str = "hospice_first") -> str:
    """The reply to a red flag of `kind` (the SafetyNet's entities); an unknown kind errs on the
    safe side (emergency). Used by action_red_flag, and by the Rasa server itself when the
    action server cannot be reached (components/server_patches.py)."""
    kind = kind or ""
    default_tier, label = describe(kind)
    return red_flag_message(tier or default_tier, kind, label, hospice, emergency,
                            hospice_configured, escalation_order)
