"""SL 651-2014 (水文监测数据通信规约) HEX/BCD codec and TCP gateway for hydrology stations.

Pure codec: ``Framer`` splits a byte stream into CRC-checked ``Frame``s, ``decode_frame``
turns an uplink frame into a ``Report`` (the interface to the rest of cityhub),
``encode_report`` does the reverse and ``build_ack`` answers a report. ``Gateway`` is the
asyncio TCP server; it hands each new report to a sink. See ``docs/sl651.md``.
"""

from cityhub.sensing.sl651.bcd import CHINA_TIME
from cityhub.sensing.sl651.body import REPORT_FUNCTIONS, SUPPORTED_FUNCTIONS, decode_frame
from cityhub.sensing.sl651.client import exchange, send_report
from cityhub.sensing.sl651.crc import crc16
from cityhub.sensing.sl651.elements import ELEMENTS, Element, element
from cityhub.sensing.sl651.encoder import build_ack, build_nak, encode_packets, encode_report
from cityhub.sensing.sl651.errors import FrameError, UnsupportedFunction
from cityhub.sensing.sl651.frames import Frame, Framer, Header, build_frame, parse_frame
from cityhub.sensing.sl651.gateway import Gateway, GatewayStats, Sink, serve
from cityhub.sensing.sl651.multipacket import Reassembler
from cityhub.sensing.sl651.report import CLASSIFICATIONS, Reading, Report, status_flags

__all__ = [
    "CHINA_TIME",
    "CLASSIFICATIONS",
    "ELEMENTS",
    "REPORT_FUNCTIONS",
    "SUPPORTED_FUNCTIONS",
    "Element",
    "Frame",
    "FrameError",
    "Framer",
    "Gateway",
    "GatewayStats",
    "Header",
    "Reading",
    "Reassembler",
    "Report",
    "Sink",
    "UnsupportedFunction",
    "build_ack",
    "build_frame",
    "build_nak",
    "crc16",
    "decode_frame",
    "element",
    "encode_packets",
    "encode_report",
    "exchange",
    "parse_frame",
    "send_report",
    "serve",
    "status_flags",
]
