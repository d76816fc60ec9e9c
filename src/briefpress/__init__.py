"""briefpress: the publishing pipeline of a policy-brief series."""

from __future__ import annotations

__version__ = "0.1.0"
