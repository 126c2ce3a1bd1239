"""The accounts' errors, with a Dutch message."""

from __future__ import annotations


class AccountError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
