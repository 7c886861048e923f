"""gitmem: a git-native memory for software teams and their AI coding assistants."""

from __future__ import annotations

__version__ = "0.1.0"
