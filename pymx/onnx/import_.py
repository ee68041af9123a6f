"""ONNX graph -> MXNet Symbol (``mx.contrib.onnx.import_model`` and friends).

``import_model(file)`` returns ``(sym, arg_params, aux_params)`` as MXNet 1.9.1 does:
graph inputs that are not initializers become the data variables, initializers become
parameters (BatchNorm's running mean/var are the aux ones), and each ONNX node is
translated by the function registered for its ``op_type`` in ``IMPORTERS``.  The MXNet
node takes the name of the ONNX node's first output, so an exported model comes back
with its layer names.

Constant inputs that MXNet wants as attributes (Reshape's shape, Unsqueeze's axes, Pad's
pads, Clip's bounds, ...) are read from the initializers or ``Constant`` nodes.  Small
constant sub-graphs (a Reshape or Transpose of a weight) are folded with NumPy, so the
weight arrives in the layout the MXNet op wants.
"""
import numpy as np

from ..base import MXNetError
from .export import _onnx

IMPORTERS = {}


def importer(*onnx_ops):
    """Register ``fn(im, node, attrs)`` as the translation of the ONNX ops ``onnx_ops``;
    it returns a Symbol (or a list of them, one per output)."""
    def wrap(fn):
        for name in onnx_ops:
            IMPORTERS[name] = fn
        return fn
    return wrap


class _ShapeOf:
    """The result of ONNX ``Shape(x)``, kept symbolic: only ``ConstantOfShape`` uses it."""

    def __init__(self, sym):
        self.sym = sym


def _static_shapes(model):
    """Tensor name -> shape, for every tensor whose shape ONNX shape inference fixes."""
    onnx = _onnx()
    try:
        inferred = onnx.shape_inference.infer_shapes(model).graph
    except Exception:
        return {}
    shapes = {}
    for vi in list(inferred.value_info) + list(inferred.input) + list(inferred.output):
        t = vi.type.tensor_type
        if t.HasField("shape") and all(d.HasField("dim_value") for d in t.shape.dim):
            shapes[vi.name] = tuple(d.dim_value for d in t.shape.dim)
    return shapes


class Importer:
    """State of one import: constants, translated tensors and the parameters used."""

    def __init__(self, model, opset):
        onnx = _onnx()
        graph = model.graph
        from .. import symbol
        self.sym_mod = symbol
        self.opset = opset
        self.consts = {t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer}
        self.tensors = {}
        self.params = {}                   # name -> numpy value of every variable made from a constant
        self.static_shapes = _static_shapes(model)
        for i in graph.input:
            if i.name not in self.consts:
                self.tensors[i.name] = symbol.Variable(i.name)

    # ---- inputs -------------------------------------------------------------------------
    def is_const(self, name):
        return name in self.consts

    def const(self, name, what="input"):
        """The NumPy value of a constant input (an attribute in MXNet)."""
        if name not in self.consts:
            raise MXNetError(f"ONNX import: {what} {name!r} must be a constant")
        return self.consts[name]

    def sym(self, name):
        """The Symbol of tensor ``name``; a constant becomes a parameter variable."""
        if name in self.tensors:
            return self.tensors[name]
        if name in self.consts:
            value = self.consts[name]
            if value.ndim == 0:              # legacy MXNet arrays have no 0-d shape
                value = value.reshape(1)
            self.params[name] = value
            var = self.sym_mod.Variable(name, shape=value.shape, dtype=value.dtype)
            self.tensors[name] = var
            return var
        raise MXNetError(f"ONNX import: tensor {name!r} is used before it is defined")

    def op(self, mx_op, *inputs, **attrs):
        """Call ``mx.sym.<mx_op>``."""
        return getattr(self.sym_mod, mx_op)(*inputs, **attrs)

    # ---- nodes ----------------------------------------------------------------------------
    def run(self, graph):
        onnx = _onnx()
        for node in graph.node:
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            attrs = {k: v.decode() if isinstance(v, bytes) else v for k, v in attrs.items()}
            if node.op_type == "Constant":
                self.consts[node.output[0]] = onnx.numpy_helper.to_array(attrs["value"])
                continue
            if node.op_type == "Shape" and node.input[0] in self.static_shapes:
                # a static shape is a constant for the shape arithmetic that follows
                # (MXNet's exporter computes FullyConnected's output shape this way)
                self.consts[node.output[0]] = np.array(self.static_shapes[node.input[0]],
                                                       dtype=np.int64)
                self.tensors[node.output[0]] = _ShapeOf(self.sym(node.input[0]))
                continue
            folded = _fold(self, node, attrs)
            if folded is not None:
                self.consts[node.output[0]] = folded
                continue
            fn = IMPORTERS.get(node.op_type)
            if fn is None:
                raise MXNetError(f"ONNX import: no conversion registered for ONNX operator "
                                 f"{node.op_type!r} (node {node.name or node.output[0]!r})")
            self.name = node.output[0]        # the MXNet name of the result
            out = fn(self, node, attrs)
            outs = out if isinstance(out, list) else [out]
            for name, s in zip(node.output, outs):
                self.tensors[name] = s
        outputs = [self.sym(o.name) for o in graph.output]
        return outputs[0] if len(outputs) == 1 else self.sym_mod.Group(outputs)


