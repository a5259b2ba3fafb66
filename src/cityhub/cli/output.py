"""Consoles for the CLI: results to stdout, messages and errors to stderr."""

from rich.console import Console

console = Console()
err_console = Console(stderr=True)
