"""Licence or use-policy text -> clause facts, for any text, known or not.

Rules over sentences (compliance.facts.sentences: canonical lower-case words, numbers and
currencies made canonical), no model and no network. Each rule looks for the *operative* words
of a clause (a prohibition, a limitation of the grant, a threshold and what crossing it
triggers, an excluded region...) and checks what surrounds them: a definition ("Non-Commercial
means ...") states no restriction by itself, a permission ("for research and commercial
purposes") is not a prohibition, a liability disclaimer ("commercial damages") is neither.
Each finding is a `Clause` with its line, a quote centred on the operative words and a
confidence; `summarise` turns the clauses into facts (the fields of a registry record).

The reader is deliberately strict where wording is ambiguous (a commercial licence "on request"
is no commercial licence), and it never concludes that a text is permissive: a text nobody
recognised keeps class `unknown` unless its clauses make it non-commercial, research-only or
copyleft.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .model import OUTPUT_TRAINING_STRICTNESS, TerritoryRestriction, terms_json
from .sentences import Sentence, sentences_of

QUOTE_CHARS = 160

# Clause kinds. Commercial scope first: each of these forbids commercial use.
NON_COMMERCIAL = "non-commercial"
RESEARCH_ONLY = "research-only"
EVALUATION_ONLY = "evaluation-only"
PERSONAL_USE = "personal-use"
NO_SALE = "no-sale"  # e.g. the Commons Clause: no right to sell
COMMERCIAL_LICENCE = "commercial-licence-required"  # commercial use needs another licence
COMMERCIAL_SCOPE = (
    NON_COMMERCIAL,
    RESEARCH_ONLY,
    EVALUATION_ONLY,
    PERSONAL_USE,
    NO_SALE,
    COMMERCIAL_LICENCE,
)
COMMERCIAL_ALLOWED = "commercial-allowed"  # value: yes | conditional
GRANT = "grant"  # the text grants rights (a licence, not a policy or a notice)
REGISTRATION = "registration"
USER_THRESHOLD = "user-threshold"  # value: number of users; attrs metric, period, trigger
SIZE_THRESHOLD = "size-threshold"  # employees, headcount: no fact holds it; commercial unknown
REVENUE_THRESHOLD = "revenue-threshold"  # value: amount; attrs currency, period, trigger
TERRITORY = "territory"  # value: region (EU or ISO code); attrs scope
EXPORT_CONTROL = "export-control"  # sanctions / export law: reported, not a territory
OUTPUT_TRAINING = "output-training"  # value: prohibited | restricted | conditional | allowed
ATTRIBUTION = "attribution"  # value: the duty, in a few words
SHARE_ALIKE = "share-alike"  # value: copyleft | weak-copyleft
HOSTING = "hosting"  # value: restricted
AUP = "acceptable-use-policy"  # value: its address, or "" when not given
DERIVATIVES_INHERIT = "derivatives-inherit"
GOVERNING_LAW = "governing-law"  # value: the place
USE_RESTRICTIONS = "use-restrictions"  # a list of prohibited uses (RAIL, AUP)
OUTPUTS_MENTIONED = "outputs-mentioned"  # the text speaks of the model's outputs at all
# A sentence that speaks of facts no rule placed (value: the fact names, comma-separated; the
# Chinese rules): bookkeeping for a changed passage, whose facts it leaves unknown (amend).
UNPLACED = "unplaced"
NO_DERIVATIVES = "no-derivatives"  # adapted versions may not be shared (CC ND)
INCORPORATES = "incorporates"  # another licence's terms apply too; value: its name (attrs url)
# Legal text in a language the reader cannot read (value: the language or script; attrs how =
# prevails | share): what the English words grant cannot be relied on.
OTHER_LANGUAGE = "other-language"


@dataclass(frozen=True)
class Clause:
    kind: str
    value: Any
    line: int
    quote: str
    confidence: float
    attrs: tuple[tuple[str, str], ...] = ()
    lines: tuple[int, int] = (0, 0)  # first and last line of the sentence it was read in

    def attr(self, name: str, default: str = "") -> str:
        for k, v in self.attrs:
            if k == name:
                return v
        return default

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "value": self.value,
            "line": self.line,
            "quote": self.quote,
            "confidence": round(self.confidence, 2),
        }
        out.update(self.attrs)
        return out


# -- vocabulary --
W = r"(?:\S+ )"  # one word and its space
NC = r"(?:non ?commercial(?:ly)?|noncommercial(?:ly)?|not for profit|non ?profit)"
LIMIT = r"(?<!not )(?:solely|only|exclusively|strictly|purely|limited to|restricted to)"
# Words that make what follows a prohibition.
NEG = (
    r"(?:(?:may|shall|must|will|can|do|does|are|is|should) not|cannot|not to|not be|never|"
    r"prohibited|prohibits|forbidden|forbids|not permitted|not allowed|not authori[sz]ed|"
    r"not licensed|no right|nor|neither|not grant|not include|disallowed)"
)
NEG_RE = re.compile(rf"\b{NEG}\b")
_NOT_LIMITED = re.compile(r"\bnot (?:be )?limited to\b|\bwithout limitation\b")
COMMERCIAL = r"(?<!non )(?<!non)commercial(?:ly)?"
COMMERCIAL_USE = (
    rf"{COMMERCIAL}(?: (?:use|uses|usage|purpose|purposes|exploitation|activity|activities|"
    r"application|applications|deployment|distribution|product|products|service|services|"
    r"setting|settings|context|advantage|gain|manner|way|environment|operations|endeavou?rs?))?"
)
GRANT_RE = re.compile(
    r"\b(?:hereby grants?|grants? (?:to )?(?:you|licensee|recipient|the licensee)|"
    r"(?:is|are) hereby granted|permission is (?:hereby )?granted|are permitted provided|"
    r"you (?:may|are free to|can) (?:use|copy|share|reproduce|modify|distribute|freely)|"
    r"licen[cs]e to (?:use|reproduce|copy|exercise)|(?:is|are) free to (?:use|copy)|"
    r"(?:royalty|charge) free (?:\S+ ){0,6}licen[cs]e|grants? (?:\S+ ){0,12}licen[cs]e|"
    r"licensed under|to deal in the)\b"
)
DEFINITION_RE = re.compile(
    r"^(?:(?:\d{1,3}|[a-z]|[ivx]{1,4}) ){0,3}(?:(?:as used (?:herein|in this \S+)|for (?:the "
    r")?purposes of this \S+|"
    r"in this \S+) )?(?:the term )?(?P<term>(?:\S+ ){0,6}?\S+) (?:shall )?(?:means?|refers? to|"
    r"is defined as|shall have the meaning|has the meaning|includes|shall include)\b"
)
_DISCLAIMER = re.compile(r"\b(?:liable|liability|damages|warrant(?:y|ies)|indemnif\w*)\b")
_OUTPUT_WORDS = (
    r"(?:outputs?|results?|generated (?:content|data|text|outputs?)|synthetic data|responses?|"
    r"generations?|completions?)"
)
_MODEL_WORDS = (
    r"(?:models?|llms?|ai|systems?|networks?|algorithms?|products?)"  # what may not be trained
)
_TRAIN = (
    r"(?:train\w*|improv\w*|develop\w*|creat\w*|build\w*|enhanc\w*|fine ?tun\w*|finetun\w*|"
    r"distill?\w*|pre ?train\w*|retrain\w*)"
)


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# -- regions --
_REGION_NAMES: dict[str, str] = {
    "european union": "EU",
    "eu": "EU",
    "member states of the european union": "EU",
    "european economic area": "EEA",
    "eea": "EEA",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea": "KR",
    "china": "CN",
    "mainland china": "CN",
    "people s republic of china": "CN",
    "prc": "CN",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "taiwan": "TW",
    "japan": "JP",
    "india": "IN",
    "russia": "RU",
    "russian federation": "RU",
    "belarus": "BY",
    "iran": "IR",
    "north korea": "KP",
    "democratic people s republic of korea": "KP",
    "cuba": "CU",
    "syria": "SY",
    "venezuela": "VE",
    "switzerland": "CH",
    "norway": "NO",
    "iceland": "IS",
    "liechtenstein": "LI",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "canada": "CA",
    "brazil": "BR",
    "australia": "AU",
    "singapore": "SG",
    "israel": "IL",
    "turkey": "TR",
    "ukraine": "UA",
    "germany": "DE",
    "france": "FR",
    "italy": "IT",
    "spain": "ES",
    "netherlands": "NL",
    "ireland": "IE",
    "poland": "PL",
    "sweden": "SE",
    "austria": "AT",
    "belgium": "BE",
    "vietnam": "VN",
    "viet nam": "VN",
    "indonesia": "ID",
    "mexico": "MX",
}
_REGION = (
    "(?:"
    + "|".join(re.escape(n) for n in sorted(_REGION_NAMES, key=len, reverse=True))
    + r")(?! (?:dollars|law|laws|court|courts|company|entity|inc|ltd|limited|gmbh|platforms)\b)"
)
_REGION_RE = re.compile(rf"\b{_REGION}\b")
_REGION_LIST = (
    rf"(?:the )?(?:territory of (?:the )?)?{_REGION}"
    rf"(?:(?: and| or| nor|)(?: the)?(?: territory of)?(?: the)? {_REGION})*"
)


def regions_in(text: str) -> list[str]:
    """ISO codes (or EU / EEA) of the region names in canonical words, in order, once each."""
    out: list[str] = []
    for m in _REGION_RE.finditer(text):
        code = _REGION_NAMES.get(m.group(0))
        if code and code not in out:
            out.append(code)
    return out


# -- reading --
@dataclass
class _Reader:
    sentences: list[Sentence]
    raw_lines: list[str]
    document: str
    found: list[Clause] = field(default_factory=list)
    definitions: dict[str, set[str]] = field(default_factory=dict)  # term -> commercial kinds
    capped: bool = False  # the text has a user or revenue threshold somewhere

    # The evidence of one finding: its line, a quote centred on the operative words.
    def add(
        self,
        s: Sentence,
        kind: str,
        value: Any,
        at: int,
        confidence: float,
        **attrs: str,
    ) -> None:
        word = s.word_at(at) if s.starts else 0
        line = s.lines[word] if s.lines else 0
        column = s.columns[word] if s.columns else 0
        op_word = s.text[s.starts[word] :].split(" ", 1)[0] if s.starts else ""
        self.found.append(
            Clause(
                kind=kind,
                value=value,
                line=line,
                quote=_quote(self.raw_lines, line, column, op_word),
                confidence=confidence,
                attrs=tuple(sorted(attrs.items())),
                lines=(s.first_line, s.last_line),
            )
        )


def _quote(raw_lines: list[str], line: int, column: int, word: str) -> str:
    """The line, cut to QUOTE_CHARS around the operative word (searched near its column)."""
    raw = raw_lines[line - 1].strip() if 0 < line <= len(raw_lines) else ""
    if len(raw) <= QUOTE_CHARS:
        return raw
    low = raw.lower()
    at = -1
    if word:
        hits = [m.start() for m in re.finditer(re.escape(word), low)]
        if hits:
            at = min(hits, key=lambda h: abs(h - column))
    if at < 0:
        at = min(column, len(raw) - 1)
    begin = max(0, min(at - QUOTE_CHARS // 3, len(raw) - QUOTE_CHARS))
    chunk = raw[begin : begin + QUOTE_CHARS]
    return ("…" if begin else "") + chunk + ("…" if begin + QUOTE_CHARS < len(raw) else "")


def _definition(s: Sentence) -> str | None:
    """The defined term when the sentence is a definition ("X means ..."), else None."""
    m = DEFINITION_RE.match(s.text)
    if m is None:
        return None
    term = m.group("term")
    if NEG_RE.search(term) or " you " in f" {term} " or term.startswith(("if ", "when ")):
        return None
    return term


def _definition_lead(s: Sentence) -> str | None:
    """The defined term when the sentence is an item of a definition's list ("X means any of
    the following: (i) ..."): the item is part of the definition."""
    if not s.lead:
        return None
    m = DEFINITION_RE.match(s.lead)
    return m.group("term") if m is not None else None


Rule = Callable[[_Reader, Sentence, str | None], None]


def _commercial_definitions(r: _Reader) -> None:
    """Defined terms whose definitions restrict to research / non-commercial use."""
    for s in r.sentences:
        term = _definition(s)
        if term is None:
            continue
        body = s.text
        kinds: set[str] = set()
        defined = body[body.find(" mean") :] if " mean" in body else body
        if re.search(
            r"\b(?:research|evaluation)(?: (?:or|and) (?:research|evaluation|educational|"
            r"education|academic|teaching))? (?:\S+ )?(?:purposes? |uses? )?only\b"
            r"|^ ?(?:\S+ ){0,3}?(?:(?:non ?commercial|noncommercial) )?(?:scientific |"
            r"academic )?research\b"
            rf"|\b{NC} research\b",
            defined,
        ):
            kinds.add(RESEARCH_ONLY)
        if re.search(
            rf"\b(?:{NC}|not (?:primarily )?intended for (?:\S+ ){{0,3}}commercial|no "
            rf"(?:direct or indirect )?commercial)\b",
            body,
        ):
            kinds.add(NON_COMMERCIAL)
        if (
            re.search(r"\bevaluation (?:\S+ ){0,3}only\b|\bfor evaluation\b", body)
            and "only" in body
        ):
            kinds.add(EVALUATION_ONLY)
        if kinds:
            r.definitions[term] = kinds


