"""OGC SensorThings API v1.1 (OGC 18-088): entity model, queries and writes; no web code."""
