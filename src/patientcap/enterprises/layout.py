"""The fixed column layout of the enterprise workbook (template, import and export alike).

One row per enterprise: the profile, then one reporting year's figures (financial, headcount,
IP, team), then one certificate per kind. Each header cell holds the Chinese and the English
name on two lines; on import a header is recognised by either name, both, or the column key,
in any order, but every column must be present and no other. The layout is a file format:
its names and choice labels are fixed here, not translated with the user interface.
"""

from dataclasses import dataclass

from patientcap.enterprises.models import CertificationKind

DATA_SHEET = "企业 Enterprises"
INSTRUCTIONS_SHEET = "说明 Instructions"


@dataclass(frozen=True)
class Column:
    key: str  # stable machine name, also accepted as a header
    zh: str
    en: str
    kind: str  # how cells are read: see importing.READERS
    block: str  # "profile", "year", "financial", "headcount", "ip", "team" or "cert:<kind>"
    field: str  # the model field the value goes to
    required: bool = False
    note_zh: str = ""
    note_en: str = ""

    @property
    def header(self) -> str:
        return f"{self.zh}\n{self.en}"

    @property
    def title(self) -> str:
        """The name used in error messages."""
        return f"{self.zh} / {self.en}"


GROWTH_STAGE_ZH = {
    "seed": "种子期",
    "startup": "初创期",
    "growth": "成长期",
    "expansion": "扩张期",
    "mature": "成熟期",
}
GROWTH_STAGE_EN = {
    "seed": "Seed",
    "startup": "Startup",
    "growth": "Growth",
    "expansion": "Expansion",
    "mature": "Mature",
}
STRATEGIC_ZH = {
    "next_gen_it": "新一代信息技术产业", "high_end_equipment": "高端装备制造产业",
    "new_materials": "新材料产业", "biotech": "生物产业", "new_energy_vehicles": "新能源汽车产业",
    "new_energy": "新能源产业", "energy_saving": "节能环保产业", "digital_creative": "数字创意产业",
    "related_services": "相关服务业",
}  # fmt: skip
CERT_ZH = {
    "high_tech_enterprise": "高新技术企业",
    "tech_sme": "科技型中小企业",
    "specialised_sme": "专精特新中小企业",
    "little_giant": "专精特新小巨人",
    "innovative_sme": "创新型中小企业",
}
CERT_EN = {
    "high_tech_enterprise": "High-tech enterprise",
    "tech_sme": "Tech SME",
    "specialised_sme": "Specialised SME",
    "little_giant": "Little giant",
    "innovative_sme": "Innovative SME",
}

_YUAN_ZH = "元，两位小数；或写“200万”"
_YUAN_EN = "yuan with up to two decimals, or text such as 200万"
_COUNT_ZH, _COUNT_EN = "非负整数", "whole number, not negative"
_SHARE_ZH, _SHARE_EN = (
    "0 到 1 的小数或百分比，如 0.35 或 35%",
    "0 to 1 or a percentage, e.g. 0.35 or 35%",
)
_DATE_ZH, _DATE_EN = "日期，YYYY-MM-DD", "date, YYYY-MM-DD"


def _profile() -> list[Column]:
    return [
        Column(
            "uscc",
            "统一社会信用代码",
            "Unified social credit code",
            "uscc",
            "profile",
            "uscc",
            True,
            "18 位，设为文本格式；已登记的代码表示更新该企业",
            "18 characters, formatted as text; a registered code updates that enterprise",
        ),
        Column("name", "企业名称", "Name", "text", "profile", "name", True),
        Column(
            "registration_date",
            "成立日期",
            "Registration date",
            "date",
            "profile",
            "registration_date",
            True,
            _DATE_ZH + "，不晚于今天",
            _DATE_EN + ", not in the future",
        ),
        Column(
            "industry_code",
            "行业代码(GB/T 4754-2017)",
            "Industry code (GB/T 4754-2017)",
            "industry",
            "profile",
            "industry_code",
            True,
            "门类字母和/或 2–4 位数字，如 I65",
            "section letter and/or 2–4 digits, e.g. I65",
        ),
        Column(
            "strategic_emerging",
            "战略性新兴产业",
            "Strategic emerging industry",
            "bool",
            "profile",
            "strategic_emerging",
            False,
            "是 / 否",
            "yes / no (是 / 否)",
        ),
        Column(
            "strategic_category",
            "战略性新兴产业类别",
            "Strategic emerging industry category",
            "strategic_category",
            "profile",
            "strategic_category",
            False,
            "、".join(STRATEGIC_ZH.values()),
            ", ".join(STRATEGIC_ZH),
        ),
        Column(
            "growth_stage",
            "成长阶段",
            "Growth stage",
            "growth_stage",
            "profile",
            "growth_stage",
            True,
            "、".join(GROWTH_STAGE_ZH.values()),
            ", ".join(GROWTH_STAGE_EN.values()),
        ),
        Column("district", "所在区域", "District", "text", "profile", "district"),
        Column("address", "地址", "Address", "text", "profile", "address"),
        Column(
            "legal_representative",
            "法定代表人",
            "Legal representative",
            "text",
            "profile",
            "legal_representative",
        ),
    ]