# --------------------------------------------------------------------------------------
# constant folding: ops on constants only are computed with NumPy
# --------------------------------------------------------------------------------------
def _fold(im, node, attrs):
    """The value of ``node`` if all its inputs are constants and NumPy can compute it."""
    ins = [i for i in node.input if i]
    if not ins or not all(im.is_const(i) for i in ins) or node.op_type not in _FOLD:
        return None
    return _FOLD[node.op_type]([im.consts[i] for i in ins], attrs)


def _fold_reshape(v, attrs):
    x, shape = v[0], [int(s) for s in v[1]]
    shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
    return x.reshape(shape)


def _fold_cast(v, attrs):
    return v[0].astype(_onnx().helper.tensor_dtype_to_np_dtype(attrs["to"]))


def _fold_slice(v, attrs):
    x, starts, ends = v[0], v[1], v[2]
    axes = v[3] if len(v) > 3 else range(len(starts))
    steps = v[4] if len(v) > 4 else [1] * len(starts)
    index = [slice(None)] * x.ndim
    for a, b, e, st in zip(axes, starts, ends, steps):
        index[int(a)] = slice(int(b), int(e), int(st))
    return x[tuple(index)]


_FOLD = {
    "Add": lambda v, a: v[0] + v[1],
    "Sub": lambda v, a: v[0] - v[1],
    "Mul": lambda v, a: v[0] * v[1],
    "Div": lambda v, a: v[0] // v[1] if v[0].dtype.kind == "i" else v[0] / v[1],
    "Concat": lambda v, a: np.concatenate(v, axis=a["axis"]),
    "Slice": _fold_slice,
    "Gather": lambda v, a: np.take(v[0], v[1], axis=a.get("axis", 0)),
    "Shape": lambda v, a: np.array(v[0].shape, dtype=np.int64),
    "Reshape": _fold_reshape,
    "Transpose": lambda v, a: np.transpose(v[0], a.get("perm")),
    "Identity": lambda v, a: v[0],
    "Cast": _fold_cast,
    "Unsqueeze": lambda v, a: np.expand_dims(v[0], tuple(a["axes"] if "axes" in a else v[1])),
}


# --------------------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------------------
def _symmetric_pads(pads, op):
    """ONNX pads (begins..., ends...) as MXNet's symmetric ``pad``."""
    pads = list(pads)
    k = len(pads) // 2
    if pads[:k] != pads[k:]:
        raise MXNetError(f"ONNX import: {op} with asymmetric pads {pads} is not supported")
    return tuple(pads[:k])


def _no_auto_pad(attrs, op):
    if attrs.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise MXNetError(f"ONNX import: {op} auto_pad={attrs['auto_pad']} is not supported")


