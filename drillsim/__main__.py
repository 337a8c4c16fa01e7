"""``python -m drillsim``: the same as the ``drillsim`` command."""

from drillsim.cli import main

main()
