"""Basic layers: containers, Dense, Dropout, normalization, Embedding, Flatten, lambdas.

Each layer is a ``HybridBlock`` whose ``hybrid_forward`` calls one registered operator
(``F.FullyConnected``, ``F.BatchNorm``, ...).  Layers whose input size may be left out
(``in_units=0``, ``in_channels=0``) override ``infer_shape(x)``: it asks the operator's
own shape rule (``pymx.ops.get_op(name).infer_shape``) for the parameter shapes given
``x.shape`` (see ``_fill_param_shapes``), so deferred initialization works on the
imperative path too.
"""
import warnings

import numpy as np

from ... import ndarray as nd
from ...ops.registry import get_op
from ..block import Block, HybridBlock
from ..parameter import shape_is_known
from ..utils import _indent
from .activations import Activation

__all__ = ["Sequential", "HybridSequential", "Dense", "Dropout", "Embedding", "BatchNorm",
           "BatchNormReLU", "InstanceNorm", "LayerNorm", "GroupNorm", "Flatten", "Lambda",
           "HybridLambda"]


def _fill_param_shapes(op_name, attrs, data_shape, params):
    """Complete the shapes of ``params`` (Parameters or None, in the op's input order
    after ``data``) with the op's shape rule applied to ``data_shape``."""
    op = get_op(op_name)
    a = op.parse_attrs(attrs)
    known = [p.shape if p is not None and shape_is_known(p.shape) else None for p in params]
    in_shapes, _ = op.infer_shape(a, [tuple(data_shape)] + known)
    for p, s in zip(params, in_shapes[1:]):
        if p is not None and s is not None and not shape_is_known(p.shape):
            p.shape = tuple(s)


class Sequential(Block):
    """Run children one after another: ``net.add(a, b)``; ``net(x) = b(a(x))``.
    Supports ``len(net)``, ``net[i]`` and slices (a new Sequential of the same children)."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks):
        """Append blocks."""
        for block in blocks:
            self.register_child(block)

    def forward(self, x):
        for block in self._children.values():
            x = block(x)
        return x

    def __repr__(self):
        modstr = "\n".join(f"  ({key}): {_indent(repr(block), 2)}"
                           for key, block in self._children.items())
        return f"{self.__class__.__name__}(\n{modstr}\n)"

    def __getitem__(self, key):
        layers = list(self._children.values())[key]
        if isinstance(layers, list):
            net = type(self)(prefix=self._prefix)
            with net.name_scope():
                net.add(*layers)
            return net
        return layers

    def __len__(self):
        return len(self._children)

    def hybridize(self, active=True, **kwargs):
        """Hybridize the hybrid children (warns: use HybridSequential instead when all
        children are hybrid, so the whole stack becomes one graph)."""
        if self._children and all(isinstance(c, HybridBlock) for c in self._children.values()):
            warnings.warn(f"All children of this Sequential layer '{self.prefix}' are "
                          "HybridBlocks. Consider using HybridSequential for the best "
                          "performance.", stacklevel=2)
        super().hybridize(active, **kwargs)


class HybridSequential(HybridBlock):
    """Sequential for HybridBlocks (the whole stack can be hybridized as one graph)."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks):
        """Append blocks."""
        for block in blocks:
            self.register_child(block)

    def hybrid_forward(self, F, x):
        for block in self._children.values():
            x = block(x)
        return x

    __repr__ = Sequential.__repr__
    __getitem__ = Sequential.__getitem__
    __len__ = Sequential.__len__


