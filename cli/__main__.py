"""`python -m lienchain.cli` runs the `lienchain` command."""

from .main import main

main()
