"""电子证照: the electronic-certificate base database."""

from __future__ import annotations

from cityhub.catalog.base_databases.model import (
    CERTIFICATE_STATES,
    DAY,
    GB11643,
    GB32100,
    HOLDER_CODE_PATTERN,
    HOLDER_KINDS,
    IDENTIFIER_STEPS,
    TXT,
    Template,
    TemplateColumn,
    clean,
    rule,
)
from cityhub.catalog.vocab import (
    OpenType,
    PersonalKind,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)

CERTIFICATE = Template(
    key="certificate",
    title="电子证照目录",
    title_en="Electronic certificate base database",
    resource_class=ResourceClass.CERTIFICATE,
    abstract="电子证照基础库:各部门签发的电子证照目录信息(证照类型、编号、持证主体、发证机构、"
    "有效期),供政务服务“免证办”核验。",
    keywords=("电子证照", "证照", "免证办"),
    update_cycle=UpdateCycle.DAILY,
    share_type=ShareType.CONDITIONAL,
    share_conditions="用于政务服务事项办理中的证照核验,需经电子证照库责任部门审核",
    open_type=OpenType.CLOSED,
    security_level=SecurityLevel.SENSITIVE,
    standards=(
        "GB/T 36901-2018 电子证照 总体技术架构",
        "GB/T 36902-2018 电子证照 目录信息规范",
        "GB/T 36903-2018 电子证照 元数据规范",
        "GB/T 36904-2018 电子证照 标识规范",
        "GB/T 36905-2018 电子证照 文件技术要求",
        GB32100,
        GB11643,
    ),
    columns=(
        TemplateColumn(
            "证照标识", "证照标识", TXT, "电子证照的唯一标识", standard="GB/T 36904-2018"
        ),
        TemplateColumn("证照类型名称", "证照类型名称", TXT, "如 营业执照、食品经营许可证"),
        TemplateColumn("证照类型代码", "证照类型代码", TXT, "电子证照目录中的证照类型代码"),
        TemplateColumn("证照编号", "证照编号", TXT, "证照上印制的编号"),
        TemplateColumn("持证主体", "持证主体", TXT, "单位名称或自然人姓名", PersonalKind.NAME),
        TemplateColumn(
            "持证主体代码类型", "持证主体代码类型", TXT, "统一社会信用代码、公民身份号码或其他"
        ),
        TemplateColumn(
            "持证主体代码",
            "持证主体代码",
            TXT,
            "统一社会信用代码或公民身份号码",
            PersonalKind.ID_NUMBER,
        ),
        TemplateColumn("发证机构", "发证机构", TXT, "签发证照的机构名称"),
        TemplateColumn(
            "发证机构代码",
            "发证机构代码",
            TXT,
            "签发机构的统一社会信用代码",
            standard=GB32100,
        ),
        TemplateColumn("发证日期", "发证日期", DAY, "签发日期"),
        TemplateColumn("有效期起始日期", "有效期起始日期", DAY, "有效期的第一天"),
        TemplateColumn("有效期截止日期", "有效期截止日期", DAY, "有效期的最后一天;长期有效为空"),
        TemplateColumn("证照状态", "证照状态", TXT, "有效、注销、废止、过期"),
    ),
    rules=(
        rule("certificate_id_not_null", "not_null", "证照标识", "证照标识必填"),
        rule("certificate_id_unique", "unique", "证照标识", "证照标识不得重复"),
        rule("type_not_null", "not_null", "证照类型名称", "证照类型名称必填"),
        rule("number_not_null", "not_null", "证照编号", "证照编号必填"),
        rule("holder_not_null", "not_null", "持证主体", "持证主体必填"),
        rule(
            "holder_kind",
            "enum",
            "持证主体代码类型",
            "持证主体代码类型取自代码类型表",
            values=list(HOLDER_KINDS),
        ),
        rule(
            "holder_code_form",
            "regex",
            "持证主体代码",
            "持证主体代码为18位统一社会信用代码或公民身份号码",
            pattern=HOLDER_CODE_PATTERN,
        ),
        rule("issuer_not_null", "not_null", "发证机构", "发证机构必填"),
        rule(
            "issuer_code_valid",
            "identifier",
            "发证机构代码",
            "发证机构统一社会信用代码校验",
            blocking=False,
            kind="credit_code",
        ),
        rule("issued_not_null", "not_null", "发证日期", "发证日期必填"),
        rule(
            "validity_order",
            "sql",
            "有效期截止日期",
            "有效期截止日期不早于起始日期",
            blocking=False,
            predicate=(
                '"有效期截止日期" IS NULL OR "有效期起始日期" IS NULL OR '
                '"有效期截止日期" >= "有效期起始日期"'
            ),
        ),
        rule(
            "state",
            "enum",
            "证照状态",
            "证照状态取自证照状态表",
            blocking=False,
            values=list(CERTIFICATE_STATES),
        ),
    ),
    cleaning=(
        clean("证照标识", "trim", "halfwidth", "upper"),
        clean("证照编号", "trim", "halfwidth"),
        clean("持证主体代码", *IDENTIFIER_STEPS),
        clean("发证机构代码", *IDENTIFIER_STEPS),
    ),
)