@importer("Conv")
def import_conv(im, node, attrs):
    """``Conv`` -> ``Convolution``: num_filter from the weight's first dimension."""
    _no_auto_pad(attrs, "Conv")
    w = im.const(node.input[1], "Conv weight")
    k = w.ndim - 2
    extra = {}
    if len(node.input) > 2 and node.input[2]:
        extra["bias"] = im.sym(node.input[2])
    return im.op("Convolution", im.sym(node.input[0]), weight=im.sym(node.input[1]),
                 kernel=tuple(attrs.get("kernel_shape", w.shape[2:])),
                 stride=tuple(attrs.get("strides", [1] * k)),
                 dilate=tuple(attrs.get("dilations", [1] * k)),
                 pad=_symmetric_pads(attrs.get("pads", [0] * 2 * k), "Conv"),
                 num_filter=w.shape[0], num_group=attrs.get("group", 1),
                 no_bias="bias" not in extra, name=im.name, **extra)


@importer("ConvTranspose")
def import_conv_transpose(im, node, attrs):
    """``ConvTranspose`` -> ``Deconvolution``: num_filter = weight.shape[1] * group,
    output_padding -> adj, output_shape -> target_shape."""
    _no_auto_pad(attrs, "ConvTranspose")
    w = im.const(node.input[1], "ConvTranspose weight")
    k, group = w.ndim - 2, attrs.get("group", 1)
    extra = {}
    if len(node.input) > 2 and node.input[2]:
        extra["bias"] = im.sym(node.input[2])
    if "output_shape" in attrs:
        extra["target_shape"] = tuple(attrs["output_shape"][-k:])
    return im.op("Deconvolution", im.sym(node.input[0]), weight=im.sym(node.input[1]),
                 kernel=tuple(attrs.get("kernel_shape", w.shape[2:])),
                 stride=tuple(attrs.get("strides", [1] * k)),
                 dilate=tuple(attrs.get("dilations", [1] * k)),
                 pad=_symmetric_pads(attrs.get("pads", [0] * 2 * k), "ConvTranspose"),
                 adj=tuple(attrs.get("output_padding", [0] * k)),
                 num_filter=w.shape[1] * group, num_group=group,
                 no_bias="bias" not in extra, name=im.name, **extra)


@importer("Gemm")
def import_gemm(im, node, attrs):
    """``Gemm``: alpha * A' B' + beta * C.  The common form (transB=1, alpha=beta=1,
    constant B) is MXNet's ``FullyConnected``; any other is ``dot`` plus arithmetic."""
    alpha, beta = attrs.get("alpha", 1.0), attrs.get("beta", 1.0)
    ta, tb = attrs.get("transA", 0), attrs.get("transB", 0)
    has_c = len(node.input) > 2 and node.input[2]
    a, b = im.sym(node.input[0]), im.sym(node.input[1])
    if tb == 1 and ta == 0 and alpha == 1 and beta == 1 and im.is_const(node.input[1]):
        extra = {"bias": im.sym(node.input[2])} if has_c else {}
        return im.op("FullyConnected", a, weight=b, num_hidden=im.consts[node.input[1]].shape[0],
                     no_bias=not has_c, flatten=True, name=im.name, **extra)
    y = im.op("dot", a, b, transpose_a=bool(ta), transpose_b=bool(tb))
    if alpha != 1:
        y = y * alpha
    if has_c:
        c = im.sym(node.input[2])
        y = im.op("broadcast_add", y, c * beta if beta != 1 else c)
    return im.op("identity", y, name=im.name)


@importer("MatMul")
def import_matmul(im, node, attrs):
    """``MatMul``: ``dot`` when B is a constant matrix (N-D x 2-D contracts the last
    axis, as NumPy), else ``batch_dot`` (3-D x 3-D)."""
    a, b = im.sym(node.input[0]), im.sym(node.input[1])
    if im.is_const(node.input[1]) and im.consts[node.input[1]].ndim == 2:
        return im.op("dot", a, b, name=im.name)
    return im.op("batch_dot", a, b, name=im.name)


_ACT = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softrelu",
        "Softsign": "softsign"}


@importer(*_ACT)
def import_activation(im, node, attrs):
    """Relu/Sigmoid/Tanh/Softplus/Softsign -> ``Activation(act_type)``."""
    return im.op("Activation", im.sym(node.input[0]), act_type=_ACT[node.op_type], name=im.name)


