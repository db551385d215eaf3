"""Running ``budgetbot`` as a real child process: where the console script is, a free port."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

BUDGETBOT = str(Path(sys.executable).parent / "budgetbot")
"""The installed console script of this virtual environment."""


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
