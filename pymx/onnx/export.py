"""MXNet Symbol -> ONNX graph (``mx.onnx.export_model``).

How a model is exported
-----------------------
1. The Symbol's JSON gives the nodes in topological order.  Each variable is either a
   parameter (it is in ``params``: it becomes an ONNX *initializer*) or a data input
   (it becomes a graph *input*, shaped by ``in_shapes``).  MXNet also lists the
   parameters among the graph inputs; pymx does not (ONNX Runtime then warns that it
   cannot constant-fold them), so ``InferenceSession.get_inputs()`` lists data only.  A variable named
   ``<last node>_label`` (the label of ``SoftmaxOutput``) is dropped, as in MXNet.
2. Shapes and dtypes of every tensor are inferred node by node with the op
   registry, so a converter knows its input shapes (``Reshape`` with MXNet's special
   codes, ``sum(exclude=True)`` and friends need them).
3. Each operator is translated by the converter registered for it in ``CONVERTERS``
   (one function per MXNet op, the docstring gives the mapping and the quirk).  Output
   ``k`` of node ``name`` is the ONNX tensor ``name`` (k = 0) or ``name<k>``; graph
   outputs use these names (MXNet's ``fc1_output`` becomes ``fc1``).

Opset: MXNet 1.9.1 writes opset-12/13 translations (it picks the newest it has for
the installed ``onnx``); pymx always writes opset 13, which every ONNX Runtime since
1.7 runs.  In opset 13 ``ReduceSum``/``Squeeze``/``Unsqueeze``/``Split`` take their
axes as an input tensor, the other reductions as an attribute.

MXNet quirks handled here (MXNet 1.9.1's own exporter misses some of them):
``BatchNorm(fix_gamma=True)`` ignores gamma (we export ones); ``LeakyReLU(prelu)``
has a per-channel slope that must broadcast along axis 1; ``SoftmaxOutput`` without
``multi_output`` normalises over everything but axis 0.
"""
import json
import logging

import numpy as np

from ..base import MXNetError

OPSET = 13
_INT64_MAX = np.iinfo(np.int64).max


def _onnx():
    """The ``onnx`` package, or a clear ImportError naming it."""
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX support needs the 'onnx' package: pip install onnx") from None
    return onnx


# --------------------------------------------------------------------------------------
# the converter table
# --------------------------------------------------------------------------------------
CONVERTERS = {}


def converter(*mx_ops):
    """Register ``fn(g, n)`` as the converter of the MXNet ops ``mx_ops`` (aliases of
    an op resolve to its canonical name, so one entry covers ``Flatten``/``flatten``)."""
    def wrap(fn):
        for name in mx_ops:
            CONVERTERS[_canonical(name)] = fn
        return fn
    return wrap


def _canonical(name):
    from ..ops.registry import get_op
    try:
        return get_op(name).name
    except MXNetError:
        return name


def get_operator_support(opset_version=None):
    """The sorted list of MXNet operator names this exporter converts."""
    from ..ops.registry import get_op, list_ops
    return sorted(name for name in list_ops() if get_op(name).name in CONVERTERS)


class Node:
    """What a converter sees of one MXNet node.

    ``name``: the node's name, also the name of its (first) ONNX output tensor;
    ``attrs``: parsed attributes (typed, defaults filled in); ``inputs``: ONNX names
    of the inputs; ``in_shapes``/``in_dtypes``, ``out_shapes``/``out_dtypes``: inferred
    (tuples, numpy dtypes); ``outputs``: the ONNX names the converter must produce."""

    def __init__(self, op, name, attrs, inputs, in_shapes, in_dtypes, out_shapes,
                 out_dtypes, outputs):
        self.op, self.name, self.attrs, self.inputs = op, name, attrs, inputs
        self.in_shapes, self.in_dtypes = in_shapes, in_dtypes
        self.out_shapes, self.out_dtypes = out_shapes, out_dtypes
        self.outputs = outputs

    @property
    def ndim(self):
        """Rank of the first input."""
        return len(self.in_shapes[0])

    @property
    def dtype(self):
        """dtype of the first input."""
        return self.in_dtypes[0]


class Graph:
    """The ONNX graph being built: nodes, initializers and fresh names."""

    def __init__(self):
        self.onnx = _onnx()
        self.nodes = []
        self.initializers = []
        self._used = set()

    def fresh(self, hint):
        """A tensor name not used yet, based on ``hint``."""
        name, i = hint, 0
        while name in self._used:
            i += 1
            name = f"{hint}_{i}"
        self._used.add(name)
        return name

    def add(self, op_type, inputs, output=None, **attrs):
        """Append an ONNX node; returns its output name (``output`` or a fresh one)."""
        if output is None:
            output = self.fresh(f"{inputs[0] if inputs else op_type}_{op_type.lower()}")
        outputs = list(output) if isinstance(output, (list, tuple)) else [output]
        self._used.update(outputs)
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), outputs,
                                                     name=outputs[0], **attrs))
        return output

    def const(self, hint, value, dtype=None):
        """A constant tensor as an initializer; returns its name."""
        value = np.asarray(value, dtype=dtype)
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(value, name))
        return name

    def ints(self, hint, values):
        """An int64 1-D constant (shapes, axes, pads)."""
        return self.const(hint, np.asarray(values, dtype=np.int64).reshape(-1))

    def scalar(self, hint, value, dtype):
        """A 0-d constant of ``dtype`` (broadcasts against anything)."""
        return self.const(hint, np.asarray(value, dtype=np.dtype(dtype)))