# Commercial scope ---------------------------------------------------------------------------------
_SCOPE_LIMITED = _re(
    rf"\b{LIMIT} (?:{W}{{0,6}}?)(?:for|in|to|by|within|with|under|on|as) "
    rf"(?:{W}{{0,3}}?)(?P<op>(?:{NC}|research|academic|scientific|evaluation|testing|personal|"
    rf"internal|non ?production|educational|experimental)\b(?: \S+){{0,4}})"
)
_SCOPE_LIMITED_TO = _re(
    rf"\b(?<!not )(?:limited|restricted|confined) to (?:{W}{{0,3}}?)(?P<op>(?:{NC}|research|"
    rf"academic|scientific|evaluation|testing|personal|non ?production|educational|"
    rf"experimental)\b(?: \S+){{0,4}})"
)
_SCOPE_ONLY_AFTER = _re(
    rf"\b(?P<op>(?:{NC}|research|academic|evaluation|testing|personal|non ?production|"
    rf"educational|experimental)(?: (?:and|or|{NC}|research|academic|scientific|educational|"
    rf"evaluation|testing|personal|use|uses|purpose|purposes|activities|settings|"
    rf"environment)){{0,5}}) (?:only|exclusively|solely)\b"
)
_SCOPE_OTHER_THAN = _re(
    rf"\b(?:other than|except for|except|outside(?: of)?|beyond) "
    rf"(?:{W}{{0,3}}?)(?P<op>(?:{NC}|research|academic|evaluation|personal|non "
    rf"?production)\b(?: \S+){{0,4}})"
)
_PURPOSE_OTHER_THAN_COMMERCIAL = _re(
    r"\b(?:purposes?|uses?) other than (?P<op>commercial(?: or production)? (?:use|uses|"
    r"purposes?))\b"
)
_NC_GRANT = _re(
    rf"\b(?:for|to) (?:any |your |the )?(?:own )?(?:(?:research|academic|personal|"
    rf"scientific)(?: and| or)? )?(?P<op>{NC}(?: (?:research|scientific|academic))?(?: (?:use|"
    rf"uses|purposes?|activities|applications?|manner|basis)))\b"
)
_NC_OFFERED = _re(
    rf"\b(?:free|available|provided|offered|released|licensed|distributed) "
    rf"(?:of charge )?(?:only )?"
    rf"(?:for|to) (?:\S+ ){{0,2}}?(?P<op>{NC}(?: (?:research|scientific|academic))?(?: (?:use|uses|"
    rf"purposes?|users?)))\b"
)
# Commercial rights held back, commercial licensing on request, for-profit users need a licence.
_COMMERCIAL_HELD = _re(
    r"\b(?P<op>reserves? (?:all |any )?(?:\S+ )?commercial (?:rights|use|uses|exploitation))\b"
    r"|\bfor (?P<op2>commercial licen[cs]\w*|commercial (?:use|uses|inquiries|enquiries)),? "
    r"(?:please )?(?:contact|reach out|email|e mail|write to|inquire|get in touch)\b"
    r"|\b(?P<op3>for profit (?:entit\w*|organi[sz]ations?|compan(?:y|ies)|use|uses|purposes?|"
    r"users?))\b(?: \S+){0,12}? (?:requires?|need|needs|must|shall|is subject to|are subject "
    r"to)\b(?: \S+){0,8}? (?:licen[cs]es?|agreement|permission|authori[sz]ation|consent)\b"
)
_NC_TITLE = _re(
    rf"\b(?P<op>{NC}(?: (?:research|community|use|only))* (?:licen[cs]e|agreement|terms))\b"
)
# "commercial" naming something other than a use: a licence, an entity, a registry...
_NOT_A_USE = (
    r"(?! (?:licen[cs]es?|agreements?|terms|entit\w*|registry|damages|losses|arbitration|"
    r"partners?\w*|contracts?|relationships?|court|law|code|version|offerings?|reasonabl\w*))"
)
_COMMERCIAL_NEG_BEFORE = _re(
    rf"\b(?P<neg>{NEG})\b(?P<gap> (?:(?!(?:but|however|unless|provided|except|although|while|"
    rf"whereas|if) )\S+ ){{0,14}}?)(?P<op>{COMMERCIAL_USE}|monetiz\w*|monetis\w*|"
    rf"commerciali[sz]\w*|profit from|make money)\b{_NOT_A_USE}"
)
_COMMERCIAL_NEG_AFTER = _re(
    rf"\b(?P<op>(?:any )?{COMMERCIAL_USE}|commercialization|commercialisation|monetization|"
    rf"monetisation)\b(?: \S+){{0,10}}? (?:is|are|shall be|will be|remains?|being)? "
    rf"?(?:strictly |expressly |specifically )?(?:prohibited|forbidden|not permitted|not "
    rf"allowed|not authori[sz]ed|not licensed|not granted|excluded|reserved|not covered)\b"
)
_NO_COMMERCIAL = _re(
    rf"\b(?P<op>(?:no|not for|not intended for|not suitable for) (?:any )?{COMMERCIAL_USE})\b"
)
_COMMERCIAL_NEEDS_LICENCE = _re(
    rf"\b(?P<op>{COMMERCIAL}|commercial(?:i[sz]ation|i[sz]e))\b{_NOT_A_USE}(?: \S+){{0,16}}? "
    rf"(?:requires?|need|needs|must (?:first )?(?:obtain|request|seek|enter|acquire|contact|"
    rf"apply)|shall (?:first )?(?:obtain|request|seek|contact|apply)|(?:please|should) "
    rf"(?:contact|request|reach)|subject to (?:a |the )?(?:separate|prior|written)|is subject "
    rf"to (?:a |the )?separate|only (?:with|under|after))\b(?: \S+){{0,8}}? (?:licen[cs]es?|"
    rf"licensor|agreement|permission|authori[sz]ation|consent|approval|contact|us|terms)\b"
)
_LICENCE_FOR_COMMERCIAL = _re(
    rf"\b(?:request|obtain|require|need|seek|acquire|enter into)(?:s|ing)? (?:\S+ "
    rf"){{0,5}}?(?:separate |commercial |additional |written )?(?:licen[cs]e|agreement|"
    rf"permission)\w* (?:\S+ ){{0,4}}?(?:for|to (?:use|exploit)|before) (?:\S+ "
    rf"){{0,4}}?(?P<op>(?:any )?{COMMERCIAL_USE})\b"
)
_NO_SALE = _re(
    r"\b(?P<op3>(?:redistribution|distribution|sale|resale|licensing|use|sublicensing) "
    r"(?:\S+ ){0,4}?for (?:a )?(?:fee|profit|charge|payment|monetary (?:gain|compensation))) "
    r"(?:\S+ ){0,3}?(?:is |are )?(?:strictly |expressly )?(?:prohibited|forbidden|not permitted|"
    r"not allowed)\b"
    r"|\b(?:not (?:grant|include)\w*|no|without the) (?:\S+ ){0,6}?right to (?P<op>sell|resell)\b"
    r"|\b(?:may|shall|must|will) not (?P<op2>sell|resell|rent|lease|sublicense for a fee) "
    r"(?:the |this |any |copies of the )?(?:software|model|materials|work|weights|licensed|"
    r"product)\b"
)
_COMMERCIAL_PERMITTED = _re(
    rf"\b(?P<op>(?:including|includes|include|both|whether|either|and|or|for|to) (?:\S+ "
    rf"){{0,3}}?{COMMERCIAL}(?: and| or)?(?: (?:non ?commercial|noncommercial|research|"
    rf"academic|personal|use|uses|purposes?|applications?|activities|products?|services?|"
    rf"settings?|or|and))*)\b"
)
_COMMERCIAL_ALLOWED_PHRASE = _re(
    rf"\b(?P<op>(?:{COMMERCIAL_USE}) (?:is|are|shall be|will be) (?:\S+ ){{0,2}}?(?:permitted|"
    rf"allowed|authori[sz]ed|granted)|commercially (?:usable|available|viable)|(?:use|used|"
    rf"exploit|deploy|distribute|sell) (?:\S+ ){{0,6}}?commercially|for any purpose(?: "
    rf"whatsoever)?(?: (?:including|whether) (?:\S+ ){{0,3}}?commercial)?|deal in the "
    rf"software without restriction|to sell copies|sell copies)\b"
)
_COMMERCIAL_CONDITION = _re(
    rf"\b(?P<op>{COMMERCIAL_USE}) (?:\S+ ){{0,3}}?(?:solely |only )?(?:if|provided|subject to|"
    rf"on condition|conditioned|as long as|so long as|upon)\b"
)
_REGISTRATION = _re(r"\b(?P<op>regist(?:er|ered|ration|ering))\b")
_CONDITION_LEAD = re.compile(rf"\b(?:{NEG}|restrict\w*|exclud\w*|agree not|limitations?|except)\b")
# A sentence about outputs only: its subject is the outputs ("Outputs may be used for ...").
_OUTPUT_SUBJECT = re.compile(
    rf"^(?:\S{{1,4}} )?(?:\S+ )?(?:the |any |all |such |your )?(?:{_OUTPUT_WORDS})\b"
    rf"|^(?:\S+ ){{0,3}}?(?:use|uses|using)(?: of)? (?:the |any |such |your )?(?:{_OUTPUT_WORDS})\b"
)


def _neg_context(s: Sentence) -> bool:
    """A list item under a prohibiting lead ("You will not use the Model: (a) ...")."""
    return bool(s.lead) and bool(_CONDITION_LEAD.search(s.lead))


_ASIDE = re.compile(r"^(?:\S+ ){0,6}?(?:this|that|such|the) (?:alternative|option|exception)\b")
_GRANT_TO_LICENSOR = re.compile(
    r"\byou (?:hereby )?(?:grant|assign|agree to grant)\b|\bgrants? (?:to )?(?:us|licensor|"
    r"the licensor)\b"
)


_COMMERCIAL_TOPIC = re.compile(
    r"commerc|research|profit|evaluation|personal|production|sell|sale|fee|moneti|academic"
)


def _commercial(r: _Reader, s: Sentence, term: str | None) -> None:
    text = s.text
    if _ASIDE.search(text) or _GRANT_TO_LICENSOR.search(text):
        return
    if not r.definitions and not _COMMERCIAL_TOPIC.search(text):
        return
    disclaimer = bool(_DISCLAIMER.search(text))
    if term is None:
        _commercial_restrictions(r, s, disclaimer)
    _commercial_permissions(r, s, term)


_RESTATES = re.compile(
    r"\b(?:not in accordance with|in breach of|in violation of|other than as (?:expressly )?"
    r"(?:permitted|provided|set forth)|except as (?:expressly )?(?:permitted|provided|set forth)) "
    r"(?:\S+ ){0,3}?(?:this|these|the) (?:\S+ ){0,3}?(?:agreement|licen[cs]e|terms)"
)


_COVERS = re.compile(r"\b(?:derivative works?|derivatives?|outputs?|results? of)\b")
# The group a revenue or user threshold defines ("Commercial Entities"): limits on it are the
# threshold's consequence, not limits on everyone.
_ABOVE_THRESHOLD_GROUP = re.compile(r"\bcommercial (?:entit(?:y|ies)|users?|licensees?)\b")


_NC_LICENCE = re.compile(rf"\b(?P<op>{NC}) (?:\S+ ){{0,4}}?licen[cs]e\b")


def _defined_kinds(r: _Reader, phrase: str) -> set[str]:
    """The kinds of the defined terms a phrase uses ("Non-Commercial" defined as research)."""
    out: set[str] = set()
    for term, kinds in r.definitions.items():
        if f" {term} " in f" {phrase} " or phrase.startswith(term):
            out |= kinds
    return out


def _scope_kinds(op: str, defined: dict[str, set[str]]) -> set[str]:
    kinds: set[str] = set()
    nc = re.search(rf"\b{NC}\b", op)
    if nc:
        kinds.add(NON_COMMERCIAL)
    if re.search(r"\b(?:research|academic|scientific)\b", op) and (
        # "non-commercial research" is research only; "research or non-commercial" is not
        not nc
        or re.search(rf"\b{NC}(?: (?!or\b|and\b)\S+){{0,3}} (?:research|academic|scientific)\b", op)
    ):
        kinds.add(RESEARCH_ONLY)
    if re.search(r"\b(?:evaluation|testing|non ?production|experimental)\b", op):
        kinds.add(EVALUATION_ONLY)
    if re.search(r"\bpersonal\b", op):
        kinds.add(PERSONAL_USE)
    for term, tkinds in defined.items():
        if f" {term} " in f" {op} ":
            kinds |= tkinds
    return kinds


