"""``python -m quotes.cli``: the ``quotes`` command."""

from quotes.cli.main import main

main()
