"""``mx.nd``: the imperative front end.  Operators are generated from the registry.

Operator names map onto namespaces as in MXNet: ``linalg_gemm`` is also
``nd.linalg.gemm``, ``_contrib_X`` is ``nd.contrib.X``, ``_random_X``/``random_X`` is
``nd.random.X`` (where ``ndarray/random.py`` does not define a friendlier wrapper).
"""
import sys
import types

from .. import ops as _ops_pkg  # noqa: F401  (registers every operator)
from ..ops.registry import list_ops, get_op
from . import register as _register
from .ndarray import (NDArray, array, empty, zeros, ones, full, arange, linspace, eye,
                      waitall, from_numpy, from_dlpack, to_dlpack_for_read,
                      to_dlpack_for_write)
from . import op

_register._NDArray = NDArray


def _namespace(name, doc):
    mod = sys.modules.get(f"{__name__}.{name}") or types.ModuleType(f"{__name__}.{name}", doc)
    sys.modules[mod.__name__] = mod
    return mod


linalg = _namespace("linalg", "Linear algebra operators (``linalg_*``).")
contrib = _namespace("contrib", "Contributed operators (``_contrib_*``).")
image = _namespace("image", "Image operators (``_image_*``: ``to_tensor``, ``normalize``, "
                            "the flips).")
_internal = _namespace("_internal", "Operators whose names start with an underscore.")

for _name in list_ops():
    _fn = _register.make_function(get_op(_name), _name)
    setattr(op, _name, _fn)
    if _name.startswith("_contrib_"):
        setattr(contrib, _name[len("_contrib_"):], _fn)
    if _name.startswith("_image_"):
        setattr(image, _name[len("_image_"):], _fn)
    if _name.startswith("_"):
        setattr(_internal, _name, _fn)
    globals()[_name] = _fn            # gradient rules call F._sum_like etc.
    for _prefix in ("linalg_", "_linalg_"):
        if _name.startswith(_prefix):
            setattr(linalg, _name[len(_prefix):], _fn)

from ..ops.shape import make_split_v2  # noqa: E402
from ..ops.histogram import make_histogram  # noqa: E402
split_v2 = make_split_v2(sys.modules[__name__])
op.split_v2 = split_v2          # the fluent x.split_v2 goes through op
histogram = make_histogram(sys.modules[__name__])


def onehot_encode(indices, out):
    """One-hot encode ``indices`` (n,) into the (n, depth) matrix ``out`` and return it:
    MXNet's deprecated legacy function (prefer ``one_hot``), which always writes ``out``."""
    return _internal._onehot_encode(indices, out, out=out)

from .ufunc import (add, subtract, multiply, divide, true_divide, modulo, power, maximum,  # noqa: E402
                    minimum, hypot, equal, not_equal, greater, greater_equal, lesser,
                    lesser_equal, logical_and, logical_or, logical_xor, negative)

from .saveload import save, load, load_frombuffer  # noqa: E402,F401
from . import sparse  # noqa: E402
_register._SPARSE = sparse
from . import random  # noqa: E402,F401
from . import control_flow as _control_flow  # noqa: E402
contrib.foreach = _control_flow.foreach
contrib.while_loop = _control_flow.while_loop
contrib.cond = _control_flow.cond


def concatenate(arrays, axis=0, always_copy=True):
    """MXNet's deprecated ``nd.concatenate`` (prefer ``concat``): join a **list** of
    arrays along ``axis``.  Shapes off ``axis`` and dtypes must agree (AssertionError
    otherwise, as in MXNet); with ``always_copy=False`` a one-element list returns that
    element itself."""
    assert isinstance(arrays, list) and arrays and isinstance(arrays[0], NDArray)
    if not always_copy and len(arrays) == 1:
        return arrays[0]
    first = arrays[0]
    for arr in arrays[1:]:
        assert arr.shape[:axis] == first.shape[:axis]
        assert arr.shape[axis + 1:] == first.shape[axis + 1:] if axis != -1 else True
        assert arr.dtype == first.dtype
    return op.concat(*arrays, dim=axis)


# nd.contrib's NaN/Inf tests, written (as in MXNet) with ordinary NDArray arithmetic;
# the results have the input's dtype (1 for true, 0 for false).
def _isinf(data):
    """1 where ``data`` is +inf or -inf, else 0."""
    return data.abs() == float("inf")


def _isnan(data):
    """1 where ``data`` is NaN (the only value not equal to itself), else 0."""
    return data != data   # noqa: PLR0124


def _isfinite(data):
    """1 where ``data`` is neither NaN nor +-inf, else 0."""
    return logical_and(data.abs() != float("inf"), data == data)   # noqa: PLR0124


contrib.isinf, contrib.isnan, contrib.isfinite = _isinf, _isnan, _isfinite
