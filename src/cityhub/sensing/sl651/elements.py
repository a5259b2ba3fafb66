"""Appendix C (Table C.1) of SL 651-2014: element identifiers, one row per lead byte.

An identifier is two bytes: the **lead byte** names the element (``FF`` announces one more
byte: user-defined ``FFxx``), the **definition byte** gives the data length in bytes
(``b >> 3``) and the decimals (``b & 7``). The definition byte on the wire decides how a value
is decoded; ``digits``/``decimals`` here are the standard's N(D,d), used when encoding and for
documentation. Leads not in the table decode generically (see ``element``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Coding(StrEnum):
    """How an element's data bytes are encoded."""

    BCD = "bcd"  # decimal number, BCD with the point removed (most elements)
    STATUS = "status"  # ZT: 4-byte unsigned HEX bit field (Table 58)
    RAIN_5MIN = "rain_5min"  # DRP: 12 × 1 byte HEX, 0.1 mm, FF invalid
    LEVEL_5MIN = "level_5min"  # DRZn: 12 × 2 bytes HEX, 0.01 m, FFFF invalid
    OBSERVATION_TIME = "observation_time"  # F0F0 + 5 bytes BCD YYMMDDHHmm
    STATION = "station"  # F1F1 + 5 bytes address (+ 1 classification byte in reports)
    TIME_STEP = "time_step"  # 04 18 + BCD d h m
    REST_OF_BODY = "rest_of_body"  # manual data, picture, flow batch: all remaining bytes


@dataclass(frozen=True)
class Element:
    """One row of Table C.1: lead byte, ASCII tag, names, unit and N(D,d)."""

    lead: int
    tag: str
    name_zh: str
    name_en: str
    unit: str
    digits: int | None = None
    decimals: int = 0
    coding: Coding = Coding.BCD
    known: bool = True

    @property
    def hex_identifier(self) -> str:
        """The lead as it appears on the wire: ``39`` or ``FF12``."""
        return f"{self.lead:02X}" if self.lead <= 0xFF else f"{self.lead:04X}"


