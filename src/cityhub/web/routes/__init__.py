"""JSON API routes: each parses, calls one service function, and formats."""
