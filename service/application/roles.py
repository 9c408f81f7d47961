"""The roles a token may have, spelled once.

Stored token rows, the CLI's `token create --role` choices and the access rules all use these
values; a StrEnum, so a role compares equal to the text stored for it and printed by `token list`.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    UNIT = "unit"
    COMMITTEE = "committee"
    READER = "reader"