# --------------------------------------------------------------------------------------
# export_model
# --------------------------------------------------------------------------------------
def export_model(sym, params, in_shapes=None, in_types=np.float32, onnx_file_path="model.onnx",
                 verbose=False, dynamic=False, dynamic_input_shapes=None,
                 run_shape_inference=False, input_type=None, input_shape=None,
                 large_model=False):
    """Export a Symbol and its parameters to an ONNX file; returns ``onnx_file_path``.

    ``sym``: a Symbol or the path of a ``-symbol.json``; ``params``: a dict
    name -> NDArray (arg and aux merged, ``arg:``/``aux:`` prefixes allowed), a list
    ``[arg_params, aux_params]``, or the path of a ``.params`` file; ``in_shapes``: one
    shape per data input (variables not in ``params``, in ``list_inputs`` order);
    ``in_types``: one dtype or a list; ``dynamic``: make every input (or, with
    ``dynamic_input_shapes``, the ``None`` dims) and output dimension symbolic.
    ``input_type``/``input_shape`` are the old names of ``in_types``/``in_shapes``;
    ``verbose`` logs each node at INFO level; ``run_shape_inference`` stores ONNX's
    inferred shapes in the file; ``large_model`` writes the weights beside it
    (ONNX external data, for models over 2 GB).
    """
    onnx = _onnx()
    from .. import symbol as _symbol
    from .. import ndarray as nd
    if input_type is not None:
        in_types = input_type
    if input_shape is not None:
        in_shapes = input_shape
    if in_shapes is None:
        raise ValueError("export_model: in_shapes (the shape of each data input) is required")
    if isinstance(sym, str) and isinstance(params, str):
        sym, params = _symbol.load(sym), nd.load(params)
    elif isinstance(params, (list, tuple)) and len(params) == 2:
        params = {**params[0], **params[1]}
    if not isinstance(sym, _symbol.Symbol) or not isinstance(params, dict):
        raise ValueError("Input sym and params should either be files or objects")
    params = {k.split(":", 1)[-1]: v for k, v in params.items()}
    in_shapes = [tuple(s) for s in in_shapes]
    if not isinstance(in_types, (list, tuple)):
        in_types = [in_types] * len(in_shapes)
    if len(in_types) != len(in_shapes):
        raise ValueError("The lengths of in_types and in_shapes must equal")
    graph = _convert(sym, params, in_shapes, [np.dtype(t) for t in in_types], verbose,
                     dynamic, dynamic_input_shapes)
    model = onnx.helper.make_model(graph, producer_name="pymx",
                                   opset_imports=[onnx.helper.make_opsetid("", OPSET)])
    model.ir_version = min(model.ir_version, 7)      # opset 13's IR version: older runtimes load it
    if run_shape_inference:
        try:
            model = onnx.shape_inference.infer_shapes(model)
        except Exception:        # as MXNet: keep the model without inferred shapes
            pass
    if large_model:
        onnx.save_model(model, onnx_file_path, save_as_external_data=True)
    else:
        with open(onnx_file_path, "wb") as f:
            f.write(model.SerializeToString())
    return onnx_file_path


