"""A one-line progress display on an interactive standard error.

Linting hundreds of specs takes a few seconds, so ``funnelspec lint`` shows
``[ 120/800] specs/emea/fr-smb.yaml`` while it works, then erases the line
before printing results. The display only appears when standard error is a
terminal, so CI logs and redirected output never contain it.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

#: Minimum time between two redraws, in seconds.
REDRAW_INTERVAL = 0.1
_CLEAR_LINE = "\r\x1b[K"


class Progress:
    """Redraws ``[done/total] file`` in place on a terminal stream."""

    def __init__(self, stream: TextIO, interval: float = REDRAW_INTERVAL) -> None:
        self.stream = stream
        self.interval = interval
        self._last_draw: float | None = None
        self._drawn = False

    def update(self, done: int, total: int, file: str) -> None:
        """Show that file number ``done`` of ``total`` is being linted.

        The first call and the last file always draw, and calls in between
        draw at most once per ``interval``.
        """
        now = time.monotonic()
        recent = self._last_draw is not None and now - self._last_draw < self.interval
        if recent and done < total:
            return
        self._last_draw = now
        width = len(str(total))
        counter = f"[{done:>{width}}/{total}] "
        room = max(_terminal_width(self.stream) - len(counter) - 1, 10)
        if len(file) > room:
            file = "..." + file[-(room - 3) :]
        self.stream.write(_CLEAR_LINE + counter + file)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the progress line, if one was drawn."""
        if self._drawn:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()
            self._drawn = False


def progress_for(stream: TextIO, enabled: bool = True) -> Progress | None:
    """Return a Progress for ``stream`` if it is an interactive terminal.

    Returns None when ``enabled`` is false, when the stream is not a terminal
    (a pipe, a file, most CI logs) or when TERM is ``dumb``, which cannot
    erase a line.
    """
    if not enabled or os.environ.get("TERM") == "dumb":
        return None
    try:
        interactive = stream.isatty()
    except ValueError:  # a closed stream
        return None
    return Progress(stream) if interactive else None


def _terminal_width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError):
        return 80
