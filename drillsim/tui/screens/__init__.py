"""The console, its modals, the hot wash and the scenario picker."""