def _convert(sym, params, in_shapes, in_types, verbose, dynamic, dynamic_input_shapes):
    """Build the ONNX GraphProto of ``sym``."""
    onnx = _onnx()
    from ..ops.registry import get_op
    helper = onnx.helper
    js = json.loads(sym.tojson())
    nodes, heads = js["nodes"], js["heads"]
    internals = sym.get_internals()
    label = internals[len(internals) - 1].name + "_label"     # MXNet's rule for the label
    g = Graph()
    shapes, dtypes, names = {}, {}, {}    # (node index, output index) -> shape/dtype/ONNX name
    graph_inputs, data_i, seen = [], 0, set()
    used_inputs = set(sym.list_inputs())
    for idx, node in enumerate(nodes):
        name = node["name"]
        if name in seen:                  # MXNet's rule for repeated node names
            name = f"idx_{idx}_{name}"
        seen.add(name)
        names[idx, 0] = name
        g._used.add(name)
        if node["op"] == "null":
            if name in params:
                value = params[name].asnumpy()
                shapes[idx, 0], dtypes[idx, 0] = value.shape, value.dtype
                if name in used_inputs:
                    g.initializers.append(onnx.numpy_helper.from_array(value, name))
            elif name == label:
                shapes[idx, 0], dtypes[idx, 0] = None, None
            else:
                if data_i >= len(in_shapes):
                    raise ValueError(f"export_model: no shape given for input {name!r} "
                                     f"(in_shapes has {len(in_shapes)})")
                shape, dtype = in_shapes[data_i], in_types[data_i]
                shapes[idx, 0], dtypes[idx, 0] = shape, dtype
                onnx_shape = shape
                if dynamic:
                    onnx_shape = (dynamic_input_shapes[data_i] if dynamic_input_shapes
                                  else [None] * len(shape))
                graph_inputs.append(helper.make_tensor_value_info(
                    name, helper.np_dtype_to_tensor_dtype(dtype), onnx_shape))
                data_i += 1
            continue
        op = get_op(node["op"])
        attrs = op.parse_attrs(node.get("attrs", {}))
        ins = [(i, k) for i, k, *_ in node["inputs"]]
        in_shapes_, out_shapes = op.infer_shape(attrs, [shapes[i] for i in ins])
        _, out_dtypes = op.infer_type(attrs, [dtypes[i] for i in ins])
        n_out = op.num_outputs(attrs)
        outputs = [name] + [f"{name}{k}" for k in range(1, n_out)]
        for k in range(n_out):
            names[idx, k] = outputs[k]
            shapes[idx, k] = tuple(out_shapes[k]) if out_shapes[k] is not None else None
            dtypes[idx, k] = np.dtype(out_dtypes[k]) if out_dtypes[k] is not None else None
        fn = CONVERTERS.get(op.name)
        if fn is None:
            raise MXNetError(f"ONNX export: no conversion registered for operator "
                             f"{node['op']!r} (node {name!r})")
        n = Node(op.name, name, attrs, [names[i] for i in ins],
                 [tuple(s) if s is not None else None for s in in_shapes_],
                 [dtypes[i] for i in ins], [shapes[idx, k] for k in range(n_out)],
                 [dtypes[idx, k] for k in range(n_out)], outputs)
        if verbose:                       # MXNet logs at INFO level, as here
            logging.info("Converting idx: %d, op: %s, name: %s", idx, op.name, name)
        fn(g, n)
    # drop constants no node reads (e.g. the gamma that fix_gamma replaced by ones)
    read = {i for nd_ in g.nodes for i in nd_.input}
    g.initializers = [t for t in g.initializers if t.name in read]
    graph_outputs = []
    for i, k, *_ in heads:
        shape = shapes[i, k]
        if dynamic:
            shape = [None] * len(shape)
        graph_outputs.append(helper.make_tensor_value_info(
            names[i, k], helper.np_dtype_to_tensor_dtype(dtypes[i, k]), shape))
    return helper.make_graph(g.nodes, "mxnet_converted_model", graph_inputs, graph_outputs,
                             initializer=g.initializers)


# --------------------------------------------------------------------------------------
# converters: layers
# --------------------------------------------------------------------------------------
def _spatial(values, ndim, default):
    """MXNet's empty ``()`` for stride/dilate/pad means ``default`` in every dimension."""
    return list(values) if values else [default] * ndim


@converter("FullyConnected")
def convert_fully_connected(g, n):
    """``FullyConnected``: y = x W^T + b with W of shape (num_hidden, in_units).

    ``flatten=True`` (default): ``Flatten(axis=1)`` (even of a 2-D input, as MXNet
    writes it) then ``Gemm(transB=1)``.
    ``flatten=False``: ``MatMul(x, Transpose(W))`` (+ ``Add(b)``) on the last axis, so
    any rank works.  ``no_bias``: Gemm without C."""
    x, w = n.inputs[0], n.inputs[1]
    bias = [] if n.attrs["no_bias"] else [n.inputs[2]]
    if n.attrs["flatten"]:
        x = g.add("Flatten", [x], axis=1)
        g.add("Gemm", [x, w] + bias, n.name, transB=1)
        return
    wt = g.add("Transpose", [w], perm=[1, 0])
    if not bias:
        g.add("MatMul", [x, wt], n.name)
        return
    g.add("Add", [g.add("MatMul", [x, wt]), bias[0]], n.name)


@converter("Convolution")
def convert_convolution(g, n):
    """``Convolution`` (1-D/2-D/3-D, NC[D]HW) -> ``Conv``.  MXNet's symmetric ``pad``
    becomes ``pads = pad + pad`` (begins then ends); ``num_group`` -> ``group``."""
    a = n.attrs
    if a["layout"] not in (None, "NCW", "NCHW", "NCDHW"):
        raise MXNetError(f"ONNX export: Convolution layout {a['layout']} is not supported")
    k = len(a["kernel"])
    pad = _spatial(a["pad"], k, 0)
    g.add("Conv", n.inputs, n.name, kernel_shape=list(a["kernel"]),
          strides=_spatial(a["stride"], k, 1), dilations=_spatial(a["dilate"], k, 1),
          pads=pad + pad, group=a["num_group"])


@converter("Deconvolution")
def convert_deconvolution(g, n):
    """``Deconvolution`` -> ``ConvTranspose``.  The weight layout (C_in, C_out/group,
    k...) is the same; MXNet's ``adj`` is ONNX's ``output_padding``.
    ``target_shape`` is given as ``output_shape`` (ONNX then computes the pads)."""
    a = n.attrs
    k = len(a["kernel"])
    extra = {}
    if a["target_shape"]:
        extra["output_shape"] = list(a["target_shape"])
    else:
        pad = _spatial(a["pad"], k, 0)
        extra["pads"] = pad + pad
        if a["adj"]:
            extra["output_padding"] = list(a["adj"])
    g.add("ConvTranspose", n.inputs, n.name, kernel_shape=list(a["kernel"]),
          strides=_spatial(a["stride"], k, 1), dilations=_spatial(a["dilate"], k, 1),
          group=a["num_group"], **extra)


