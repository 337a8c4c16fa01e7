"""The drill room: one process owns a drill — its DrillSession and its journal — and every console
connected to it (the coordinator's, each player's, the evaluator's, an observer's; in a terminal or a
browser) is a view of that drill from a seat.

Consoles talk to the room through a small, versioned message protocol (``protocol.py``): actions in,
journal entries and the clock out. A console keeps a replica of the drill, rebuilt from the entries the
room journaled exactly as a resume rebuilds it, so every view agrees with the journal, record for record.
"""