def _yearly() -> list[Column]:
    def amount(
        key: str,
        zh: str,
        en: str,
        block: str = "financial",
        note_zh: str = _YUAN_ZH,
        note_en: str = _YUAN_EN,
    ) -> Column:
        return Column(
            key,
            f"{zh}(元)",
            f"{en} (yuan)",
            "amount",
            block,
            f"{key}_fen",
            note_zh=note_zh,
            note_en=note_en,
        )

    def count(key: str, zh: str, en: str, block: str, field: str | None = None) -> Column:
        return Column(
            key, zh, en, "count", block, field or key, note_zh=_COUNT_ZH, note_en=_COUNT_EN
        )

    return [
        Column(
            "year",
            "报告年度",
            "Reporting year",
            "year",
            "year",
            "year",
            False,
            "填写下列年度数据时必填，如 2024",
            "required with any yearly figure, e.g. 2024",
        ),
        amount("revenue", "营业收入", "Revenue"),
        amount("main_business_revenue", "主营业务收入", "Main-business revenue"),
        amount("rd_expense", "研发费用", "R&D expense"),
        amount("total_cost", "成本费用总额", "Total cost"),
        amount("total_assets", "资产总额", "Total assets"),
        amount("total_liabilities", "负债总额", "Total liabilities"),
        amount(
            "operating_cash_flow",
            "经营活动现金流量净额",
            "Operating cash flow",
            note_zh=_YUAN_ZH + "，可为负数",
            note_en=_YUAN_EN + "; may be negative",
        ),
        amount("orders_backlog", "在手订单金额", "Orders backlog"),
        Column(
            "top_customer_share",
            "第一大客户收入占比",
            "Top customer share",
            "ratio",
            "financial",
            "top_customer_share",
            note_zh=_SHARE_ZH,
            note_en=_SHARE_EN,
        ),
        count("staff_total", "职工总数", "Total staff", "headcount", "total"),
        count("tech_staff", "科技人员数", "Tech staff", "headcount"),
        count("rd_staff", "研发人员数", "R&D staff", "headcount"),
        count("invention_patents", "发明专利数", "Invention patents", "ip"),
        count("utility_model_patents", "实用新型专利数", "Utility-model patents", "ip"),
        count("design_patents", "外观设计专利数", "Design patents", "ip"),
        count("software_copyrights", "软件著作权数", "Software copyrights", "ip"),
        count(
            "founders_max_industry_years",
            "创始人最长行业年限",
            "Founders' max industry years",
            "team",
        ),
        Column(
            "founders_avg_industry_years",
            "创始人平均行业年限",
            "Founders' average industry years",
            "years",
            "team",
            "founders_avg_industry_years",
            note_zh="最多一位小数",
            note_en="one decimal at most",
        ),
        Column(
            "key_staff_turnover",
            "核心人员流失率",
            "Key staff turnover",
            "ratio",
            "team",
            "key_staff_turnover",
            note_zh=_SHARE_ZH,
            note_en=_SHARE_EN,
        ),
    ]


def _certifications() -> list[Column]:
    columns = []
    for kind in CertificationKind.values:
        zh, en, block = CERT_ZH[kind], CERT_EN[kind], f"cert:{kind}"
        columns += [
            Column(
                f"{kind}_number",
                f"{zh}证书编号",
                f"{en} certificate number",
                "text",
                block,
                "certificate_number",
            ),
            Column(
                f"{kind}_valid_from",
                f"{zh}有效期自",
                f"{en} valid from",
                "date",
                block,
                "valid_from",
                note_zh=_DATE_ZH,
                note_en=_DATE_EN,
            ),
            Column(
                f"{kind}_valid_to",
                f"{zh}有效期至",
                f"{en} valid to",
                "date",
                block,
                "valid_to",
                note_zh=_DATE_ZH + "，含当日",
                note_en=_DATE_EN + ", inclusive",
            ),
        ]
    return columns


COLUMNS: list[Column] = [*_profile(), *_yearly(), *_certifications()]
YEARLY_BLOCKS = ("financial", "headcount", "ip", "team")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


# Every accepted spelling of every header → its column.
_BY_HEADER = {
    name: column
    for column in COLUMNS
    for name in {_norm(column.header), _norm(column.zh), _norm(column.en), column.key}
}


def column_for(header: object) -> Column | None:
    if not isinstance(header, str):
        return None
    return _BY_HEADER.get(_norm(header))


def choice_value(kind: str, text: str) -> str | None:
    """The stored value for a choice cell given as key, Chinese or English label."""
    tables = {
        "growth_stage": [GROWTH_STAGE_ZH, GROWTH_STAGE_EN],
        "strategic_category": [STRATEGIC_ZH],
    }[kind]
    wanted = _norm(text)
    for table in tables:
        for key, label in table.items():
            if wanted in (key, _norm(label)):
                return key
    return None
