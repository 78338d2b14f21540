"""The clause reader on small texts written here: one group per clause kind, wording in other
orders and numbers in words; then relatives of known texts whose added clauses must change the
facts, and an unknown text's clauses reaching policy."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from compliance.facts.clauses import (
    ATTRIBUTION,
    AUP,
    COMMERCIAL_LICENCE,
    EXPORT_CONTROL,
    GOVERNING_LAW,
    HOSTING,
    NO_SALE,
    NON_COMMERCIAL,
    OUTPUT_TRAINING,
    REVENUE_THRESHOLD,
    SHARE_ALIKE,
    TERRITORY,
    USER_THRESHOLD,
    Clause,
    find_clauses,
    read_clauses,
)
from compliance.facts.detect import detect_text
from compliance.facts.registry import Registry, load_registry
from compliance.facts.sentences import sentences_of
from compliance.facts.textnorm import decode

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "licenses"
GRANT = (
    "The Licensor hereby grants you a worldwide, royalty-free licence to use, copy and modify "
    "the Model."
)


def of_kind(text: str, kind: str) -> list[Clause]:
    return [c for c in find_clauses(text) if c.kind == kind]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# -- sentences: canonical numbers and words --
@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("700 million", "700000000"),
        ("700,000,000", "700000000"),
        ("one hundred million", "100000000"),
        ("seven hundred million (700,000,000)", "700000000 700000000"),
        ("1M", "1000000 "),  # a multiplier only before an amount or users
        ("USD $1,000,000", "usd 1000000"),
        ("US $1M", "usd 1000000"),
        ("20 million US dollars", "20000000 usd"),
        ("1.5 billion", "1500000000"),
        ("Llama 3.2", "llama 3 2"),
        ("Orion-14B", "orion 14 b"),
        ("don't", "do not"),
        ("won't", "will not"),
    ],
)
def test_numbers_currencies_and_contractions_are_canonical(written: str, canonical: str) -> None:
    text = f"{written} monthly active users" if written == "1M" else written
    assert sentences_of(text)[0].text.startswith(canonical.strip())


def test_sentences_keep_lines_and_list_leads() -> None:
    text = "You agree you will not use the Model to:\n\n1. Harm people;\n2. Commercial use.\n"
    s = sentences_of(text)
    assert [x.text for x in s] == [
        "you agree you will not use the model to",
        "1 harm people",
        "2 commercial use",
    ]
    assert s[2].lines[0] == 4 and s[2].lead == "you agree you will not use the model to"


# -- commercial scope --
@pytest.mark.parametrize(
    "sentence",
    [
        "You may not use the Model for commercial purposes.",
        "You shall not use the Model or any output in connection with any commercial use.",
        "Commercial use of the Model is strictly prohibited.",
        "Any commercial exploitation of the Model is not permitted.",
        "The Model is licensed to you solely for non-commercial purposes.",
        "You may use, copy and modify the Model for non-commercial purposes only.",
        "The Work may only be used or intended for use non-commercially.",
        "No commercial use of the Model is allowed.",
        "NOT FOR COMMERCIAL USE.",
        "You are not permitted to deploy the model in any commercial product.",
        "The model is free for non-commercial use.",
        "You shall not monetize the Model or its outputs.",
        "Acme reserves all commercial rights in the Model.",
        "Any use of the Model by a for-profit entity requires a license.",
        "Redistribution for a fee is prohibited.",
        "Commercial use, except as set out in Section 4, is prohibited.",
    ],
)
def test_non_commercial_in_its_many_wordings(sentence: str) -> None:
    text = f"Model Licence\n\n{GRANT}\n\n{sentence}\n"
    cf = read_clauses(text)
    assert cf.commercial_use == "no" and cf.non_commercial is True
    assert cf.license_class in ("non-commercial", "research-only")
    ev = dict(cf.evidence_for)["commercial_use"]
    assert ev.line == 5 and ev.quote == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        '"Non-Commercial Use" means use that is not primarily intended for commercial advantage.',
        "Nothing in this licence restricts commercial use of the Model.",
        "You may use the Model for research and commercial purposes.",
        "You may use the Model for any purpose, commercial or non-commercial.",
        "In no event shall the authors be liable for any commercial damages or losses.",
        "This Agreement is registered in the Paris commercial registry.",
        "The licence applies to commercial and non-commercial users alike.",
        "You may use Output for any purpose (including for commercial purposes), except as "
        "expressly prohibited herein.",
    ],
)
def test_mentions_of_commercial_that_restrict_nothing(sentence: str) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    assert cf.commercial_use in ("yes", "conditional"), cf.clauses
    assert cf.non_commercial is False and cf.license_class == "unknown"


@pytest.mark.parametrize(
    "sentence",
    [
        "You may use the Model for research purposes only.",
        "The Model is made available solely for academic research.",
        "Use of the Model is limited to non-commercial scientific research.",
    ],
)
def test_research_only(sentence: str) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    assert cf.commercial_use == "no" and cf.research_only is True
    assert cf.license_class == "research-only"


def test_a_defined_term_carries_its_definition() -> None:
    text = (
        '"Permitted Purpose" means non-commercial scientific research.\n\n'
        "The Licensor grants you a licence to use the Model solely for the Permitted Purpose.\n"
    )
    cf = read_clauses(text)
    assert cf.research_only is True and cf.commercial_use == "no"
    assert dict(cf.evidence_for)["commercial_use"].line == 3  # the grant, not the definition


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("You may use the Model for internal evaluation purposes only.", "evaluation-only"),
        ("The Model is licensed for your personal use only.", "personal-use"),
        (
            "If you want to use the Model commercially, you must obtain a separate commercial "
            "licence from us.",
            COMMERCIAL_LICENCE,
        ),
        (
            "You must request a license from the Licensor before any commercial use.",
            COMMERCIAL_LICENCE,
        ),
        (
            "The License does not grant to you the right to Sell the Software.",
            NO_SALE,
        ),
    ],
)
def test_other_commercial_limits(sentence: str, kind: str) -> None:
    text = f"{GRANT}\n\n{sentence}\n"
    assert of_kind(text, kind), find_clauses(text)
    assert read_clauses(text).commercial_use == "no"


def test_registration_for_commercial_use_is_a_condition_not_a_prohibition() -> None:
    text = (
        f"{GRANT}\n\nUsers who wish to use the models for commercial purposes must register "
        "with the Licensor. Registered users may use the models for commercial activities free "
        "of charge.\n"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "conditional" and cf.non_commercial is False


def test_a_research_grant_beside_a_capped_commercial_grant_is_conditional() -> None:
    text = (
        "Research licence. The Licensor grants you a licence to use the Model for any research "
        "or non-commercial purpose.\n\nCommercial licence. The Licensor grants you a licence to "
        "use the Model for any commercial purpose, provided that your annual revenue does not "
        "exceed USD 1,000,000.\n"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "conditional" and cf.revenue_cap == 1_000_000


def test_a_permissive_text_states_no_restriction() -> None:
    mit_like = (
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
        "software, to deal in the Software without restriction, including without limitation "
        "the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell "
        "copies of the Software.\n\nThe above copyright notice and this permission notice shall "
        "be included in all copies or substantial portions of the Software.\n"
    )
    cf = read_clauses(mit_like)
    assert (cf.commercial_use, cf.mau_cap, cf.revenue_cap) == ("yes", None, None)
    assert cf.territory_restrictions == () and cf.eu_restricted is False
    assert cf.output_training == "allowed" and cf.share_alike is False
    assert cf.attribution and cf.license_class == "unknown"  # never "permissive" from the reader


# -- thresholds --
@pytest.mark.parametrize(
    ("sentence", "users"),
    [
        (
            "If the monthly active users of your products exceed 700 million, you must request "
            "a license from us.",
            700_000_000,
        ),
        (
            "Licensees with more than seven hundred million monthly active users must request a "
            "licence.",
            700_000_000,
        ),
        (
            "If your service has more than one hundred million monthly active users, you shall "
            "request a license from Us.",
            100_000_000,
        ),
        ("Your MAU may not exceed 10,000,000 without a separate licence agreement.", 10_000_000),
        (
            "The number of service users (visits) for your commercial activities must not exceed "
            "1 million visits per month without a commercial license.",
            1_000_000,
        ),
        ("Products with over 2M daily active users require our written permission.", 2_000_000),
    ],
)
def test_user_thresholds(sentence: str, users: int) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    assert cf.mau_cap == users and cf.commercial_use == "conditional"
    (c,) = [c for c in cf.clauses if c.kind == USER_THRESHOLD]
    assert c.attr("trigger") == "licence" and c.line == 3


@pytest.mark.parametrize(
    ("sentence", "amount", "currency", "period"),
    [
        (
            "If your annual revenue exceeds USD 20 million you must obtain an enterprise licence.",
            20_000_000,
            "usd",
            "year",
        ),
        (
            "This licence terminates for organisations generating more than US $1,000,000 in "
            "annual revenue.",
            1_000_000,
            "usd",
            "year",
        ),
        (
            "Entities with gross revenue of at least EUR 5 million per year need a commercial "
            "licence.",
            5_000_000,
            "eur",
            "year",
        ),
    ],
)
def test_revenue_thresholds(sentence: str, amount: int, currency: str, period: str) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    # Policy compares the cap with a USD revenue: another currency is converted at a rate
    # below its real one (EUR 0.9), so the stated cap is never higher than the text's.
    assert cf.revenue_cap == (amount if currency == "usd" else amount * 9 // 10)
    (c,) = [c for c in cf.clauses if c.kind == REVENUE_THRESHOLD]
    assert c.value == amount
    assert (c.attr("currency"), c.attr("period"), c.attr("trigger")) == (
        currency,
        period,
        "licence",
    )


def test_a_display_duty_above_a_threshold_is_a_duty() -> None:
    text = (
        f"{GRANT}\n\nIf the Software is used in commercial products that have more than 100 "
        "million monthly active users, or more than 20 million US dollars in monthly revenue, "
        'you shall prominently display "Acme" on the user interface.\n'
    )
    cf = read_clauses(text)
    assert (cf.mau_cap, cf.revenue_cap) == (100_000_000, 20_000_000)
    users = next(c for c in cf.clauses if c.kind == USER_THRESHOLD)
    revenue = next(c for c in cf.clauses if c.kind == REVENUE_THRESHOLD)
    assert users.attr("trigger") == revenue.attr("trigger") == "duty"
    assert revenue.attr("period") == "month"
    assert any("duty" in a for a in cf.attribution)


def test_model_sizes_and_years_are_not_thresholds() -> None:
    text = f"{GRANT}\n\nThe Orion-14B model was released in 2024 to 1000 researchers.\n"
    cf = read_clauses(text)
    assert cf.mau_cap is None and cf.revenue_cap is None


# -- territory --
def test_a_territory_definition_that_excludes_regions() -> None:
    text = (
        f"{GRANT}\n\n"
        '"Territory" shall mean the worldwide territory, excluding the territory of the '
        "European Union, United Kingdom and South Korea.\n"
    )
    cf = read_clauses(text)
    assert [t.region for t in cf.territory_restrictions] == ["EU", "GB", "KR"]
    assert cf.eu_restricted is True
    assert all(c.line == 3 for c in cf.clauses if c.kind == TERRITORY)


@pytest.mark.parametrize(
    ("sentence", "regions", "scope"),
    [
        ("THIS AGREEMENT DOES NOT APPLY IN THE EUROPEAN ECONOMIC AREA.", ["EEA"], "all"),
        (
            "With respect to any multimodal models, the rights granted are not being granted to "
            "you if you are domiciled in the European Union.",
            ["EU"],
            "multimodal",
        ),
        (
            "The Model may not be used in mainland China, Hong Kong or Taiwan.",
            ["CN", "HK", "TW"],
            "all",
        ),
        ("No rights are granted to residents of the United Kingdom.", ["GB"], "all"),
        (
            "Users located in the European Union are not permitted to use this model.",
            ["EU"],
            "all",
        ),
        (
            "Residents of the EU, the UK and Switzerland may not access the Model.",
            ["EU", "GB", "CH"],
            "all",
        ),
    ],
)
def test_excluded_regions(sentence: str, regions: list[str], scope: str) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    assert [t.region for t in cf.territory_restrictions] == regions
    assert {t.scope for t in cf.territory_restrictions} == {scope}


@pytest.mark.parametrize(
    "sentence",
    [
        '"Meta" means Meta Platforms Ireland Limited (if you are located in or your principal '
        "place of business is in the EEA or Switzerland) and Meta Platforms, Inc. (if you are "
        "located outside of the EEA or Switzerland).",
        "This Agreement is governed by the laws of the mainland of the People's Republic of "
        "China (for the purposes of this agreement only, excluding Hong Kong, Macau, and Taiwan).",
        "You will not export the Model to any person on a sanctions list of the United States, "
        "the European Union or the United Kingdom.",
    ],
)
def test_regions_named_without_excluding_them(sentence: str) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    assert cf.territory_restrictions == () and cf.eu_restricted is False


def test_sanctions_are_reported_as_export_control() -> None:
    text = f"{GRANT}\n\nYou must comply with all export control laws and sanctions.\n"
    assert of_kind(text, EXPORT_CONTROL)


# -- outputs --
@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        (
            "You will not use the Model or any output of it to train any other large language "
            "model.",
            "prohibited",
        ),
        (
            "You may not use outputs to improve any other large language model (excluding the "
            "Model or derivative works thereof).",
            "restricted",
        ),
        (
            "If you use the outputs of the Model to create, train or improve an AI model that "
            'you distribute, you shall prominently display "Built with Acme" and its name must '
            'begin with "Acme".',
            "conditional",
        ),
        ("Outputs may be used for non-commercial research purposes only.", "restricted"),
        (
            "Do not use outputs of this model to develop models that compete with Acme.",
            "prohibited",
        ),
        ("The licensee shall not use any output to create a rival product.", "prohibited"),
        (
            "Any use of outputs to train a model requires that the new model be released under "
            "this license.",
            "conditional",
        ),
    ],
)
def test_output_training(sentence: str, value: str) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    assert cf.output_training == value, find_clauses(f"{GRANT}\n\n{sentence}\n")
    assert any(c.kind == OUTPUT_TRAINING and c.line == 3 for c in cf.clauses)


def test_no_output_clause_in_a_licence_means_allowed_and_a_policy_says_nothing() -> None:
    assert read_clauses(f"{GRANT}\n").output_training == "allowed"
    policy = "You agree you will not use the Model to:\n\n1. Violate the law.\n"
    assert read_clauses(policy, document="policy").output_training == "unknown"


# -- duties, share-alike, hosting, use policy, law --
@pytest.mark.parametrize(
    ("sentence", "duty"),
    [
        (
            'You must prominently display "Built with Acme" on your website.',
            'Display "Built with Acme"',
        ),
        ("Any derived model's name must begin with Acme.", 'Model names must begin with "acme"'),
        (
            'A derived model\'s name must begin with "Acme-X".',
            'Model names must begin with "Acme-X"',
        ),
        ("You must include a Notice text file with every copy.", "Ship the NOTICE file"),
        ("You must give any recipients a copy of this Agreement.", "Ship a copy of the licence"),
        (
            "Redistributions must retain the above copyright notice.",
            "Keep the copyright and licence notices",
        ),
        ("You must give appropriate credit to the authors.", "Give credit (attribution)"),
    ],
)
def test_attribution_duties(sentence: str, duty: str) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    assert duty in cf.attribution


def test_an_encouraged_credit_is_no_duty() -> None:
    text = f'{GRANT}\n\nYou are encouraged to state "Powered by Acme" in your product.\n'
    assert read_clauses(text).attribution == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "ShareAlike. If You Share Adapted Material You produce, the Adapter's License You apply "
        "must be a Creative Commons license with the same License Elements.",
        "If you remix or build upon the Model, you must distribute your contributions under the "
        "same license as the original.",
    ],
)
def test_share_alike_makes_copyleft(sentence: str) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    assert cf.share_alike is True and cf.license_class == "copyleft"
    assert of_kind(f"{GRANT}\n\n{sentence}\n", SHARE_ALIKE)[0].line == 3


def test_passing_an_agreement_on_is_inheritance_not_share_alike() -> None:
    text = (
        f"{GRANT}\n\nIf you distribute the Model or any derivative works thereof, you shall "
        "provide a copy of this Agreement, and such derivative works remain subject to this "
        "Agreement.\n"
    )
    cf = read_clauses(text)
    assert cf.share_alike is False and cf.derivatives_inherit is True
    assert cf.license_class == "unknown"


def test_gnu_licences_by_name() -> None:
    gpl = "GNU GENERAL PUBLIC LICENSE\nVersion 3\n\n" + GRANT + "\n"
    lgpl = (
        "GNU LESSER GENERAL PUBLIC LICENSE\nVersion 3\n\nThis version of the GNU Lesser General "
        "Public License incorporates the terms of version 3 of the GNU General Public License.\n"
    )
    assert read_clauses(gpl).license_class == "copyleft"
    weak = read_clauses(lgpl)
    assert weak.share_alike is True and weak.license_class == "unknown"


def test_hosting_aup_and_law() -> None:
    text = (
        f"{GRANT}\n\nYou may not offer the Model as a hosted service or API to third parties "
        "without a separate licence.\n\nYour use must comply with the Acceptable Use Policy "
        "available at https://example.com/aup.\n\nThis Agreement is governed by the laws of the "
        "State of California, without regard to conflict of laws.\n"
    )
    found = {c.kind: c for c in find_clauses(text)}
    assert found[HOSTING].line == 3
    assert found[AUP].value == "https://example.com/aup" and found[AUP].line == 5
    assert found[GOVERNING_LAW].value == "california"
    cf = read_clauses(text)
    assert cf.commercial_use == "conditional"
    assert cf.eu_restricted is None  # the incorporated policy was not read: regions unknown


def test_a_quote_is_centred_on_the_operative_words() -> None:
    filler = "This sentence says nothing of note and goes on for a while. " * 8
    text = f"{GRANT}\n\n{filler}You may not use the Model for commercial purposes. {filler}\n"
    (c,) = of_kind(text, NON_COMMERCIAL)
    assert "commercial purposes" in c.quote and len(c.quote) <= 170
    assert c.quote.startswith("…") and c.quote.endswith("…")


# -- relatives of known texts: an added clause changes the facts --
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry()


def corpus(name: str) -> str:
    return decode((CORPUS / name / "LICENSE.txt").read_bytes())


@needs_corpus
def test_mit_with_an_inserted_prohibition(reg: Registry) -> None:
    text = corpus("spdx-mit").replace(
        "without restriction,", "without restriction (except that commercial use is prohibited),"
    )
    res = detect_text(text, "LICENSE", registry=reg)
    assert (res.key, res.status) == ("mit", "modified")
    assert res.facts_json()["commercial_use"] == "no" and res.license_class == "non-commercial"
    ev = next(e for e in res.evidence if e.fact == "commercial_use")
    assert ev.line == line_of(text, "commercial use is prohibited")


@needs_corpus
def test_llama_with_an_appended_no_commercial_section(reg: Registry) -> None:
    text = corpus("llama-3.1") + (
        "\n\n7. Additional Terms. Notwithstanding Section 2, you may not use the Llama "
        "Materials for any commercial purpose.\n"
    )
    res = detect_text(text, "LICENSE", registry=reg)
    assert res.key == "llama-3.1" and res.status == "modified"
    facts = res.facts_json()
    assert facts["commercial_use"] == "no" and facts["non_commercial"] is True
    assert facts["mau_cap"] == 700_000_000  # the rest of the known text still holds


COMMONS_CLAUSE = (
    '"Commons Clause" License Condition v1.0\n\nThe Software is provided to you by the '
    "Licensor under the License, as defined below, subject to the following condition.\n\n"
    "Without limiting other conditions in the License, the grant of rights under the License "
    "will not include, and the License does not grant to you, the right to Sell the Software.\n"
)


@needs_corpus
@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda a: a + "\n\n" + COMMONS_CLAUSE, id="commons-clause-after"),
        pytest.param(
            lambda a: "This model is released for non-commercial research use only.\n\n" + a,
            id="notice-before",
        ),
    ],
)
def test_apache_with_other_terms_is_not_exact(reg: Registry, build) -> None:
    res = detect_text(build(corpus("spdx-apache-2.0")), "LICENSE", registry=reg)
    assert (res.key, res.status) == ("apache-2.0", "modified")
    assert res.facts_json()["commercial_use"] == "no"
    assert res.license_class in ("non-commercial", "research-only")


@needs_corpus
def test_cc_by_with_a_share_alike_clause_is_copyleft(reg: Registry) -> None:
    paras = corpus("spdx-cc-by-4.0").split("\n\n")
    mid = len(paras) // 2
    text = "\n\n".join(
        [
            *paras[:mid],
            "ShareAlike. If You Share Adapted Material You produce, the Adapter's License You "
            "apply must be a Creative Commons license with the same License Elements.",
            *paras[mid:],
        ]
    )
    res = detect_text(text, registry=reg)
    assert res.key == "cc-by-4.0" and res.status == "modified"
    assert res.license_class == "copyleft"


@needs_corpus
def test_a_longer_territory_list_and_a_lower_cap(reg: Registry) -> None:
    text = corpus("hunyuan-community").replace(
        "excluding the territory of the European Union.",
        "excluding the territory of the European Union, United Kingdom and South Korea.",
    )
    res = detect_text(text, registry=reg)
    assert res.status == "modified"
    assert {t["region"] for t in res.facts_json()["territory_restrictions"]} == {"EU", "GB", "KR"}
    lower = corpus("llama-3.1") + (
        "\n\nIf your products have more than 50 million monthly active users, you must request a "
        "separate license from Meta.\n"
    )
    assert detect_text(lower, registry=reg).facts_json()["mau_cap"] == 50_000_000


@needs_corpus
def test_another_known_licence_in_the_file_adds_its_terms(reg: Registry) -> None:
    res = detect_text(
        corpus("spdx-apache-2.0") + "\n\n" + corpus("spdx-cc-by-nc-4.0"), registry=reg
    )
    # Whichever text is the main match, the other is named and its stricter terms hold.
    assert {res.key, *(k for k, _ in res.others)} == {"apache-2.0", "cc-by-nc-4.0"}
    assert res.facts_json()["commercial_use"] == "no" and res.license_class == "non-commercial"


@needs_corpus
def test_a_readme_around_a_known_text_is_still_exact(reg: Registry) -> None:
    text = (
        "# Model\n\nA small model. It may not be accurate; check its answers.\n\n## License\n\n"
        + corpus("spdx-mit")
        + "\n## Citation\n\nPlease cite our paper.\n"
    )
    assert detect_text(text, registry=reg).status == "exact"


# -- unknown texts: the clause facts reach policy --
NC_TEXT = (
    "Acme Model Licence\n\n"
    + GRANT
    + "\n\nYou may use the Model for non-commercial purposes only. Any commercial use requires a "
    "separate agreement with Acme.\n\nIf you distribute the Model you must include a copy of this "
    "Licence.\n"
)


def test_an_unknown_text_reports_its_clause_facts(reg: Registry) -> None:
    res = detect_text(NC_TEXT, "LICENSE", registry=reg)
    assert res.key is None and res.status == "unknown"
    assert res.license_class == "non-commercial"
    facts = res.facts_json()
    assert facts["commercial_use"] == "no" and facts["non_commercial"] is True
    assert any(e.fact == "commercial_use" and e.line == 5 for e in res.evidence)
    kinds = {c["kind"] for c in res.to_json()["clauses"]}
    assert {NON_COMMERCIAL, ATTRIBUTION} <= kinds


def test_an_unknown_text_is_never_made_permissive(reg: Registry) -> None:
    res = detect_text(f"Acme Licence\n\n{GRANT}\n", "LICENSE", registry=reg)
    assert res.license_class == "unknown" and res.facts_json()["commercial_use"] == "yes"


def test_a_non_commercial_unknown_licence_file_is_denied_under_unknown_warn() -> None:
    from compliance.config import config_from_dict
    from compliance.facts.normalize import normalize
    from compliance.run.check import check_subjects
    from compliance.sources.interface import RepoFile, Snapshot

    readme = "---\nlicense: other\n---\n# Acme model\n"
    files = tuple(
        RepoFile(p, t, hashlib.sha256(t.encode()).hexdigest(), len(t))
        for p, t in (("README.md", readme), ("LICENSE", NC_TEXT))
    )
    snapshot = Snapshot(
        model="acme/model",
        revision="b" * 40,
        source="hub",
        digest="d",
        card_data={"license": "other"},
        tags=(),
        siblings=tuple(f.path for f in files),
        files=files,
        gated=False,
        pipeline_tag="text-generation",
    )
    facts = normalize(snapshot)
    assert facts.license.key == "unknown" and facts.license.license_class == "non-commercial"
    assert facts.commercial_use == "no"
    config = config_from_dict(
        {
            "version": 1,
            "organization": {"domicile": "US", "use": "commercial"},
            "policy": {"unknown": "warn"},
        }
    )
    decision = check_subjects([facts], config, today=dt.date(2026, 11, 24)).decisions[0]
    assert decision.decision == "deny"
    deny = next(f for f in decision.findings if f.code == "commercial-use-prohibited")
    assert deny.severity == "deny"
    assert any(e.file == "LICENSE" and e.line == 5 for e in deny.evidence)
    assert any(f.code == "license-unknown" and f.severity == "warn" for f in decision.findings)


def test_min_confidence_turns_a_distant_relative_into_an_unknown_text(reg: Registry) -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    paras = re.split(r"\n\s*\n", corpus("kimi-modified-mit"))
    text = "\n\n".join(p for i, p in enumerate(paras) if i != 2)
    loose = detect_text(text, registry=reg, min_confidence=0.5)
    strict = detect_text(text, registry=reg, min_confidence=0.99)
    assert loose.status == "modified" and loose.key == "kimi-modified-mit"
    assert strict.status == "unknown" and strict.nearest == "kimi-modified-mit"
    assert strict.facts_json()["mau_cap"] == 100_000_000  # read from its own clause


# -- more kinds: no-derivatives, other licences incorporated, use restrictions, notices --
def test_no_derivatives() -> None:
    text = f"{GRANT}\n\nNoDerivatives. You may not share Adapted Material with others.\n"
    assert of_kind(text, "no-derivatives")[0].line == 3


def test_use_restrictions_make_commercial_use_conditional() -> None:
    text = f"{GRANT}\n\nYou agree not to use the Model:\n\n- to harm minors;\n- for weapons.\n"
    cf = read_clauses(text)
    assert cf.commercial_use == "conditional" and cf.non_commercial is False


@pytest.mark.parametrize(
    "sentence",
    [
        "This notice may not be removed or altered from any source distribution.",
        "Provided that the above copyright notice and this permission notice appear in all copies.",
        "You may not remove or alter any copyright notices of the Licensor in the Materials.",
    ],
)
def test_notice_duties_in_other_words(sentence: str) -> None:
    assert (
        "Keep the copyright and licence notices"
        in read_clauses(f"{GRANT}\n\n{sentence}\n").attribution
    )


def test_another_licence_named_as_applying_is_read_through_the_registry(reg: Registry) -> None:
    text = (
        f"Acme Licence\n\n{GRANT}\n\nFor the 17B version, the Llama 2 license conditions "
        "(https://ai.meta.com/llama/license/) also apply to the model weights.\n"
    )
    assert [c.value for c in of_kind(text, "incorporates")] == ["llama 2"]
    alone = read_clauses(text)
    assert alone.eu_restricted is None and alone.output_training == "unknown"
    res = detect_text(text, "LICENSE", registry=reg)
    assert res.facts_json()["mau_cap"] == 700_000_000
    assert any(e.fact == "mau_cap" and e.line == 5 for e in res.evidence)


def _snapshot(card: str, files: dict[str, str]):
    import yaml

    from compliance.sources.interface import RepoFile, Snapshot

    readme = f"---\n{card}\n---\n# Acme model\n"
    repo = [("README.md", readme), *files.items()]
    rf = tuple(RepoFile(p, t, hashlib.sha256(t.encode()).hexdigest(), len(t)) for p, t in repo)
    return Snapshot(
        model="acme/model",
        revision="c" * 40,
        source="hub",
        digest="d",
        card_data=yaml.safe_load(card) or {},
        tags=(),
        siblings=tuple(f.path for f in rf),
        files=rf,
        gated=False,
        pipeline_tag="text-generation",
    )


def test_an_unknown_licence_file_beside_a_permissive_card_id_adds_its_limits() -> None:
    from compliance.facts.normalize import normalize

    facts = normalize(_snapshot("license: apache-2.0", {"LICENSE": NC_TEXT}))
    # an unknown text beside the card's id makes the licence unknown (a conflict), and its own
    # clauses still state what it forbids
    assert facts.license.key == "unknown"
    assert "license-conflict" in {f.code for f in facts.findings}
    assert facts.commercial_use == "no" and facts.license.license_class == "non-commercial"
    assert any(e.fact == "commercial_use" and e.file == "LICENSE" for e in facts.evidence)


@needs_corpus
def test_a_modified_known_file_carries_its_amended_class_into_the_model_facts() -> None:
    from compliance.facts.normalize import normalize

    text = corpus("llama-3.1") + (
        "\n\n7. Additional Terms. You may not use the Llama Materials for any commercial purpose.\n"
    )
    facts = normalize(_snapshot("license: llama3.1", {"LICENSE": text}))
    assert facts.license.key == "llama-3.1" and facts.license.license_class == "non-commercial"
    assert facts.commercial_use == "no" and facts.mau_cap == 700_000_000


@needs_corpus
def test_min_confidence_reaches_the_model_facts_and_their_cache_key(tmp_path: Path) -> None:
    from compliance.facts.cache import FactsCache, cached_normalize

    paras = re.split(r"\n\s*\n", corpus("kimi-modified-mit"))
    text = "\n\n".join(p for i, p in enumerate(paras) if i != 2)
    snapshot = _snapshot("license: other", {"LICENSE": text})
    cache = FactsCache(tmp_path)
    material = snapshot.key_material()

    def facts(threshold: float):
        return cached_normalize(
            material, lambda: snapshot, cache, fetched_at=None, min_confidence=threshold
        )

    assert facts(0.5).license.key == "kimi-modified-mit"
    strict = facts(0.99)
    assert strict.license.key == "unknown" and strict.mau_cap == 100_000_000
    assert facts(0.5).license.key == "kimi-modified-mit"  # not the other threshold's entry


def test_a_headcount_threshold_leaves_commercial_use_unknown() -> None:
    text = (
        f"{GRANT}\n\nCompanies with more than 250 employees must purchase a commercial license.\n"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "unknown" and of_kind(text, "size-threshold")[0].value == 250


# -- revenue in other currencies ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "amount", "currency"),
    [
        (
            "If your annual revenue exceeds RMB 1 billion, you must apply for a commercial "
            "licence from us.",
            1_000_000_000,
            "cny",
        ),
        (
            "Licensees whose yearly turnover is above 500 million yuan need our written "
            "authorization.",
            500_000_000,
            "cny",
        ),
        (
            "A separate licence is required where the annual revenue of the licensee exceeds "
            "JPY 2000000000.",
            2_000_000_000,
            "jpy",
        ),
        (
            "Companies with more than £10 million in annual revenue must obtain a licence.",
            10_000_000,
            "gbp",
        ),
    ],
)
def test_a_revenue_cap_in_another_currency_stays_a_cap_no_higher_than_the_real_one(
    sentence: str, amount: int, currency: str
) -> None:
    cf = read_clauses(f"{GRANT}\n\n{sentence}\n")
    (c,) = [c for c in cf.clauses if c.kind == REVENUE_THRESHOLD]
    assert (c.value, c.attr("currency")) == (amount, currency)  # the clause keeps the text's
    # The cap policy compares is in USD, converted at a rate below any recent real one: a
    # cap (never "no cap"), and never higher than the text's amount is worth.
    lowest_real = {"cny": 0.135, "jpy": 0.0062, "gbp": 1.05}[currency]
    assert cf.revenue_cap is not None and 0 < cf.revenue_cap <= amount * lowest_real
    assert "revenue_cap" not in cf.uncertain
    assert cf.commercial_use == "conditional"
    assert any(currency.upper() in n and f"{amount:,}" in n for n in cf.notes)


def test_a_revenue_cap_in_a_currency_without_a_rate_is_not_stated() -> None:
    cf = read_clauses(
        f"{GRANT}\n\nIf your annual revenue exceeds RUB 900 million, you must request a "
        "separate licence.\n"
    )
    assert cf.revenue_cap is None and "revenue_cap" in cf.uncertain
    assert cf.commercial_use == "unknown"


def test_a_usd_revenue_cap_is_still_stated() -> None:
    cf = read_clauses(f"{GRANT}\n\nIf your annual revenue exceeds $5 million you need a licence.\n")
    assert cf.revenue_cap == 5_000_000
    assert cf.uncertain == ()
    assert cf.commercial_use == "conditional"


# -- text in a language the reader cannot read -----------------------------------------------------
# Korean: a script the reader has no rules for (Chinese sentences are read: test_clauses_zh).
_CJK_PARAGRAPH = (
    "본 계약의 조건은 모델의 사용, 복제, 수정 및 배포에 적용되며 허가자는 명시적으로 부여되지 "
    "않은 모든 권리를 보유합니다. " * 8
)


@pytest.mark.parametrize(
    "clause",
    [
        "In case of any conflict between the English and Chinese versions, the Chinese version "
        "shall prevail.",
        "The Japanese language version of this Agreement controls in the event of inconsistency.",
        "Should the versions differ, the version in German takes precedence.",
    ],
)
def test_another_language_version_that_prevails_leaves_permissions_and_caps_unknown(
    clause: str,
) -> None:
    text = (
        f"{GRANT}\n\nYou may use the Model for commercial purposes. If your annual revenue "
        f"exceeds USD 100 million you must request a licence.\n\n{clause}\n"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "unknown"
    assert cf.revenue_cap is None and cf.mau_cap is None
    assert {"mau_cap", "revenue_cap"} <= set(cf.uncertain)
    assert cf.non_commercial is None and cf.eu_restricted is None
    assert cf.output_training == "unknown"
    assert any("prevails" in n for n in cf.notes)


def test_the_english_version_prevailing_changes_nothing() -> None:
    text = (
        f"{GRANT}\n\nYou may use the Model for commercial purposes.\n\nIn case of conflict "
        "between the Chinese and English versions, the English version shall prevail.\n"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "yes"
    assert cf.uncertain == () and cf.notes == ()


def test_much_text_in_another_script_leaves_permissions_unknown() -> None:
    text = f"{_CJK_PARAGRAPH}\n\n{GRANT}\n\nYou may use the Model for commercial purposes.\n"
    cf = read_clauses(text)
    assert cf.commercial_use == "unknown"
    assert "mau_cap" in cf.uncertain
    (c,) = [c for c in cf.clauses if c.kind == "other-language"]
    assert c.line == 1 and c.value == "Korean"
    assert cf.attribution == () and "attribution" in cf.uncertain
    assert any("cannot read" in n for n in cf.notes)


def test_a_few_words_in_another_script_are_no_other_language_text() -> None:
    text = (
        f"Acme 模型许可协议 (Модель)\n\n{GRANT}\n\nYou may use the Model for commercial purposes.\n"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "yes"
    assert not [c for c in cf.clauses if c.kind == "other-language"]


def test_restrictions_read_in_the_english_part_of_a_bilingual_text_still_stand() -> None:
    text = (
        f"{_CJK_PARAGRAPH}\n\n{GRANT}\n\nYou may not use the Model for commercial purposes. "
        "You may not use the Model in the European Union.\n\n"
        "You may not use the outputs of the Model to train any other model.\n"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "no" and cf.non_commercial is True
    assert cf.eu_restricted is True
    assert cf.output_training == "prohibited"


def test_detect_reports_why_a_bilingual_text_states_no_permission() -> None:
    res = detect_text(
        f"{_CJK_PARAGRAPH}\n\n{GRANT}\n\nYou may use the Model for commercial purposes.\n",
        "LICENSE",
    )
    assert res.status == "unknown"
    assert res.facts_json()["commercial_use"] == "unknown"
    assert any("cannot read" in n for n in res.notes)


@needs_corpus
def test_a_known_text_with_a_cap_in_another_currency_added(reg: Registry) -> None:
    text = corpus("llama-3.1") + (
        "\n\n7. Additional Terms. If your annual revenue exceeds EUR 10 million, you must request "
        "a separate license from Meta.\n"
    )
    res = detect_text(text, "LICENSE", registry=reg)
    assert res.status == "modified"
    facts = res.facts_json()
    assert facts["commercial_use"] == "unknown"  # a EUR cap is no USD cap: a term to check
    assert facts["revenue_cap"] is None
    assert any("EUR 10,000,000" in n for n in res.notes)


@needs_corpus
def test_a_known_text_made_to_yield_to_another_language_version(reg: Registry) -> None:
    text = corpus("spdx-mit") + (
        "\n\nIn the event of any inconsistency between the English and Chinese versions of "
        "this license, the Chinese version shall prevail.\n"
    )
    res = detect_text(text, "LICENSE", registry=reg)
    assert (res.key, res.status) == ("mit", "modified")
    facts = res.facts_json()
    assert facts["commercial_use"] == "unknown"
    assert facts["output_training"] == "unknown"
    assert any("cannot read" in n for n in res.notes)


# -- attribution duties in common wordings ---------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "duty"),
    [
        ("You must retain the copyright notice in all copies of the Model.", "notices"),
        ("The copyright notice must be retained in every copy you distribute.", "notices"),
        (
            "When you distribute the Model you shall include a copy of this Agreement.",
            "licence copy",
        ),
        ("A copy of these terms must accompany every copy of the Model you share.", "licence copy"),
        (
            "You must ensure that anyone who receives the Model from you also gets a copy of these "
            "terms.",
            "licence copy",
        ),
        ("You must give appropriate credit to the Licensor.", "credit"),
        ("Appropriate credit must be given to the original authors.", "credit"),
        ("You shall attribute the source and the author when you share the Model.", "credit"),
        ("You must prominently display the name of the Licensor in your product.", "prominent"),
        ("The Licensor's name shall be displayed prominently on your website.", "prominent"),
        ("If you modify the Model, you must state that you modified it.", "changes"),
        ("You must indicate that you have changed the Model when you share it.", "changes"),
        (
            "Sharing outputs is allowed, including the requirements to provide clear notice of any "
            "modifications you make.",
            "changes",
        ),
        (
            "You may not distribute outputs without providing conspicuous notice that they are "
            "subject to these terms.",
            "notices",
        ),
        ("You must provide clear notice that the Model is licensed under these terms.", "notices"),
        ("You should indicate the source and author information when sharing the Model.", "credit"),
        ("You must not publish findings without citing our paper.", "credit"),
        ("Users shall cite the technical report in any publication.", "credit"),
    ],
)
def test_attribution_duties_in_common_wordings(sentence: str, duty: str) -> None:
    found = of_kind(f"{GRANT}\n\n{sentence}\n", ATTRIBUTION)
    assert duty in {c.attr("duty") for c in found}, [c.to_json() for c in found]
    assert all(c.line == 3 for c in found)


@pytest.mark.parametrize(
    "sentence",
    [
        "You acknowledge that the Model may produce inaccurate results.",
        "We kindly ask that you give credit to the authors, but this is not required.",
        "You may distribute the Model without attribution.",
        "You may share the Model without providing notice to us.",
        "If you use the Model in research, please cite our paper.",
        "The Licensor will give you notice of any changes to these terms.",
    ],
)
def test_no_attribution_duty_where_none_is_imposed(sentence: str) -> None:
    assert of_kind(f"{GRANT}\n\n{sentence}\n", ATTRIBUTION) == []


_GERMAN = (
    "Der Lizenzgeber gewährt Ihnen eine Lizenz für die Nutzung des Modells. Die Nutzung ist nur "
    "unter den Bedingungen dieser Vereinbarung erlaubt, und die Rechte werden nicht übertragen. "
)
_FRENCH = (
    "Le concédant vous accorde une licence pour l'utilisation du modèle. Les droits ne sont pas "
    "transférables et sont soumis aux conditions de cette licence, avec les limites des usages. "
)


@pytest.mark.parametrize("paragraph", [_GERMAN, _FRENCH], ids=["german", "french"])
def test_a_latin_script_text_in_another_language_leaves_permissions_unknown(
    paragraph: str,
) -> None:
    text = (
        f"{GRANT}\n\nYou may use the Model for commercial purposes.\n\n"
        + (paragraph * 6 + "\n\n") * 2
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "unknown"
    assert {"mau_cap", "revenue_cap"} <= set(cf.uncertain)
    (c,) = [c for c in cf.clauses if c.kind == "other-language"]
    assert c.value == "a language other than English" and c.line == 5


def test_a_few_foreign_words_in_an_english_text_are_no_other_language() -> None:
    text = (
        f"{GRANT}\n\nYou may use the Model for commercial purposes. The licensor's motto, "
        '"pour la science et pour les gens", is a trademark of the licensor.\n'
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "yes"
    assert not [c for c in cf.clauses if c.kind == "other-language"]


def test_an_indonesian_text_states_no_absent_duty() -> None:
    para = (
        "Anda dapat menggunakan model ini untuk tujuan penelitian dan tidak untuk tujuan yang "
        "dilarang oleh hukum yang berlaku pada saat ini atau dalam perjanjian dengan kami. "
    )
    cf = read_clauses(f"{GRANT}\n\n{para * 6}\n")
    assert "attribution" in cf.uncertain and cf.commercial_use == "unknown"


@pytest.mark.parametrize(
    "text",
    [
        "The model weights of Example are licensed under the Llama 3.1 Community License.",
        "These weights are released under the Example Research License v2.",
        "This model is licensed under the Apache License 2.0.",
    ],
)
def test_a_notice_pointing_at_another_licence_grants_nothing_of_its_own(text):
    """'licensed under <another licence>' names terms this text does not hold: commercial use
    and caps stay unknown (the Llama licence has a cap), never a plain 'yes'."""
    facts = read_clauses(text)
    assert facts.facts_json()["commercial_use"] == "unknown"
    assert facts.incorporates and facts.incorporates[0].attr("how") == "pointer"
    assert facts.license_class == "unknown"


@pytest.mark.parametrize("name", ["CC BY NC 4.0", "CC BY-NC 4.0", "CC-BY-NC-SA-4.0", "cc-by-nc-nd"])
def test_a_creative_commons_noncommercial_licence_named_is_non_commercial(name):
    facts = read_clauses(f"The weights of this model are licensed under {name}.")
    assert facts.facts_json()["commercial_use"] == "no"
    assert facts.license_class == "non-commercial"


def test_a_full_licence_with_a_sample_notice_keeps_its_own_grant():
    text = (
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
        "software, to deal in the Software without restriction, including without limitation "
        "the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell "
        "copies of the Software.\n\nTo apply it, add: Licensed under the Example License 1.0.\n"
    )
    facts = read_clauses(text)
    assert facts.facts_json()["commercial_use"] == "yes"
    assert not facts.incorporates
