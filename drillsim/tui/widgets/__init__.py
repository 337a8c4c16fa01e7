"""The console's panels, one module each; all styled by ``drillsim/tui/app.tcss``."""
