"""Errors and warnings of nncards_widget: each names the card, port or field at fault."""

from traitlets import TraitError


class NNCardsError(Exception):
    """Base class of the project's errors."""


class ConnectionRefused(NNCardsError, ValueError):
    """A wire that cannot be made (wrong port types, occupied input, a cycle, ...)."""


class BuildError(NNCardsError):
    """The graph cannot be turned into a Keras model.

    ``card`` is the name of the card at fault (or None for graph-wide problems), ``port`` or
    ``param`` the input concerned, if any.
    """

    def __init__(self, message, card=None, port=None, param=None):
        super().__init__(message)
        self.card = card
        self.port = port
        self.param = param


class GraphFileError(NNCardsError, ValueError):
    """A saved graph (``to_json`` text) that cannot be loaded; names the offending entry."""


class DanglingCardWarning(UserWarning):
    """A card that takes no part in the model being built."""


class HistoryError(NNCardsError, ValueError):
    """Undo or redo with nothing to undo or redo."""


class RequestError(NNCardsError, ValueError):
    """A view request that does not match the protocol (names the request and the field)."""


class ModelImportError(NNCardsError, ValueError):
    """A Keras model (or one of its layers) that cannot become cards; names the layer and the
    argument at fault."""


class NotFoundError(NNCardsError, KeyError):
    """No card (wire) of that name, uid or id in the editor (a KeyError, as for a dict)."""

    def __str__(self):  # KeyError quotes its argument; show the message as written.
        return str(self.args[0]) if self.args else ""


class UnknownParameterError(NNCardsError, TraitError, TypeError):
    """A parameter the card does not have (a TypeError, as for an unknown keyword argument)."""


class EditorClosedError(NNCardsError, RuntimeError):
    """An edit of an editor after ``ed.close()``."""
