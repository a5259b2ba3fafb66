"""Consoles for the CLI: results to stdout, messages and errors to stderr."""

from rich.console import Console

console = Console(soft_wrap=True)  # long lines stay whole when piped
err_console = Console(stderr=True, soft_wrap=True)
