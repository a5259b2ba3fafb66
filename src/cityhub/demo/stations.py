"""The demo city's monitoring stations: rivers, a lake, reservoirs, rain gauges and a tunnel.

Coordinates are the real places (WGS 84, longitude first); the characteristic water levels
(警戒 / 保证 / historical maximum, metres, 1985 national height datum) are demo values of a
plausible size for each water, not official figures — the demo says so on every station. Which
path each station reports by follows the field: river stations speak SL 651 over TCP, rain
gauges publish over MQTT, the reservoirs and the utility tunnel post CreateObservations over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Element:
    """One measured quantity of a station (a Datastream)."""

    key: str  # short id in the demo: "Z", "PJ", "CH4" …
    name_zh: str
    name_en: str
    unit: str  # UCUM symbol
    unit_name: str
    definition: str  # ObservedProperty definition URI
    sl651: str | None = None  # Appendix C tag when the station reports by SL 651


@dataclass(frozen=True)
class Station:
    """A demo station: a Thing with one Location and a Datastream per element."""

    key: str
    name: str
    water: str  # 黄河, 徒骇河 … or the tunnel's name
    county: str
    lon: float
    lat: float
    department: str  # owner department code
    path: str  # how it reports: "sl651", "mqtt" or "http"
    station_class: str  # river, lake, reservoir, rain, tunnel
    elements: tuple[Element, ...]
    levels: tuple[float, float, float] | None = None  # 警戒, 保证, historical maximum (m)
    normal: float | None = None  # usual water level (m)
    sl651_address: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


WATER_LEVEL = Element(
    "Z",
    "瞬时河道水位",
    "water level",
    "m",
    "metre",
    "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0721/",
    "Z",
)
RAIN = Element(
    "PJ",
    "当前降水量",
    "rainfall",
    "mm",
    "millimetre",
    "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0380/",
    "PJ",
)
VOLTAGE = Element("VT", "电源电压", "supply voltage", "V", "volt", "urn:sl651:element:38", "VT")
RESERVOIR_LEVEL = Element(
    "ZU",
    "库水位",
    "reservoir level",
    "m",
    "metre",
    "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0721/",
)
TUNNEL = (
    Element(
        "CH4",
        "甲烷浓度",
        "methane",
        "%LEL",
        "percent of lower explosive limit",
        "http://vocab.nerc.ac.uk/collection/P01/current/MTHNXXXX/",
    ),
    Element(
        "O2",
        "氧气浓度",
        "oxygen",
        "%",
        "percent by volume",
        "http://vocab.nerc.ac.uk/collection/P01/current/DOXYZZXX/",
    ),
    Element(
        "T",
        "舱内温度",
        "air temperature",
        "Cel",
        "degree Celsius",
        "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0023/",
    ),
    Element(
        "WI", "积水深度", "water ingress depth", "mm", "millimetre", "urn:cityhub:tunnel:water"
    ),
    Element(
        "P",
        "给水管压力",
        "water main pressure",
        "MPa",
        "megapascal",
        "urn:cityhub:tunnel:pipe-pressure",
    ),
)


def _river(
    key: str,
    name: str,
    water: str,
    county: str,
    lon: float,
    lat: float,
    levels: tuple[float, float, float],
    normal: float,
    address: str,
) -> Station:
    return Station(
        key,
        name,
        water,
        county,
        lon,
        lat,
        "SLJ",
        "sl651",
        "river",
        (WATER_LEVEL, VOLTAGE),
        levels,
        normal,
        address,
    )


STATIONS: tuple[Station, ...] = (
    _river(
        "aishan",
        "黄河艾山水位站",
        "黄河",
        "东阿县",
        116.29,
        36.24,
        (42.5, 43.5, 44.0),
        39.8,
        "0037152401",
    ),
    _river(
        "taochengpu",
        "黄河陶城铺水位站",
        "黄河",
        "阳谷县",
        115.98,
        36.00,
        (44.0, 45.2, 45.6),
        41.5,
        "0037152101",
    ),
    _river(
        "tuhai-liaocheng",
        "徒骇河聊城水位站",
        "徒骇河",
        "东昌府区",
        115.99,
        36.47,
        (31.5, 32.8, 33.2),
        29.6,
        "0037150201",
    ),
    _river(
        "tuhai-chiping",
        "徒骇河茌平水位站",
        "徒骇河",
        "茌平区",
        116.26,
        36.58,
        (29.8, 31.0, 31.5),
        28.1,
        "0037150301",
    ),
    _river(
        "majia-linqing",
        "马颊河临清水位站",
        "马颊河",
        "临清市",
        115.72,
        36.84,
        (32.0, 33.3, 33.8),
        30.2,
        "0037158101",
    ),
    _river(
        "majia-shenxian",
        "马颊河莘县水位站",
        "马颊河",
        "莘县",
        115.68,
        36.23,
        (36.2, 37.4, 37.9),
        34.5,
        "0037152201",
    ),
    _river(
        "dongchang-lake",
        "东昌湖水位站",
        "东昌湖",
        "东昌府区",
        115.98,
        36.44,
        (34.3, 34.8, 35.0),
        33.6,
        "0037150202",
    ),
    Station(
        "maxi-reservoir",
        "马西平原水库",
        "马西平原水库(演示)",
        "莘县",
        115.55,
        36.20,
        "SLJ",
        "http",
        "reservoir",
        (RESERVOIR_LEVEL,),
        (40.5, 41.2, 41.6),
        38.9,
    ),
    Station(
        "weishan-reservoir",
        "位山平原水库",
        "位山平原水库(演示)",
        "东阿县",
        116.20,
        36.22,
        "SLJ",
        "http",
        "reservoir",
        (RESERVOIR_LEVEL,),
        (41.0, 41.8, 42.1),
        39.4,
    ),
    *(
        Station(
            f"rain-{key}",
            f"{county}雨量站",
            "降水",
            county,
            lon,
            lat,
            "SLJ",
            "mqtt",
            "rain",
            (RAIN,),
        )
        for key, county, lon, lat in (
            ("dongchangfu", "东昌府区", 115.99, 36.46),
            ("linqing", "临清市", 115.70, 36.84),
            ("guanxian", "冠县", 115.44, 36.48),
            ("shenxian", "莘县", 115.67, 36.23),
            ("yanggu", "阳谷县", 115.79, 36.11),
            ("donge", "东阿县", 116.25, 36.33),
            ("chiping", "茌平区", 116.26, 36.58),
            ("gaotang", "高唐县", 116.23, 36.86),
        )
    ),
    Station(
        "tunnel-a1",
        "东昌路综合管廊A1段",
        "综合管廊",
        "东昌府区",
        116.00,
        36.45,
        "ZJJ",
        "http",
        "tunnel",
        TUNNEL,
        extra={"compartment": "天然气舱"},
    ),
)

STORM_STATION = "tuhai-liaocheng"  # the water level the demo storm raises yellow, then orange
STORM_RAIN = "rain-dongchangfu"
