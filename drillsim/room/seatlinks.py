"""Seat links and tokens: who may sit where in a drill room.

Each seat has its own link, ``http://HOST:PORT/seat/SEAT/``; served beyond loopback the link carries
the seat's own token (``?token=…``), so handing a player their link gives them that seat and no
other. Tokens are kept in the drill's folder (``seats.json``, readable by its owner only), so the links
stay valid when the room is resumed. Consoles the room starts itself (a browser's) prove themselves
with the room's internal secret, passed in their environment, never on a command line.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from drillsim.drill.journal import COORDINATOR
from drillsim.serve import GENERATED_TOKEN_BYTES

SECRET_ENV = "DRILLSIM_ROOM_SECRET"
TOKENS_FILE = "seats.json"


@dataclass(frozen=True)
class SeatTokens:
    """The token of each seat (None when the room is served to loopback only, without tokens) and the
    room's internal secret."""

    tokens: dict[str, str] | None
    secret: str

    @classmethod
    def for_room(
        cls, folder: Path, seats: list[str], with_tokens: bool, coordinator: str | None = None
    ) -> SeatTokens:
        """The drill's seat tokens: those saved in its folder (a resumed room keeps its links), or new
        ones, saved; the coordinator's is ``coordinator`` when given; none when ``with_tokens`` is
        False."""
        secret = secrets.token_urlsafe(GENERATED_TOKEN_BYTES)
        if not with_tokens:
            return cls(None, secret)
        path = folder / TOKENS_FILE
        saved: dict[str, str] = {}
        if path.is_file():
            try:
                saved = {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
            except (OSError, ValueError, AttributeError):
                saved = {}
        tokens = {seat: saved.get(seat) or secrets.token_urlsafe(GENERATED_TOKEN_BYTES) for seat in seats}
        if coordinator is not None:
            tokens[COORDINATOR] = coordinator
        if tokens != saved:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                json.dump(tokens, stream)
        return cls(tokens, secret)

    def admits(self, seat: str, token: str | None) -> bool:
        """Whether ``token`` opens ``seat``: the seat's own token, or the room's secret; any token (or
        none) when the room has no tokens."""
        if self.tokens is None:
            return True
        if token is None:
            return False
        expected = [self.tokens.get(seat, ""), self.secret]
        return any(hmac.compare_digest(token.encode(), e.encode()) for e in expected if e)

    def link(self, base: str, seat: str) -> str:
        """The seat's link from the room's address ``base`` (``http://host:port``)."""
        url = f"{base.rstrip('/')}/seat/{quote(seat, safe='')}/"
        return f"{url}?token={self.tokens[seat]}" if self.tokens is not None else url
