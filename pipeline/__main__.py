"""``python -m pipeline`` runs the ctsync command line."""

from pipeline.cli import main

main()