_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softrelu": "Softplus",
                "softsign": "Softsign"}


@converter("Activation")
def convert_activation(g, n):
    """``Activation(act_type)``: relu -> Relu, sigmoid -> Sigmoid, tanh -> Tanh,
    softrelu (log(1 + e^x)) -> Softplus, softsign (x / (1 + |x|)) -> Softsign."""
    act = n.attrs["act_type"]
    if act not in _ACTIVATIONS:
        raise MXNetError(f"ONNX export: Activation act_type={act!r} is not supported")
    g.add(_ACTIVATIONS[act], n.inputs[:1], n.name)


@converter("relu", "sigmoid", "tanh", "softsign")
def convert_unary_activation(g, n):
    """The activation functions as plain operators (``mx.sym.relu(x)``)."""
    g.add(_ACTIVATIONS[n.op], n.inputs, n.name)


def _gelu(g, x, out, dtype):
    """GELU with erf (MXNet's exact form): 0.5 x (1 + erf(x / sqrt 2))."""
    e = g.add("Erf", [g.add("Div", [x, g.scalar("sqrt2", np.sqrt(2.0), dtype)])])
    one_plus = g.add("Add", [e, g.scalar("one", 1.0, dtype)])
    half_x = g.add("Mul", [x, g.scalar("half", 0.5, dtype)])
    return g.add("Mul", [half_x, one_plus], out)


@converter("LeakyReLU")
def convert_leaky_relu(g, n):
    """``LeakyReLU(act_type)``: leaky -> LeakyRelu(alpha=slope), elu -> Elu(alpha=slope),
    selu -> Selu (MXNet's constants are ONNX's defaults), gelu -> erf formula,
    rrelu -> LeakyRelu with the mean slope (inference), prelu -> PRelu.

    PRelu quirk: MXNet's gamma has shape (C,) and applies along axis 1; ONNX
    broadcasts the slope from the *last* axis, so gamma is reshaped to (C, 1, ..., 1)."""
    act, slope, x = n.attrs["act_type"], n.attrs["slope"], n.inputs[0]
    if act == "leaky":
        g.add("LeakyRelu", [x], n.name, alpha=slope)
    elif act == "elu":
        g.add("Elu", [x], n.name, alpha=slope)
    elif act == "selu":
        g.add("Selu", [x], n.name)
    elif act == "gelu":
        _gelu(g, x, n.name, n.dtype)
    elif act == "rrelu":
        mean = (n.attrs["lower_bound"] + n.attrs["upper_bound"]) / 2
        g.add("LeakyRelu", [x], n.name, alpha=mean)
    elif act == "prelu":
        gamma = n.inputs[1]
        if n.ndim > 2:
            shape = [n.in_shapes[1][0]] + [1] * (n.ndim - 2)
            gamma = g.add("Reshape", [gamma, g.ints(n.name + "_slope_shape", shape)])
        g.add("PRelu", [x, gamma], n.name)
    else:
        raise MXNetError(f"ONNX export: LeakyReLU act_type={act!r} is not supported")


@converter("Pooling")
def convert_pooling(g, n):
    """``Pooling`` -> MaxPool / AveragePool / LpPool, or their Global* forms.

    ``pooling_convention='full'`` (output size rounded up) is ``ceil_mode=1``;
    ``count_include_pad`` (MXNet's default None means True) is passed for avg.
    Not expressible: ``pool_type='sum'`` and ``pooling_convention='same'``."""
    a = n.attrs
    ptype = a["pool_type"]
    if ptype not in ("max", "avg", "lp"):
        raise MXNetError(f"ONNX export: Pooling pool_type={ptype!r} is not supported")
    if a["global_pool"]:
        extra = {"p": a["p_value"] or 2} if ptype == "lp" else {}
        g.add({"max": "GlobalMaxPool", "avg": "GlobalAveragePool", "lp": "GlobalLpPool"}[ptype],
              n.inputs, n.name, **extra)
        return
    if a["pooling_convention"] == "same":
        raise MXNetError("ONNX export: Pooling pooling_convention='same' is not supported")
    k = len(a["kernel"])
    pad = _spatial(a["pad"], k, 0)
    common = dict(kernel_shape=list(a["kernel"]), strides=_spatial(a["stride"], k, 1),
                  pads=pad + pad)
    ceil = int(a["pooling_convention"] == "full")
    if ptype == "max":
        g.add("MaxPool", n.inputs, n.name, ceil_mode=ceil, **common)
    elif ptype == "avg":
        include = a["count_include_pad"] is None or bool(a["count_include_pad"])
        g.add("AveragePool", n.inputs, n.name, ceil_mode=ceil,
              count_include_pad=int(include), **common)
    else:
        g.add("LpPool", n.inputs, n.name, p=a["p_value"] or 2, **common)