class Dense(HybridBlock):
    """A fully connected layer: ``out = activation(x . weight^T + bias)``.

    Shapes: ``weight`` (units, in_units), ``bias`` (units,).  With ``flatten=True`` the
    input (N, d1, d2, ...) is seen as (N, d1*d2*...) and the output is (N, units); with
    ``flatten=False`` only the last axis is transformed: (x1, ..., xn, in_units) ->
    (x1, ..., xn, units).  ``in_units=0`` defers the weight's shape to the first call.
    """

    def __init__(self, units, activation=None, use_bias=True, flatten=True,
                 dtype="float32", weight_initializer=None, bias_initializer="zeros",
                 in_units=0, **kwargs):
        super().__init__(**kwargs)
        self._flatten = flatten
        with self.name_scope():
            self._units = units
            self._in_units = in_units
            self.weight = self.params.get("weight", shape=(units, in_units),
                                          init=weight_initializer, dtype=dtype,
                                          allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(units,), init=bias_initializer,
                                            dtype=dtype, allow_deferred_init=True)
            else:
                self.bias = None
            self.act = Activation(activation, prefix=activation + "_") \
                if activation is not None else None

    def infer_shape(self, x, *args):
        _fill_param_shapes("FullyConnected",
                           dict(num_hidden=self._units, no_bias=self.bias is None,
                                flatten=self._flatten),
                           x.shape, [self.weight] + ([self.bias] if self.bias is not None else []))

    def hybrid_forward(self, F, x, weight, bias=None):
        inputs = (x, weight) if bias is None else (x, weight, bias)
        act = F.FullyConnected(*inputs, no_bias=bias is None, num_hidden=self._units,
                               flatten=self._flatten, name="fwd")
        if self.act is not None:
            act = self.act(act)
        return act

    def __repr__(self):
        shape = self.weight.shape
        layout = f"{shape[1] if shape[1] else None} -> {shape[0]}"
        return f"{self.__class__.__name__}({layout}, {self.act if self.act else 'linear'})"


class Dropout(HybridBlock):
    """Zero each element with probability ``rate`` in training (and scale the rest by
    ``1/(1-rate)``); the identity in prediction.  ``axes``: axes along which one mask
    value is shared (e.g. whole channels)."""

    def __init__(self, rate, axes=(), **kwargs):
        super().__init__(**kwargs)
        self._rate = rate
        self._axes = axes

    def hybrid_forward(self, F, x):
        if self._rate > 0:
            return F.Dropout(x, p=self._rate, axes=self._axes, name="fwd", cudnn_off=False)
        return F.identity(x)

    def __repr__(self):
        return f"{self.__class__.__name__}(p = {self._rate}, axes={self._axes})"


class _BatchNorm(HybridBlock):
    """Batch normalization (Ioffe & Szegedy 2015) over every axis but ``axis``.

    Training: ``y = gamma * (x - mean_B) / sqrt(var_B + eps) + beta`` with the batch's
    mean and **biased** variance, and the running statistics move:
    ``running = running * momentum + batch * (1 - momentum)``.  Prediction (or
    ``use_global_stats=True``): the running statistics are used instead.

    ``running_mean``/``running_var`` are auxiliary states: parameters with
    ``grad_req='null'`` that the operator updates itself.  ``scale=False`` passes
    ``fix_gamma=True`` (gamma held at 1) and ``center=False`` freezes beta.

    As in MXNet 1.9.1 on CPU, the running statistics move in the *backward* pass: a
    forward + backward under ``record()`` moves them once; a training-mode forward
    alone (``autograd.train_mode()``) does not (cuDNN on GPUs moves them in the forward).
    """

    fuse_relu = False              # BatchNormReLU: a relu after the normalization

    def __init__(self, axis=1, momentum=0.9, epsilon=1e-5, center=True, scale=True,
                 use_global_stats=False, beta_initializer="zeros",
                 gamma_initializer="ones", running_mean_initializer="zeros",
                 running_variance_initializer="ones", in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"axis": axis, "eps": epsilon, "momentum": momentum,
                        "fix_gamma": not scale, "use_global_stats": use_global_stats}
        if in_channels != 0:
            self.in_channels = in_channels
        self.gamma = self.params.get("gamma", grad_req="write" if scale else "null",
                                     shape=(in_channels,), init=gamma_initializer,
                                     allow_deferred_init=True, differentiable=scale)
        self.beta = self.params.get("beta", grad_req="write" if center else "null",
                                    shape=(in_channels,), init=beta_initializer,
                                    allow_deferred_init=True, differentiable=center)
        self.running_mean = self.params.get("running_mean", grad_req="null",
                                            shape=(in_channels,),
                                            init=running_mean_initializer,
                                            allow_deferred_init=True, differentiable=False)
        self.running_var = self.params.get("running_var", grad_req="null",
                                           shape=(in_channels,),
                                           init=running_variance_initializer,
                                           allow_deferred_init=True, differentiable=False)

    def infer_shape(self, x, *args):
        c = x.shape[self._kwargs["axis"]]
        for p in (self.gamma, self.beta, self.running_mean, self.running_var):
            p.shape = (c,)

    def cast(self, dtype):
        if np.dtype(dtype).name == "float16":      # BatchNorm keeps float32 statistics
            dtype = "float32"
        super().cast(dtype)

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        out = F.BatchNorm(x, gamma, beta, running_mean, running_var, name="fwd",
                          **self._kwargs)
        if self.fuse_relu:
            out = F.relu(out)
        return out

    def __repr__(self):
        in_channels = self.gamma.shape[0]
        content = ", ".join(f"{k}={v!r}" for k, v in self._kwargs.items())
        return f"{self.__class__.__name__}({content}, " \
               f"in_channels={in_channels if in_channels else None})"


