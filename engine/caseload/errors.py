"""The caseload's errors, each with a Dutch message and the HTTP status a face gives it."""

from __future__ import annotations


class CaseloadError(Exception):
    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownRef(CaseloadError):
    status = 404

    def __init__(self, ref: str):
        super().__init__(f"onbekende referentie {ref!r}: niet in de caseload", "ref")


class DuplicateRef(CaseloadError):
    status = 409

    def __init__(self, ref: str):
        super().__init__(
            f"referentie {ref!r} bestaat al in de caseload: kies een andere of verwijder de "
            "bestaande eerst",
            "ref",
        )


class InvalidInput(CaseloadError):
    status = 422


class RecheckFailed(CaseloadError):
    """A check failed during a re-check: nothing of the re-check was saved."""

    status = 500

    def __init__(self, ref: str, reason: str, bad_input: bool = False):
        super().__init__(
            f"herbeoordeling van {ref!r} mislukt ({reason}); er is niets opgeslagen, de "
            "opgeslagen antwoorden zijn ongewijzigd",
            "ref",
        )
        self.ref = ref
        if bad_input:  # the stored facts on the date asked for, not the rules, are at fault
            self.status = 422
