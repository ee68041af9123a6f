"""``mx.sym``: the declarative front end.  Operators are generated from the registry.

``mx.sym.FullyConnected(data, num_hidden=10, name='fc1')`` builds a graph node
instead of computing; ``bind``/``simple_bind`` (``pymx/executor/``) turn a Symbol
into an ``Executor`` that runs it.  Namespaces follow ``mx.nd``: ``sym.linalg``,
``sym.contrib``, ``sym._internal``, ``sym.random``.
"""
import sys
import types

from .. import ops as _ops_pkg  # noqa: F401  (registers every operator)
from ..ops.registry import get_op, list_ops
from . import op
from .symbol import (Symbol, var, Variable, Group, load, load_json, make_function,  # noqa: F401
                     zeros, ones, full, arange, eye, linspace, pow, power, maximum,
                     minimum, hypot)

__all__ = ["Symbol", "var", "Variable", "Group", "load", "load_json", "zeros", "ones",
           "full", "arange", "eye", "linspace", "pow", "power", "maximum", "minimum",
           "hypot"]


def _namespace(name, doc):
    mod = sys.modules.get(f"{__name__}.{name}") or types.ModuleType(f"{__name__}.{name}", doc)
    sys.modules[mod.__name__] = mod
    return mod


linalg = _namespace("linalg", "Linear algebra operators (``linalg_*``).")
contrib = _namespace("contrib", "Contributed operators (``_contrib_*``).")
image = _namespace("image", "Image operators (``_image_*``: ``to_tensor``, ``normalize``, "
                            "the flips).")
_internal = _namespace("_internal", "Operators whose names start with an underscore.")
random = _namespace("random", "Random sampling operators (``_random_*``).")

_PROTECTED = set(globals())
for _name in list_ops():
    _fn = make_function(get_op(_name), _name)
    setattr(op, _name, _fn)
    if _name.startswith("_contrib_"):     # named after the short name, as MXNet
        _short = _name[len("_contrib_"):]
        setattr(contrib, _short, make_function(get_op(_name), _short))
    if _name.startswith("_image_"):
        _short = _name[len("_image_"):]
        setattr(image, _short, make_function(get_op(_name), _short))
    if _name.startswith("_"):
        setattr(_internal, _name, _fn)
    for _prefix in ("_random_", "random_", "_sample_"):
        if _name.startswith(_prefix):
            setattr(random, _name[len(_prefix):], _fn)
    for _prefix in ("linalg_", "_linalg_"):
        if _name.startswith(_prefix):
            _short = _name[len(_prefix):]
            setattr(linalg, _short, make_function(get_op(_name), _short))
    if _name not in _PROTECTED:
        globals()[_name] = _fn            # gradient rules call F._sum_like etc.

from ..ops.histogram import make_histogram  # noqa: E402
histogram = make_histogram(sys.modules[__name__])
from . import sparse  # noqa: E402,F401  (mx.sym.sparse)
from . import _random  # noqa: E402
_random.install(random)                   # uniform(low, high) etc. as in MXNet
from . import control_flow as _control_flow  # noqa: E402
contrib.foreach = _control_flow.foreach
contrib.while_loop = _control_flow.while_loop
contrib.cond = _control_flow.cond

from ..numpy_extension.ops import OP_NAMES as _NPX_OPS  # noqa: E402
npx = _namespace("npx", "``F.npx`` in a hybridized block (after ``npx.set_np()``): the "
                        "npx operators (``relu``, ``softmax``...) on Symbols.")
for _npx_name, _op_name in _NPX_OPS.items():
    setattr(npx, _npx_name, getattr(op, _op_name))
from ..numpy_extension.ops import wrappers as _npx_wrappers  # noqa: E402
for _npx_name, _fn in _npx_wrappers(op).items():   # sequence_mask, fully_connected
    setattr(npx, _npx_name, _fn)
from .numpy import npx_reshape as _npx_reshape  # noqa: E402
npx.reshape = _npx_reshape

from .numpy import populate as _populate_np  # noqa: E402
np = _namespace("np", "``F.np`` in a hybridized block (after ``npx.set_np()``): the mx.np "
                      "functions that are one operator, on Symbols (``symbol/numpy.py``).")
_populate_np(np, op)

# MXNet's legacy aliases used by old code
_internal._Plus = getattr(op, "elemwise_add", None)
_internal._Minus = getattr(op, "elemwise_sub", None)
_internal._Mul = getattr(op, "elemwise_mul", None)
_internal._Div = getattr(op, "elemwise_div", None)