class BatchNorm(_BatchNorm):
    __doc__ = _BatchNorm.__doc__


class BatchNormReLU(_BatchNorm):
    """``BatchNorm`` followed by ``relu`` (MXNet fuses the two into
    ``contrib.BatchNormWithReLU``; pymx runs them one after the other)."""
    fuse_relu = True


class Embedding(HybridBlock):
    """A lookup table: row ``i`` of ``weight`` (input_dim, output_dim) for each index
    ``i`` of the input; output shape ``x.shape + (output_dim,)``."""

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None,
                 sparse_grad=False, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype,
                        "sparse_grad": sparse_grad}
        self.weight = self.params.get("weight", shape=(input_dim, output_dim),
                                      init=weight_initializer, dtype=dtype,
                                      allow_deferred_init=True,
                                      grad_stype="row_sparse" if sparse_grad else "default")

    def hybrid_forward(self, F, x, weight):
        return F.Embedding(x, weight, name="fwd", **self._kwargs)

    def __repr__(self):
        k = self._kwargs
        return f"{self.__class__.__name__}({k['input_dim']} -> {k['output_dim']}, " \
               f"{k['dtype']})"


class Flatten(HybridBlock):
    """(N, d1, d2, ...) -> (N, d1*d2*...)."""

    def hybrid_forward(self, F, x):
        return F.flatten(x)

    def __repr__(self):
        return self.__class__.__name__


def _gamma_beta(params, size, scale, center, gamma_initializer, beta_initializer):
    """The (size,) ``gamma`` and ``beta`` of a normalization layer, created in ``params``
    (deferred; ``grad_req='null'`` when ``scale``/``center`` is off)."""
    gamma = params.get("gamma", grad_req="write" if scale else "null", shape=(size,),
                       init=gamma_initializer, allow_deferred_init=True)
    beta = params.get("beta", grad_req="write" if center else "null", shape=(size,),
                      init=beta_initializer, allow_deferred_init=True)
    return gamma, beta