def _commercial_restrictions(r: _Reader, s: Sentence, disclaimer: bool) -> None:
    text = s.text
    ctx_neg = _neg_context(s)
    outputs_only = bool(_OUTPUT_SUBJECT.search(text))
    attrs = {"scope": "outputs"} if outputs_only else {}
    if _COVERS.search(text):
        attrs["covers"] = "derivatives"  # the limit reaches derivative works / outputs
    if s.index <= 2:
        m = _NC_TITLE.search(text)
        if m is not None:
            for kind in sorted({NON_COMMERCIAL} | _defined_kinds(r, m.group("op"))):
                r.add(s, kind, True, m.start("op"), 0.7, **attrs, how="title")
    if GRANT_RE.search(text):
        # "a non-exclusive, non-commercial, royalty-free licence": the licence itself is limited
        m = _NC_LICENCE.search(text)
        if m is not None and not re.search(
            rf"\b{COMMERCIAL}\b", text[: m.start()] + text[m.end() :]
        ):
            for kind in sorted({NON_COMMERCIAL} | _defined_kinds(r, m.group("op"))):
                r.add(s, kind, True, m.start("op"), 0.8, **attrs, how="grant")
    # A grant limited to a scope: "solely for non-commercial research purposes".
    for rx in (_SCOPE_LIMITED, _SCOPE_LIMITED_TO, _SCOPE_ONLY_AFTER, _SCOPE_OTHER_THAN):
        if r.capped and _ABOVE_THRESHOLD_GROUP.search(text):
            break  # "a Commercial Entity may use it solely for a Non-Commercial Purpose"
        for m in rx.finditer(text):
            if rx is _SCOPE_OTHER_THAN and not (NEG_RE.search(text[: m.start()]) or ctx_neg):
                continue
            if re.search(
                r"\b(?:excluding|except|other than|unless)\b(?: \S+){0,4}$", text[: m.start("op")]
            ):
                continue  # an exception to a requirement, not a limit on the grant
            op = m.group("op")
            if (
                rx is _SCOPE_LIMITED
                and re.match(r"internal\b", op)
                and not re.search(
                    r"\b(?:research|evaluation|testing|non ?commercial|noncommercial)\b", op
                )
            ):
                continue
            for kind in sorted(_scope_kinds(op, r.definitions)):
                r.add(s, kind, True, m.start("op"), 0.9, **attrs, how="limited")
    for m in _PURPOSE_OTHER_THAN_COMMERCIAL.finditer(text):
        r.add(s, NON_COMMERCIAL, True, m.start("op"), 0.85, **attrs, how="limited")
    # A grant "for non-commercial purposes" (no "only"): limited unless commercial use is
    # granted in the same sentence.
    if GRANT_RE.search(text) or (s.lead and GRANT_RE.search(s.lead)):
        for m in _NC_GRANT.finditer(text):
            if _COMMERCIAL_PERMITTED.search(text.replace(m.group("op"), "")) and re.search(
                rf"\b{COMMERCIAL}\b", text.replace(m.group("op"), "")
            ):
                continue
            r.add(s, NON_COMMERCIAL, True, m.start("op"), 0.8, **attrs, how="grant")
    for m in _NC_OFFERED.finditer(text):
        rest = text.replace(m.group("op"), "")
        if not (_COMMERCIAL_PERMITTED.search(rest) and re.search(rf"\b{COMMERCIAL}\b", rest)):
            r.add(s, NON_COMMERCIAL, True, m.start("op"), 0.8, **attrs, how="grant")
    for m in _COMMERCIAL_HELD.finditer(text):
        at = next(m.start(g) for g in ("op", "op2", "op3") if m.group(g))
        r.add(s, COMMERCIAL_LICENCE, True, at, 0.8, **attrs)
    # Defined terms used as the scope of the grant: "solely for Permitted Purposes".
    for term, kinds in r.definitions.items():
        at = text.find(term)
        if at < 0 or (r.capped and _ABOVE_THRESHOLD_GROUP.search(text)):
            continue
        before = text[max(0, at - 60) : at]
        if re.search(r"\b(?:excluding|except|other than|unless)\b(?: \S+){0,4} ?$", before):
            continue
        after = text[at + len(term) : at + len(term) + 30]
        if (
            re.search(rf"\b{LIMIT}\b", before)
            or re.match(r"^(?: \S+){0,3}? only\b", after)
            or (
                re.search(r"\b(?:other than|except for)\s*$", before.strip() + " ")
                and NEG_RE.search(text[:at])
            )
        ):
            for kind in sorted(kinds):
                r.add(s, kind, True, at, 0.8, **attrs, how="defined", term=term)
    if disclaimer:
        return
    if _RESTATES.search(text) or _has_threshold(text):
        # "commercial use not in accordance with this Agreement is prohibited"; "... must not
        # exceed 1 million visits without a commercial licence" (the threshold's consequence)
        return
    # Prohibitions: "you may not use ... for commercial purposes".
    for m in _COMMERCIAL_NEG_BEFORE.finditer(text):
        if _NOT_LIMITED.search(text[m.start() : m.start("op")]):
            continue
        r.add(s, NON_COMMERCIAL, True, m.start("op"), 0.9, **attrs, how="prohibited")
    for rx in (_COMMERCIAL_NEG_AFTER, _NO_COMMERCIAL):
        for m in rx.finditer(text):
            if re.search(
                r"\bexcept (?:as )?(?:\S+ )?(?:prohibited|restricted|forbidden)", m.group(0)
            ):
                continue  # "for any purpose, including commercial, except as prohibited herein"
            r.add(s, NON_COMMERCIAL, True, m.start("op"), 0.9, **attrs, how="prohibited")
    if ctx_neg and not s.colon:
        m = re.search(
            rf"\b(?P<op>{COMMERCIAL}(?: (?:use|uses|usage|purposes?|exploitation|activit(?:y|"
            rf"ies)|applications?|deployment)\b|ly\b))",
            text,
        )
        if m and not re.search(r"\b(?:damages|losses|registry|arbitration)\b", text):
            r.add(s, NON_COMMERCIAL, True, m.start("op"), 0.75, **attrs, how="listed")
    if not _has_threshold(text) and not (r.capped and _ABOVE_THRESHOLD_GROUP.search(text)):
        near = " ".join(x.text for x in r.sentences[max(0, s.index - 2) : s.index + 2])
        for rx in (_COMMERCIAL_NEEDS_LICENCE, _LICENCE_FOR_COMMERCIAL):
            for m in rx.finditer(text):
                if _REGISTRATION.search(near) or "free of charge" in text:
                    continue
                if re.search(r"\b(?:obtained|received|acquired|have a)\b", m.group(0)):
                    continue
                r.add(s, COMMERCIAL_LICENCE, True, m.start("op"), 0.85, **attrs)
    for m in _NO_SALE.finditer(text):
        at = next(m.start(g) for g in ("op", "op2", "op3") if m.group(g))
        r.add(s, NO_SALE, True, at, 0.85)


_NOT_EXCEED = re.compile(
    r"\b(?:(?:does|do|shall|will|must|may) )?not (?:exceed|surpass|be more than|be greater than)\b"
)
_USER_SUBJECT = re.compile(
    r"\b(?:you|your|licensee|licensees|recipients?|any person|anyone|users?|grants?|granted)\b"
)


def _commercial_permissions(r: _Reader, s: Sentence, term: str | None) -> None:
    text = s.text
    plain = _NOT_EXCEED.sub(" ", text)
    doubtful = NEG_RE.search(plain) and not _NOT_LIMITED.search(plain)
    # Permissions are read in plain sentences only; "not" anywhere makes them doubtful.
    if term is not None or (doubtful and not re.search(r"\bwithout restriction\b", text)):
        return
    granting = bool(
        GRANT_RE.search(text)
        or (s.lead and GRANT_RE.search(s.lead))
        or re.search(r"\b(?:may|can|allowed|permitted|free to|right to)\b", text)
    )
    outputs_only = bool(_OUTPUT_SUBJECT.search(text))
    attrs = {"scope": "outputs"} if outputs_only else {}
    for m in _COMMERCIAL_CONDITION.finditer(text):
        if granting:
            r.add(s, COMMERCIAL_ALLOWED, "conditional", m.start("op"), 0.8, how="explicit", **attrs)
    for rx in (_COMMERCIAL_PERMITTED, _COMMERCIAL_ALLOWED_PHRASE):
        for m in rx.finditer(text):
            op = m.group("op")
            explicit = bool(re.search(rf"\b{COMMERCIAL}\b", op))
            if rx is _COMMERCIAL_PERMITTED and not explicit:
                continue
            if re.search(
                r"\b(?:damages|losses|registry|arbitration|terms)\b", text[m.end() : m.end() + 20]
            ):
                continue
            if re.search(
                r"\b(?:other than|except(?: for)?|excluding|but not|outside)\s*$",
                text[max(0, m.start("op") - 16) : m.start("op")]
                + text[m.start("op") : m.end("op")].split("commercial")[0],
            ):
                continue
            if not granting:
                continue
            if not _USER_SUBJECT.search(text) and not re.search(
                r"without restriction|sell copies", op
            ):
                continue  # "NVIDIA and its affiliates may use the Work commercially"
            how = "explicit" if explicit else "implied"
            r.add(s, COMMERCIAL_ALLOWED, "yes", m.start("op"), 0.75, how=how, **attrs)
    registration = _REGISTRATION.search(text)
    if registration is not None and re.search(rf"\b{COMMERCIAL}\b", text):
        r.add(s, REGISTRATION, True, registration.start("op"), 0.8)


# "The weights are licensed under CC BY-NC 4.0", "released under the Llama 3.1 Community
# License": the sentence points at another licence. It grants nothing of its own: that
# licence's terms apply, and this text does not say what they are.
_UNDER_OTHER = re.compile(
    r"\b(?:licen[cs]ed|released|distributed|made available|provided|published|offered)"
    r"(?: (?:\S+ ){0,2}?)? under (?:the )?(?:terms (?:and conditions )?of )?(?:the )?"
    r"(?P<name>(?:\S+ ?){1,8})"
)
_NAME_STOP = frozenset(
    {"and", "or", "see", "which", "that", "for", "with", "at", "as", "except", "unless", "if"}
    | {"where", "when", "in", "on", "to", "from", "is", "are", "available", "following"}
)
_SELF = frozenset(
    ["this", "these", "that", "such", "its", "same", "foregoing", "above", "below", "following"]
)


def _pointer_name(text: str) -> tuple[str, int] | None:
    """The licence a 'licensed under NAME' sentence points at, unless NAME is this text."""
    m = _UNDER_OTHER.search(text)
    if m is None:
        return None
    words: list[str] = []
    for w in m.group("name").split():
        if w in _NAME_STOP:
            break
        words.append(w)
    if not words or words[0] in _SELF or any(w in _SELF for w in words):
        return None
    if all(w in _GENERIC_NAME or w in ("license", "licence", "agreement", "terms") for w in words):
        return None  # "distributed under the License": this text's own defined name
    return " ".join(words), m.start("name")


def _grant(r: _Reader, s: Sentence, term: str | None) -> None:
    if term is not None or _GRANT_TO_LICENSOR.search(s.text):
        return
    m = GRANT_RE.search(s.text)
    if m is not None:
        pointer = _pointer_name(s.text) if m.group(0) == "licensed under" else None
        if pointer is None:
            r.add(s, GRANT, True, m.start(), 0.8)
        else:  # see summarise: counts only where the text grants nothing of its own
            r.add(s, INCORPORATES, pointer[0], pointer[1], 0.6, how="pointer", url="")
    elif " under " in s.text:
        pointer = _pointer_name(s.text)  # "released under X", "distributed under X"
        if pointer is not None:
            r.add(s, INCORPORATES, pointer[0], pointer[1], 0.6, how="pointer", url="")
    if re.search(r"\bcc by nc(?: sa| nd)?\b", s.text) and not _neg_context(s):
        # a Creative Commons NonCommercial licence named (CC BY-NC, -NC-SA, -NC-ND)
        r.add(s, NON_COMMERCIAL, True, s.text.index("cc by nc"), 0.8, how="named")


