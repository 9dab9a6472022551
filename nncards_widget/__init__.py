"""nncards_widget: compose Keras neural networks from cards inside a Jupyter notebook."""

from . import catalog
from ._version import __version__
from .cards import Card, Wire
from .editor import NetworkEditor
from .errors import (BuildError, ConnectionRefused, DanglingCardWarning, GraphFileError,
                     NNCardsError)

__all__ = ["NetworkEditor", "catalog", "Card", "Wire", "BuildError", "ConnectionRefused",
           "GraphFileError", "NNCardsError", "DanglingCardWarning", "__version__"]


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "nncards-widget"}]