_ROWS: list[Element] = [
    Element(0xF0, "TT", "观测时间引导符", "observation time", "", coding=Coding.OBSERVATION_TIME),
    Element(0xF1, "ST", "测站编码引导符", "station address", "", coding=Coding.STATION),
    Element(0xF2, "RGZS", "人工置数", "manual input data", "", coding=Coding.REST_OF_BODY),
    Element(0xF3, "PIC", "图片信息", "picture (JPG)", "", coding=Coding.REST_OF_BODY),
    Element(
        0xF4,
        "DRP",
        "1小时内每5分钟时段雨量",
        "5-minute rainfall in the hour",
        "mm",
        decimals=1,
        coding=Coding.RAIN_5MIN,
    ),
    Element(0xFD, "DATA", "流速批量数据传输", "flow batch data", "", coding=Coding.REST_OF_BODY),
    Element(0x01, "AC", "断面面积", "cross-section area", "m2", 8, 2),
    Element(0x02, "AI", "瞬时气温", "air temperature", "°C", 3, 1),
    Element(0x03, "C", "瞬时水温", "water temperature", "°C", 3, 1),
    Element(0x04, "DRxnn", "时间步长码", "time step code", "", 6, 0, Coding.TIME_STEP),
    Element(0x05, "DT", "时段长,降水、引排水、抽水历时", "period length / duration", "HH.mm", 4, 2),
    Element(0x06, "ED", "日蒸发量", "daily evaporation", "mm", 5, 1),
    Element(0x07, "EJ", "当前蒸发", "current evaporation", "mm", 5, 1),
    Element(0x08, "FL", "气压", "air pressure", "hPa", 5, 0),
    Element(0x09, "GH", "闸坝、水库闸门开启高度", "gate opening height", "m", 5, 2),
    Element(0x0A, "GN", "输水设备、闸门(组)编号", "gate / device number", "", 3, 0),
    Element(0x0B, "GS", "输水设备类别", "device type", "", 1, 0),
    Element(0x0C, "GT", "水库、闸坝闸门开启孔数", "number of open gate holes", "", 3, 0),
    Element(0x0D, "GTP", "地温", "ground temperature", "°C", 3, 1),
    Element(0x0E, "H", "地下水瞬时埋深", "groundwater depth", "m", 6, 2),
    Element(0x0F, "HW", "波浪高度", "wave height", "m", 5, 2),
    *(
        Element(
            0x10 + index,
            f"M{depth}",
            f"{depth}厘米处土壤含水量",
            f"soil moisture at {depth} cm",
            "%",
            4,
            1,
        )
        for index, depth in enumerate((10, 20, 30, 40, 50, 60, 80, 100))
    ),
    Element(0x18, "MST", "湿度", "humidity", "%", 4, 1),
    Element(0x19, "NS", "开机台数", "pumps running", "", 2, 0),
    Element(0x1A, "P1", "1小时时段降水量", "1-hour rainfall", "mm", 5, 1),
    Element(0x1B, "P2", "2小时时段降水量", "2-hour rainfall", "mm", 5, 1),
    Element(0x1C, "P3", "3小时时段降水量", "3-hour rainfall", "mm", 5, 1),
    Element(0x1D, "P6", "6小时时段降水量", "6-hour rainfall", "mm", 5, 1),
    Element(0x1E, "P12", "12小时时段降水量", "12-hour rainfall", "mm", 5, 1),
    Element(0x1F, "PD", "日降水量", "daily rainfall (day from 08:00)", "mm", 5, 1),
    Element(0x20, "PJ", "当前降水量", "current rainfall", "mm", 5, 1),
    Element(0x21, "PN01", "1分钟时段降水量", "1-minute rainfall", "mm", 5, 1),
    Element(0x22, "PN05", "5分钟时段降水量", "5-minute rainfall", "mm", 5, 1),
    Element(0x23, "PN10", "10分钟时段降水量", "10-minute rainfall", "mm", 5, 1),
    Element(0x24, "PN30", "30分钟时段降水量", "30-minute rainfall", "mm", 5, 1),
    Element(0x25, "PR", "暴雨量", "storm rainfall", "mm", 5, 1),
    Element(0x26, "PT", "降水量累计值", "cumulative rainfall", "mm", 6, 1),
    Element(0x27, "Q", "瞬时流量、抽水流量", "instantaneous flow", "m3/s", 9, 3),
    *(
        Element(
            0x28 + n - 1, f"Q{n}", f"取(排)水口流量{n}", f"intake/outfall flow {n}", "m3/s", 9, 3
        )
        for n in range(1, 9)
    ),
    Element(0x30, "QA", "总出库流量、过闸总流量", "total outflow", "m3/s", 9, 3),
    Element(0x31, "QZ", "输水设备流量、过闸(组)流量", "gate-group flow", "m3/s", 9, 3),
    Element(0x32, "SW", "输沙量", "sediment transport", "1e4 t", 11, 3),
    Element(0x33, "UC", "风向", "wind direction", "", 2, 0),
    Element(0x34, "UE", "风力(级)", "wind force (Beaufort)", "", 2, 0),
    Element(0x35, "US", "风速", "wind speed", "m/s", 4, 1),
    Element(0x36, "VA", "断面平均流速", "mean velocity", "m/s", 5, 3),
    Element(0x37, "VJ", "当前瞬时流速", "current velocity", "m/s", 5, 3),
    Element(0x38, "VT", "电源电压", "supply voltage", "V", 4, 2),
    Element(0x39, "Z", "瞬时河道水位、潮位", "river / tide level", "m", 7, 3),
    Element(0x3A, "ZB", "库(闸、站)下水位", "downstream water level", "m", 7, 3),
    Element(0x3B, "ZU", "库(闸、站)上水位", "upstream water level", "m", 7, 3),
    *(
        Element(0x3C + n - 1, f"Z{n}", f"取(排)水口水位{n}", f"intake/outfall level {n}", "m", 7, 3)
        for n in range(1, 9)
    ),
    Element(0x44, "SQ", "含沙量", "sediment concentration", "kg/m3", 9, 3),
    Element(
        0x45, "ZT", "遥测站状态及报警信息", "station status and alarms", "", coding=Coding.STATUS
    ),
    Element(0x46, "pH", "pH值", "pH", "", 4, 2),
    Element(0x47, "DO", "溶解氧", "dissolved oxygen", "mg/L", 4, 1),
    Element(0x48, "COND", "电导率", "conductivity", "uS/cm", 5, 0),
    Element(0x49, "TURB", "浊度", "turbidity", "degree", 3, 0),
    Element(0x4A, "CODMN", "高锰酸盐指数", "permanganate index", "mg/L", 4, 1),
    Element(0x4B, "REDOX", "氧化还原电位", "redox potential", "mV", 5, 1),
    Element(0x4C, "NH4N", "氨氮", "ammonia nitrogen", "mg/L", 6, 2),
    Element(0x4D, "TP", "总磷", "total phosphorus", "mg/L", 5, 3),
    Element(0x4E, "TN", "总氮", "total nitrogen", "mg/L", 5, 2),
    Element(0x4F, "TOC", "总有机碳", "total organic carbon", "mg/L", 4, 2),
    Element(0x50, "CU", "铜", "copper", "mg/L", 7, 4),
    Element(0x51, "ZN", "锌", "zinc", "mg/L", 6, 4),
    Element(0x52, "SE", "硒", "selenium", "mg/L", 7, 5),
    Element(0x53, "AS", "砷", "arsenic", "mg/L", 7, 5),
    Element(0x54, "THG", "总汞", "total mercury", "mg/L", 7, 5),
    Element(0x55, "CD", "镉", "cadmium", "mg/L", 7, 5),
    Element(0x56, "PB", "铅", "lead", "mg/L", 7, 5),
    Element(0x57, "CHLA", "叶绿素a", "chlorophyll-a", "mg/L", 4, 2),
    *(
        Element(0x58 + n - 1, f"WP{n}", f"水压{n}", f"water pressure {n}", "kPa", 5, 2)
        for n in range(1, 9)
    ),
    *(
        Element(
            0x60 + n - 1, f"SYL{n}", f"水表{n}剩余水量", f"meter {n} remaining water", "m3", 11, 3
        )
        for n in range(1, 9)
    ),
    *(
        Element(
            0x68 + n - 1, f"SBL{n}", f"水表{n}每小时水量", f"meter {n} hourly water", "m3/h", 10, 2
        )
        for n in range(1, 9)
    ),
    *(
        Element(0x70 + i, f"VT{p}", f"交流{p}相电压", f"AC phase {p} voltage", "V", 4, 1)
        for i, p in enumerate("ABC")
    ),
    *(
        Element(0x73 + i, f"VI{p}", f"交流{p}相电流", f"AC phase {p} current", "A", 4, 1)
        for i, p in enumerate("ABC")
    ),
    *(
        Element(
            0xF5 + n - 1,
            f"DRZ{n}",
            f"1小时内5分钟间隔相对水位{n}",
            f"5-minute relative water level {n} in the hour",
            "m",
            decimals=2,
            coding=Coding.LEVEL_5MIN,
        )
        for n in range(1, 9)
    ),
]

ELEMENTS: dict[int, Element] = {row.lead: row for row in _ROWS}
BY_TAG: dict[str, Element] = {row.tag: row for row in _ROWS}

OBSERVATION_TIME = 0xF0
STATION = 0xF1
TIME_STEP = 0x04
STATUS = 0x45
RAIN_5MIN = 0xF4
FIVE_MINUTE_VALUES = 12  # DRP and DRZ carry one value per 5 minutes of an hour


def element(lead: int) -> Element:
    """The Table C.1 row for ``lead``, or a generic BCD element named by its hex code.

    ``lead`` is the lead byte, or ``0xFF00 | ext`` for a user-defined ``FFxx`` identifier.
    """
    row = ELEMENTS.get(lead)
    if row is not None:
        return row
    code = f"{lead:02X}" if lead <= 0xFF else f"{lead:04X}"
    return Element(lead, code, "未定义要素", f"element {code}", "", known=False)


def definition_byte(length: int, decimals: int) -> int:
    """The definition byte for ``length`` data bytes and ``decimals`` decimals."""
    return (length << 3) | decimals