# Thresholds ---------------------------------------------------------------------------------------
_CMP = (
    r"(?:greater than|more than|larger than|higher than|exceeds?|exceeding|exceeded|in excess of|"
    r"above|over|at least|beyond|surpass\w*|reach\w*|not exceed|less than|fewer than|under|below|"
    r"up to|no more than|maximum of|a maximum of|or more|or greater|equal to or greater than)"
)
_USERS = (
    r"(?P<metric>(?:monthly |daily |weekly )?(?:active )?(?:end |service |registered |unique )?"
    r"(?:users?|visits?|visitors?|subscribers?|customers?)|maus?|daus?)"
)
_NOT_USERS = r"(?! ?(?:users?|maus?|visits?|visitors?|subscribers?)\b)"
_NOT_MONEY = r"(?! ?(?:revenues?|turnover|usd|eur|income)\b)"
_USER_AFTER = _re(
    rf"\b(?<!usd )(?<!eur )(?P<n>\d{{4,}}){_NOT_MONEY}(?: (?:monthly|daily|weekly|active|"
    rf"unique|total|registered|end|service)){{0,3}}? {_USERS}\b"
)
_USER_BEFORE = _re(
    rf"\b{_USERS}\b(?: \S+){{0,10}}? {_CMP} (?P<n>\d{{4,}})\b(?! (?:usd|eur|gbp|cny|in "
    rf"revenue|of revenue|revenue))"
)
_CUR = r"(?:usd|eur|gbp|cny|inr|jpy|krw|sgd|hkd|chf|aud|cad|rub|twd|brl)"
# Amounts in these currencies are caps policy can compare (organization.annual_revenue_usd).
_USD = ("usd", "unstated")
# USD per unit of another currency, each BELOW its lowest rate of the last decade (CNY 0.13 where
# the yuan traded at 0.136-0.165): policy compares revenue_cap with an annual revenue in USD, and a
# cap converted at a low rate is no higher than the real one, so a company near it is flagged
# sooner, never later (fail closed). (numerator, denominator): exact integer arithmetic.
CONSERVATIVE_USD: dict[str, tuple[int, int]] = {
    "cny": (13, 100),
    "eur": (9, 10),
    "gbp": (1, 1),
    "chf": (9, 10),
    "inr": (11, 1000),
    "jpy": (6, 1000),
    "krw": (6, 10000),
    "hkd": (12, 100),
    "sgd": (65, 100),
    "aud": (6, 10),
    "cad": (65, 100),
    "twd": (29, 1000),
    "brl": (15, 100),
}


