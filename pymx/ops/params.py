"""Typed operator parameters that parse MXNet's string forms and print them back.

Symbol JSON stores every attribute as a string (``"(3, 3)"``, ``"True"``, ``"0.001"``),
so each parameter knows how to read a Python value *or* its string, and how to write
the string MXNet writes.  ``Attrs`` is the parsed result an operator sees: a dict whose
keys can also be read as attributes (``a.kernel``).
"""
import ast

import numpy as np

from ..base import MX_DTYPES, MXNetError, dtype_name

__all__ = ["Param", "Attrs", "REQUIRED"]

REQUIRED = object()
_EXACT = {"int": int, "float": float, "bool": bool}


class Attrs(dict):
    """Parsed operator attributes; ``a.kernel`` is ``a['kernel']``.

    The dict is its own ``__dict__``, so ``a.kernel`` is a plain attribute lookup (an
    operator reads its attributes on every call: a ``__getattr__`` would cost ~0.5 us
    each).  No parameter is named like a dict method, which it would hide."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self

    def __getattr__(self, key):           # only reached for a missing key
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __hash__(self):
        return hash(tuple(sorted((k, _hashable(v)) for k, v in self.items())))


def _hashable(v):
    return tuple(v) if isinstance(v, list) else v


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


class Param:
    """One operator parameter.

    ``kind`` is one of ``int``, ``float``, ``bool``, ``str``, ``shape`` (a tuple of
    ints; an int ``n`` means ``(n,)``), ``ints`` (the same, written ``[0, 2]``),
    ``floats`` (a tuple of floats), ``dtype``
    (a NumPy dtype name, or None) or ``any``.  ``choices`` limits a ``str``.
    ``optional`` lets the value be None (MXNet's ``dmlc::optional``).
    """
    __slots__ = ("kind", "default", "choices", "optional", "doc")

    def __init__(self, kind, default=REQUIRED, choices=None, optional=False, doc=""):
        self.kind, self.default, self.choices = kind, default, choices
        self.optional = optional or default is None
        self.doc = doc

    def parse(self, value, op="", name=""):
        """Turn a Python value or MXNet's string form into this parameter's type."""
        if type(value) is _EXACT.get(self.kind) and self.choices is None:
            return value                              # already the right type: fast path
        if isinstance(value, str) and self.kind not in ("str", "dtype"):
            value = _literal(value)
        if value is None or (isinstance(value, str) and value == "None"):
            if self.optional or self.kind == "dtype":
                return None
            raise MXNetError(f"{op}: argument {name!r} may not be None")
        try:
            value = getattr(self, "_" + self.kind)(value)
        except (TypeError, ValueError) as err:
            raise MXNetError(f"{op}: argument {name!r} expects {self.kind}, "
                             f"got {value!r} ({err})") from None
        if self.choices is not None and value not in self.choices:
            raise MXNetError(f"{op}: argument {name!r} must be one of "
                             f"{list(self.choices)}, got {value!r}")
        return value

    @staticmethod
    def _int(v):
        if isinstance(v, (float, np.floating)) and v != int(v):
            raise ValueError("not an integer")
        return int(v)

    @staticmethod
    def _float(v):
        return float(v)

    @staticmethod
    def _bool(v):
        if isinstance(v, str):
            if v.lower() in ("true", "1"):
                return True
            if v.lower() in ("false", "0"):
                return False
            raise ValueError("not a boolean")
        return bool(v)

    @staticmethod
    def _str(v):
        return str(v)

    @staticmethod
    def _shape(v):
        if isinstance(v, (int, np.integer)):
            return (int(v),)
        return tuple(int(x) for x in v)

    _ints = _shape        # a list of indices; written "[0, 2]" as MXNet's Tuple<int>

    @staticmethod
    def _floats(v):
        if isinstance(v, (int, float, np.number)):
            return (float(v),)
        return tuple(float(x) for x in v)

    @staticmethod
    def _dtype(v):
        if np.dtype(v) not in MX_DTYPES:                 # MXNet's dtype enum has no more
            raise ValueError(f"valid values are {sorted(d.name for d in MX_DTYPES)}")
        return dtype_name(v)

    @staticmethod
    def _any(v):
        return v

    def to_string(self, value):
        """MXNet's string form of ``value`` (what symbol JSON stores)."""
        if value is None:
            return "None"
        if self.kind == "bool":
            return "True" if value else "False"
        if self.kind in ("shape", "floats"):
            return str(tuple(value))
        if self.kind == "ints":
            return str(list(value))
        return str(value)
