"""The drill room's message protocol, version 1: JSON objects over a websocket.

Console → room:

- ``{"v": 1, "type": "join", "seat": SEAT, "token": TOKEN | null}`` — first, once;
- ``{"v": 1, "type": "act", "id": N, "action": ACTION, "args": {...}}`` — an action from the seat;
- ``{"v": 1, "type": "finish", "id": N, "ratings": {OBJECTIVE: LETTER}}`` — the coordinator ends the
  hot wash: the room writes every result at once.

Room → console:

- ``{"type": "welcome", "seat": {...}, "drill": NAME, "snapshot": TEXT, "header": {...},
  "entries": [...], "clock": {...}}`` — everything a console needs to rebuild the drill;
- ``{"type": "entry", "entry": {...}}`` — each action journaled, in order, from any seat;
- ``{"type": "clock", "now": MINUTES, "speed": X, "paused": BOOL}`` — the room's clock;
- ``{"type": "done", "id": N}`` / ``{"type": "refused", "id": N, "reason": TEXT}`` — an action's fate;
- ``{"type": "finished", "folder": NAME, "files": [...]}`` — the hot wash's results are written;
- ``{"type": "error", "reason": TEXT}`` — the room will not talk to this console (and closes).

Every message carries ``"v": 1``; a message of another version is refused with a clear reason.
"""

from __future__ import annotations

import json
from typing import Any

VERSION = 1
MAX_MESSAGE = 1 << 20  # bytes: a journal's welcome is far below this


class ProtocolError(Exception):
    """A message that is not drill-room protocol version 1 (or not what the protocol expects now)."""


def message(kind: str, **fields: Any) -> dict[str, Any]:
    """A message of this protocol version."""
    return {"v": VERSION, "type": kind, **fields}


def parse(text: str | bytes, *expected: str) -> dict[str, Any]:
    """A received message, checked: JSON, an object, this version, and one of the ``expected`` types."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("not JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("not a JSON object")
    if data.get("v") != VERSION:
        raise ProtocolError(f"protocol version {data.get('v')!r}; this drillsim speaks version {VERSION}")
    if expected and data.get("type") not in expected:
        raise ProtocolError(f"expected {' or '.join(expected)}, got {data.get('type')!r}")
    return data


def encode(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)