def _in_usd(c: Clause) -> Clause:
    """A revenue threshold in another currency as a USD one (see CONSERVATIVE_USD)."""
    num, den = CONSERVATIVE_USD[c.attr("currency")]
    attrs = dict(c.attrs)
    attrs.update(amount=f"{c.value:,}", converted_from=c.attr("currency"), currency="usd")
    return replace(c, value=int(c.value) * num // den, attrs=tuple(sorted(attrs.items())))


_REVENUE = (
    r"(?P<metric>(?:annual |yearly |monthly |gross |net |total |global |worldwide |consolidated "
    r")*(?:revenues?|turnover|sales|income|receipts))"
)
_REV_AFTER = _re(
    rf"\b(?P<cur1>{_CUR} )?(?P<n>\d{{4,}})(?: (?P<cur2>{_CUR}))?(?:{_NOT_USERS} \S+){{0,10}}? "
    rf"(?:in |of )?{_REVENUE}\b"
)
_REV_BEFORE = _re(
    rf"\b{_REVENUE}\b(?: \S+){{0,10}}? (?:{_CMP} )?(?P<cur1>{_CUR} )?(?P<n>\d{{4,}})(?: "
    rf"(?P<cur2>{_CUR}))?\b"
)
_MONTHLY = re.compile(
    r"\b(?:monthly|per month|a month|each month|every month|calendar month|in any month)\b"
)
_DAILY = re.compile(r"\b(?:daily|per day|a day|each day)\b")
_ANNUAL = re.compile(
    r"\b(?:annual|annually|per year|a year|yearly|fiscal year|12 months|twelve months|"
    r"calendar year|per annum)\b"
)
_TRIGGER_LICENCE = re.compile(
    r"\b(?:licen[cs]e|agreement|permission|authori[sz]ation|consent|approval|terminat\w*|"
    r"not (?:be )?(?:eligible|entitled|permitted|licensed|authori[sz]ed)|contact|no longer|"
    r"enterprise|cease|void|expire)\b"
)
_TRIGGER_DUTY = re.compile(
    r"\b(?:display|show|attribut\w*|credit|prominently|mark|label|indicate|state)\b"
)


def _has_threshold(text: str) -> bool:
    return bool(
        _USER_AFTER.search(text)
        or _USER_BEFORE.search(text)
        or _REV_AFTER.search(text)
        or _REV_BEFORE.search(text)
    )


def _trigger(r: _Reader, s: Sentence) -> str:
    """What crossing a threshold triggers: a separate licence (a cap) or a duty."""
    nxt = r.sentences[s.index + 1].text if s.index + 1 < len(r.sentences) else ""
    here = s.text
    if _TRIGGER_DUTY.search(here) and not _TRIGGER_LICENCE.search(here):
        return "duty"
    if _TRIGGER_LICENCE.search(here):
        return "licence"
    if _TRIGGER_DUTY.search(nxt) and not _TRIGGER_LICENCE.search(nxt):
        return "duty"
    if _TRIGGER_LICENCE.search(nxt):
        return "licence"
    return "condition"


def _thresholds(r: _Reader, s: Sentence, term: str | None) -> None:
    text = s.text
    if not re.search(r"\d{4}", text):
        return
    seen: set[int] = set()
    for rx in (_USER_AFTER, _USER_BEFORE):
        for m in rx.finditer(text):
            n = int(m.group("n"))
            if n < 1000 or n in seen or _is_year(n, m.group(0)):
                continue
            seen.add(n)
            metric = m.group("metric")
            period = (
                "day"
                if re.search(r"\bdaily|\bdaus?\b", metric) or _DAILY.search(text)
                else "month"
                if re.search(r"\bmonthly|\bmaus?\b", metric) or _MONTHLY.search(text)
                else "unspecified"
            )
            r.add(
                s,
                USER_THRESHOLD,
                n,
                m.start("n"),
                0.85 if term is None else 0.7,
                metric=metric,
                period=period,
                trigger=_trigger(r, s),
            )
    seen = set()
    for rx in (_REV_AFTER, _REV_BEFORE):
        for m in rx.finditer(text):
            n = int(m.group("n"))
            if n < 1000 or n in seen or _is_year(n, m.group(0)):
                continue
            seen.add(n)
            currency = (m.group("cur1") or m.group("cur2") or "").strip()
            if not currency:
                near = re.search(rf"\b{_CUR}\b", text[max(0, m.start() - 20) : m.end() + 30])
                currency = near.group(0) if near else "unstated"
            period = (
                "month"
                if _MONTHLY.search(m.group(0))
                or (_MONTHLY.search(text) and not _ANNUAL.search(text))
                else "year"
                if _ANNUAL.search(text)
                else "unspecified"
            )
            r.add(
                s,
                REVENUE_THRESHOLD,
                n,
                m.start("n"),
                0.85 if term is None else 0.7,
                currency=currency,
                period=period,
                trigger=_trigger(r, s),
            )


_SIZE = _re(
    rf"\b(?:(?P<n>\d{{2,}}) (?:or more )?(?:full time )?(?:employees|staff|personnel|workers|"
    rf"headcount)|(?:employees|staff|headcount)\b(?: \S+){{0,6}}? {_CMP} (?P<n2>\d{{2,}}))\b"
)


def _size(r: _Reader, s: Sentence, term: str | None) -> None:
    m = _SIZE.search(s.text)
    if m is not None and _TRIGGER_LICENCE.search(s.text):
        n = int(m.group("n") or m.group("n2"))
        at = m.start("n") if m.group("n") else m.start("n2")
        r.add(s, SIZE_THRESHOLD, n, at, 0.7, metric="employees", trigger="licence")


def _is_year(n: int, span: str) -> bool:
    return 1900 <= n <= 2100 and not re.search(
        r"\b(?:users?|revenue)\b", span.split(str(n))[-1][:12]
    )


# Territory ----------------------------------------------------------------------------------------
_TERRITORY_EXCLUDED = _re(
    rf"\b(?P<cue>exclud\w*|except(?:ing)?|other than|outside(?: of)?|not (?:apply|applicable|"
    rf"available|valid|granted|being granted|licensed|permitted|allowed|authori[sz]ed|offered|"
    rf"provided|intended)|(?:does|shall|will) not apply|no rights?|prohibited|may not (?:be "
    rf")?(?:use|used|access|accessed|deploy\w*|distribut\w*|offer\w*))\b(?P<gap>(?: "
    rf"\S+){{0,30}}?) (?P<regions>{_REGION_LIST})\b"
)
# "Users located in the EU are not permitted to use the Model": the region first.
_TERRITORY_REGION_FIRST = _re(
    rf"\b(?:domiciled|located|resident|residents|residing|incorporated|based|established|"
    rf"headquartered|citizens?|nationals?|persons?|entities|users|individuals|companies|"
    rf"organi[sz]ations|customers) (?:\S+ ){{0,2}}?(?:in|of|from|within) "
    rf"(?P<regions>{_REGION_LIST})\b(?: \S+){{0,8}}? (?:are |is |shall be |will be )?"
    rf"(?:not (?:permitted|allowed|licensed|granted|authori[sz]ed|eligible|entitled)|"
    rf"prohibited|excluded|(?:may|shall|must|will|can) not|cannot|have no rights?)\b"
)
_TERRITORY_RESIDENT = re.compile(
    r"\b(?:domiciled|located|resident|residents|residing|incorporated|principal place of "
    r"business|headquartered|based|established|organi[sz]ed|citizens?|nationals?|persons? in|"
    r"entities in|users in|individuals in)\b"
)
_SANCTIONS = re.compile(
    r"\b(?:sanction\w*|embargo\w*|export (?:control|administration|laws?|regulations?)|denied "
    r"part\w*|restricted part\w*|entity list|ofac|itar)\b"
)
_MULTIMODAL = re.compile(r"\b(?:multimodal|multi modal|vision|image|images|video|audio)\b")


def _territory(r: _Reader, s: Sentence, term: str | None) -> None:
    text = s.text
    if not _REGION_RE.search(text):
        m = _SANCTIONS.search(text)
        if m is not None and term is None:
            r.add(s, EXPORT_CONTROL, "sanctions", m.start(), 0.7, regions="")
        return
    if term is not None and not re.search(
        r"\b(?:territory|territories|region|area|jurisdiction|countr\w+)\b", term
    ):
        return
    if _SANCTIONS.search(text):
        m = _SANCTIONS.search(text)
        assert m is not None
        r.add(s, EXPORT_CONTROL, "sanctions", m.start(), 0.7, regions=",".join(regions_in(text)))
        return
    if re.search(
        r"\b(?:governed by|laws of|courts? of|arbitration|jurisdiction of|for the purposes of "
        r"this \S+ only)\b",
        text,
    ):
        return
    for m in _TERRITORY_EXCLUDED.finditer(text):
        cue = m.group("cue")
        gap = m.group("gap")
        if cue.startswith(("outside", "except", "other than")) and not (
            term is not None
            or NEG_RE.search(text[: m.start()])
            or re.search(r"\b(?:licen|grant|right|use|access)\w*", text[: m.start()])
        ):
            continue
        if re.search(
            r"\b(?:if you are located|means|meta platforms|principal place of business is in)\b",
            text,
        ) and not re.search(r"\bnot (?:being )?granted|does not apply|excluding\b", text):
            continue
        if (
            cue.startswith(("not ", "no ", "prohibited", "may not"))
            and len(gap.split()) > 6
            and not _TERRITORY_RESIDENT.search(gap)
        ):
            continue
        scope = "multimodal" if _MULTIMODAL.search(text) else "all"
        clause = "policy" if r.document == "policy" else "license"
        for code in regions_in(m.group("regions")):
            r.add(s, TERRITORY, code, m.start("regions"), 0.85, scope=scope, clause=clause)
    for m in _TERRITORY_REGION_FIRST.finditer(text):
        scope = "multimodal" if _MULTIMODAL.search(text) else "all"
        clause = "policy" if r.document == "policy" else "license"
        for code in regions_in(m.group("regions")):
            r.add(s, TERRITORY, code, m.start("regions"), 0.8, scope=scope, clause=clause)


# Outputs ------------------------------------------------------------------------------------------
_OUT_PROHIBITED = _re(
    rf"\b(?P<neg>{NEG}|agree not to|refrain from)\b(?: \S+){{0,24}}? (?:{_OUTPUT_WORDS}|model|"
    rf"models|materials|weights|derivative works?|derivatives?|software)\b(?: \S+){{0,14}}? "
    rf"(?:to|for|in order to|as|in) (?:\S+ ){{0,4}}?(?P<op>{_TRAIN})\b"
    rf"(?P<what>(?: \S+){{0,14}}?) {_MODEL_WORDS}\b"
)
_OUT_PROHIBITED_2 = _re(
    rf"\b(?:{_OUTPUT_WORDS}) (?:\S+ ){{0,6}}?(?:may|shall|must|will|can) not (?:\S+ "
    rf"){{0,3}}?(?:be )?(?:used )?(?:to|for) (?:\S+ ){{0,3}}?(?P<op>{_TRAIN})\b(?P<what>(?: "
    rf"\S+){{0,12}}?) {_MODEL_WORDS}\b"
)
_OUT_CONDITIONAL = _re(
    rf"\b(?P<op>(?:{_OUTPUT_WORDS}|materials|model|weights)\b(?: \S+){{0,16}}? (?:to|for) "
    rf"(?:\S+ ){{0,3}}?{_TRAIN}(?: \S+){{0,12}}? {_MODEL_WORDS}\b(?: \S+){{0,30}}? (?:shall|"
    rf"must|will|should|is required to|are required to|requires? that) (?:\S+ ){{0,6}}?"
    rf"(?:display|include|add|name|begin|prefix|state|attribut\w*|credit|label|mark|be subject|"
    rf"be bound|comply|licen[cs]e|be released|be licensed|be distributed|be made available))"
)
_OUT_DERIVATIVE = _re(
    rf"\b(?P<op>(?:distill\w*|trained on (?:\S+ ){{0,3}}?{_OUTPUT_WORDS}|{_OUTPUT_WORDS} "
    rf"(?:\S+ ){{0,8}}?(?:to train|for training|training data)|synthetic (?:data|outputs?) "
    rf"(?:\S+ ){{0,8}}?train\w*))\b"
)
_OUT_TRANSFER = _re(
    rf"\b(?:creat\w*|initiali[sz]\w*|train\w*|transfer\w*)\b(?: \S+){{0,14}}? "
    rf"(?P<op>{_OUTPUT_WORDS})\b"
)
_OUT_ALLOWED = _re(
    rf"\b(?P<op>(?:you may|may be) (?:freely )?use(?:d)? (?:the |any )?{_OUTPUT_WORDS} (?:for "
    rf"any (?:lawful )?purpose)|no (?:restrictions|obligations) (?:\S+ "
    rf"){{0,6}}?(?:{_OUTPUT_WORDS})|(?:claims?|asserts?) no (?:ownership )?(?:rights? )?(?:in|"
    rf"to|over) (?:\S+ ){{0,3}}?{_OUTPUT_WORDS})\b"
)
_OUT_NC = _re(
    rf"\b(?P<op>{_OUTPUT_WORDS})\b(?: \S+){{0,12}}? (?:{LIMIT} )?(?:for )?(?:{NC}|"
    rf"research)(?: \S+){{0,3}}? (?:only|purposes? only)\b"
)
_SAME_FAMILY = re.compile(
    r"\b(?:other than|excluding|except(?: for)?|apart from|unless)\b(?: \S+){0,10}? "
    r"(?:derivative|derivatives|itself|thereof|fine tun\w*|modifications?)\b"
)
_OTHER_MODEL = re.compile(
    r"\b(?:other|another|competing|compete|competitive|third party|similar|any|new|your own|"
    r"different|foundation\w*|general purpose|large language|rival\w*|competitors?)\b"
)


def _outputs(r: _Reader, s: Sentence, term: str | None) -> None:
    text = s.text
    if not re.search(
        r"\b(?:train|improv|develop|distil|fine|creat|enhanc|build|output|result|synthetic|pre)",
        text,
    ):
        return
    if term is not None:
        if re.search(r"\b(?:derivative|derivatives|modifications?|derived)\b", term):
            m = _OUT_DERIVATIVE.search(text) or _OUT_TRANSFER.search(text)
            if m:
                r.add(s, OUTPUT_TRAINING, "conditional", m.start("op"), 0.75, how="derivative")
        return
    ctx_neg = _neg_context(s)
    done = False
    for rx in (_OUT_PROHIBITED, _OUT_PROHIBITED_2):
        for m in rx.finditer(text):
            what = m.group("what")
            if not _OTHER_MODEL.search(what + " " + text[m.end() - 20 : m.end() + 40]):
                continue
            if _NOT_LIMITED.search(text[m.start() : m.start("op")]):
                continue
            value = "restricted" if _SAME_FAMILY.search(text[m.start("op") :]) else "prohibited"
            r.add(s, OUTPUT_TRAINING, value, m.start("op"), 0.85)
            done = True
    if not done and ctx_neg and re.search(rf"\b(?:{_OUTPUT_WORDS}|distill\w*)\b", text):
        m = re.search(rf"\b(?P<op>{_TRAIN})\b(?: \S+){{0,12}}? {_MODEL_WORDS}\b", text)
        if m and _OTHER_MODEL.search(text[m.start() :]):
            r.add(s, OUTPUT_TRAINING, "prohibited", m.start("op"), 0.7, how="listed")
            done = True
    if not done:
        m = _OUT_CONDITIONAL.search(text)
        if m and not NEG_RE.search(text[: m.start()]):
            r.add(s, OUTPUT_TRAINING, "conditional", m.start("op"), 0.8)
            done = True
    m = _OUT_NC.search(text)
    if m:
        r.add(s, OUTPUT_TRAINING, "restricted", m.start("op"), 0.75, how="non-commercial")
    if not done:
        m = _OUT_ALLOWED.search(text)
        if m and not NEG_RE.search(text[: m.start()]):
            r.add(s, OUTPUT_TRAINING, "allowed", m.start("op"), 0.6)


# Attribution, notices, share-alike, hosting, AUP, inheritance, law --------------------------------
_DUTY = re.compile(
    r"\b(?:must|shall|will|should|may not|agree to|is required|are required|required to|"
    r"provided that|requirements? to|"
    r"on condition|condition|subject to the following|only if|provided)\b"
)
_IMPERATIVE = re.compile(
    r"^(?:\S{1,4} )?(?:include|retain|keep|display|provide|give|reproduce|preserve|ship|add|state|"
    r"cause|accompany|distribute|prominently|attach)\b"
)
_SOFT = re.compile(
    r"\b(?:encourage\w*|optional\w*|not required|need not|are not obliged|no attribution|"
    r"without (?:the need for )?attribution|please cite|we (?:kindly )?ask|appreciate\w*|may "
    r"but)\b"
)
_ATTRIBUTION_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _re(
            r"\b(?P<op>built with|powered by|improved using|made with|created "
            r"with)(?P<name>(?: \S+){1,3})"
        ),
        "display",
    ),
    (
        _re(
            r"\b(?P<op>(?:names?|name of) (?:\S+ ){0,10}?(?:begin|begins|start|starts|"
            r"prefix\w*|include\w*) (?:\S+ ){0,3}?with)(?P<name>(?: \S+){1,2})"
        ),
        "prefix",
    ),
    (_re(r"\b(?P<op>include (?:\S+ ){0,3}?at the beginning of (?:\S+ ){0,5}?names?)"), "prefix"),
    (
        _re(
            r"\b(?P<op>(?:retain|keep|reproduce|preserve|include|contain|carry|display|"
            r"accompan\w*)(?: \S+){0,14}? (?:copyright|attribution|licen[cs]e|permission|"
            r"proprietary|patent|trademark) notices?)\b"
        ),
        "notices",
    ),
    (
        _re(
            r"\b(?P<op>(?:copyright|permission|attribution|licen[cs]e) (?:notices?|"
            r"statements?) (?:\S+ ){0,8}?(?:shall|must|will|should) be (?:included|retained|"
            r"reproduced|kept))"
        ),
        "notices",
    ),
    (
        _re(
            r"\b(?P<op>(?:retain|keep|reproduce|preserve) (?:\S+ ){0,3}?(?:this|the above|all|"
            r"any|the following|such) (?:\S+ ){0,3}?notices?)\b"
        ),
        "notices",
    ),
    (_re(r"\b(?P<op>(?:the following|an?) (?:attribution|copyright) notice)\b"), "notices"),
    (
        _re(
            r"\b(?P<op>(?:notices?|statement)(?: \S+){0,14}? (?:must|shall|will|should|may not|"
            r"must not|shall not) (?:\S+ ){0,2}?(?:be included|appear|be retained|be reproduced|"
            r"be removed|be altered|be kept))\b"
        ),
        "notices",
    ),
    (
        _re(r"\b(?P<op>(?:copyright|permission) notices? (?:\S+ ){0,8}?appears? in all copies)\b"),
        "notices",
    ),
    (
        _re(
            r"\b(?P<op>(?:not|never) (?:\S+ ){0,3}?(?:remove|alter|obscure|modify)\w* "
            r"(?:\S+ ){0,6}?notices?)\b"
        ),
        "notices",
    ),
    (
        _re(r"\b(?P<op>(?:duplicate|copy|reproduce) all (?:\S+ ){0,3}?copyright notices?)\b"),
        "notices",
    ),
    (
        _re(
            r"^(?:\S{1,4} )?(?:\S+ ){0,2}?(?P<op>(?:a )?cop(?:y|ies) of (?:this|the) (?:\S+ "
            r"){0,2}?(?:licen[cs]e|agreement))"
        ),
        "licence copy",
    ),
    (_re(r"^(?:\S{1,4} )?(?P<op>include this (?:licen[cs]e|agreement))"), "licence copy"),
    (
        _re(
            r"\b(?P<op>(?:give|provide|include|supply|accompan\w*|distribute) (?:\S+ "
            r"){0,12}?(?:a (?:complete |full |verbatim )?copy of|copies of|the text of|a link "
            r"to|the uri|a hyperlink to) (?:this|the) (?:\S+ ){0,3}?(?:licen[cs]e|agreement|"
            r"terms))"
        ),
        "licence copy",
    ),
    (
        _re(
            r"\b(?P<op>(?:give|provide) (?:\S+ ){0,3}?(?:appropriate |reasonable |proper "
            r")?(?:credit|attribution))"
        ),
        "credit",
    ),
    (
        _re(
            r"\b(?P<op>(?:identification of the creators?|attribute (?:\S+ ){0,4}?(?:author|"
            r"licensor|creator)))"
        ),
        "credit",
    ),
    (_re(r"\b(?P<op>notice (?:text )?file|notice txt)\b"), "notice file"),
    (
        _re(
            r"\b(?P<op>(?:modified|changed) files? (?:\S+ ){0,4}?(?:carry|bear|include) "
            r"(?:\S+ ){0,2}?notices?)"
        ),
        "changes",
    ),
    (
        _re(
            r"\b(?P<op>(?:prominent|clear) (?:\S+ ){0,3}?notices? (?:\S+ ){0,6}?(?:changed|"
            r"modified))"
        ),
        "changes",
    ),
    (
        _re(
            r"\b(?P<op>(?:indicate|state|note) (?:\S+ ){0,4}?(?:if|whether|that) (?:\S+ "
            r"){0,4}?(?:changes|modifications) were made)"
        ),
        "changes",
    ),
    (
        _re(
            r"\b(?P<op>(?:state|indicate|note|mark|disclose) (?:\S+ ){0,3}?that (?:\S+ ){0,3}?"
            r"(?:modified|changed|altered|made (?:\S+ )?(?:changes|modifications)))"
        ),
        "changes",
    ),
    (
        _re(
            # of the changes *you* make (not the licensor's notice of changes to its terms)
            r"\b(?P<op>notices? (?:\S+ ){0,3}?of (?:\S+ ){0,2}?(?:changes|modifications|"
            r"alterations) (?:\S+ ){0,2}?(?:you|licensee|recipient) (?:\S+ )?(?:make|made|have))"
        ),
        "changes",
    ),
    (
        # "... also gets / receives a copy of these terms", "a copy of these terms must accompany"
        _re(
            r"\b(?P<op>(?:gets?|receives?|obtains?) (?:\S+ ){0,2}?a (?:\S+ )?copy of (?:this|"
            r"these|the) (?:\S+ ){0,2}?(?:licen[cs]es?|agreement|terms)|cop(?:y|ies) of (?:this|"
            r"these|the) (?:\S+ ){0,2}?(?:licen[cs]e|agreement|terms) (?:\S+ ){0,3}?(?:must|shall|"
            r"will) (?:\S+ ){0,2}?(?:accompany|be (?:included|provided|given|distributed)))"
        ),
        "licence copy",
    ),
    (
        _re(
            r"\b(?P<op>(?:credit|attribution|acknowledge?ment) (?:\S+ ){0,4}?(?:must|shall|will) "
            r"(?:\S+ ){0,2}?be (?:given|provided|included|made|displayed))"
        ),
        "credit",
    ),
    (
        _re(
            r"\b(?P<op>(?:provid\w*|giv\w*|includ\w*|display\w*) (?:\S+ ){0,2}?(?:conspicuous|"
            r"clear|prominent|visible) notices? (?:that|of|stating))"
        ),
        "notices",
    ),
    (
        _re(
            r"\b(?P<op>cit(?:e|es|ing) (?:\S+ ){0,3}?(?:paper|publication|article|report)|"
            r"(?:indicate|mention|acknowledge|credit|name) (?:\S+ ){0,6}?(?:author|authors|"
            r"authorship|creators?)\b)"
        ),
        "credit",
    ),
    (
        _re(
            r"\b(?P<op>prominently (?:display|show|mark|indicate|state|present)\w*|(?:display|show|"
            r"mark|indicate|state|present)\w* (?:\S+ ){0,8}?prominently)\b"
        ),
        "prominent",
    ),
)
_SHARE_ALIKE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_re(r"\b(?P<op>share ?alike|sharealike|copyleft)\b"), "copyleft"),
    (_re(r"\b(?P<op>gnu (?:affero )?general public licen[cs]e)\b"), "copyleft"),
    (
        _re(
            r"\b(?P<op>(?:gnu )?(?:lesser|library) general public licen[cs]e|mozilla public "
            r"licen[cs]e|eclipse public licen[cs]e|common development and distribution "
            r"licen[cs]e|artistic licen[cs]e)\b"
        ),
        "weak-copyleft",
    ),
    (
        _re(
            r"\b(?P<op>(?:distribute|licen[cs]e|release|share|publish|make available|convey|"
            r"offer)\w* (?:\S+ ){0,10}?"
            r"(?:contributions?|adaptations?|adapted material|derivative works?|derivatives?|"
            r"modifications?|modified versions?|remix\w*|works? based on)"
            r"(?: \S+){0,10}? under (?:the )?(?:same|identical|a compatible|the terms of this|"
            r"this) (?:\S+ ){0,2}?(?:licen[cs]e|terms))"
        ),
        "same-terms",
    ),
    (
        _re(
            r"\b(?P<op>(?:contributions?|adaptations?|adapted material|derivative works?|"
            r"modifications?|modified versions?|remix\w*) (?:\S+ ){0,10}?"
            r"(?:must|shall) be (?:\S+ ){0,3}?(?:licensed|distributed|released|made "
            r"available) under (?:the )?(?:same|identical) (?:\S+ ){0,2}?(?:licen[cs]e|terms))"
        ),
        "same-terms",
    ),
)
_HOSTING = _re(
    r"\b(?P<op>(?:hosted|hosting|managed|cloud|online) (?:\S+ ){0,3}?(?:service|services|use|"
    r"offering|api)|model as a service|maas|saas|software as a service|(?:as|via) an? (?:api|"
    r"service))\b"
)
_AUP = _re(
    r"\b(?P<op>(?:acceptable|prohibited|responsible|permitted|usage|use) (?:use )?polic(?:y|"
    r"ies)|use restrictions policy|(?:usage|use) guidelines)\b"
)
_INHERIT = _re(
    r"\b(?P<op>(?:derivative|derivatives|modifications?|model derivatives?|fine tuned "
    r"versions?)(?: \S+){0,14}? (?:subject to|bound by|governed by|under|remain subject to|"
    r"comply with) (?:\S+ ){0,4}?(?:this|these|the same) (?:\S+ ){0,2}?(?:agreement|"
    r"licen[cs]e|terms))"
    r"|\b(?P<op2>(?:include|incorporate) (?:\S+ ){0,8}?(?:use restrictions|restrictions) "
    r"(?:\S+ ){0,12}?(?:enforceable|agreement|licen[cs]e))"
)
_LAW = _re(
    r"\bgoverned by (?:and construed (?:in accordance with|under) )?(?:the )?(?:substantive "
    r")?laws? of (?:the )?(?:state of |commonwealth of |province of )?(?P<op>(?:\S+ "
    r"){0,6}?\S+?)(?= without| excluding| except| and the| regardless| notwithstanding| with "
    r"the exclusion| irrespective|$| and any| and shall| as| in accordance)"
)