@converter("BatchNorm")
def convert_batch_norm(g, n):
    """``BatchNorm`` (inference: moving statistics) -> ``BatchNormalization``.

    ``fix_gamma=True`` (the Symbol default!) means gamma is treated as 1 whatever the
    stored value, so the scale input becomes a constant of ones.  Only ``axis=1``."""
    a = n.attrs
    if a["axis"] not in (1, 1 - n.ndim):
        raise MXNetError(f"ONNX export: BatchNorm axis={a['axis']} is not supported (only 1)")
    if a["output_mean_var"]:
        raise MXNetError("ONNX export: BatchNorm(output_mean_var=True) is not supported")
    x, gamma, beta, mean, var = n.inputs
    if a["fix_gamma"]:
        gamma = g.const(n.name + "_fixed_gamma", np.ones(n.in_shapes[1], dtype=n.dtype))
    g.add("BatchNormalization", [x, gamma, beta, mean, var], n.name,
          epsilon=a["eps"], momentum=a["momentum"])


@converter("InstanceNorm")
def convert_instance_norm(g, n):
    """``InstanceNorm`` -> ``InstanceNormalization`` (same formula, per sample and channel)."""
    g.add("InstanceNormalization", n.inputs, n.name, epsilon=n.attrs["eps"])


@converter("LayerNorm")
def convert_layer_norm(g, n):
    """``LayerNorm`` along ``axis``: (x - mean) / sqrt(var + eps) * gamma + beta.

    Opset 13 has no LayerNormalization, so it is written out with ReduceMean; gamma
    and beta (shape (C,)) are reshaped to broadcast along ``axis``."""
    if n.attrs["output_mean_var"]:
        raise MXNetError("ONNX export: LayerNorm(output_mean_var=True) is not supported")
    axis = n.attrs["axis"] % n.ndim
    x, gamma, beta = n.inputs
    mean = g.add("ReduceMean", [x], axes=[axis], keepdims=1)
    d = g.add("Sub", [x, mean])
    var = g.add("ReduceMean", [g.add("Mul", [d, d])], axes=[axis], keepdims=1)
    std = g.add("Sqrt", [g.add("Add", [var, g.scalar(n.name + "_eps", n.attrs["eps"], n.dtype)])])
    y = g.add("Div", [d, std])
    if axis != n.ndim - 1:
        shape = g.ints(n.name + "_param_shape", [-1] + [1] * (n.ndim - 1 - axis))
        gamma, beta = g.add("Reshape", [gamma, shape]), g.add("Reshape", [beta, shape])
    g.add("Add", [g.add("Mul", [y, gamma]), beta], n.name)


@converter("L2Normalization")
def convert_l2_normalization(g, n):
    """``L2Normalization``: x / sqrt(sum(x^2) + eps), the sum over all axes but 0
    (mode='instance'), axis 1 (mode='channel') or axes 2.. (mode='spatial')."""
    mode = n.attrs["mode"]
    axes = {"instance": range(1, n.ndim), "channel": [1], "spatial": range(2, n.ndim)}[mode]
    x = n.inputs[0]
    ss = g.add("ReduceSum", [g.add("Mul", [x, x]), g.ints(n.name + "_axes", list(axes))],
               keepdims=1)
    norm = g.add("Sqrt", [g.add("Add", [ss, g.scalar(n.name + "_eps", n.attrs["eps"], n.dtype)])])
    g.add("Div", [x, norm], n.name)


@converter("LRN")
def convert_lrn(g, n):
    """``LRN`` -> ``LRN``: x / (knorm + alpha/nsize * sum of squares over nsize
    channels)^beta; ``knorm`` is ONNX's ``bias``, ``nsize`` its ``size``."""
    a = n.attrs
    g.add("LRN", n.inputs, n.name, alpha=a["alpha"], beta=a["beta"], bias=a["knorm"],
          size=a["nsize"])


@converter("Dropout")
def convert_dropout(g, n):
    """``Dropout``: the identity at inference, which is what an exported model does."""
    g.add("Identity", n.inputs[:1], n.name)


@converter("Flatten")
def convert_flatten(g, n):
    """``Flatten``: (N, d1, d2, ...) -> (N, d1*d2*...), ONNX ``Flatten(axis=1)``."""
    g.add("Flatten", n.inputs, n.name, axis=1)


@converter("Embedding")
def convert_embedding(g, n):
    """``Embedding``: rows of the weight, ``Gather(weight, indices, axis=0)``.
    MXNet's indices are float; ONNX wants integers, so they are cast to int64."""
    idx = g.add("Cast", [n.inputs[0]], to=_onnx().TensorProto.INT64)
    g.add("Gather", [n.inputs[1], idx], n.name, axis=0)


