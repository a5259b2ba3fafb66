"""Readers: one per file format, each turning a file into a SourceTable."""
