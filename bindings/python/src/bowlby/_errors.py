"""The exceptions bowlby raises: every one derives from bowlby.Error.

The C++ library's errors arrive here through bowlby._core's translator with the library's
message; InvalidResponse also carries where the bad answer is and what it was.
"""


class Error(Exception):
    """Base class of every exception bowlby raises."""


class InvalidResponse(Error, ValueError):
    """An answer the response scale cannot hold: outside it, a fraction on a whole-number
    scale, or infinite.

    ``row`` is the DataFrame's index label of the row (the 0-based row number for an array),
    ``item`` the column's name (its 0-based position for an array), ``value`` the answer and
    ``reason`` the end of the message ("is outside the response scale 1..7").
    """

    def __init__(self, message, row=None, item=None, value=None, reason=None):
        super().__init__(message, row, item, value, reason)
        self.row, self.item, self.value, self.reason = row, item, value, reason

    def __str__(self):
        return str(self.args[0])


class ShapeError(Error, ValueError):
    """The data have the wrong shape: not 2-D, or another number of item columns than the
    instrument has items."""


class UnknownInstrument(Error, KeyError):
    """No built-in instrument has this id (``id``); the message lists the ones there are."""

    def __init__(self, message, id=None):  # noqa: A002 - the library's name for it
        super().__init__(message, id)
        self.id = id

    def __str__(self):
        return str(self.args[0])


class OptionError(Error, ValueError):
    """An argument out of its range or of the wrong kind (an unknown method, a column that
    the DataFrame does not have, a malformed questionnaire, ...)."""


class DTypeError(Error, TypeError):
    """Data of a type bowlby does not read (text, objects)."""


# Shown and pickled as bowlby.<name>, where users find them.
for _cls in (Error, InvalidResponse, ShapeError, UnknownInstrument, OptionError, DTypeError):
    _cls.__module__ = "bowlby"
del _cls