@importer("LeakyRelu", "Elu", "Selu")
def import_leaky(im, node, attrs):
    """LeakyRelu(alpha) / Elu(alpha) / Selu -> ``LeakyReLU`` (leaky / elu / selu).
    ONNX's defaults: LeakyRelu alpha 0.01, Elu alpha 1."""
    x = im.sym(node.input[0])
    if node.op_type == "Selu":
        if abs(attrs.get("alpha", 1.67326319) - 1.67326319) > 1e-6 or \
                abs(attrs.get("gamma", 1.05070102) - 1.05070102) > 1e-6:
            raise MXNetError("ONNX import: Selu with non-default alpha/gamma is not supported")
        return im.op("LeakyReLU", x, act_type="selu", name=im.name)
    act, default = {"LeakyRelu": ("leaky", 0.01), "Elu": ("elu", 1.0)}[node.op_type]
    return im.op("LeakyReLU", x, act_type=act, slope=attrs.get("alpha", default), name=im.name)


@importer("PRelu")
def import_prelu(im, node, attrs):
    """``PRelu(x, slope)`` -> ``LeakyReLU(act_type='prelu')``; the slope (C, 1, 1) that
    broadcasts along axis 1 becomes MXNet's gamma of shape (C,)."""
    slope = im.const(node.input[1], "PRelu slope")
    gamma_name = node.input[1]
    im.consts[gamma_name] = slope.reshape(-1)
    return im.op("LeakyReLU", im.sym(node.input[0]), gamma=im.sym(gamma_name),
                 act_type="prelu", name=im.name)


_POOL = {"MaxPool": "max", "AveragePool": "avg", "LpPool": "lp",
         "GlobalMaxPool": "max", "GlobalAveragePool": "avg", "GlobalLpPool": "lp"}


@importer(*_POOL)
def import_pool(im, node, attrs):
    """Max/Average/Lp pooling (and their Global forms) -> ``Pooling``.  ceil_mode=1 is
    ``pooling_convention='full'``; ONNX's AveragePool default count_include_pad=0."""
    x, ptype = im.sym(node.input[0]), _POOL[node.op_type]
    extra = {"p_value": attrs.get("p", 2)} if ptype == "lp" else {}
    if node.op_type.startswith("Global"):
        return im.op("Pooling", x, kernel=(1, 1), global_pool=True, pool_type=ptype,
                     name=im.name, **extra)
    _no_auto_pad(attrs, node.op_type)
    if any(d != 1 for d in attrs.get("dilations", [])):
        raise MXNetError(f"ONNX import: {node.op_type} with dilations is not supported")
    kernel = tuple(attrs["kernel_shape"])
    k = len(kernel)
    if ptype == "avg":
        extra["count_include_pad"] = bool(attrs.get("count_include_pad", 0))
    return im.op("Pooling", x, kernel=kernel, pool_type=ptype,
                 stride=tuple(attrs.get("strides", [1] * k)),
                 pad=_symmetric_pads(attrs.get("pads", [0] * 2 * k), node.op_type),
                 pooling_convention="full" if attrs.get("ceil_mode", 0) else "valid",
                 name=im.name, **extra)


@importer("BatchNormalization")
def import_batch_norm(im, node, attrs):
    """``BatchNormalization`` -> ``BatchNorm(fix_gamma=False, use_global_stats=True)``
    (an imported model is for inference: use the stored mean and variance)."""
    x, gamma, beta, mean, var = [im.sym(i) for i in node.input[:5]]
    return im.op("BatchNorm", x, gamma, beta, mean, var, eps=attrs.get("epsilon", 1e-5),
                 momentum=attrs.get("momentum", 0.9), fix_gamma=False, use_global_stats=True,
                 name=im.name)


@importer("InstanceNormalization")
def import_instance_norm(im, node, attrs):
    """``InstanceNormalization`` -> ``InstanceNorm``."""
    x, gamma, beta = [im.sym(i) for i in node.input]
    return im.op("InstanceNorm", x, gamma, beta, eps=attrs.get("epsilon", 1e-5), name=im.name)


