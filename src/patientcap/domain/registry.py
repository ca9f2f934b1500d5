"""Rules for the values kept in the enterprise registry: industry codes, yearly figures, dates.

Industry codes follow GB/T 4754-2017 (国民经济行业分类): a section letter A–T (门类), then a
division of two digits (大类), a group of three (中类) and a class of four (小类). People write
"I", "65", "I65", "6513" or "I6513"; the registry stores the letter plus the digits, e.g.
"I6513", because the division alone fixes the section. Only sections and divisions are checked
against the table below (the 3rd and 4th digits are not: the full table is long and changes).

Figure rules return every problem at once (a batch import reports all of them), each naming the
field it concerns.

>>> industry_code("6513")
'I6513'
>>> [p.message.text for p in headcount_problems(total=10, tech_staff=12, rd_staff=3)]
['12 cannot exceed the total staff (10)']
"""

import datetime as dt
from decimal import Decimal

from patientcap.domain.messages import Invalid, Problem, gettext_noop

# GB/T 4754-2017 sections (门类): letter → (Chinese name, English name).
SECTIONS: dict[str, tuple[str, str]] = {
    "A": ("农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    "B": ("采矿业", "Mining"),
    "C": ("制造业", "Manufacturing"),
    "D": ("电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply"),
    "E": ("建筑业", "Construction"),
    "F": ("批发和零售业", "Wholesale and retail trade"),
    "G": ("交通运输、仓储和邮政业", "Transport, storage and post"),
    "H": ("住宿和餐饮业", "Accommodation and catering"),
    "I": ("信息传输、软件和信息技术服务业", "Information transmission, software and IT services"),
    "J": ("金融业", "Finance"),
    "K": ("房地产业", "Real estate"),
    "L": ("租赁和商务服务业", "Leasing and business services"),
    "M": ("科学研究和技术服务业", "Scientific research and technical services"),
    "N": ("水利、环境和公共设施管理业", "Water, environment and public facilities management"),
    "O": ("居民服务、修理和其他服务业", "Household, repair and other services"),
    "P": ("教育", "Education"),
    "Q": ("卫生和社会工作", "Health and social work"),
    "R": ("文化、体育和娱乐业", "Culture, sports and entertainment"),
    "S": ("公共管理、社会保障和社会组织", "Public administration, social security, organisations"),
    "T": ("国际组织", "International organisations"),
}

# First division of each section (divisions are numbered 01–97 without gaps).
_SECTION_STARTS = [
    ("A", 1), ("B", 6), ("C", 13), ("D", 44), ("E", 47), ("F", 51), ("G", 53), ("H", 61),
    ("I", 63), ("J", 66), ("K", 70), ("L", 71), ("M", 73), ("N", 76), ("O", 80), ("P", 83),
    ("Q", 84), ("R", 86), ("S", 91), ("T", 97),
]  # fmt: skip

# GB/T 4754-2017 divisions (大类): two digits → Chinese name.
DIVISIONS: dict[str, str] = {
    "01": "农业", "02": "林业", "03": "畜牧业", "04": "渔业",
    "05": "农、林、牧、渔专业及辅助性活动",
    "06": "煤炭开采和洗选业", "07": "石油和天然气开采业", "08": "黑色金属矿采选业",
    "09": "有色金属矿采选业", "10": "非金属矿采选业", "11": "开采专业及辅助性活动",
    "12": "其他采矿业",
    "13": "农副食品加工业", "14": "食品制造业", "15": "酒、饮料和精制茶制造业",
    "16": "烟草制品业", "17": "纺织业", "18": "纺织服装、服饰业",
    "19": "皮革、毛皮、羽毛及其制品和制鞋业", "20": "木材加工和木、竹、藤、棕、草制品业",
    "21": "家具制造业", "22": "造纸和纸制品业", "23": "印刷和记录媒介复制业",
    "24": "文教、工美、体育和娱乐用品制造业", "25": "石油、煤炭及其他燃料加工业",
    "26": "化学原料和化学制品制造业", "27": "医药制造业", "28": "化学纤维制造业",
    "29": "橡胶和塑料制品业", "30": "非金属矿物制品业", "31": "黑色金属冶炼和压延加工业",
    "32": "有色金属冶炼和压延加工业", "33": "金属制品业", "34": "通用设备制造业",
    "35": "专用设备制造业", "36": "汽车制造业",
    "37": "铁路、船舶、航空航天和其他运输设备制造业", "38": "电气机械和器材制造业",
    "39": "计算机、通信和其他电子设备制造业", "40": "仪器仪表制造业", "41": "其他制造业",
    "42": "废弃资源综合利用业", "43": "金属制品、机械和设备修理业",
    "44": "电力、热力生产和供应业", "45": "燃气生产和供应业", "46": "水的生产和供应业",
    "47": "房屋建筑业", "48": "土木工程建筑业", "49": "建筑安装业",
    "50": "建筑装饰、装修和其他建筑业",
    "51": "批发业", "52": "零售业",
    "53": "铁路运输业", "54": "道路运输业", "55": "水上运输业", "56": "航空运输业",
    "57": "管道运输业", "58": "多式联运和运输代理业", "59": "装卸搬运和仓储业", "60": "邮政业",
    "61": "住宿业", "62": "餐饮业",
    "63": "电信、广播电视和卫星传输服务", "64": "互联网和相关服务", "65": "软件和信息技术服务业",
    "66": "货币金融服务", "67": "资本市场服务", "68": "保险业", "69": "其他金融业",
    "70": "房地产业",
    "71": "租赁业", "72": "商务服务业",
    "73": "研究和试验发展", "74": "专业技术服务业", "75": "科技推广和应用服务业",
    "76": "水利管理业", "77": "生态保护和环境治理业", "78": "公共设施管理业", "79": "土地管理业",
    "80": "居民服务业", "81": "机动车、电子产品和日用产品修理业", "82": "其他服务业",
    "83": "教育",
    "84": "卫生", "85": "社会工作",
    "86": "新闻和出版业", "87": "广播、电视、电影和录音制作业", "88": "文化艺术业", "89": "体育",
    "90": "娱乐业",
    "91": "中国共产党机关", "92": "国家机构", "93": "人民政协、民主党派",
    "94": "社会保障", "95": "群众团体、社会团体和其他成员组织",
    "96": "基层群众自治组织及其他组织",
    "97": "国际组织",
}  # fmt: skip


def section_of(division: str) -> str:
    """The section letter of a two-digit division, e.g. "65" → "I"."""
    number = int(division)
    return [letter for letter, start in _SECTION_STARTS if start <= number][-1]


def industry_code(text: str) -> str:
    """Read an industry code as typed and return the stored form (section letter + digits).

    >>> industry_code(" i65 ")
    'I65'
    >>> industry_code("M")
    'M'
    """
    code = text.strip().upper().replace(" ", "")
    letter = code[:1] if code[:1].isalpha() else ""
    digits = code[len(letter) :]
    if not code or (letter and letter not in SECTIONS) or (digits and not digits.isdigit()):
        raise Invalid(
            gettext_noop(
                "%(code)s is not a GB/T 4754-2017 industry code: write a section letter A–T "
                "and/or a division of 2 to 4 digits, e.g. I65 or 6513"
            ),
            {"code": repr(text)},
        )
    if not digits:
        return letter
    if not 2 <= len(digits) <= 4:
        raise Invalid(
            gettext_noop("industry code %(code)s must have 2 to 4 digits after the section"),
            {"code": repr(text)},
        )
    if digits[:2] not in DIVISIONS:
        raise Invalid(
            gettext_noop("%(division)s is not a GB/T 4754-2017 division (01–97)"),
            {"division": digits[:2]},
        )
    section = section_of(digits[:2])
    if letter and letter != section:
        raise Invalid(
            gettext_noop("division %(division)s belongs to section %(section)s, not %(letter)s"),
            {"division": digits[:2], "section": section, "letter": letter},
        )
    return section + digits


def division_of(code: str) -> str:
    """The two-digit division of a stored code ("" for a section-only code)."""
    return code[1:3]


def industry_label(code: str) -> str:
    """A stored code with the name of its division (or section), e.g. "I65 软件和信息技术服务业"."""
    division = division_of(code)
    name = DIVISIONS.get(division) if division else SECTIONS.get(code, ("",))[0]
    return f"{code} {name}".strip()


def _non_negative(problems: list[Problem], name: str, value: int | Decimal | None) -> None:
    if value is not None and value < 0:
        problems.append(
            Problem.of(name, gettext_noop("cannot be negative (%(value)s)"), {"value": value})
        )


def headcount_problems(
    *, total: int | None, tech_staff: int | None, rd_staff: int | None
) -> list[Problem]:
    """Counts are not negative; tech staff and R&D staff are part of the total staff."""
    problems: list[Problem] = []
    for name, value in (("total", total), ("tech_staff", tech_staff), ("rd_staff", rd_staff)):
        _non_negative(problems, name, value)
    if problems or total is None:
        return problems
    for name, value in (("tech_staff", tech_staff), ("rd_staff", rd_staff)):
        if value is not None and value > total:
            problems.append(
                Problem.of(
                    name,
                    gettext_noop("%(value)d cannot exceed the total staff (%(total)d)"),
                    {"value": value, "total": total},
                )
            )
    return problems


# Amounts of a financial year that can never be negative (operating cash flow can).
NON_NEGATIVE_AMOUNTS = (
    "revenue_fen", "main_business_revenue_fen", "rd_expense_fen", "total_cost_fen",
    "total_assets_fen", "total_liabilities_fen", "orders_backlog_fen",
)  # fmt: skip


def financial_problems(figures: dict[str, int | Decimal | None]) -> list[Problem]:
    """Amounts (int fen) are not negative except operating cash flow; main-business revenue is
    part of revenue; the top customer's share of revenue is a ratio from 0 to 1."""
    problems: list[Problem] = []
    for name in NON_NEGATIVE_AMOUNTS:
        value = figures.get(name)
        if value is not None and value < 0:
            problems.append(
                Problem.of(name, gettext_noop("cannot be negative (%(value)s)"), {"value": value})
            )
    revenue, main = figures.get("revenue_fen"), figures.get("main_business_revenue_fen")
    if revenue is not None and main is not None and 0 <= revenue < main:
        problems.append(
            Problem.of(
                "main_business_revenue_fen",
                gettext_noop("main-business revenue cannot exceed revenue"),
            )
        )
    share = figures.get("top_customer_share")
    if share is not None:
        problems.extend(ratio_problems("top_customer_share", share))
    return problems


def ratio_problems(name: str, value: Decimal | int) -> list[Problem]:
    if not 0 <= value <= 1:
        return [
            Problem.of(
                name,
                gettext_noop("%(value)s is not a share between 0 and 1 (0%% to 100%%)"),
                {"value": value},
            )
        ]
    return []


def count_problems(counts: dict[str, int | None]) -> list[Problem]:
    """Counts of patents, copyrights and the like are not negative."""
    problems: list[Problem] = []
    for name, value in counts.items():
        _non_negative(problems, name, value)
    return problems


def team_problems(
    *,
    founders_max_industry_years: int | None,
    founders_avg_industry_years: Decimal | None,
    key_staff_turnover: Decimal | None,
) -> list[Problem]:
    """Years are not negative, the founders' average is not above their maximum, and turnover
    is a ratio from 0 to 1."""
    problems: list[Problem] = []
    _non_negative(problems, "founders_max_industry_years", founders_max_industry_years)
    _non_negative(problems, "founders_avg_industry_years", founders_avg_industry_years)
    top, avg = founders_max_industry_years, founders_avg_industry_years
    if not problems and top is not None and avg is not None and avg > top:
        problems.append(
            Problem.of(
                "founders_avg_industry_years",
                gettext_noop(
                    "the founders' average (%(avg)s) cannot exceed their maximum (%(max)s)"
                ),
                {"avg": avg, "max": top},
            )
        )
    if key_staff_turnover is not None:
        problems.extend(ratio_problems("key_staff_turnover", key_staff_turnover))
    return problems


def certification_problems(*, valid_from: dt.date, valid_to: dt.date) -> list[Problem]:
    """A certificate's last valid day is not before its first."""
    if valid_to < valid_from:
        return [
            Problem.of(
                "valid_to",
                gettext_noop("valid to (%(to)s) is before valid from (%(from)s)"),
                {"to": valid_to.isoformat(), "from": valid_from.isoformat()},
            )
        ]
    return []


EARLIEST_REGISTRATION = dt.date(1949, 10, 1)  # no registrable PRC organisation is older


def registration_date_problems(value: dt.date, *, as_of: dt.date) -> list[Problem]:
    """A registration date is not in the future (relative to `as_of`) nor implausibly old."""
    if value > as_of:
        return [
            Problem.of(
                "registration_date",
                gettext_noop("the registration date %(date)s is in the future"),
                {"date": value.isoformat()},
            )
        ]
    if value < EARLIEST_REGISTRATION:
        return [
            Problem.of(
                "registration_date",
                gettext_noop("the registration date %(date)s is before 1949-10-01"),
                {"date": value.isoformat()},
            )
        ]
    return []


def year_problems(year: int, *, as_of: dt.date, name: str = "year") -> list[Problem]:
    """A reporting year is not after the current one, nor before 1990."""
    if not 1990 <= year <= as_of.year:
        return [
            Problem.of(
                name,
                gettext_noop("%(year)s is not a reporting year (1990 to %(last)s)"),
                {"year": year, "last": as_of.year},
            )
        ]
    return []


def mask_name(name: str) -> str:
    """A person's name for readers who need not know it: the first character and one * for
    each other character (PIPL art. 6: the minimum necessary).

    >>> mask_name("张三丰")
    '张**'
    """
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
