"""drillsim: emergency-drill simulation for AI security incidents."""

__version__ = "0.1.0"
