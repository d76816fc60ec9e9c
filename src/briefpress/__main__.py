"""``python -m briefpress``: the same CLI as the console script."""

from briefpress.cli import main

main()
