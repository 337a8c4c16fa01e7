"""The SimPy world: compile a scenario into a Model, run it as a World, read its Records."""
