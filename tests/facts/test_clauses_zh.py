"""The clause reader on Chinese sentences (compliance.facts.clauses_zh), and bilingual texts.

Every text here is a short sentence written for the test, in several word orders and with
numbers in digits, with Chinese units and in Chinese numerals."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.facts.clauses import OTHER_LANGUAGE, read_clauses
from compliance.facts.clauses_zh import zh_number, zh_sentences
from compliance.facts.detect import detect_text
from compliance.facts.textnorm import decode

GRANT_ZH = "许可方特此授予您非排他性、全球性、不可转让、免版税的版权许可。"
GRANT_EN = (
    "The Licensor hereby grants you a worldwide, royalty-free, non-exclusive licence to use, "
    "copy and modify the Model."
)


def zh(*sentences: str) -> str:
    return "示例模型许可协议\n\n" + GRANT_ZH + "\n\n" + "\n\n".join(sentences) + "\n"


def kinds(text: str) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for c in read_clauses(text).clauses:
        out.setdefault(c.kind, []).append(c.value)
    return out


# -- numbers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("1亿", 100_000_000),
        ("1.5亿", 150_000_000),
        ("3000万", 30_000_000),
        ("100,000,000", 100_000_000),
        ("三亿", 300_000_000),
        ("一千万", 10_000_000),
        ("七亿五千万", 750_000_000),
        ("十亿", 1_000_000_000),
        ("两百万", 2_000_000),
        ("五千", 5_000),
    ],
)
def test_chinese_numbers(token: str, value: int) -> None:
    assert zh_number(token) == value


def test_no_number() -> None:
    assert zh_number("模型") is None


def test_sentences_join_wrapped_lines_and_cut_at_items() -> None:
    raw = [
        "若您计划将本模型用于商业用途，您应当事先",
        "向许可方登记。",
        "2. 您不得用于军事目的。",
        "",
    ]
    texts = [s.text for s in zh_sentences(raw)]
    assert texts[0] == "若您计划将本模型用于商业用途，您应当事先向许可方登记。"
    assert zh_sentences(raw)[0].first_line == 1 and zh_sentences(raw)[0].last_line == 2
    assert texts[1].startswith("2. 您不得")


# -- commercial scope ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    [
        "您不得将本模型用于任何商业用途。",
        "本模型及其衍生品禁止商用。",
        "严禁将本模型或其输出用于营利目的。",
        "本模型仅供非商业用途使用。",
        "未经许可方事先书面同意，您不得将本模型用于商业目的。",
        "若您希望将本模型用于商业用途，则您必须另行向许可方申请许可。",
    ],
)
def test_commercial_use_forbidden(sentence: str) -> None:
    cf = read_clauses(zh(sentence))
    assert cf.commercial_use == "no" and cf.non_commercial is True
    assert cf.license_class in ("non-commercial", "research-only")
    (ev,) = [c for f, c in cf.evidence_for if f == "commercial_use"]
    assert ev.line == 5 and sentence[:6] in ev.quote


@pytest.mark.parametrize(
    "sentence",
    [
        "本模型仅限学术研究使用。",
        "您只能将本模型用于科研目的。",
        "本许可仅允许您将模型用于学术研究。",
    ],
)
def test_research_only(sentence: str) -> None:
    cf = read_clauses(zh(sentence))
    assert (cf.commercial_use, cf.research_only, cf.license_class) == (
        "no",
        True,
        "research-only",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "“商业用途”是指直接或间接为营利目的使用模型。",  # a definition restricts nothing
        "您不得侵犯他人的商业秘密。",  # trade secrets
        "许可方不对任何商业损失承担责任。",  # a disclaimer
        "您可以出于非商业用途使用本模型。",  # a permission, not a limit
    ],
)
def test_sentences_that_forbid_no_commercial_use(sentence: str) -> None:
    cf = read_clauses(zh(sentence))
    assert cf.commercial_use != "no" and not cf.non_commercial


def test_commercial_use_after_registration_is_conditional() -> None:
    cf = read_clauses(
        zh(
            "本许可允许您免费使用本模型进行学术研究。",
            "希望将模型用于商业目的的用户，需完成登记。",
            "经过登记的用户可以免费使用本模型进行商业活动。",
        )
    )
    assert cf.commercial_use == "conditional"
    assert cf.non_commercial is False and cf.research_only is False


def test_commercial_use_allowed() -> None:
    cf = read_clauses(zh("您可以将本模型免费用于商业用途。"))
    assert cf.commercial_use == "yes" and cf.non_commercial is False


def test_an_unplaced_commercial_sentence_leaves_commercial_use_unknown() -> None:
    cf = read_clauses(zh("您可以将本模型免费用于商业用途。", "本模型的商业化事宜须另行约定。"))
    assert cf.commercial_use == "unknown" and cf.non_commercial is None
    assert any("commercial_use" in n for n in cf.notes)


# -- thresholds ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "cap", "period"),
    [
        (
            "如果您的产品或服务在上一自然月的月活跃用户数超过1亿，您必须向我们申请许可。",
            10**8,
            "month",
        ),
        ("月活跃用户超过三亿的被许可人，须另行取得许可方的书面授权。", 3 * 10**8, "month"),
        ("您须向许可方申请许可，如果您的日活跃用户数达到五千万。", 5 * 10**7, "day"),
        ("若您的月活跃用户数大于7亿，本许可即终止。", 7 * 10**8, "month"),
    ],
)
def test_user_thresholds(sentence: str, cap: int, period: str) -> None:
    cf = read_clauses(zh(sentence))
    assert cf.mau_cap == cap and cf.commercial_use == "conditional"
    (c,) = [c for c in cf.clauses if c.kind == "user-threshold"]
    assert (c.attr("period"), c.attr("trigger")) == (period, "licence")


@pytest.mark.parametrize(
    ("sentence", "usd"),
    [
        ("若您在上一自然年的年收入超过1亿人民币，您必须向我们申请商业许可。", 13_000_000),
        ("年营业额超过五千万美元的企业须另行申请许可。", 50_000_000),
        ("如果您的年收入超过1000万欧元，您需要获得单独的许可。", 9_000_000),
        ("年收入超过一亿元的公司须申请许可。", 13_000_000),
    ],
)
def test_revenue_thresholds_in_any_currency_are_usd_caps_no_higher_than_the_real_one(
    sentence: str, usd: int
) -> None:
    cf = read_clauses(zh(sentence))
    assert cf.revenue_cap == usd
    assert "revenue_cap" not in cf.uncertain and cf.commercial_use == "conditional"


def test_a_display_duty_above_a_threshold_is_a_duty_not_a_cap() -> None:
    cf = read_clauses(zh("若您的产品月活跃用户超过1亿，您应在产品界面上显著展示“示例模型”。"))
    (c,) = [c for c in cf.clauses if c.kind == "user-threshold"]
    assert c.attr("trigger") == "duty"


def test_years_and_clause_numbers_are_no_thresholds() -> None:
    cf = read_clauses(zh("本协议自2024年1月1日起生效。", "详见本协议第12条。"))
    assert cf.mau_cap is None and cf.revenue_cap is None and cf.uncertain == ()


def test_an_amount_no_rule_places_leaves_the_caps_unknown() -> None:
    cf = read_clauses(zh("若贵方服务的访问人数多于一亿人次，须与我方另行签约。"))
    assert cf.mau_cap is None and {"mau_cap", "revenue_cap"} <= set(cf.uncertain)
    assert cf.commercial_use == "unknown"


# -- territory -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "regions"),
    [
        ("本许可不适用于欧盟、英国和韩国。", {"EU", "GB", "KR"}),
        ("欧盟境内的个人或实体不得使用本模型。", {"EU"}),
        ("许可方不向位于欧洲经济区的用户授予任何权利。", {"EEA"}),
    ],
)
def test_excluded_regions(sentence: str, regions: set[str]) -> None:
    cf = read_clauses(zh(sentence))
    assert {t.region for t in cf.territory_restrictions} == regions
    assert cf.eu_restricted is bool(regions & {"EU", "EEA"})


@pytest.mark.parametrize(
    "sentence",
    [
        "本协议受中华人民共和国大陆地区（不包括香港、澳门和台湾）法律管辖。",
        "您对本模型的使用不得违反任何国家的法律法规，尤其是中华人民共和国的法律法规。",
        "因本协议引起的争议应提交北京市海淀区人民法院。",
    ],
)
def test_laws_and_courts_exclude_no_region(sentence: str) -> None:
    cf = read_clauses(zh(sentence))
    assert cf.territory_restrictions == () and cf.eu_restricted is False
    assert "territory" not in cf.uncertain


def test_governing_law() -> None:
    cf = read_clauses(zh("本协议适用中华人民共和国法律。"))
    assert cf.governing_law == "中华人民共和国"


# -- outputs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("您不得使用本模型的输出来改进任何其他大语言模型。", "prohibited"),
        ("禁止利用本模型生成的内容训练其他模型。", "prohibited"),
        ("您不得使用本模型或其输出改进任何其他模型（本模型及其衍生品除外）。", "restricted"),
        (
            "如果您使用本模型的材料来训练或改进其他模型，您应在该模型名称的开头添加“示例”。",
            "conditional",
        ),
    ],
)
def test_outputs_used_to_train_other_models(sentence: str, value: str) -> None:
    assert read_clauses(zh(sentence)).output_training == value


def test_a_derivative_definition_that_covers_training_on_outputs_is_a_condition() -> None:
    cf = read_clauses(zh("“模型衍生品”是指通过将本模型的输出模式转移到其他模型而创建的任何模型。"))
    assert cf.output_training == "conditional"


def test_an_output_sentence_no_rule_places_leaves_output_training_unknown() -> None:
    cf = read_clauses(zh("本模型的输出用于训练其他模型时另有约定。"))
    assert cf.output_training == "unknown"


# -- attribution -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "duty"),
    [
        ("您必须在所有副本中保留原始版权声明。", "Keep the copyright and licence notices"),
        (
            "上述版权声明和本许可声明应包含在本软件的所有副本中。",
            "Keep the copyright and licence notices",
        ),
        ("您必须向任何接收者提供本协议的副本。", "Ship a copy of the licence"),
        ("您必须在修改过的文件上附加明显的声明，说明您更改了这些文件。", "Mark modified files"),
        ("您应在产品页面上突出显示“基于示例模型构建”。", 'Display "基于示例模型构建"'),
        ("您需要注明出处以及作者信息。", "Give credit (attribution)"),
        ("您还应在任何此类模型名称的开头添加“示例”。", 'Model names must begin with "示例"'),
    ],
)
def test_attribution_duties(sentence: str, duty: str) -> None:
    cf = read_clauses(zh(sentence))
    assert duty in cf.attribution


@pytest.mark.parametrize(
    "sentence",
    [
        "您使用本模型无需署名。",
        "我们鼓励您在论文中引用我们的工作。",
        "您可以在修改中添加您自己的版权声明。",
    ],
)
def test_sentences_that_impose_no_attribution_duty(sentence: str) -> None:
    cf = read_clauses(zh(sentence))
    assert cf.attribution == ()


# -- bilingual texts: both versions read, the stricter wins ----------------------------------------
def test_a_chinese_prohibition_beats_an_english_permission() -> None:
    text = (
        f"{GRANT_EN}\n\nYou may use the Model for commercial purposes.\n\n"
        f"{zh('您不得将本模型用于任何商业用途。')}"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "no" and cf.non_commercial is True


def test_the_lower_cap_of_the_two_versions_is_the_cap() -> None:
    text = (
        f"{GRANT_EN}\n\nIf your products have more than 700 million monthly active users, you "
        "must request a licence from us.\n\n"
        f"{zh('如果您的产品月活跃用户数超过1亿，您必须向我们申请许可。')}"
    )
    cf = read_clauses(text)
    assert cf.mau_cap == 100_000_000


def test_a_chinese_version_that_prevails_is_read_when_it_is_there() -> None:
    text = (
        f"{GRANT_EN}\n\nYou may use the Model for commercial purposes.\n\nIn case of conflict "
        "between the English and Chinese versions, the Chinese version shall prevail.\n\n"
        f"{zh('您可以将本模型免费用于商业用途。', '本协议中英文版本如有冲突，以中文版本为准。')}"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "yes" and cf.mau_cap is None and cf.uncertain == ()
    (c,) = [c for c in cf.clauses if c.kind == OTHER_LANGUAGE and c.attr("how") == "read"]
    assert c.attr("unread") == ""


def test_a_chinese_version_that_prevails_but_is_absent_still_fails_closed() -> None:
    text = (
        f"{GRANT_EN}\n\nYou may use the Model for commercial purposes.\n\nIn case of conflict "
        "between the English and Chinese versions, the Chinese version shall prevail.\n"
    )
    cf = read_clauses(text)
    assert cf.commercial_use == "unknown" and "mau_cap" in cf.uncertain


def test_a_chinese_text_naming_another_prevailing_version_fails_closed() -> None:
    cf = read_clauses(zh("您可以将本模型免费用于商业用途。", "如有冲突，以日文版本为准。"))
    assert cf.commercial_use == "unknown"


def test_japanese_is_not_read_as_chinese() -> None:
    paragraph = "本契約の条件は、モデルの使用、複製、改変および配布に適用されます。" * 12
    text = f"{paragraph}\n\n{GRANT_EN}\n\nYou may use the Model for commercial purposes.\n"
    cf = read_clauses(text)
    assert cf.commercial_use == "unknown"
    assert any(c.kind == OTHER_LANGUAGE and c.attr("how") != "read" for c in cf.clauses)


def test_detect_reports_a_chinese_restriction_with_its_line() -> None:
    res = detect_text(zh("本模型仅限学术研究使用。"), "LICENSE")
    assert res.status == "unknown"
    facts = res.facts_json()
    assert facts["commercial_use"] == "no" and facts["research_only"] is True
    assert res.license_class == "research-only"
    assert any(e.fact == "commercial_use" and e.line == 5 for e in res.evidence)


# -- more wordings ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("本模型仅供内部评估使用。", "evaluation-only"),
        ("本模型仅供个人学习使用。", "personal-use"),
        ("商业使用需获得许可方的书面授权。", "commercial-licence-required"),
    ],
)
def test_other_limits_of_the_grant_forbid_commercial_use(sentence: str, kind: str) -> None:
    cf = read_clauses(zh(sentence))
    assert cf.commercial_use == "no"
    assert kind in kinds(zh(sentence))


def test_commercial_use_after_registration_without_a_condition_word() -> None:
    cf = read_clauses(zh("商业使用需在官网完成登记。"))
    assert cf.commercial_use == "conditional"


def test_a_limit_to_a_purpose_the_rules_do_not_know_leaves_commercial_use_unknown() -> None:
    cf = read_clauses(zh("本模型仅限于您自己的业务场景使用。"))
    assert cf.commercial_use == "unknown" and cf.non_commercial is None


def test_use_limited_to_one_region_is_not_read_as_that_region_excluded() -> None:
    cf = read_clauses(zh("本模型不得在中国大陆以外的地区使用。"))
    assert cf.territory_restrictions == ()
    assert cf.eu_restricted is None and "territory" in cf.uncertain


def test_a_region_where_the_model_is_unavailable() -> None:
    cf = read_clauses(zh("本模型在欧盟境内不可使用。"))
    assert [t.region for t in cf.territory_restrictions] == ["EU"]


def test_outputs_may_train_no_model_at_all() -> None:
    cf = read_clauses(zh("您不得使用本模型的输出训练机器学习模型。"))
    assert cf.output_training == "prohibited"


def test_governing_law_of_a_place_outside_china() -> None:
    cf = read_clauses(zh("本条款受英格兰和威尔士法律管辖。"))
    assert cf.governing_law == "英格兰和威尔士"


def test_a_use_policy_incorporated_by_name_leaves_regions_and_outputs_unknown() -> None:
    cf = read_clauses(
        zh("您使用本模型必须遵守《示例模型可接受使用政策》(https://example.com/aup)。")
    )
    assert cf.acceptable_use_policy == "https://example.com/aup"
    assert cf.eu_restricted is None and cf.output_training == "unknown"


def test_another_licence_named_as_binding_too() -> None:
    cf = read_clauses(zh("本模型同时受 Llama 2 社区许可协议约束。"))
    assert [c.value for c in cf.incorporates] == ["llama 2"]
    assert cf.eu_restricted is None


def test_commercial_use_on_the_conditions_listed_below_is_conditional() -> None:
    cf = read_clauses(
        zh(
            "您或您的关联方将本模型用作商业用途，必须满足以下全部条件：",
            "1. 日活跃用户数低于100万；",
        )
    )
    assert cf.commercial_use == "conditional" and cf.mau_cap == 1_000_000


@pytest.mark.parametrize(
    ("sentence", "field", "value"),
    [
        ("本模型僅限學術研究使用。", "research_only", True),
        ("如果您的產品月活躍使用者數超過一億，您必須向我們申請授權。", "mau_cap", 100_000_000),
        ("您不得使用本模型的輸出改進任何其他大型語言模型。", "output_training", "prohibited"),
    ],
)
def test_traditional_characters_are_read_like_simplified(
    sentence: str, field: str, value: object
) -> None:
    cf = read_clauses(zh(sentence))
    assert getattr(cf, field) == value


def test_traditional_regions_excluded() -> None:
    cf = read_clauses(zh("本授權不適用於歐盟、英國及韓國。"))
    assert {t.region for t in cf.territory_restrictions} == {"EU", "GB", "KR"}


def test_commercial_use_only_after_authorisation_needs_another_licence() -> None:
    cf = read_clauses(zh("您获得许可方的书面授权后方可将本模型商用。"))
    assert cf.commercial_use == "no"


def test_authorisation_listed_among_the_conditions_of_commercial_use_is_a_condition() -> None:
    cf = read_clauses(
        zh(
            "3. 如您希望将本模型用作商业用途，须满足以下全部条件：\n"
            "（1）您的产品的日活跃用户数低于100万；\n"
            "（2）您应提交申请，获得许可方的书面授权后方可商用。"
        )
    )
    assert cf.commercial_use == "conditional" and cf.mau_cap == 1_000_000


def test_a_grant_that_includes_commercial_purposes() -> None:
    cf = read_clauses(zh("许可方授予您全球范围内的许可，可以使用和分发本模型，包括用于商业目的。"))
    assert cf.commercial_use == "yes"


# -- a known bilingual text with a changed Chinese passage -----------------------------------------
_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "licenses"
needs_corpus = pytest.mark.skipif(not _CORPUS.is_dir(), reason="../shared/corpus is absent")


def _yi_with(sentence: str) -> str:
    lines = decode((_CORPUS / "yi-community" / "LICENSE.txt").read_bytes()).split("\n")
    at = next(i for i, line in enumerate(lines) if "知识产权" in line)
    return "\n".join([*lines[:at], "", sentence, "", *lines[at:]])


@needs_corpus
def test_an_added_chinese_prohibition_changes_a_known_texts_facts() -> None:
    res = detect_text(_yi_with("您不得将Yi系列模型用于任何商业用途。"), "LICENSE")
    assert (res.key, res.status) == ("yi-community", "modified")
    assert res.facts_json()["commercial_use"] == "no"


@needs_corpus
def test_an_added_chinese_passage_no_rule_places_leaves_its_fact_unknown() -> None:
    res = detect_text(_yi_with("Yi系列模型的商业化事宜由许可方另行决定并公告。"), "LICENSE")
    assert (res.key, res.status) == ("yi-community", "modified")
    assert res.facts_json()["commercial_use"] == "unknown"


@needs_corpus
def test_an_added_chinese_prohibition_holding_a_slash_is_seen_too() -> None:
    """A "/" (国家/地区, 和/或) must not hide a whole Chinese line from detection: without
    spaces, blanking the URL-like chunk around it once blanked the line, and the file still
    matched the known text exactly."""
    res = detect_text(_yi_with("您不得在任何国家/地区将Yi系列模型用于任何商业用途。"), "LICENSE")
    assert (res.key, res.status) == ("yi-community", "modified")
    assert res.facts_json()["commercial_use"] == "no"


def test_a_slash_or_an_address_blanks_only_itself_in_chinese_text() -> None:
    from compliance.facts.textnorm import words_of

    words = words_of("适用于国家/地区的法律。邮箱yayi@wenge.com联系。").words
    assert "".join(words) == "适用于国家地区的法律邮箱联系"
