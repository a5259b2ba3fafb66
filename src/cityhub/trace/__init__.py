"""Traceability: signed EPCIS events on an RFC 9162 transparency log with witnesses."""