def _attribution(r: _Reader, s: Sentence, term: str | None) -> None:
    text = s.text
    if term is not None:
        return
    duty = bool(
        _DUTY.search(text)
        or (s.lead and _DUTY.search(s.lead))
        or (s.item and _IMPERATIVE.search(text))
    )
    if not duty or _SOFT.search(text):
        return
    if re.search(
        rf"\b(?:{NEG}|without)\b(?: \S+){{0,3}} (?:attribution|notice|credit)", text
    ) and not (
        # "you may not distribute ... without providing notice": a duty, not its absence
        _WITHOUT_DOING.search(text) and (NEG_RE.search(text) or NEG_RE.search(s.lead))
    ):
        return
    for rx, what in _ATTRIBUTION_RULES:
        m = rx.search(text)
        if m is None:
            continue
        if what == "display":
            shown = _quoted(r, s, m.start("op"), m.group("op")) or (m.group("op") + m.group("name"))
            value = f'Display "{shown.strip()}"'
        elif what == "prefix":
            name = m.group("name").strip() if "name" in rx.groupindex else ""
            name = (_quoted(r, s, m.start("name"), "") or name) if name else name
            value = (
                f'Model names must begin with "{name}"'
                if name
                else "Model names must carry a prefix"
            )
        elif what == "notices":
            value = "Keep the copyright and licence notices"
        elif what == "licence copy":
            value = "Ship a copy of the licence"
        elif what == "credit":
            value = "Give credit (attribution)"
        elif what == "notice file":
            value = "Ship the NOTICE file"
        elif what == "prominent":
            value = "Display the required attribution prominently"
        else:
            value = "Mark modified files"
        r.add(s, ATTRIBUTION, value, m.start("op"), 0.8, duty=what)


_WITHOUT_DOING = re.compile(
    r"\bwithout (?:providing|giving|including|displaying|retaining|keeping|citing)\b"
)
_QUOTED = re.compile(r"[\"“”]([^\"“”\n]{1,60}?)[\"“”]")


def _quoted(r: _Reader, s: Sentence, offset: int, starting: str) -> str | None:
    """The quoted words of the file near `offset` ("Built with Llama"), in their own case."""
    word = s.word_at(offset)
    line = s.lines[word] if s.lines else 0
    raw = r.raw_lines[line - 1] if 0 < line <= len(r.raw_lines) else ""
    column = s.columns[word] if s.columns else 0
    best = None
    for m in _QUOTED.finditer(raw):
        inner = m.group(1).strip()
        if not inner or (starting and not inner.lower().startswith(starting.split(" ")[0])):
            continue
        if best is None or abs(m.start() - column) < abs(best[0] - column):
            best = (m.start(), inner)
    return best[1] if best is not None else None


def _share_alike(r: _Reader, s: Sentence, term: str | None) -> None:
    text = s.text
    for rx, what in _SHARE_ALIKE_RULES:
        m = rx.search(text)
        if m is None:
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        if re.search(rf"\b(?:{NEG}|without)\b", before) or re.search(
            r"\b(?:non ?sharealike|not share ?alike)\b", text
        ):
            continue
        if what == "same-terms":
            if term is not None or not (_DUTY.search(text) or (s.lead and _DUTY.search(s.lead))):
                continue
            # AI licences pass their own terms on ("derivatives are subject to this Agreement"):
            # that is inheritance, read by _inherit; share-alike needs the same licence.
            if not re.search(r"\b(?:same|identical|compatible)\b|\bas a whole\b", m.group("op")):
                continue
            r.add(s, SHARE_ALIKE, "copyleft", m.start("op"), 0.75, how="same-terms")
        elif (
            what == "copyleft" and "share" not in m.group("op") and "copyleft" not in m.group("op")
        ):
            # The GPL named: copyleft only when the text is that licence (it names itself at
            # its head) or puts a work under it ("licensed under the GNU GPL").
            if s.index > 3 and not re.search(
                r"\b(?:licensed under|under the terms of|released under|distributed under|"
                r"this licen[cs]e)\b",
                text,
            ):
                continue
            r.add(s, SHARE_ALIKE, "copyleft", m.start("op"), 0.8, how="named")
        elif what == "weak-copyleft":
            if s.index > 3 and not re.search(
                r"\b(?:licensed under|under the terms of|released under|distributed under|"
                r"this licen[cs]e)\b",
                text,
            ):
                continue
            title = {"title": "yes"} if s.index <= 3 else {}
            r.add(s, SHARE_ALIKE, "weak-copyleft", m.start("op"), 0.8, how="named", **title)
        else:
            if term is not None and "elements" not in text:
                continue
            r.add(s, SHARE_ALIKE, "copyleft", m.start("op"), 0.85, how="share-alike")


_NO_DERIVATIVES = _re(
    r"\b(?P<op>noderivatives|no derivatives|no derivative works|noderivs)\b"
    r"|\b(?:may|must|shall|will) not (?:\S+ ){0,3}?(?P<op2>(?:share|distribute|publish|"
    r"make available)\w* (?:\S+ ){0,3}?(?:adapted material|adaptations?|derivative works?|"
    r"modified versions?|modifications?))\b"
)


def _no_derivatives(r: _Reader, s: Sentence, term: str | None) -> None:
    m = _NO_DERIVATIVES.search(s.text)
    if m is None or (term is not None and "elements" not in s.text):
        return
    if m.group("op") and re.search(rf"\b(?:{NEG}|without)\b(?: \S+){{0,2}} $", s.text[: m.start()]):
        return
    r.add(s, NO_DERIVATIVES, True, m.start("op") if m.group("op") else m.start("op2"), 0.75)


def _hosting(r: _Reader, s: Sentence, term: str | None) -> None:
    text = s.text
    m = _HOSTING.search(text)
    if m is None or term is not None:
        return
    limited = (
        NEG_RE.search(text)
        or _neg_context(s)
        or re.search(r"\b(?:requires?|separate|additional) (?:\S+ ){0,3}?licen[cs]e", text)
    )
    offered = re.search(
        r"\b(?:offer|provide|make available|host|hosting|deploy|operate|sell|"
        r"commerciali[sz]e|rent|lease)\w*\b",
        text,
    )
    if limited and offered:
        r.add(s, HOSTING, "restricted", m.start("op"), 0.7)


def _aup(r: _Reader, s: Sentence, term: str | None) -> None:
    m = _AUP.search(s.text)
    if m is None:
        return
    if not (
        s.urls
        or re.search(
            r"\b(?:incorporated|comply|abide|subject to|available at|located at|found at|"
            r"attached|exhibit|appendix|adhere|accordance)\b",
            s.text,
        )
    ):
        return
    r.add(s, AUP, s.urls[0] if s.urls else "", m.start("op"), 0.8)


def _inherit(r: _Reader, s: Sentence, term: str | None) -> None:
    m = _INHERIT.search(s.text)
    if m is not None and term is None:
        at = m.start("op") if m.group("op") else m.start("op2")
        r.add(s, DERIVATIVES_INHERIT, True, at, 0.75)


_INCORPORATED = _re(
    r"\b(?P<op>(?P<name>(?:\S+ ){1,4}?)(?:licen[cs]es?|agreements?)) (?:conditions? |terms )?"
    r"(?:\S+ ){0,16}?(?:also|additionally|as well) (?:\S+ ){0,2}?(?:appl(?:y|ies)|govern\w*)\b"
    r"|\b(?:also|additionally) (?:be )?(?:subject to|comply with|bound by|governed by) (?:the )?"
    r"(?:terms (?:and conditions )?of )?(?:the )?(?P<op2>(?P<name2>(?:\S+ "
    r"){1,4}?)(?:licen[cs]e|agreement))\b"
)
_GENERIC_NAME = frozenset(
    [
        "this",
        "the",
        "that",
        "these",
        "such",
        "a",
        "an",
        "any",
        "your",
        "our",
        "its",
        "their",
        "separate",
        "commercial",
        "enterprise",
        "paid",
        "limited",
        "copyright",
        "patent",
        "following",
        "above",
        "same",
        "original",
        "applicable",
        "other",
        "third",
        "party",
        "respective",
        "relevant",
        "new",
        "written",
        "prior",
        "different",
        "additional",
        "use",
        "acceptable",
        "of",
        "and",
        "or",
        "to",
        "under",
        "by",
        "with",
        "in",
        "for",
        "all",
        "each",
        "which",
        "whose",
        "public",
        "adapter",
        "s",
        "legal",
        "provision",
        "updated",
        "afore",
        "mentioned",
        "community",
        "model",
        "version",
        "based",
        "series",
        "base",
        "open",
        "source",
        "repository",
        "copy",
        "conditions",
    ]
)


_NAMED_LICENCE = re.compile(
    r"\b(?P<name>(?:\S+ ){1,3}?)(?:licen[cs]e|agreement)(?: conditions?)?\b"
)
_APPLIES = re.compile(r"\b(?:appl(?:y|ies|ied)|for (?:the )?model weights|subject to|govern\w*)\b")


def _incorporates(r: _Reader, s: Sentence, term: str | None) -> None:
    """Another licence's terms named as applying too ("the Llama 2 license also applies")."""
    if term is not None or ("licen" not in s.text and "agreement" not in s.text):
        return
    found: list[tuple[str, int]] = []
    for m in _INCORPORATED.finditer(s.text):
        found.append((m.group("name") or m.group("name2") or "", m.start()))
    if s.urls and _APPLIES.search(s.text):
        found += [(m.group("name"), m.start()) for m in _NAMED_LICENCE.finditer(s.text)]
    seen: set[str] = set()
    for raw_name, at in found:
        words = raw_name.split()[-3:]
        while words and words[0] in _GENERIC_NAME:
            words = words[1:]
        before = s.text[max(0, at - 6) : at]
        if not words or any(w in _GENERIC_NAME for w in words) or before.endswith("this "):
            continue
        name = " ".join(words)
        if name in seen:
            continue
        seen.add(name)
        url = s.urls[len(seen) - 1] if len(s.urls) >= len(seen) else ""
        r.add(s, INCORPORATES, name, at, 0.6, url=url)