@converter("UpSampling")
def convert_upsampling(g, n):
    """``UpSampling(sample_type='nearest', scale=s)``: repeat each pixel s x s times,
    ``Resize`` with scales (1, 1, s, s) and 'asymmetric' coordinates + floor, which
    maps output pixel i to input pixel floor(i / s) exactly."""
    a = n.attrs
    if a["sample_type"] != "nearest" or len(n.inputs) != 1:
        raise MXNetError("ONNX export: only UpSampling(sample_type='nearest') with one input "
                         "is supported")
    s = float(a["scale"])
    scales = g.const(n.name + "_scales", np.array([1, 1, s, s], dtype=np.float32))
    roi = g.const(n.name + "_roi", np.zeros(0, dtype=np.float32))
    g.add("Resize", [n.inputs[0], roi, scales], n.name, mode="nearest",
          coordinate_transformation_mode="asymmetric", nearest_mode="floor")


@converter("Pad")
def convert_pad(g, n):
    """``Pad(mode, pad_width)``: MXNet's pad_width is (before0, after0, before1, after1,
    ...); ONNX's pads are (begins..., ends...).  Modes constant/edge/reflect."""
    pw = list(n.attrs["pad_width"])
    pads = pw[0::2] + pw[1::2]
    value = g.scalar(n.name + "_value", n.attrs["constant_value"], n.dtype)
    g.add("Pad", [n.inputs[0], g.ints(n.name + "_pads", pads), value], n.name,
          mode=n.attrs["mode"])


# --------------------------------------------------------------------------------------
# converters: softmax family
# --------------------------------------------------------------------------------------
def _softmax(g, n, onnx_op, axis):
    x = n.inputs[0]
    t = n.attrs.get("temperature")
    if t is not None and t != 1:
        x = g.add("Div", [x, g.scalar(n.name + "_temperature", t, n.dtype)])
    g.add(onnx_op, [x], n.name, axis=axis)


@converter("softmax")
def convert_softmax(g, n):
    """``softmax(axis, temperature)`` -> ``Softmax(axis)`` of x / temperature (opset 13's
    Softmax works on one axis, as MXNet's).  ``use_length`` is not supported."""
    if n.attrs["use_length"]:
        raise MXNetError("ONNX export: softmax(use_length=True) is not supported")
    _softmax(g, n, "Softmax", n.attrs["axis"])


@converter("log_softmax")
def convert_log_softmax(g, n):
    """``log_softmax(axis, temperature)`` -> ``LogSoftmax(axis)``."""
    _softmax(g, n, "LogSoftmax", n.attrs["axis"])


def _softmax_instance(g, n):
    """Softmax over everything but axis 0 (flatten, softmax, reshape back)."""
    x = n.inputs[0]
    if n.ndim == 2:
        return g.add("Softmax", [x], n.name, axis=1)
    flat = g.add("Softmax", [g.add("Flatten", [x], axis=1)], axis=1)
    g.add("Reshape", [flat, g.ints(n.name + "_shape", [0] + list(n.in_shapes[0][1:]))], n.name)


@converter("SoftmaxOutput")
def convert_softmax_output(g, n):
    """``SoftmaxOutput`` at inference is a softmax (the label input is dropped):
    over axis 1 with ``multi_output``, over the last axis with ``preserve_shape``,
    else over all axes but 0."""
    a = n.attrs
    if a["multi_output"]:
        g.add("Softmax", n.inputs[:1], n.name, axis=1)
    elif a["preserve_shape"]:
        g.add("Softmax", n.inputs[:1], n.name, axis=-1)
    else:
        _softmax_instance(g, n)


@converter("SoftmaxActivation")
def convert_softmax_activation(g, n):
    """``SoftmaxActivation``: mode='channel' -> Softmax(axis=1); mode='instance' ->
    Softmax(axis=-1) (MXNet flattens to 2-D keeping the *last* axis: FlatTo2D)."""
    g.add("Softmax", n.inputs, n.name, axis=1 if n.attrs["mode"] == "channel" else -1)


# --------------------------------------------------------------------------------------
# converters: elementwise
# --------------------------------------------------------------------------------------
_UNARY = {"exp": "Exp", "log": "Log", "sqrt": "Sqrt", "abs": "Abs", "negative": "Neg",
          "reciprocal": "Reciprocal", "floor": "Floor", "ceil": "Ceil", "sin": "Sin",
          "cos": "Cos", "tan": "Tan", "arcsin": "Asin", "arccos": "Acos", "arctan": "Atan",
          "erf": "Erf", "sign": "Sign", "_copy": "Identity", "BlockGrad": "Identity",
          "round": "Round"}


@converter(*_UNARY)
def convert_unary(g, n):
    """Elementwise functions with an ONNX twin (exp -> Exp, negative -> Neg, _copy and
    BlockGrad -> Identity, ...)."""
    g.add(_UNARY[n.op], n.inputs, n.name)


@converter("square")
def convert_square(g, n):
    """``square(x)`` = x * x."""
    g.add("Mul", [n.inputs[0], n.inputs[0]], n.name)


@converter("rsqrt")
def convert_rsqrt(g, n):
    """``rsqrt(x)`` = 1 / sqrt(x)."""
    g.add("Reciprocal", [g.add("Sqrt", n.inputs)], n.name)


