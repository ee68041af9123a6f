"""``mx.operator``: operators written in Python (MXNet's "custom operators").

A custom operator has two classes.  The **property** class (a ``CustomOpProp``)
describes it to the graph: the names of its inputs and outputs, its shape and type
inference, and ``create_operator``, which builds the **operator** (a ``CustomOp``)
whose ``forward`` and ``backward`` compute, usually with NumPy on ``asnumpy()`` copies::

    class Sigmoid(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            y = 1 / (1 + np.exp(-in_data[0].asnumpy()))
            self.assign(out_data[0], req[0], mx.nd.array(y))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            y = out_data[0].asnumpy()
            self.assign(in_grad[0], req[0], out_grad[0] * mx.nd.array(y * (1 - y)))

    @mx.operator.register("sigmoid")
    class SigmoidProp(mx.operator.CustomOpProp):
        def list_arguments(self):
            return ["data"]

        def create_operator(self, ctx, shapes, dtypes):
            return Sigmoid()

    y = mx.nd.Custom(x, op_type="sigmoid")        # or mx.sym.Custom(data, op_type=...)

``register(name)`` files the property class under ``op_type=name``.  Every other keyword
argument of ``Custom`` is passed to the property's constructor **as a string**, as
MXNet does (``Custom(x, op_type="scale", factor=2)`` calls ``ScaleProp(factor="2")``).
The operator writes its results into the arrays it is given (``out_data`` in forward,
``in_grad`` in backward) according to ``req`` ('write', 'add', 'null' or 'inplace'),
which ``assign`` handles.  Under ``autograd`` the call is one node whose gradient runs
``backward``; in a Symbol graph it is one node, and its gradient one
``_backward_Custom`` node (``pymx/ops/custom.py``).  pymx creates one operator per
property arguments, input shapes and dtypes, and the backward uses the same instance as
the forward, so an operator may keep what its backward needs on ``self``.

Auxiliary states (``list_auxiliary_states``) are passed as extra inputs after the
arguments (``aux`` in both calls); the operator may update them in place.
"""
from .base import MXNetError

__all__ = ["CustomOp", "CustomOpProp", "register", "get_all_registered_operators"]

_PROPS = {}          # op_type -> property class


class CustomOp:
    """The computation of a custom operator (see the module docstring)."""

    def forward(self, is_train, req, in_data, out_data, aux):
        """Compute ``out_data`` (NDArrays to write into, per ``req``) from ``in_data``."""

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        """Compute ``in_grad`` (NDArrays to write into, per ``req``) from the head
        gradients ``out_grad`` and the forward's ``in_data``/``out_data``."""

    def assign(self, dst, req, src):
        """Write ``src`` into ``dst`` as ``req`` says: 'write'/'inplace' overwrite,
        'add' accumulates, 'null' does nothing."""
        if req == "null":
            return
        if req in ("write", "inplace"):
            dst[:] = src
        elif req == "add":
            dst[:] += src
        else:
            raise MXNetError(f"CustomOp.assign: unknown req {req!r}")


class CustomOpProp:
    """The description of a custom operator (see the module docstring).

    ``need_top_grad``: whether ``backward`` reads the head gradients (False for a loss
    whose gradient does not depend on them)."""

    def __init__(self, need_top_grad=True):
        self.need_top_grad_ = need_top_grad

    def list_arguments(self):
        """Names of the inputs, in call order."""
        return ["data"]

    def list_outputs(self):
        """Names of the outputs."""
        return ["output"]

    def list_auxiliary_states(self):
        """Names of the auxiliary states (inputs the operator updates in place)."""
        return []

    def infer_shape(self, in_shape):
        """``(in_shapes, out_shapes, aux_shapes)`` from the arguments' shapes; by
        default every output has the first input's shape."""
        return in_shape, [in_shape[0]] * len(self.list_outputs()), []

    def infer_type(self, in_type):
        """``(in_types, out_types, aux_types)``; by default the first input's dtype."""
        return in_type, [in_type[0]] * len(self.list_outputs()), \
            [in_type[0]] * len(self.list_auxiliary_states())

    def declare_backward_dependency(self, out_grad, in_data, out_data):
        """Which arrays the backward reads (MXNet frees the others early; pymx keeps
        them all, so this is only called for compatibility)."""
        deps = list(out_grad) if self.need_top_grad_ else []
        return deps + list(in_data) + list(out_data)

    def create_operator(self, ctx, in_shapes, in_dtypes):
        """The ``CustomOp`` that computes; called once per shapes and dtypes."""
        raise NotImplementedError(f"{type(self).__name__}.create_operator")


def register(reg_name):
    """Class decorator: file a ``CustomOpProp`` subclass as ``op_type=reg_name``."""
    def do_register(prop_cls):
        if not (isinstance(prop_cls, type) and issubclass(prop_cls, CustomOpProp)):
            raise MXNetError(f"mx.operator.register({reg_name!r}): expected a "
                             f"CustomOpProp subclass, got {prop_cls!r}")
        _PROPS[reg_name] = prop_cls
        return prop_cls
    return do_register


def get_all_registered_operators():
    """The names of all registered operators (built-in and custom)."""
    from .ops.registry import list_ops
    return sorted(set(list_ops()) | set(_PROPS))