@importer("LRN")
def import_lrn(im, node, attrs):
    """``LRN`` -> ``LRN`` (bias -> knorm, size -> nsize)."""
    return im.op("LRN", im.sym(node.input[0]), alpha=attrs.get("alpha", 1e-4),
                 beta=attrs.get("beta", 0.75), knorm=attrs.get("bias", 1.0),
                 nsize=attrs["size"], name=im.name)


@importer("Flatten")
def import_flatten(im, node, attrs):
    """``Flatten(axis=1)`` -> ``Flatten``; other axes -> ``Reshape`` to 2-D."""
    axis = attrs.get("axis", 1)
    x = im.sym(node.input[0])
    if axis == 1:
        return im.op("Flatten", x, name=im.name)
    if axis == 0:
        return im.op("Reshape", x, shape=(1, -1), name=im.name)
    if axis == -1:          # keep the last axis: MXNet's reverse reshape matches from the right
        return im.op("Reshape", x, shape=(-1, 0), reverse=True, name=im.name)
    shape = im.static_shapes.get(node.input[0])
    if shape is None:
        raise MXNetError(f"ONNX import: Flatten axis={axis} needs a static input shape")
    return im.op("Reshape", x, shape=(int(np.prod(shape[:axis])), -1), name=im.name)


@importer("Identity", "Dropout")
def import_identity(im, node, attrs):
    """Identity, and Dropout (the identity at inference) -> ``identity``."""
    return im.op("identity", im.sym(node.input[0]), name=im.name)


@importer("Softmax", "LogSoftmax")
def import_softmax(im, node, attrs):
    """``Softmax``/``LogSoftmax(axis)`` -> ``softmax``/``log_softmax(axis)``.  (Before
    opset 13 the default axis is 1 and the op flattens; for 2-D inputs that agrees.)"""
    axis = attrs.get("axis", -1 if im.opset >= 13 else 1)
    op = "softmax" if node.op_type == "Softmax" else "log_softmax"
    return im.op(op, im.sym(node.input[0]), axis=axis, name=im.name)


@importer("Gather")
def import_gather(im, node, attrs):
    """``Gather(axis=0)`` of a constant matrix is an ``Embedding``; otherwise ``take``."""
    axis = attrs.get("axis", 0)
    idx = im.sym(node.input[1])
    if axis == 0 and im.is_const(node.input[0]) and im.consts[node.input[0]].ndim == 2:
        w = im.consts[node.input[0]]
        return im.op("Embedding", idx, im.sym(node.input[0]), input_dim=w.shape[0],
                     output_dim=w.shape[1], name=im.name)
    return im.op("take", im.sym(node.input[0]), idx, axis=axis, name=im.name)


@importer("Resize", "Upsample")
def import_resize(im, node, attrs):
    """Nearest ``Resize`` by the same integer factor in H and W -> ``UpSampling``."""
    if attrs.get("mode", "nearest") != "nearest":
        raise MXNetError("ONNX import: only nearest Resize is supported")
    scales = None
    for i in (node.input[2:3] if node.op_type == "Resize" else node.input[1:2]):
        if i and im.is_const(i) and im.consts[i].size:
            scales = im.consts[i]
    if scales is None or len(scales) != 4 or scales[2] != scales[3] or \
            scales[2] != int(scales[2]) or list(scales[:2]) != [1, 1]:
        raise MXNetError(f"ONNX import: Resize scales {scales} are not an integer "
                         "upsampling of H and W")
    return im.op("UpSampling", im.sym(node.input[0]), scale=int(scales[2]),
                 sample_type="nearest", num_args=1, name=im.name)


@importer("Pad")
def import_pad(im, node, attrs):
    """``Pad`` -> ``Pad``: pads (begins..., ends...) become MXNet's interleaved
    pad_width (before0, after0, before1, after1, ...)."""
    pads = attrs["pads"] if "pads" in attrs else im.const(node.input[1], "Pad pads")
    pads = [int(p) for p in pads]
    k = len(pads) // 2
    value = attrs.get("value", 0.0)
    if len(node.input) > 2 and node.input[2]:
        value = float(im.const(node.input[2], "Pad value"))
    width = tuple(p for i in range(k) for p in (pads[i], pads[k + i]))
    return im.op("Pad", im.sym(node.input[0]), mode=attrs.get("mode", "constant"),
                 pad_width=width, constant_value=value, name=im.name)


