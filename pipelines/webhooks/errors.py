"""The one error of line parsing."""


class BadLine(ValueError):
    """The line cannot be landed; the message is the quarantine reason."""