_BINARY = {"elemwise_add": "Add", "elemwise_sub": "Sub", "elemwise_mul": "Mul",
           "elemwise_div": "Div", "broadcast_add": "Add", "broadcast_sub": "Sub",
           "broadcast_mul": "Mul", "broadcast_div": "Div", "broadcast_power": "Pow",
           "broadcast_maximum": "Max", "broadcast_minimum": "Min", "_maximum": "Max",
           "_minimum": "Min", "_power": "Pow"}


@converter(*_BINARY)
def convert_binary(g, n):
    """Two-operand arithmetic: ``elemwise_*`` (same shapes) and ``broadcast_*``
    (NumPy broadcasting, as ONNX's Add/Sub/Mul/Div/Pow/Max/Min)."""
    g.add(_BINARY[n.op], n.inputs, n.name)


# scalar op -> (ONNX op, scalar on the left?)
_SCALAR = {"_plus_scalar": ("Add", False), "_minus_scalar": ("Sub", False),
           "_rminus_scalar": ("Sub", True), "_mul_scalar": ("Mul", False),
           "_div_scalar": ("Div", False), "_rdiv_scalar": ("Div", True),
           "_power_scalar": ("Pow", False), "_rpower_scalar": ("Pow", True),
           "_maximum_scalar": ("Max", False), "_minimum_scalar": ("Min", False)}


@converter(*_SCALAR)
def convert_scalar_arithmetic(g, n):
    """``x + 2`` on a Symbol is ``_plus_scalar(x, scalar=2)``: the scalar becomes a 0-d
    constant of x's dtype; the ``_r*`` forms put it on the left (2 - x, 2 / x)."""
    onnx_op, left = _SCALAR[n.op]
    s = g.scalar(n.name + "_scalar", n.attrs["scalar"], n.dtype)
    x = n.inputs[0]
    g.add(onnx_op, [s, x] if left else [x, s], n.name)


@converter("add_n")
def convert_add_n(g, n):
    """``add_n``/``ElementWiseSum`` of k arrays -> ONNX ``Sum``."""
    g.add("Sum", n.inputs, n.name)


@converter("clip")
def convert_clip(g, n):
    """``clip(a_min, a_max)`` -> ``Clip`` with min and max as constant inputs."""
    lo = g.scalar(n.name + "_min", n.attrs["a_min"], n.dtype)
    hi = g.scalar(n.name + "_max", n.attrs["a_max"], n.dtype)
    g.add("Clip", [n.inputs[0], lo, hi], n.name)


@converter("Cast")
def convert_cast(g, n):
    """``Cast(dtype)`` -> ``Cast(to)``."""
    to = _onnx().helper.np_dtype_to_tensor_dtype(np.dtype(n.attrs["dtype"]))
    g.add("Cast", n.inputs, n.name, to=to)


def _constant_like(g, n, value):
    tensor = _onnx().numpy_helper.from_array(np.array([value], dtype=n.dtype))
    g.add("ConstantOfShape", [g.add("Shape", n.inputs)], n.name, value=tensor)


@converter("zeros_like")
def convert_zeros_like(g, n):
    """``zeros_like(x)`` -> ``ConstantOfShape(Shape(x), value=0)``."""
    _constant_like(g, n, 0)


@converter("ones_like")
def convert_ones_like(g, n):
    """``ones_like(x)`` -> ``ConstantOfShape(Shape(x), value=1)``."""
    _constant_like(g, n, 1)


# --------------------------------------------------------------------------------------
# converters: shapes and reductions
# --------------------------------------------------------------------------------------
@converter("Concat")
def convert_concat(g, n):
    """``Concat(dim)`` -> ``Concat(axis)``."""
    g.add("Concat", n.inputs, n.name, axis=n.attrs["dim"])


@converter("Reshape")
def convert_reshape(g, n):
    """``Reshape(shape)`` with MXNet's codes 0 (copy), -1 (infer), -2 (copy the rest),
    -3 (merge two), -4 (split one) and ``reverse``.

    The output shape is already known (shape inference resolved the codes), so it is
    written as a constant.  Leading 0s that copy the same input dimension stay 0 (ONNX
    also reads 0 as "copy"), so a ``(0, -1)`` reshape still works for another batch size."""
    target = list(n.out_shapes[0])
    code = list(n.attrs["shape"])
    if not n.attrs["reverse"]:
        for i, c in enumerate(code):
            if c < -1 or i >= len(target):   # after -2/-3/-4 positions no longer line up
                break
            if c == 0:
                target[i] = 0
    g.add("Reshape", [n.inputs[0], g.ints(n.name + "_shape", target)], n.name)