def _law(r: _Reader, s: Sentence, term: str | None) -> None:
    m = _LAW.search(s.text)
    if m is not None:
        r.add(s, GOVERNING_LAW, m.group("op").strip(), m.start("op"), 0.85)


_USE_PROHIBITION = re.compile(
    r"\b(?:you|licensee|users?) (?:\S+ ){0,2}?(?:will|shall|must|may|agree to|agree that you will) "
    r"(?:not|never) (?:\S+ ){0,3}?(?:use|deploy|utili[sz]e|apply)\b|\bagree not to use\b|"
    r"\b(?:shall|must|may) not be used (?:for|to|in)\b(?! (?:\S+ )?(?:construe|interpret))"
)
# The lead of a list of prohibited uses ("You agree not to use the Model: ...").
_USE_LEAD = re.compile(
    r"\b(?:(?:will|shall|must|may|agree|agree to) not (?:\S+ ){0,4}?"
    r"(?:use|deploy|utili[sz]e|allow)|not be used|prohibited (?:uses?|purposes?|activities)|"
    r"use restrictions?|restricted uses?|"
    r"(?:uses?|purposes?) (?:are |is )?(?:strictly )?prohibited)\b"
)


def _use_restrictions(r: _Reader, s: Sentence, term: str | None) -> None:
    if term is not None:
        return
    if s.lead and s.item and not s.colon and _USE_LEAD.search(s.lead):
        r.add(s, USE_RESTRICTIONS, True, 0, 0.6)
        return
    m = _USE_PROHIBITION.search(s.text)
    if m is not None and not re.search(
        rf"\b{COMMERCIAL}|\bexcept (?:in compliance|as (?:permitted|provided|expressly))", s.text
    ):
        r.add(s, USE_RESTRICTIONS, True, m.start(), 0.6)


# Other languages ---------------------------------------------------------------------------------
# Another language version that prevails, or much legal text in a script the rules cannot read:
# the English words may grant more than the text that binds (a higher threshold, a permission the
# other version does not give), so nothing permissive is stated from them (see summarise).
_LANGS = (
    r"(?:chinese|mandarin|japanese|korean|russian|ukrainian|german|french|spanish|italian|"
    r"portuguese|dutch|arabic|hindi|vietnamese|thai|turkish|polish|indonesian|hebrew|greek|"
    r"swedish|finnish|danish|norwegian|czech|local|foreign|other|non english|original)"
)
_PREVAIL = (
    r"(?:prevail|prevails|control|controls|govern|governs|take precedence|takes precedence|"
    r"be binding|is binding|be authoritative|is authoritative|be final|shall apply)"
)
_PREVAILS = (
    _re(
        rf"\b(?P<op>(?P<lang>{_LANGS}) (?:language )?(?:versions?|texts?|originals?|language)"
        rf"(?P<between>(?: \S+){{0,6}}?) {_PREVAIL})\b"
    ),
    _re(
        rf"\b(?P<op>(?:version|text) (?:\S+ ){{0,2}}?in (?:the )?(?P<lang>{_LANGS})"
        rf"(?P<between>(?: \S+){{0,6}}?) {_PREVAIL})\b"
    ),
)
_FOREIGN_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u3000-\u303f", "Chinese (CJK)"),
    ("\u3040-\u30ff", "Japanese"),
    ("\uac00-\ud7af\u1100-\u11ff", "Korean"),
    ("\u0400-\u052f", "Cyrillic"),
    ("\u0370-\u03ff", "Greek"),
    ("\u0590-\u05ff", "Hebrew"),
    ("\u0600-\u06ff", "Arabic"),
    ("\u0900-\u0dff", "Indic"),
    ("\u0e00-\u0e7f", "Thai"),
)
_FOREIGN_RE = re.compile("[" + "".join(r for r, _ in _FOREIGN_SCRIPTS) + "]")
_SCRIPT_RES = tuple((re.compile(f"[{rng}]"), name) for rng, name in _FOREIGN_SCRIPTS)
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
FOREIGN_MIN_CHARS = 200  # a name, a title or an address in another script is no legal text
FOREIGN_MIN_SHARE = 0.05  # of all letters (one CJK character carries about a word)


# Function words of other Latin-script languages (none of them an English word a licence uses:
# not "et", "per", "die", "con"), against English ones: a licence in German, French, Spanish...
# has Latin letters the rules see, but none of their words.
def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FOREIGN_WORDS = _wordset(
    "der das und nicht mit von für zur zum oder wird werden sind diese dieser auf bei "
    "les des une pour dans par sur aux est sont ces cette avec ou ne pas "
    "el los las del y para una al lo es son este esta pero como sus "
    "della delle degli il che sono questo questa gli nel alla dello "
    "het een niet voor zijn deze wordt "
    "og och att ikke inte av som "
    "não uma com pelo pela são "
    "yang dan untuk dengan tidak dari ini atau pada dalam adalah akan oleh anda kami"
)
_ENGLISH_WORDS = _wordset(
    "the of and to or in any this you be for by with that is not shall as on such may "
    "are your its from which"
)
_WORD_RE = re.compile(r"[^\W\d_]+")
FOREIGN_MIN_WORDS = 40  # function words of one other language: a passage, not a name
FOREIGN_MIN_WORD_SHARE = 0.15  # of the function words counted


def _foreign_words(text: str, raw_lines: list[str]) -> Clause | None:
    """A clause when much of a Latin-script text is in another language than English."""
    foreign = english = 0
    first = 0
    for i, raw in enumerate(raw_lines, 1):
        words = _WORD_RE.findall(raw.lower())
        here = sum(1 for w in words if w in _FOREIGN_WORDS)
        if here >= 3 and not first:
            first = i
        foreign += here
        english += sum(1 for w in words if w in _ENGLISH_WORDS)
    if foreign < FOREIGN_MIN_WORDS or foreign / (foreign + english) < FOREIGN_MIN_WORD_SHARE:
        return None
    share = foreign / (foreign + english)
    quote = raw_lines[first - 1].strip()[:QUOTE_CHARS] if first else ""
    return Clause(
        OTHER_LANGUAGE,
        "a language other than English",
        first,
        quote,
        0.8,
        attrs=(("how", "share"), ("share", f"{share:.0%}")),
        lines=(first, first),
    )


def _prevails(r: _Reader, s: Sentence, term: str | None) -> None:
    for rx in _PREVAILS:
        m = rx.search(s.text)
        if m is None or "english" in m.group("between"):
            continue  # "... the English version prevails": what the reader reads binds
        lang = m.group("lang")
        r.add(s, OTHER_LANGUAGE, lang.title(), m.start("op"), 0.9, how="prevails")
        return


def _foreign_script(text: str, raw_lines: list[str]) -> Clause | None:
    """A clause when much of the text is in a script the reader cannot read, else None."""
    foreign = _FOREIGN_RE.findall(text)
    if len(foreign) < FOREIGN_MIN_CHARS:
        return None
    latin = len(_LATIN_RE.findall(text))
    if len(foreign) / (len(foreign) + latin) < FOREIGN_MIN_SHARE:
        return None
    joined = "".join(foreign)
    counts = {name: len(rx.findall(joined)) for rx, name in _SCRIPT_RES}
    script = max(counts, key=lambda k: counts[k])
    line = next((i for i, raw in enumerate(raw_lines, 1) if _FOREIGN_RE.search(raw)), 0)
    quote = raw_lines[line - 1].strip()[:QUOTE_CHARS] if line else ""
    share = len(foreign) / (len(foreign) + latin)
    return Clause(
        OTHER_LANGUAGE,
        script,
        line,
        quote,
        0.9,
        attrs=(("how", "share"), ("share", f"{share:.0%}")),
        lines=(line, line),
    )


RULES: tuple[Rule, ...] = (
    _grant,
    _commercial,
    _thresholds,
    _territory,
    _outputs,
    _attribution,
    _share_alike,
    _hosting,
    _aup,
    _inherit,
    _law,
    _use_restrictions,
    _incorporates,
    _no_derivatives,
    _size,
    _prevails,
)


def find_clauses(text: str, *, document: str = "license") -> tuple[Clause, ...]:
    """Every clause the rules find in `text`, in reading order."""
    sentences = sentences_of(text)
    raw_lines = re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))
    reader = _Reader(sentences, raw_lines, document)
    reader.capped = any(_has_threshold(s.text) for s in sentences if re.search(r"\d{4}", s.text))
    _commercial_definitions(reader)
    outputs_seen = False
    for s in sentences:
        term = _definition(s) or _definition_lead(s)
        for rule in RULES:
            rule(reader, s, term)
        if not outputs_seen and _OUTPUT_MENTION.search(s.text):
            m = _OUTPUT_MENTION.search(s.text)
            assert m is not None
            reader.add(s, OUTPUTS_MENTIONED, True, m.start(), 0.9)
            outputs_seen = True
    script = _foreign_script(text, raw_lines) or _foreign_words(text, raw_lines)
    if _HAN_RE.search(text):
        script = _read_chinese(reader, text, raw_lines, document, script)
    if script is not None:
        reader.found.append(script)
    return _dedupe(reader.found)


_HAN_RE = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")


def _read_chinese(
    reader: _Reader, text: str, raw_lines: list[str], document: str, script: Clause | None
) -> Clause | None:
    """Read the Chinese sentences too (clauses_zh): their clauses join the English ones (the
    stricter reading wins in summarise), and the text in Chinese is no longer text the reader
    cannot read, except for the fields a Chinese sentence spoke of that no rule placed."""
    from .clauses_zh import is_chinese, read_chinese

    if not is_chinese(text) or (script is not None and not script.value.startswith("Chinese")):
        return script
    read = read_chinese(raw_lines, document)
    if read is None:
        return script  # no converter for Traditional characters: the text stays unread
    found, unread = read
    reader.found.extend(found)
    prevails = any(
        c.kind == OTHER_LANGUAGE and str(c.value).lower() in ("chinese", "mandarin")
        for c in reader.found
    )
    if script is None and not unread and not (prevails and found):
        return None  # a name or a title in Chinese: nothing to say about the reading
    base = script or Clause(OTHER_LANGUAGE, "Chinese", found[0].line if found else 0, "", 0.9)
    attrs = dict(base.attrs)
    attrs.update(how="read", unread=",".join(sorted(unread)))
    return replace(base, value="Chinese", attrs=tuple(sorted(attrs.items())))


_OUTPUT_MENTION = re.compile(
    r"\b(?:outputs?|results of (?:the |operating )?(?:\S+ ){0,2}?(?:model|materials))\b"
)


def _dedupe(found: Iterable[Clause]) -> tuple[Clause, ...]:
    seen: set[tuple[str, Any, int]] = set()
    out: list[Clause] = []
    for c in found:
        k = (c.kind, c.value, c.line)
        if k in seen:
            continue
        seen.add(k)
        out.append(c)
    return tuple(out)


# -- summary --
@dataclass(frozen=True)
class ClauseFacts:
    """What the clauses of one text establish, in the shape of a registry record's facts.

    A value the clauses do not establish is "unknown" / None (lists: empty), never a guess."""

    clauses: tuple[Clause, ...]
    license_class: str  # non-commercial | research-only | copyleft, else unknown
    commercial_use: str
    non_commercial: bool | None
    research_only: bool | None
    mau_cap: int | None
    revenue_cap: int | None
    territory_restrictions: tuple[TerritoryRestriction, ...]
    eu_restricted: bool | None
    output_training: str
    attribution: tuple[str, ...]
    share_alike: bool | None
    acceptable_use_policy: str | None
    derivatives_inherit: bool | None
    governing_law: str | None
    hosting_restricted: bool | None
    evidence_for: tuple[tuple[str, Clause], ...] = ()  # (fact name, the clause that states it)
    incorporates: tuple[Clause, ...] = ()  # other licences whose terms apply too (not read)
    # Facts the text speaks of that the reader could not establish (a cap in another currency,
    # a cap or a permission from the English part of a text another language version binds).
    uncertain: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # why, for the reader of the report

    def reported(self) -> tuple[Clause, ...]:
        """The clauses worth showing (not the reader's bookkeeping)."""
        return tuple(
            c for c in self.clauses if c.kind not in (OUTPUTS_MENTIONED, USE_RESTRICTIONS, UNPLACED)
        )

    def facts_json(self) -> dict[str, Any]:
        return terms_json(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.license_class,
            "facts": self.facts_json(),
            "share_alike": self.share_alike,
            "governing_law": self.governing_law,
            "hosting_restricted": self.hosting_restricted,
            "clauses": [c.to_json() for c in self.clauses],
            "uncertain": list(self.uncertain),
            "notes": list(self.notes),
        }


def _first(clauses: Sequence[Clause], *kinds: str) -> Clause | None:
    for c in clauses:
        if c.kind in kinds:
            return c
    return None