class InstanceNorm(HybridBlock):
    """Instance normalization (Ulyanov et al. 2016): each (sample, channel) slice is
    normalized over its other axes, ``out = (x - mean) / sqrt(var + eps) * gamma + beta``
    with per-channel ``gamma``/``beta`` of shape (C,).  ``axis`` is the channel axis.
    Note MXNet's default ``scale=False`` (gamma is not trained)."""

    def __init__(self, axis=1, epsilon=1e-5, center=True, scale=False,
                 beta_initializer="zeros", gamma_initializer="ones", in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self.gamma, self.beta = _gamma_beta(self.params, in_channels, scale, center,
                                            gamma_initializer, beta_initializer)

    def infer_shape(self, x, *args):
        c = x.shape[self._axis]
        self.gamma.shape = (c,)
        self.beta.shape = (c,)

    def hybrid_forward(self, F, x, gamma, beta):
        if self._axis == 1:
            return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon)
        x = x.swapaxes(1, self._axis)
        return F.InstanceNorm(x, gamma, beta, name="fwd",
                              eps=self._epsilon).swapaxes(1, self._axis)

    def __repr__(self):
        content = ", ".join(f"{k}={v!r}" for k, v in self._kwargs.items())
        return f"{self.__class__.__name__}({content}, in_channels={self.gamma.shape[0]})"


class LayerNorm(HybridBlock):
    """Layer normalization (Ba et al. 2016): normalize along ``axis`` (default the
    last), then scale and shift by ``gamma``/``beta`` of shape (x.shape[axis],)."""

    def __init__(self, axis=-1, epsilon=1e-5, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", in_channels=0,
                 prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self.gamma, self.beta = _gamma_beta(self.params, in_channels, scale, center,
                                            gamma_initializer, beta_initializer)

    infer_shape = InstanceNorm.infer_shape

    def hybrid_forward(self, F, data, gamma, beta):
        return F.LayerNorm(data, gamma=gamma, beta=beta, axis=self._axis, eps=self._epsilon)

    __repr__ = InstanceNorm.__repr__


class GroupNorm(HybridBlock):
    """Group normalization (Wu & He 2018): the channels (axis 1) are split into
    ``num_groups`` groups and each (sample, group) is normalized.  MXNet 1.9.1 quirk:
    ``gamma``/``beta`` have shape (num_groups,), one per group, not per channel."""

    def __init__(self, num_groups=1, epsilon=1e-5, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", prefix=None,
                 params=None):
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "num_groups": num_groups, "center": center,
                        "scale": scale}
        self._num_groups = num_groups
        self._epsilon = epsilon
        self.gamma, self.beta = _gamma_beta(self.params, num_groups, scale, center,
                                            gamma_initializer, beta_initializer)

    def hybrid_forward(self, F, data, gamma, beta):
        return F.GroupNorm(data, gamma=gamma, beta=beta, num_groups=self._num_groups,
                           eps=self._epsilon)

    def __repr__(self):
        content = ", ".join(f"{k}={v!r}" for k, v in self._kwargs.items())
        return f"{self.__class__.__name__}({content})"


class Lambda(Block):
    """Wrap a function (or the name of an ``mx.nd`` operator) as a Block:
    ``Lambda('tanh')``, ``Lambda(lambda x: x * 2)``."""

    def __init__(self, function, prefix=None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise AssertionError(f"Function name {function} is not found in ndarray.")
            self._func_impl = getattr(nd, function)
        elif callable(function):
            self._func_impl = function
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type "
                             f"{type(function)}")

    def forward(self, *args):
        return self._func_impl(*args)

    def __repr__(self):
        return f"{self.__class__.__name__}({self._func_impl.__name__})"


class HybridLambda(HybridBlock):
    """Wrap ``function(F, x, *args)`` (or an operator name available in both ``mx.nd``
    and ``mx.sym``) as a HybridBlock."""

    def __init__(self, function, prefix=None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise AssertionError(f"Function name {function} is not found in "
                                     "symbol/ndarray.")
            self._func = lambda F, *args: getattr(F, function)(*args)
            self._func_name = function
        elif callable(function):
            self._func = function
            self._func_name = function.__name__
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type "
                             f"{type(function)}")

    def hybrid_forward(self, F, x, *args):
        return self._func(F, x, *args)

    def __repr__(self):
        return f"{self.__class__.__name__}({self._func_name})"
