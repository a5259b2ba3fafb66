"""``python -m cityhub`` runs the command line."""

from cityhub.cli import main

main()