# --------------------------------------------------------------------------------------
# elementwise
# --------------------------------------------------------------------------------------
_UNARY = {"Exp": "exp", "Log": "log", "Sqrt": "sqrt", "Abs": "abs", "Neg": "negative",
          "Reciprocal": "reciprocal", "Floor": "floor", "Ceil": "ceil", "Sin": "sin",
          "Cos": "cos", "Tan": "tan", "Asin": "arcsin", "Acos": "arccos", "Atan": "arctan",
          "Erf": "erf", "Sign": "sign", "Round": "round"}


@importer(*_UNARY)
def import_unary(im, node, attrs):
    """Elementwise functions: Exp -> exp, Neg -> negative, ..."""
    return im.op(_UNARY[node.op_type], im.sym(node.input[0]), name=im.name)


# ONNX op -> (broadcast op, scalar op with the constant on the right, on the left)
_BINARY = {"Add": ("broadcast_add", "_plus_scalar", "_plus_scalar"),
           "Sub": ("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
           "Mul": ("broadcast_mul", "_mul_scalar", "_mul_scalar"),
           "Div": ("broadcast_div", "_div_scalar", "_rdiv_scalar"),
           "Pow": ("broadcast_power", "_power_scalar", "_rpower_scalar"),
           "Max": ("broadcast_maximum", "_maximum_scalar", "_maximum_scalar"),
           "Min": ("broadcast_minimum", "_minimum_scalar", "_minimum_scalar")}


def _scalar_const(im, name):
    return im.is_const(name) and im.consts[name].size == 1


@importer(*_BINARY)
def import_binary(im, node, attrs):
    """Add/Sub/Mul/Div/Pow/Max/Min (NumPy broadcasting) -> ``broadcast_*``; with a
    one-element constant operand -> the ``*_scalar`` op (``_rminus_scalar`` etc. when
    the constant is on the left).  Max/Min with more than two inputs fold left."""
    full, right, left = _BINARY[node.op_type]
    a, b = node.input[0], node.input[1]
    if len(node.input) > 2:
        y = im.sym(a)
        for c in node.input[1:]:
            y = im.op(full, y, im.sym(c))
        return im.op("identity", y, name=im.name)
    if _scalar_const(im, b) and not _scalar_const(im, a):
        return im.op(right, im.sym(a), scalar=float(im.consts[b].reshape(())), name=im.name)
    if _scalar_const(im, a) and not _scalar_const(im, b):
        return im.op(left, im.sym(b), scalar=float(im.consts[a].reshape(())), name=im.name)
    return im.op(full, im.sym(a), im.sym(b), name=im.name)


@importer("Sum")
def import_sum(im, node, attrs):
    """``Sum`` of k tensors -> ``add_n``."""
    return im.op("add_n", *[im.sym(i) for i in node.input], num_args=len(node.input),
                 name=im.name)


@importer("Clip")
def import_clip(im, node, attrs):
    """``Clip``: bounds are inputs since opset 11 (attributes before); a missing bound
    is the float32 limit."""
    big = float(np.finfo(np.float32).max)
    lo, hi = attrs.get("min", -big), attrs.get("max", big)
    if len(node.input) > 1 and node.input[1]:
        lo = float(im.const(node.input[1], "Clip min"))
    if len(node.input) > 2 and node.input[2]:
        hi = float(im.const(node.input[2], "Clip max"))
    return im.op("clip", im.sym(node.input[0]), a_min=lo, a_max=hi, name=im.name)


@importer("Cast")
def import_cast(im, node, attrs):
    """``Cast(to)`` -> ``Cast(dtype)``."""
    dtype = np.dtype(_onnx().helper.tensor_dtype_to_np_dtype(attrs["to"]))
    return im.op("Cast", im.sym(node.input[0]), dtype=dtype.name, name=im.name)


@importer("Shape")
def import_shape(im, node, attrs):
    """``Shape(x)`` of a tensor whose shape is not static: kept symbolic for a following
    ``ConstantOfShape``."""
    return _ShapeOf(im.sym(node.input[0]))


@importer("ConstantOfShape")
def import_constant_of_shape(im, node, attrs):
    """``ConstantOfShape(Shape(x), value)`` -> ``zeros_like(x)`` / ``ones_like(x)``
    (times the value)."""
    src = im.tensors.get(node.input[0])
    if not isinstance(src, _ShapeOf):
        raise MXNetError("ONNX import: ConstantOfShape is supported only of Shape(x)")
    value = attrs.get("value")
    v = float(_onnx().numpy_helper.to_array(value).reshape(-1)[0]) if value is not None else 0.0
    if v == 0:
        return im.op("zeros_like", src.sym, name=im.name)
    if v == 1:
        return im.op("ones_like", src.sym, name=im.name)
    return im.op("_mul_scalar", im.op("ones_like", src.sym), scalar=v, name=im.name)


# --------------------------------------------------------------------------------------
# shapes and reductions
# --------------------------------------------------------------------------------------
@importer("Concat")
def import_concat(im, node, attrs):
    """``Concat(axis)`` -> ``Concat(dim)``."""
    return im.op("Concat", *[im.sym(i) for i in node.input], dim=attrs["axis"],
                 num_args=len(node.input), name=im.name)


@importer("Reshape")
def import_reshape(im, node, attrs):
    """``Reshape`` with a constant shape -> ``Reshape``; 0 (copy) and -1 (infer) mean
    the same in both (unless ``allowzero=1``)."""
    if attrs.get("allowzero", 0):
        raise MXNetError("ONNX import: Reshape allowzero=1 is not supported")
    shape = tuple(int(s) for s in im.const(node.input[1], "Reshape shape"))
    return im.op("Reshape", im.sym(node.input[0]), shape=shape, name=im.name)


@importer("Split")
def import_split(im, node, attrs):
    """``Split`` into equal parts -> ``split(num_outputs, axis)`` (one Symbol per output)."""
    sizes = attrs.get("split")
    if sizes is None and len(node.input) > 1 and node.input[1]:
        sizes = im.const(node.input[1], "Split sizes")
    if sizes is not None and len(set(int(s) for s in sizes)) > 1:
        raise MXNetError("ONNX import: Split into unequal parts is not supported")
    y = im.op("split", im.sym(node.input[0]), num_outputs=len(node.output),
              axis=attrs.get("axis", 0), name=im.name)
    return [y[i] for i in range(len(node.output))]


@importer("Transpose")
def import_transpose(im, node, attrs):
    """``Transpose(perm)`` -> ``transpose(axes)`` (no perm: reverse)."""
    return im.op("transpose", im.sym(node.input[0]), axes=tuple(attrs.get("perm", ())),
                 name=im.name)


def _axes(im, node, attrs, what):
    """Axes from the attribute (old opsets) or the constant second input (new ones)."""
    if "axes" in attrs:
        return [int(a) for a in attrs["axes"]]
    if len(node.input) > 1 and node.input[1]:
        return [int(a) for a in im.const(node.input[1], f"{what} axes")]
    return None


@importer("Unsqueeze")
def import_unsqueeze(im, node, attrs):
    """``Unsqueeze(axes)`` -> one ``expand_dims`` per axis, smallest first."""
    axes = _axes(im, node, attrs, "Unsqueeze")
    if len(axes) > 1 and any(a < 0 for a in axes):
        raise MXNetError("ONNX import: Unsqueeze with several negative axes is not supported")
    y = im.sym(node.input[0])
    for a in sorted(axes):
        y = im.op("expand_dims", y, axis=a)
    return im.op("identity", y, name=im.name)


@importer("Squeeze")
def import_squeeze(im, node, attrs):
    """``Squeeze(axes)`` -> ``squeeze(axis)``."""
    axes = _axes(im, node, attrs, "Squeeze")
    return im.op("squeeze", im.sym(node.input[0]), axis=tuple(axes) if axes else None,
                 name=im.name)


@importer("Slice")
def import_slice(im, node, attrs):
    """``Slice(starts, ends, axes, steps)`` -> one ``slice_axis`` per axis (step 1);
    an end past 2**31 means "to the end"."""
    def arg(i, key):
        if key in attrs:
            return list(attrs[key])
        if len(node.input) > i and node.input[i]:
            return [int(v) for v in im.const(node.input[i], f"Slice {key}")]
        return None
    starts, ends = arg(1, "starts"), arg(2, "ends")
    axes = arg(3, "axes") or list(range(len(starts)))
    steps = arg(4, "steps") or [1] * len(starts)
    if any(s != 1 for s in steps):
        raise MXNetError("ONNX import: Slice with steps other than 1 is not supported")
    y = im.sym(node.input[0])
    for ax, b, e in zip(axes, starts, ends):
        y = im.op("slice_axis", y, axis=ax, begin=b, end=None if e >= 2 ** 31 - 1 else e)
    return im.op("identity", y, name=im.name)


_REDUCE = {"ReduceSum": "sum", "ReduceMean": "mean", "ReduceMax": "max", "ReduceMin": "min",
           "ReduceProd": "prod"}


@importer(*_REDUCE)
def import_reduce(im, node, attrs):
    """ReduceSum/Mean/Max/Min/Prod -> sum/mean/max/min/prod.  ONNX's keepdims defaults
    to 1 (MXNet's to False); no axes means all."""
    axes = _axes(im, node, attrs, node.op_type)
    return im.op(_REDUCE[node.op_type], im.sym(node.input[0]),
                 axis=tuple(axes) if axes else None,
                 keepdims=bool(attrs.get("keepdims", 1)), name=im.name)


# --------------------------------------------------------------------------------------
# the public functions
# --------------------------------------------------------------------------------------
def _load(model_file):
    onnx = _onnx()
    model = onnx.load_model(model_file) if isinstance(model_file, str) else model_file
    opset = max([o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] or [13])
    return model, opset


def import_model(model_file):
    """Import an ONNX file: returns ``(sym, arg_params, aux_params)`` (dicts of NDArray)."""
    from .. import ndarray as nd
    model, opset = _load(model_file)
    im = Importer(model, opset)
    sym = im.run(model.graph)
    args, aux = set(sym.list_arguments()), set(sym.list_auxiliary_states())
    arg_params = {k: nd.array(v, dtype=v.dtype) for k, v in im.params.items() if k in args}
    aux_params = {k: nd.array(v, dtype=v.dtype) for k, v in im.params.items() if k in aux}
    return sym, arg_params, aux_params


def _dims(value_info):
    """A tensor's shape as a tuple (symbolic dimensions read as 0, as MXNet)."""
    return tuple(d.dim_value for d in value_info.type.tensor_type.shape.dim)


def get_model_metadata(model_file):
    """Names and shapes of an ONNX model's data inputs and outputs::

        {'input_tensor_data': [(name, shape, onnx_elem_type)], 'output_tensor_data': [(name, shape)]}

    (MXNet 1.9.1 puts the ONNX element type third in each input entry.)"""
    model, _ = _load(model_file)
    params = {t.name for t in model.graph.initializer}
    inputs = [(i.name, _dims(i), i.type.tensor_type.elem_type)
              for i in model.graph.input if i.name not in params]
    outputs = [(o.name, _dims(o)) for o in model.graph.output]
    return {"input_tensor_data": inputs, "output_tensor_data": outputs}


def import_to_gluon(model_file, ctx):
    """Import an ONNX file as a ``gluon.SymbolBlock`` with its parameters loaded on ``ctx``."""
    from .. import symbol
    from ..gluon import SymbolBlock
    sym, arg_params, aux_params = import_model(model_file)
    data_names = [name for name, *_ in get_model_metadata(model_file)["input_tensor_data"]]
    net = SymbolBlock(outputs=sym, inputs=[symbol.var(n) for n in data_names])
    net_params = net.collect_params()
    for name, value in {**arg_params, **aux_params}.items():
        if name in net_params:
            net_params[name].shape = value.shape
            net_params[name]._load_init(value, ctx=ctx)
    return net
