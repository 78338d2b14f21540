"""Chinese licence sentences -> the same clause kinds the English rules find (clauses.py).

Chinese model licences (often with an English version in the same file, and sometimes a clause
making the Chinese version prevail) say the same things in a few common wordings: commercial use
limited (仅限学术研究, 不得用于商业用途) or allowed after registration (登记), user and revenue
thresholds (月活跃用户数超过1亿, 年收入超过1亿人民币), excluded regions (不适用于欧盟), outputs
not to be used to improve other models (不得使用输出改进其他模型), notice and naming duties
(保留版权声明, 显著标注, 模型名称开头添加), and the governing law (适用中华人民共和国法律).

Rules are regular expressions over sentences cut at Chinese sentence ends (。；！？) and at list
items. A rule that is not sure states nothing. Each field also has a *topic*: words that mean a
sentence speaks of it. A sentence that speaks of a field where no rule placed a clause leaves
that field *unread*: the caller then states nothing permissive about it (fail closed), so a
wording the rules do not know can only make the facts less complete, never wrong in the
permissive direction. No model, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .clauses import (
    ATTRIBUTION,
    AUP,
    COMMERCIAL_ALLOWED,
    COMMERCIAL_LICENCE,
    DERIVATIVES_INHERIT,
    EVALUATION_ONLY,
    EXPORT_CONTROL,
    GOVERNING_LAW,
    GRANT,
    INCORPORATES,
    NON_COMMERCIAL,
    OTHER_LANGUAGE,
    OUTPUT_TRAINING,
    OUTPUTS_MENTIONED,
    PERSONAL_USE,
    QUOTE_CHARS,
    REGISTRATION,
    RESEARCH_ONLY,
    REVENUE_THRESHOLD,
    SHARE_ALIKE,
    SIZE_THRESHOLD,
    TERRITORY,
    UNPLACED,
    USE_RESTRICTIONS,
    USER_THRESHOLD,
    Clause,
)

HAN = "\u4e00-\u9fff\u3400-\u4dbf"
_HAN_RE = re.compile(f"[{HAN}]")
_KANA_RE = re.compile("[\u3040-\u30ff]")
MIN_HAN = 4  # a sentence with fewer Chinese characters is a name or a heading, not a clause

# Fields a Chinese sentence can speak of (the names ClauseFacts.uncertain uses).
COMMERCIAL = "commercial_use"
MAU = "mau_cap"
REVENUE = "revenue_cap"
TERRITORY_FIELD = "territory"
OUTPUTS = "output_training"
ATTRIB = "attribution"
SHARE = "share_alike"


@dataclass(frozen=True)
class ZhSentence:
    text: str
    pos: tuple[tuple[int, int], ...]  # (line, column) of each character of `text`

    @property
    def first_line(self) -> int:
        return self.pos[0][0]

    @property
    def last_line(self) -> int:
        return self.pos[-1][0]


_END = "。！？!?"  # not "；": the items of a definition stay in it
_ITEM = re.compile(
    r"^\s*(?:[（(]?(?:\d{1,2}(?:\.\d{1,2})*|[一二三四五六七八九十]{1,3}|[a-zA-Z]|[ivx]{1,4})"
    r"[)）.、．:：]|第[一二三四五六七八九十百\d]+[条章节款部分]|[•·\-*])"
)


def zh_sentences(raw_lines: list[str]) -> list[ZhSentence]:
    """The sentences of the Chinese parts of a text: cut at sentence ends, blank lines, list
    items, headings and lines without Chinese (a translation beside it); a sentence wrapped
    over lines is joined."""
    out: list[ZhSentence] = []
    buf: list[str] = []
    pos: list[tuple[int, int]] = []

    def flush() -> None:
        text = "".join(buf).strip()
        if len(_HAN_RE.findall(text)) >= MIN_HAN:
            lead = len("".join(buf)) - len("".join(buf).lstrip())
            out.append(ZhSentence(text, tuple(pos[lead : lead + len(text)])))
        buf.clear()
        pos.clear()

    for n, raw in enumerate(raw_lines, 1):
        line = raw.rstrip()
        has_han = bool(_HAN_RE.search(line))
        if not line.strip() or not has_han or _ITEM.match(line):
            flush()
        if not has_han:
            continue
        for col, ch in enumerate(line):
            if ch in " \t\u3000" and (not buf or buf[-1] in " \t\u3000"):
                continue
            buf.append(ch)
            pos.append((n, col))
            if ch in _END:
                flush()
        stripped = line.strip()
        if len(stripped) <= 12 and not stripped.endswith(("，", ",", "、")):
            flush()  # a heading ("4. 免责声明") or a short line ends its sentence
    flush()
    return out


# -- numbers --------------------------------------------------------------------------------------
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS.update({"七": 7, "八": 8, "九": 9})
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
NUM = (
    r"(?P<num>(?:\d[\d,，]*(?:\.\d+)?)\s*(?:千万|百万|十万|万亿|万|亿)?|"
    r"[零〇一二两三四五六七八九十百千万亿]{1,12})"
)
_NUM_RE = re.compile(NUM)


def zh_number(token: str) -> int | None:
    """The value of a number written in digits with Chinese units ("1亿", "1.5亿", "3000万")
    or in Chinese numerals ("三亿", "一千万", "七亿五千万"); None when it is no number."""
    token = token.strip().replace(",", "").replace("，", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(千万|百万|十万|万亿|万|亿)?", token)
    if m is not None:
        unit = {
            None: 1,
            "十万": 100_000,
            "百万": 1_000_000,
            "千万": 10_000_000,
            "万": 10_000,
            "亿": 100_000_000,
            "万亿": 10**12,
        }[m.group(2)]
        whole, _, frac = m.group(1).partition(".")
        value = int(whole) * unit + (int(frac) * unit // 10 ** len(frac) if frac else 0)
        return value
    if not token or any(
        ch not in _DIGITS and ch not in _SMALL_UNITS and ch not in _BIG_UNITS for ch in token
    ):
        return None
    total = section = digit = 0
    for ch in token:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[ch]
            digit = 0
        else:
            big = _BIG_UNITS[ch]
            section += digit
            if big == 100_000_000:
                total = (total + section) * big
            else:
                total += section * big
            section = digit = 0
    return total + section + digit


# -- vocabulary -----------------------------------------------------------------------------------
NEG = (
    r"(?:不得|不能|不可(?!转让|撤销|撤回|再许可|分许可|分割)|不允许|不准|禁止|严禁|不应|不应当|"
    r"无权|不被允许|请勿|切勿)"
)
_NOT_COMMERCIAL_USE = re.compile(r"商业(?:秘密|信誉|道德|惯例|习惯|伦理|损失|利益|机密|贿赂)")
COMM = (
    r"(?<!非)(?:商业(?:用途|目的|使用|化|活动|应用|场景|性使用|性用途|运营|产品|服务|部署|"
    r"利用)|商用|营利(?:目的|性|活动)?|盈利(?:目的|性|活动)?)"
)
NC = r"(?:非商业|非商用|非营利|非盈利)"
RESEARCH = r"(?:学术研究|科学研究|科研|研究|学术|教学|教育)"
EVALUATION = r"(?:评估|评测|测试|试用|非生产)"
PERSONAL = r"(?:个人(?:使用|用途|学习|目的)|自用|学习)"
LIMIT = r"(?:仅|只|仅限|只限|限于|仅供|唯一)"
_DISCLAIMER = re.compile(r"损失|损害|赔偿|担保|保证|免责|索赔|风险|准确性")
_DEFINITION = re.compile(
    r"^[^，。；]{0,24}?(?:[”\"」』】]\s*(?:是指|系指|指的是|意指|指|包括|包含|意为|是)|(?:是指|系指|"
    r"指的是|意指|指))"
)
_DUTY = re.compile(r"应当|应|须|必须|需要|需|务必|要求|义务")
_SOFT = re.compile(r"鼓励|建议|欢迎|可选|自愿|希望您|请您?引用|推荐")
_CONDITION = re.compile(r"如果|若|如您|假如|倘若|一旦|如需|如欲|希望|计划|拟")

_GRANT = re.compile(
    r"(?<![不未])(?:特此)?授予(?:您|你|被许可人|许可人)?[^。；]{0,80}?(?:许可|权利)"
    r"|(?:本许可|本协议)(?:仅)?允许您"
)
_NC_PROHIBITED = re.compile(rf"{NEG}[^。；]{{0,40}}?{COMM}")
_NC_WITHOUT = re.compile(
    rf"未经[^。；]{{0,30}}?(?:同意|许可|授权|批准)[^。；]{{0,30}}?{NEG}?[^。；]{{0,30}}?{COMM}"
)
_LIMITED = re.compile(
    rf"(?<!不)(?<!并非){LIMIT}[^。；，]{{0,30}}?(?:{NC}|(?P<research>{RESEARCH})|"
    rf"(?P<evaluation>{EVALUATION})|(?P<personal>{PERSONAL}))(?:用途|目的|使用|活动)?"
)
_ALLOWED = re.compile(
    rf"(?:(?<![许认不])可以|(?<![许认不])可(?=免费|用于|进行|将)|允许|有权|准许)"
    rf"[^。；，]{{0,25}}?{COMM}|(?<!但不限于)(?:包括|含)(?:用于|出于|为)?[^。；，]{{0,6}}?{COMM}"
)
# "获得许可方的书面授权后方可商用": commercial use only under another licence.
_ONLY_AFTER = re.compile(
    rf"(?:获得|取得|获取|经)[^。；]{{0,20}}?(?:授权|许可|同意|批准)(?:之)?后[^。；，]{{0,6}}?"
    rf"(?:方可|才可|才能|方能|可以|可)[^。；，]{{0,10}}?{COMM}"
)
_NEEDS_LICENCE = re.compile(
    r"(?:申请|获得|取得|获取|签署|另行)[^。；]{0,20}?(?:许可|授权|同意|协议)"
)
_REGISTER = re.compile(r"(?<!申请)(?:登记|注册)(?!商标)")
_USE_RESTRICTION = re.compile(
    rf"{NEG}[^。；]{{0,40}}?(?:使用|用于|利用|部署|从事|应用|进行)|(?:不得|禁止)将[^。；]{{0,40}}?用于"
)

USERS = (
    r"(?:月活跃用户|月度活跃用户|月活|日活跃用户|日活|活跃用户|注册用户|用户|使用者|MAU|DAU|"
    r"月访问量|访问量|访问次数|访客)"
)
REVENUES = r"(?:收入|营收|营业额|销售额|收益|利润|流水|产值)"
_CURRENCY = (
    ("人民币", "cny"),
    ("RMB", "cny"),
    ("CNY", "cny"),
    ("美元", "usd"),
    ("美金", "usd"),
    ("USD", "usd"),
    ("欧元", "eur"),
    ("EUR", "eur"),
    ("英镑", "gbp"),
    ("港币", "hkd"),
    ("港元", "hkd"),
    ("日元", "jpy"),
    ("韩元", "krw"),
    ("新台币", "twd"),
    ("卢比", "inr"),
    ("$", "usd"),
    ("￥", "cny"),
    ("¥", "cny"),
    ("€", "eur"),
    ("£", "gbp"),
    ("元", "cny"),
)
_CMP = re.compile(r"超过|超出|大于|多于|高于|达到|逾|不少于|不低于|以上|未超过|不超过|低于|少于")
_STAFF = re.compile(r"员工|雇员|职工|人员规模")
_NOT_AMOUNT = re.compile(r"^\s*(?:年|月|日|天|小时|条|款|项|章|节|个月|%|％|次|倍|岁|号)")
_TRIGGER_DUTY = re.compile(r"展示|显示|标注|注明|标明|署名|披露")
_TRIGGER_LICENCE = re.compile(r"申请|许可|授权|登记|同意|协议|终止|无权")

_REGIONS = (
    ("欧洲经济区", "EEA"),
    ("欧洲联盟", "EU"),
    ("欧盟", "EU"),
    ("大不列颠", "GB"),
    ("英国", "GB"),
    ("大韩民国", "KR"),
    ("韩国", "KR"),
    ("中华人民共和国", "CN"),
    ("中国大陆", "CN"),
    ("中国", "CN"),
    ("美国", "US"),
    ("日本", "JP"),
    ("俄罗斯", "RU"),
    ("朝鲜", "KP"),
    ("伊朗", "IR"),
    ("古巴", "CU"),
    ("叙利亚", "SY"),
    ("香港", "HK"),
    ("澳门", "MO"),
    ("台湾", "TW"),
    ("印度", "IN"),
    ("加拿大", "CA"),
    ("澳大利亚", "AU"),
    ("新加坡", "SG"),
    ("英格兰", "GB"),
    ("苏格兰", "GB"),
    ("德国", "DE"),
    ("法国", "FR"),
    ("瑞士", "CH"),
    ("爱尔兰", "IE"),
    ("荷兰", "NL"),
)
_REGION_RE = re.compile("|".join(name for name, _ in _REGIONS))
_REGION_CODE = dict(_REGIONS)
# A region named for its laws, courts or people's security is no excluded territory.
_REGION_LAW = re.compile(
    rf"(?:{_REGION_RE.pattern})(?:的)?(?:大陆地区)?(?:（[^）]{{0,30}}）)?(?:的)?"
    r"(?:法律|法规|相关法律|个人信息保护法|法院|人民法院|司法|国家安全|境内法律|政府|监管)"
)
_LAW_SENTENCE = re.compile(r"管辖|仲裁|法院|适用[^。；]{0,30}?法律|法律[^。；]{0,6}?(?:适用|管辖)")
_EXCLUDED = re.compile(
    r"不适用|不得在|禁止在|不向|不授予|无权在|不可在|不能在|除外|以外|排除|不包括|不得向|"
    r"不提供给|不得提供|不得.{0,10}(?:居民|实体|用户)|不允许.{0,10}(?:居民|实体|用户)|"
    r"(?:居民|实体|用户|个人|公司)[^。；]{0,10}(?:不得|不能|无权|禁止)|"
    r"(?:境内|地区|区域)[^。；]{0,6}(?:不可用|不可使用|不能使用|不得使用|禁止使用)"
)
_SANCTIONS = re.compile(r"制裁|出口管制|禁运|实体清单")
_MULTIMODAL = re.compile(r"多模态|视觉|图像|图片|视频|音频|语音")

_OUT = r"(?:输出|生成(?:的)?内容|生成结果|合成数据|成果|结果)"
_TRAIN = r"(?:训练|改进|改善|提升|优化|增强|开发|蒸馏|微调|创建)"
_OTHER_MODEL = r"(?:其他|其它|任何|另一|竞争|第三方)[^。；]{0,15}?模型"
_OUT_PROHIBITED = re.compile(
    rf"{NEG}[^。；]{{0,60}}?(?:来|用于|以|去)?{_TRAIN}[^。；]{{0,20}}?{_OTHER_MODEL}"
)
# "不得使用输出训练机器学习模型": outputs may train no model at all.
_OUT_PROHIBITED_ANY = re.compile(
    rf"{NEG}[^。；]{{0,40}}?{_OUT}[^。；]{{0,20}}?{_TRAIN}[^。；]{{0,20}}?模型"
)
_OUT_SAME_FAMILY = re.compile(r"(?:除外|以外|除了|不包括)")
_OUT_DERIVATIVE = re.compile(
    rf"{_OUT}[^。；]{{0,40}}?(?:训练|转移|蒸馏)|(?:训练|蒸馏)[^。；]{{0,20}}?{_OUT}|"
    r"转移到(?:其他|另一)"
)
_OUT_CONDITIONAL = re.compile(
    rf"(?:{_OUT}|材料|模型|权重)[^。；]{{0,40}}?{_TRAIN}[^。；]{{0,30}}?模型[^。；]{{0,40}}?"
    r"(?:应|须|必须|需要|应当)[^。；]{0,20}?(?:添加|标注|注明|显示|展示|包含|开头|名称|遵守|受)"
)
_OUT_TOPIC = re.compile(
    rf"(?:输出|合成数据|生成(?:的)?内容)[^。；]{{0,60}}?{_TRAIN}[^。；]{{0,30}}?模型"
)

_QUOTE_MARK = re.compile(r"[“\"「『]([^”\"」』]{1,40})[”\"」』]")
_ATTRIBUTION_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:名称|名字|命名)[^。；]{0,8}?(?:开头|前缀|前面|开始)"), "prefix"),
    (
        re.compile(r"(?:显著|突出|明显|醒目)[^。；]{0,12}?(?:显示|展示|标注|标明|注明|声明|位置)"),
        "display",
    ),
    (
        re.compile(
            r"(?:保留|包含|附上|附带|保持|包括|复制)[^。；]{0,30}?(?:版权声明|许可声明|版权信息|"
            r"版权和许可声明)|(?:版权声明|许可声明|许可证声明)[^。；]{0,20}?(?:包含|保留|附)"
        ),
        "notices",
    ),
    (
        re.compile(
            r"(?:提供|附上|附带|包含|保留|分发)[^。；]{0,30}?(?:本协议|本许可|许可证|许可协议)"
            r"(?:的)?(?:副本|文本|复印件|全文)|(?:保留|附上|附带)[^。；，]{0,20}?(?:及|和|与)"
            r"本(?:使用)?(?:许可协议|协议|许可证)"
        ),
        "licence copy",
    ),
    (
        re.compile(r"(?:修改|更改|改动|变更)[^。；]{0,30}?(?:声明|说明|注明|标明|标注)"),
        "changes",
    ),
    (re.compile(r"NOTICE\s*文件"), "notice file"),
    (
        re.compile(r"(?:注明|标明|标注|说明|引用)[^。；]{0,20}?(?:来源|出处|基于|作者|论文)"),
        "credit",
    ),
)
_ATTRIB_TOPIC = re.compile(r"声明|署名|注明|标注|标明|引用|出处|副本|NOTICE|Built with")
_SHARE_ALIKE = re.compile(
    r"(?:衍生|修改|改编)[^。；]{0,40}?(?:必须|应当|应|须)[^。；]{0,10}?(?:以|采用|使用|依据|按照)"
    r"(?:相同|同样|同一)的?(?:许可|协议|条款)"
)
_SHARE_TOPIC = re.compile(
    r"(?:相同|同样|同一)的?(?:许可|协议|条款)[^。；]{0,20}?(?:分发|发布|开源|共享)"
)
_INHERIT = re.compile(
    r"(?:下游用户|接收者|接收方|第三方)[^。；]{0,40}?(?:同样|也|亦)?(?:遵守|受)[^。；]{0,10}?"
    r"(?:本协议|本许可|使用限制|约束)"
)
_LAW = re.compile(
    r"(?:受|适用|依据|按照|依照|遵循)(?P<place>[^。；，、]{2,40}?)(?:的)?(?:法律|法规)(?:管辖|法规)?"
)
_INCORPORATED = re.compile(
    r"(?P<name>[A-Za-z][A-Za-z0-9.\- ]{2,30}?)\s*(?:的)?\s*[\u4e00-\u9fff]{0,6}?"
    r"(?:许可证?|协议|许可条件|许可协议)"
    r"[^。；]{0,100}?(?:同样|也|亦|同时)?(?:适用|约束)"
)
# A use policy or another document of terms incorporated by name ("遵守《服务协议》").
_AUP_ZH = re.compile(
    r"(?:可接受|可接受的|允许的|禁止的)?使用政策|使用规范|行为准则|"
    r"《[^》]{0,30}?(?:政策|规范|准则|服务协议|用户协议|使用条款)》"
)
_AUP_BOUND = re.compile(r"遵守|遵循|受|符合|约束|适用|纳入|组成部分")
_URL = re.compile(r"https?://[^\s)）」』，。；]+")
_PREVAILS = re.compile(r"以(?P<lang>[^\s，。；]{1,6}?)(?:语)?(?:版本|文本|版)为准")
_OUR_LANGS = ("中文", "汉语", "简体中文", "中文简体", "英文", "英语")


class ZhReader:
    """Reads the Chinese sentences of one text (see module doc)."""

    def __init__(self, raw_lines: list[str], document: str) -> None:
        self.raw_lines = raw_lines
        self.document = document
        self.found: list[Clause] = []
        self.unread: set[str] = set()
        self.term = ""  # the defined term, when the sentence being read is a definition
        self.placed: set[int] = set()  # where the amounts of the sentence a rule placed start
        self.in_conditions = False  # reading the items of a list of conditions of commercial use

    def add(
        self, s: ZhSentence, kind: str, value: Any, at: int, confidence: float, **attrs: str
    ) -> None:
        line, column = s.pos[min(max(at, 0), len(s.pos) - 1)]
        raw = self.raw_lines[line - 1].strip() if 0 < line <= len(self.raw_lines) else ""
        if len(raw) > QUOTE_CHARS:
            indent = len(self.raw_lines[line - 1]) - len(self.raw_lines[line - 1].lstrip())
            begin = max(0, min(column - indent - QUOTE_CHARS // 3, len(raw) - QUOTE_CHARS))
            chunk = raw[begin : begin + QUOTE_CHARS]
            raw = ("…" if begin else "") + chunk + ("…" if begin + QUOTE_CHARS < len(raw) else "")
        self.found.append(
            Clause(
                kind=kind,
                value=value,
                line=line,
                quote=raw,
                confidence=confidence,
                attrs=tuple(sorted(attrs.items())),
                lines=(s.first_line, s.last_line),
            )
        )

    def read(self, sentences: list[ZhSentence]) -> None:
        outputs_seen = False
        for s in sentences:
            before = len(self.found)
            if not _ITEM.match(s.text) or re.match(r"\s*\d+\.\s", s.text):
                self.in_conditions = False  # a list of conditions ends at the next clause
            d = _DEFINITION.match(s.text)
            definition = d is not None
            self.term = s.text[: d.end()] if d is not None else ""
            self._grant(s, definition)
            self._commercial(s, definition)
            self._thresholds(s, definition)
            self._territory(s, definition)
            self._outputs(s, definition)
            self._attribution(s, definition)
            self._others(s, definition)
            if not outputs_seen and re.search(r"输出", s.text):
                self.add(s, OUTPUTS_MENTIONED, True, s.text.index("输出"), 0.9)
                outputs_seen = True
            self._topics(s, definition, self.found[before:])

    # -- rules --
    def _grant(self, s: ZhSentence, definition: bool) -> None:
        m = _GRANT.search(s.text)
        if m is not None and not definition:
            self.add(s, GRANT, True, m.start(), 0.8)

    def _commercial(self, s: ZhSentence, definition: bool) -> None:
        if definition:
            return
        text = _NOT_COMMERCIAL_USE.sub("＿＿", s.text)
        if _DISCLAIMER.search(text) and not re.search(NEG, text):
            return
        needs = _NEEDS_LICENCE.search(text)
        m = _NC_WITHOUT.search(text)
        if m is not None:
            self.add(s, COMMERCIAL_LICENCE, True, m.start(), 0.8, how="prohibited")
        else:
            m = _NC_PROHIBITED.search(text)
            if m is not None and not re.search(r"除非|但经|经[^。；]{0,10}(?:同意|授权)", text):
                self.add(s, NON_COMMERCIAL, True, m.start(), 0.85, how="prohibited")
            elif m is not None:
                self.add(s, COMMERCIAL_LICENCE, True, m.start(), 0.75, how="prohibited")
        m = _LIMITED.search(text)
        if m is not None:
            kind = (
                RESEARCH_ONLY
                if m.group("research")
                else EVALUATION_ONLY
                if m.group("evaluation")
                else PERSONAL_USE
                if m.group("personal")
                else NON_COMMERCIAL
            )
            self.add(s, kind, True, m.start(), 0.8, how="limited")
        comm = re.search(COMM, text)
        if comm is None:
            return
        registers = _REGISTER.search(text)
        if registers is not None:
            self.add(s, REGISTRATION, True, registers.start(), 0.8)
        m = _ONLY_AFTER.search(text)
        if m is not None:
            if self.in_conditions:  # one of the listed conditions of commercial use
                self.add(s, REGISTRATION, True, m.start(), 0.75)
            else:
                self.add(s, COMMERCIAL_LICENCE, True, m.start(), 0.8, how="required")
            return
        m = _ALLOWED.search(text)
        if m is not None and not re.search(NEG, text[: m.end()]):
            self.add(s, COMMERCIAL_ALLOWED, "yes", m.start(), 0.8, how="explicit")
        elif re.search(
            r"(?:应|须|必须|应当)[^。；]{0,12}?(?:满足|遵守|符合)", text[comm.end() :]
        ) and (
            _CONDITION.search(text[: comm.start()])
            or re.search(r"(?:以下|下列|如下)[^。；]{0,4}?(?:全部|所有)?(?:条件|要求)", text)
        ):
            # "若您将模型用作商业用途，您应遵守……": commercial use on conditions.
            self.add(s, COMMERCIAL_ALLOWED, "conditional", comm.start(), 0.7, how="condition")
            self.in_conditions = bool(re.search(r"以下|下列|如下", text))
        elif (
            needs is not None
            and registers is None
            and needs.start() > comm.end()
            and (
                _CONDITION.search(text[: comm.start()])
                or _DUTY.search(text[comm.end() : needs.start()])
            )
            and not _has_amount(text)
        ):
            # "若您希望将模型用作商业用途，则您必须向许可人申请许可": another licence.
            self.add(s, COMMERCIAL_LICENCE, True, comm.start(), 0.8, how="required")

    def _thresholds(self, s: ZhSentence, definition: bool) -> None:
        text = s.text
        self.placed = set()
        if _DISCLAIMER.search(text) and not _CMP.search(text):
            return
        seen: set[tuple[str, int]] = set()
        for m in _amounts(text):
            value = zh_number(m.group("num"))
            assert value is not None
            before = text[max(0, m.start() - 40) : m.start()]
            after = text[m.end() : m.end() + 12]
            currency = _currency(text[max(0, m.start() - 4) : m.start()], after)
            users = _last(re.finditer(USERS, before + after[:8]))
            money = _last(re.finditer(REVENUES, before))
            if _STAFF.search(before + after[:6]) and _TRIGGER_LICENCE.search(text):
                self.add(
                    s, SIZE_THRESHOLD, value, m.start(), 0.7, metric="employees", trigger="licence"
                )
                self.placed.add(m.start())
                continue
            window = before + after[:8]
            trigger = (
                "duty"
                if _TRIGGER_DUTY.search(text) and not _TRIGGER_LICENCE.search(text)
                else "licence"
            )
            if money is not None and (currency or users is None or money.end() > users.end()):
                kind = REVENUE_THRESHOLD
                period = (
                    "month"
                    if re.search(r"月(?:收入|营收|度)|每月|自然月", window)
                    and not re.search(r"年", window)
                    else "year"
                )
                key = (kind, value)
                self.placed.add(m.start())
                if key not in seen:
                    seen.add(key)
                    self.add(
                        s,
                        kind,
                        value,
                        m.start(),
                        0.8,
                        currency=currency or "cny",
                        period=period,
                        trigger=trigger,
                    )
            elif users is not None and not currency:
                metric = users.group(0)
                period = (
                    "day"
                    if re.search(r"日活|DAU|每日|每天", window)
                    else "month"
                    if re.search(r"月", window)
                    else "unspecified"
                )
                key = (USER_THRESHOLD, value)
                self.placed.add(m.start())
                if key not in seen:
                    seen.add(key)
                    self.add(
                        s,
                        USER_THRESHOLD,
                        value,
                        m.start(),
                        0.8,
                        metric=metric,
                        period=period,
                        trigger=trigger,
                    )

    def _territory(self, s: ZhSentence, definition: bool) -> None:
        text = s.text
        if _SANCTIONS.search(text):
            m = _SANCTIONS.search(text)
            assert m is not None
            self.add(s, EXPORT_CONTROL, "sanctions", m.start(), 0.7, regions="")
            return
        if _LAW_SENTENCE.search(text):
            return
        bare = _REGION_LAW.sub(lambda m: "＿" * len(m.group(0)), text)
        regions = list(_REGION_RE.finditer(bare))
        if not regions or _EXCLUDED.search(bare) is None:
            return
        if "不包括" in bare and re.search(r"法律|法规", bare):
            return  # "mainland law, not Hong Kong's": a law's reach, no excluded region
        if re.search(rf"(?:{_REGION_RE.pattern})[^。；，]{{0,8}}?(?:以外|之外|境外)", bare):
            return  # use limited to a region: everything else excluded (left unread)
        scope = "multimodal" if _MULTIMODAL.search(text) else "all"
        clause = "policy" if self.document == "policy" else "license"
        for m in regions:
            self.add(
                s, TERRITORY, _REGION_CODE[m.group(0)], m.start(), 0.8, scope=scope, clause=clause
            )

    def _outputs(self, s: ZhSentence, definition: bool) -> None:
        text = s.text
        if definition:
            if "衍生" in self.term:
                m = _OUT_DERIVATIVE.search(text)
                if m is not None:
                    self.add(s, OUTPUT_TRAINING, "conditional", m.start(), 0.75, how="derivative")
            return
        m = _OUT_PROHIBITED.search(text) or _OUT_PROHIBITED_ANY.search(text)
        if m is not None:
            value = "restricted" if _OUT_SAME_FAMILY.search(text[m.start() :]) else "prohibited"
            self.add(s, OUTPUT_TRAINING, value, m.start(), 0.85)
            return
        m = _OUT_CONDITIONAL.search(text)
        if m is not None and not re.search(NEG, text[: m.start()]):
            self.add(s, OUTPUT_TRAINING, "conditional", m.start(), 0.8)

    def _attribution(self, s: ZhSentence, definition: bool) -> None:
        text = s.text
        if definition or _SOFT.search(text) or _DISCLAIMER.search(text):
            return
        permission = re.search(r"(?<![许认不])可以|有权|允许", text)
        duty = _DUTY.search(text) or (_ITEM.match(text) and not permission)
        if not duty and "Built with" not in text:
            return
        if re.search(r"(?:无需|不需要|不必|无须)[^。；]{0,6}(?:署名|注明|标注|声明)", text):
            return
        for rx, what in _ATTRIBUTION_RULES:
            m = rx.search(text)
            if m is None:
                continue
            quoted = _QUOTE_MARK.search(text[m.start() :])
            if what == "prefix":
                value = (
                    f'Model names must begin with "{quoted.group(1).strip()}"'
                    if quoted
                    else "Model names must carry a prefix"
                )
            elif what == "display":
                value = (
                    f'Display "{quoted.group(1).strip()}"'
                    if quoted
                    else "Display the required attribution prominently"
                )
            else:
                value = {
                    "notices": "Keep the copyright and licence notices",
                    "licence copy": "Ship a copy of the licence",
                    "changes": "Mark modified files",
                    "notice file": "Ship the NOTICE file",
                    "credit": "Give credit (attribution)",
                }[what]
            self.add(s, ATTRIBUTION, value, m.start(), 0.8, duty=what)
        if "Built with" in text:
            quoted = _QUOTE_MARK.search(text)
            shown = quoted.group(1).strip() if quoted else "Built with"
            self.add(
                s, ATTRIBUTION, f'Display "{shown}"', text.index("Built with"), 0.8, duty="display"
            )

    def _others(self, s: ZhSentence, definition: bool) -> None:
        text = s.text
        if definition:
            return
        m = _SHARE_ALIKE.search(text)
        if m is not None:
            self.add(s, SHARE_ALIKE, "copyleft", m.start(), 0.75, how="same-terms")
        m = _INHERIT.search(text)
        if m is not None:
            self.add(s, DERIVATIVES_INHERIT, True, m.start(), 0.75)
        m = _LAW.search(text)
        if m is not None and re.search(r"协议|许可|争议|管辖", text):
            place = re.sub(r"（[^）]*）|\([^)]*\)", "", m.group("place")).strip()
            place = re.sub(r"^(?:于|在)", "", place)
            if 2 <= len(place) <= 24 and not re.match(r"本|该|所|任何|相关|适用|其他|有关", place):
                self.add(s, GOVERNING_LAW, place, m.start("place"), 0.8)
        m = _USE_RESTRICTION.search(text)
        if m is not None and not re.search(COMM, _NOT_COMMERCIAL_USE.sub("", text)):
            self.add(s, USE_RESTRICTIONS, True, m.start(), 0.6)
        for m in _INCORPORATED.finditer(text):
            name = m.group("name").strip()
            if len(re.findall("[A-Za-z]", name)) >= 3 and name.lower() not in ("this",):
                self.add(s, INCORPORATES, name.lower(), m.start(), 0.6, url="")
        m = _AUP_ZH.search(text)
        if m is not None and _AUP_BOUND.search(text):
            url = _URL.search(text[m.start() :])
            self.add(s, AUP, url.group(0) if url else "", m.start(), 0.75)
        m = _PREVAILS.search(text)
        if m is not None and m.group("lang") not in _OUR_LANGS:
            self.add(s, OTHER_LANGUAGE, m.group("lang"), m.start(), 0.9, how="prevails")

    # -- what a sentence speaks of, against what was read in it --
    def _topics(self, s: ZhSentence, definition: bool, placed: list[Clause]) -> None:
        before = set(self.unread)
        self.unread = set()
        self._unplaced(s, definition, placed)
        if self.unread:
            self.add(s, UNPLACED, ",".join(sorted(self.unread)), 0, 0.5)
        self.unread |= before

    def _unplaced(self, s: ZhSentence, definition: bool, placed: list[Clause]) -> None:
        kinds = {c.kind for c in placed}
        text = _NOT_COMMERCIAL_USE.sub("＿＿", s.text)
        disclaimer = bool(_DISCLAIMER.search(text))
        placing = {
            NON_COMMERCIAL,
            RESEARCH_ONLY,
            EVALUATION_ONLY,
            PERSONAL_USE,
            COMMERCIAL_ALLOWED,
            COMMERCIAL_LICENCE,
            REGISTRATION,
            USER_THRESHOLD,
            REVENUE_THRESHOLD,
            OUTPUT_TRAINING,
        }
        if (
            not definition
            and not disclaimer
            and re.search(COMM + "|" + NC, text)
            and not kinds & placing
            and not re.search(r"可以[^。；]{0,10}" + NC, text)
            and not _SOFT.search(text)
        ):
            self.unread.add(COMMERCIAL)
        # "仅限……使用" with a purpose the rules do not know: the grant may be limited.
        limit = re.search(
            r"(?<!不)(?:仅供|仅限|只限|(?:仅|只)(?:能|可|可以|允许)?(?:被)?用于)[^。；，]{0,15}?"
            r"(?:使用|用途|目的|之用|场景)",
            text,
        )
        if (
            limit is not None
            and not definition
            and not disclaimer
            and not kinds & placing
            and not re.search(r"仅为本(?:协议|许可)|仅限于本(?:协议|许可)", text)
        ):
            self.unread.add(COMMERCIAL)
        # An amount no threshold rule placed may be a cap in words the rules do not know.
        if (
            not definition
            and not (disclaimer and not _CMP.search(text))
            and any(m.start() not in self.placed for m in _amounts(text))
        ):
            self.unread |= {MAU, REVENUE}
        if not _LAW_SENTENCE.search(text) and not _SANCTIONS.search(text):
            bare = _REGION_LAW.sub("", text)
            if (
                _REGION_RE.search(bare)
                and re.search(r"不|禁止|除外|以外|排除|限制|无权", bare)
                and TERRITORY not in kinds
                and not ("不包括" in bare and re.search(r"法律|法规", bare))
            ):
                self.unread.add(TERRITORY_FIELD)
        if (
            _OUT_TOPIC.search(text)
            and not disclaimer
            and OUTPUT_TRAINING not in kinds
            and (not definition or "衍生" in self.term)
        ):
            self.unread.add(OUTPUTS)
        if (
            _ATTRIB_TOPIC.search(text)
            and _DUTY.search(text)
            and ATTRIBUTION not in kinds
            and not disclaimer
            and not definition
            and not _SOFT.search(text)
        ):
            self.unread.add(ATTRIB)
        if _SHARE_TOPIC.search(text) and SHARE_ALIKE not in kinds:
            self.unread.add(SHARE)


def _last(matches: Any) -> re.Match[str] | None:
    out = None
    for m in matches:
        out = m
    return out


def _currency(before: str, after: str) -> str:
    for token, code in _CURRENCY:
        if after.lstrip().startswith(token) or before.rstrip().endswith(token):
            return code
    return ""


def _amounts(text: str) -> list[re.Match[str]]:
    """The numbers of a sentence that could be a threshold (not a year, a clause number, a
    duration or a percentage)."""
    out = []
    for m in _NUM_RE.finditer(text):
        value = zh_number(m.group("num"))
        if value is None or value < 1000 or _NOT_AMOUNT.match(text[m.end() :]):
            continue
        if 1900 <= value <= 2100 and not re.search("[万亿]", m.group("num")):
            continue
        if re.match(r"[A-Za-z_\-/]", text[m.end() : m.end() + 1]) or re.search(
            r"[A-Za-z_\-/@.:]$", text[: m.start()]
        ):
            continue  # part of a name, an address or a version ("bge-m3-1024", "v1.2")
        out.append(m)
    return out


def _has_amount(text: str) -> bool:
    return bool(_amounts(text))


def is_chinese(text: str) -> bool:
    """Chinese rather than Japanese: Han characters with hardly any kana."""
    han = len(_HAN_RE.findall(text))
    return han > 0 and len(_KANA_RE.findall(text)) < 0.05 * han


def simplified(raw_lines: list[str]) -> list[str] | None:
    """The lines in Simplified characters (the rules' vocabulary), each line as long as before so
    that columns still point into the text; None when no converter is installed."""
    try:
        import opencc  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    converter = opencc.OpenCC("t2s")
    out = []
    for line in raw_lines:
        if not _HAN_RE.search(line):
            out.append(line)
            continue
        converted = converter.convert(line)
        if len(converted) != len(line):  # a phrase of another length: character by character
            converted = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        out.append(converted)
    return out


def read_chinese(raw_lines: list[str], document: str) -> tuple[list[Clause], frozenset[str]] | None:
    """The clauses of the Chinese sentences of a text, and the fields a sentence speaks of that
    no rule placed (unread: the caller states nothing permissive about them). Traditional
    characters are read as Simplified; None when they cannot be (nothing read)."""
    lines = simplified(raw_lines)
    if lines is None:
        return None
    reader = ZhReader(raw_lines, document)
    reader.read(zh_sentences(lines))
    return reader.found, frozenset(reader.unread)
