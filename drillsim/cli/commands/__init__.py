"""One module per ``drillsim`` command (``msel export`` and ``msel import`` share ``msel.py``). Each
parses its arguments, calls the packages and prints; errors go up to ``drillsim.cli.exits``.
``drillsim/cli/__init__.py`` registers them."""