def summarise(clauses: Sequence[Clause], *, document: str = "license") -> ClauseFacts:
    """The facts the clauses establish (see ClauseFacts)."""
    ev: list[tuple[str, Clause]] = []
    granted = any(c.kind == GRANT for c in clauses)
    # "licensed under <another licence>" counts only in a text that grants nothing of its own
    # (a notice pointing elsewhere); in a full licence it is a sample notice or a mention.
    if granted:
        clauses = [c for c in clauses if c.kind != INCORPORATES or c.attr("how") != "pointer"]
    model = [c for c in clauses if c.attr("scope") != "outputs"]
    is_licence = document == "license" and (
        granted or any(c.kind in COMMERCIAL_SCOPE or c.kind == COMMERCIAL_ALLOWED for c in clauses)
    )

    restrict = [c for c in model if c.kind in COMMERCIAL_SCOPE]
    prohibit = [
        c
        for c in restrict
        if c.attr("how") in ("prohibited", "listed") or c.kind in (NO_SALE, COMMERCIAL_LICENCE)
    ]
    allowed = [c for c in model if c.kind == COMMERCIAL_ALLOWED]
    users = [c for c in clauses if c.kind == USER_THRESHOLD]
    revenue = [c for c in clauses if c.kind == REVENUE_THRESHOLD]
    uncertain: list[str] = []
    notes: list[str] = []
    # Policy compares revenue_cap with organization.annual_revenue_usd: an amount in another
    # currency is no USD cap, and no rate is assumed. The cap is not stated and commercial use
    # is unknown (a term to check), never "no cap".
    converted = [_in_usd(c) for c in revenue if c.attr("currency") in CONSERVATIVE_USD]
    for money in converted:
        notes.append(
            f"line {money.line}: a revenue threshold of {money.attr('converted_from').upper()} "
            f"{money.attr('amount')} is taken as USD {money.value:,} (at a deliberately low "
            "rate, so the cap is no higher than the real one); check it"
        )
    revenue = [c for c in revenue if c.attr("currency") not in CONSERVATIVE_USD] + converted
    other_currency = [c for c in revenue if c.attr("currency") not in _USD]
    for money in other_currency:
        notes.append(
            f"line {money.line}: a revenue threshold of {money.attr('currency').upper()} "
            f"{money.value:,}: "
            "no conversion to USD is known, so the revenue cap is not stated; check it"
        )
    if other_currency:
        uncertain.append("revenue_cap")
    conditions = [c for c in clauses if c.kind in (REGISTRATION, HOSTING, AUP, USE_RESTRICTIONS)]
    conditions += users + revenue
    conditions += [c for c in allowed if c.value == "conditional"]

    research = any(c.kind == RESEARCH_ONLY for c in restrict)
    # A separate, explicit commercial grant (not in a sentence that also limits the grant).
    limited_at = {c.lines for c in restrict}
    explicit = [c for c in allowed if c.attr("how") == "explicit" and c.lines not in limited_at]
    if prohibit:
        commercial = "no"
        ev += [("commercial_use", prohibit[0]), ("non_commercial", prohibit[0])]
    elif restrict and explicit:
        commercial = "conditional"  # e.g. a research licence plus a commercial licence with a cap
        ev.append(("commercial_use", explicit[0]))
        research = False
    elif restrict:
        commercial = "no"
        ev += [("commercial_use", restrict[0]), ("non_commercial", restrict[0])]
    elif conditions and (granted or allowed):
        commercial = "conditional"
        ev.append(("commercial_use", conditions[0]))
    elif allowed or granted:
        commercial = "yes"
        first = allowed[0] if allowed else _first(clauses, GRANT)
        if first is not None:
            ev.append(("commercial_use", first))
    else:
        commercial = "unknown"
    if other_currency and commercial in ("yes", "conditional"):
        commercial = "unknown"
        ev.append(("commercial_use", other_currency[0]))
    size = _first(clauses, SIZE_THRESHOLD)
    if size is not None and commercial in ("yes", "conditional"):
        # Above a headcount a separate licence is needed: nothing here knows the headcount.
        commercial = "unknown"
        ev.append(("commercial_use", size))
    non_commercial: bool | None = commercial == "no" if commercial != "unknown" else None
    research_only: bool | None = (
        research and commercial == "no" if commercial != "unknown" else None
    )
    if research_only:
        c = _first(restrict, RESEARCH_ONLY)
        if c is not None:
            ev.append(("research_only", c))

    usd = [c for c in revenue if c.attr("currency") in _USD]
    mau = min((c.value for c in users), default=None)
    rev = min((c.value for c in usd), default=None) if not other_currency else None
    if users:
        ev.append(("mau_cap", min(users, key=lambda c: c.value)))
    if usd and not other_currency:
        ev.append(("revenue_cap", min(usd, key=lambda c: c.value)))

    territory: list[TerritoryRestriction] = []
    for c in clauses:
        if c.kind == TERRITORY:
            t = TerritoryRestriction(
                str(c.value), c.attr("scope", "all"), c.attr("clause", "license")
            )
            if t not in territory:
                territory.append(t)
                ev.append(("territory_restrictions", c))
    eu_clause = next((c for c in clauses if c.kind == TERRITORY and c.value in ("EU", "EEA")), None)
    aup = _first(clauses, AUP)
    if eu_clause is not None:
        eu: bool | None = True
        ev.append(("eu_restricted", eu_clause))
    elif (aup is not None and document == "license") or _first(clauses, INCORPORATES):
        eu = None  # an incorporated policy or licence we did not read may exclude the EU
    elif is_licence or document == "policy":
        eu = False
    else:
        eu = None  # a notice or a fragment grants nothing: it says nothing of regions

    outs = [c for c in clauses if c.kind == OUTPUT_TRAINING]
    if outs:
        strictest = max(outs, key=lambda c: OUTPUT_TRAINING_STRICTNESS.get(c.value, 0))
        output = str(strictest.value)
        ev.append(("output_training", strictest))
    elif not is_licence:
        output = "unknown"
    else:
        output = "allowed" if aup is None and not _first(clauses, INCORPORATES) else "unknown"
    if (
        commercial == "no"
        and output in ("allowed", "conditional", "unknown")
        and (
            _first(clauses, OUTPUTS_MENTIONED)
            or any(c.attr("covers") for c in restrict)
            or research_only
        )
    ):
        output = "restricted"  # a non-commercial licence that covers outputs: they share its limits

    duties: list[str] = []
    for c in clauses:
        if c.kind == ATTRIBUTION and c.value not in duties:
            duties.append(str(c.value))
            if len(duties) == 1:
                ev.append(("attribution", c))
    for c in users + revenue:
        if c.attr("trigger") == "duty":
            duty = (
                f"Above {c.value:,} "
                f"{'users' if c.kind == USER_THRESHOLD else c.attr('currency') + ' revenue'} a "
                f"duty applies (line {c.line})"
            )
            duties.append(duty)

    shares = [c for c in clauses if c.kind == SHARE_ALIKE]
    strong = [c for c in shares if c.value == "copyleft"]
    if any(c.value == "weak-copyleft" and c.attr("title") for c in shares):
        strong = [c for c in strong if c.attr("how") not in ("named", "share-alike")]
    share_alike: bool | None = bool(shares) if is_licence else (True if shares else None)
    if shares:
        ev.append(("share_alike", (strong or shares)[0]))

    if commercial == "no" and research_only:
        cls = "research-only"
    elif commercial == "no":
        cls = "non-commercial"
    elif strong:
        cls = "copyleft"
    else:
        cls = "unknown"
    inherit = _first(clauses, DERIVATIVES_INHERIT)
    law = _first(clauses, GOVERNING_LAW)
    hosting = _first(clauses, HOSTING)
    facts = ClauseFacts(
        clauses=tuple(clauses),
        license_class=cls,
        commercial_use=commercial,
        non_commercial=non_commercial,
        research_only=research_only,
        mau_cap=int(mau) if mau is not None else None,
        revenue_cap=int(rev) if rev is not None else None,
        territory_restrictions=tuple(territory),
        eu_restricted=eu,
        output_training=output,
        attribution=tuple(duties),
        share_alike=share_alike,
        acceptable_use_policy=(aup.value or "referenced") if aup is not None else None,
        derivatives_inherit=True
        if inherit is not None or bool(strong)
        else (False if is_licence else None),
        governing_law=str(law.value) if law is not None else None,
        hosting_restricted=True if hosting is not None else (False if is_licence else None),
        evidence_for=tuple(ev),
        incorporates=tuple(c for c in clauses if c.kind == INCORPORATES),
        uncertain=tuple(uncertain),
        notes=tuple(notes),
    )
    others = [c for c in clauses if c.kind == OTHER_LANGUAGE]
    read = next((c for c in others if c.attr("how") == "read"), None)
    blocking = [
        c
        for c in others
        if c.attr("how") != "read"
        # "the Chinese version prevails": read, when the Chinese sentences were
        and not (read is not None and str(c.value).lower() in ("chinese", "mandarin"))
    ]
    if blocking:
        return _other_language(facts, blocking[0])
    return _partly_read(facts, read) if read is not None else facts


def _other_language(facts: ClauseFacts, foreign: Clause) -> ClauseFacts:
    """Fail closed on a text whose binding words the reader could not read: only restrictions
    read in the English part stand (they can only make a decision stricter); a permission, a
    cap or the absence of a clause read there is not established."""
    if foreign.attr("how") == "prevails":
        why = f"line {foreign.line}: the {foreign.value} version of the text prevails"
    else:
        why = (
            f"from line {foreign.line}: much of the text ({foreign.attr('share')}) is in "
            f"{foreign.value}, which the reader cannot read"
        )
    note = (
        f"{why}; facts read from the English words alone are not relied on: commercial use, "
        "caps and what the text does not forbid are unknown (restrictions read still apply)"
    )
    uncertain = list(facts.uncertain)
    uncertain += [f for f in ("mau_cap", "revenue_cap") if f not in uncertain]
    if not facts.attribution:
        uncertain.append("attribution")  # no duty read in English is no proof there is none
    ev = [
        (f, c)
        for f, c in facts.evidence_for
        if f not in ("mau_cap", "revenue_cap")
        and not (
            f == "commercial_use" and c.kind != OTHER_LANGUAGE and facts.commercial_use != "no"
        )
    ]
    commercial = facts.commercial_use if facts.commercial_use == "no" else "unknown"
    if commercial == "unknown":
        ev.append(("commercial_use", foreign))

    def only_true(v: bool | None) -> bool | None:
        return True if v else None

    return replace(
        facts,
        commercial_use=commercial,
        non_commercial=only_true(facts.non_commercial),
        research_only=only_true(facts.research_only),
        mau_cap=None,
        revenue_cap=None,
        eu_restricted=only_true(facts.eu_restricted),
        output_training=facts.output_training
        if facts.output_training in ("prohibited", "restricted")
        else "unknown",
        share_alike=only_true(facts.share_alike),
        derivatives_inherit=only_true(facts.derivatives_inherit),
        hosting_restricted=only_true(facts.hosting_restricted),
        evidence_for=tuple(ev),
        uncertain=tuple(uncertain),
        notes=(*facts.notes, note),
    )


def _partly_read(facts: ClauseFacts, read: Clause) -> ClauseFacts:
    """Chinese sentences were read; a field one of them spoke of that no rule placed is not
    established (only a restriction read stands), like a text the reader cannot read."""
    unread = {f for f in read.attr("unread").split(",") if f}
    if not unread:
        return facts
    uncertain = list(facts.uncertain)
    ev = list(facts.evidence_for)
    values: dict[str, Any] = {}

    def only_true(v: bool | None) -> bool | None:
        return True if v else None

    commercial = facts.commercial_use
    if "commercial_use" in unread or unread & {"mau_cap", "revenue_cap"}:
        if commercial != "no":
            commercial = "unknown"
            ev = [(f, c) for f, c in ev if f != "commercial_use"] + [("commercial_use", read)]
        values.update(
            commercial_use=commercial,
            non_commercial=only_true(facts.non_commercial),
            research_only=only_true(facts.research_only),
        )
    for cap in ("mau_cap", "revenue_cap"):
        if cap in unread:
            values[cap] = None
            ev = [(f, c) for f, c in ev if f != cap]
            uncertain.append(cap)
    if "territory" in unread:
        values["eu_restricted"] = only_true(facts.eu_restricted)
        uncertain.append("territory")
    if "output_training" in unread and facts.output_training not in ("prohibited", "restricted"):
        values["output_training"] = "unknown"
    if "attribution" in unread and not facts.attribution:
        uncertain.append("attribution")
    if "share_alike" in unread:
        values["share_alike"] = only_true(facts.share_alike)
    note = (
        f"line {read.line}: Chinese sentences speak of {', '.join(sorted(unread))} in words the "
        "reader could not place: not established (restrictions read still apply)"
    )
    return replace(
        facts,
        **values,
        evidence_for=tuple(ev),
        uncertain=tuple(dict.fromkeys(uncertain)),
        notes=(*facts.notes, note),
    )


def read_clauses(text: str, *, document: str = "license") -> ClauseFacts:
    """Read a licence or policy text on its own: its clauses and the facts they establish."""
    return summarise(find_clauses(text, document=document), document=document)
