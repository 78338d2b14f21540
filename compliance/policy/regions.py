"""ISO 3166-1 alpha-2 country codes and the regions (EU, EEA) that territory clauses name.

The organisation's domicile is one of these codes; the regions it belongs to are derived here,
so a licence clause that excludes "EU" covers an organisation domiciled in DE without anyone
having to say so. Membership as of 2026 (EU-27; EEA = EU + IS, LI, NO).
"""

from __future__ import annotations


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


ISO_COUNTRIES: frozenset[str] = _codes(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """
)

EU_MEMBERS: frozenset[str] = _codes(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
)
EEA_MEMBERS: frozenset[str] = EU_MEMBERS | {"IS", "LI", "NO"}

# Region name -> member countries. A territory clause naming one of these (or a country code)
# covers every member.
GROUPS: dict[str, frozenset[str]] = {"EU": EU_MEMBERS, "EEA": EEA_MEMBERS}

# Codes people write that ISO 3166-1 spells differently.
COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}


def is_country(code: str) -> bool:
    return code in ISO_COUNTRIES


def is_region(name: str) -> bool:
    """A country code or a region group name."""
    return name in ISO_COUNTRIES or name in GROUPS


def regions_of(domicile: str | None) -> tuple[str, ...]:
    """The domicile itself and every group it belongs to, e.g. DE -> (DE, EEA, EU)."""
    if not domicile:
        return ()
    groups = sorted(name for name, members in GROUPS.items() if domicile in members)
    return (domicile, *groups)


def as_data() -> dict[str, list[str]]:
    """The region table as policy data (data.compliance.regions)."""
    return {name: sorted(members) for name, members in sorted(GROUPS.items())}
