"""The one error of line parsing."""


class BadLine(ValueError):
    """The line cannot be landed; the message is the quarantine reason."""


class InexactNumber(Exception):
    """orjson gave a float where an exact integer id belongs: the line is read again with the
    standard library, which keeps big integers exact."""
