"""``python -m contractkit`` is the ``contractkit`` command."""

from contractkit.cli import main

main()