@converter("SliceChannel")
def convert_slice_channel(g, n):
    """``split``/``SliceChannel(num_outputs, axis, squeeze_axis)`` -> ``Split`` into
    equal parts (then ``Squeeze`` each when ``squeeze_axis``).  Output k is ``name<k>``."""
    a = n.attrs
    axis = a["axis"] % n.ndim
    k = a["num_outputs"]
    sizes = g.ints(n.name + "_split", [n.in_shapes[0][axis] // k] * k)
    if not a["squeeze_axis"]:
        g.add("Split", [n.inputs[0], sizes], n.outputs, axis=axis)
        return
    parts = [g.fresh(f"{out}_unsqueezed") for out in n.outputs]
    g.add("Split", [n.inputs[0], sizes], parts, axis=axis)
    axes = g.ints(n.name + "_axes", [axis])
    for part, out in zip(parts, n.outputs):
        g.add("Squeeze", [part, axes], out)


@converter("transpose")
def convert_transpose(g, n):
    """``transpose(axes)``; empty axes reverse them, as NumPy."""
    perm = list(n.attrs["axes"]) or list(range(n.ndim))[::-1]
    g.add("Transpose", n.inputs, n.name, perm=[p % n.ndim for p in perm])


@converter("expand_dims")
def convert_expand_dims(g, n):
    """``expand_dims(axis)`` -> ``Unsqueeze`` (axes are an input in opset 13); a negative
    axis counts in the output rank."""
    axis = n.attrs["axis"] % (n.ndim + 1)
    g.add("Unsqueeze", [n.inputs[0], g.ints(n.name + "_axes", [axis])], n.name)


@converter("squeeze")
def convert_squeeze(g, n):
    """``squeeze(axis)``; ``axis=None`` removes every size-1 axis."""
    axis = n.attrs["axis"]
    if axis is None:
        axes = [i for i, d in enumerate(n.in_shapes[0]) if d == 1]
    else:
        axes = [a % n.ndim for a in (axis if isinstance(axis, (tuple, list)) else [axis])]
    g.add("Squeeze", [n.inputs[0], g.ints(n.name + "_axes", axes)], n.name)


@converter("slice_axis")
def convert_slice_axis(g, n):
    """``slice_axis(axis, begin, end)`` -> ``Slice``; ``end=None`` slices to the end."""
    a = n.attrs
    end = _INT64_MAX if a["end"] is None else a["end"]
    g.add("Slice", [n.inputs[0], g.ints(n.name + "_starts", [a["begin"]]),
                    g.ints(n.name + "_ends", [end]), g.ints(n.name + "_axes", [a["axis"]])],
          n.name)


def _reduce_axes(n):
    """MXNet's reduction axes (None = all; ``exclude`` = the complement) as a list."""
    axis = n.attrs["axis"]
    if axis is None or axis == ():
        axes = list(range(n.ndim))
    else:
        axes = sorted(a % n.ndim for a in (axis if isinstance(axis, (tuple, list)) else [axis]))
    if n.attrs.get("exclude"):
        axes = [i for i in range(n.ndim) if i not in axes]
    return axes


def _reduce(g, n, onnx_op, axes_as_input):
    """Reduce over MXNet's axes.  Legacy MXNet has no 0-d arrays: reducing every axis
    without keepdims gives shape (1,), so the ONNX scalar is reshaped to [1]."""
    axes = _reduce_axes(n)
    keep = int(n.attrs["keepdims"])
    scalar = not keep and len(axes) == n.ndim
    out = g.fresh(n.name + "_scalar") if scalar else n.name
    if axes_as_input:
        g.add(onnx_op, [n.inputs[0], g.ints(n.name + "_axes", axes)], out, keepdims=keep)
    else:
        g.add(onnx_op, n.inputs, out, axes=axes, keepdims=keep)
    if scalar:
        g.add("Reshape", [out, g.ints(n.name + "_shape", [1])], n.name)


@converter("sum")
def convert_sum(g, n):
    """``sum(axis, keepdims, exclude)`` -> ``ReduceSum`` (axes as an input in opset 13)."""
    _reduce(g, n, "ReduceSum", True)


@converter("mean", "max", "min", "prod")
def convert_reduce(g, n):
    """``mean``/``max``/``min``/``prod`` -> ReduceMean/ReduceMax/ReduceMin/ReduceProd
    (axes as an attribute in opset 13)."""
    onnx_op = {"mean": "ReduceMean", "max": "ReduceMax", "min": "ReduceMin",
               "prod": "ReduceProd"}[n.op]
    _reduce(g, n, onnx_op, False)


@converter("dot")
def convert_dot(g, n):
    """``dot(a, b)`` for a 2-D ``b``: ``MatMul`` (after ``Transpose`` for transpose_a/_b)."""
    a, b = n.inputs
    if len(n.in_shapes[1]) != 2 or (n.attrs["transpose_a"] and n.ndim != 2):
        raise MXNetError("ONNX export: dot is supported for a 2-D right operand only")
    if n.attrs["transpose_a"]:
        a = g.add("Transpose", [a], perm=[1, 0])
    if n.attrs["transpose_b"]:
        b = g.add("Transpose", [b], perm=[1, 0])
    g.add("MatMul", [a, b], n.name)


@converter("batch_dot")
def convert_batch_dot(g, n):
    """``batch_dot(a, b)`` for 3-D operands -> ``MatMul`` (transposes swap the last two axes)."""
    a, b = n.inputs
    if n.attrs["transpose_a"]:
        a = g.add("Transpose", [a], perm=[0, 2, 1])
    if n.attrs["transpose_b"]:
        b = g.add("Transpose", [b], perm=[0, 2, 1])
    g.add("MatMul", [a, b], n.name)

