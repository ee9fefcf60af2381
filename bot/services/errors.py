"""Domain errors. Each carries a message fit to show the person who caused it."""


class DomainError(Exception):
    """Something the person can fix or should know; the message is shown to them as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotJoined(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "You haven't joined the peer-mentoring program yet. Type `/peer-mentor join` to start."
        )


class NotAllowed(DomainError):
    """The person may not do this (not an admin, not a member of that pair, …)."""


class InvalidInput(DomainError):
    """Form input that fails validation; `field_errors` maps field name -> message."""

    def __init__(self, field_errors: dict[str, str]) -> None:
        super().__init__("Please check the highlighted fields.")
        self.field_errors = field_errors
