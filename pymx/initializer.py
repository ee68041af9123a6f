"""``mx.init``: how parameters get their first values.

An initializer is called as ``init(desc, arr)`` and fills the NDArray ``arr`` in place.
``desc`` is an ``InitDesc``: the parameter's *name* (a ``str`` subclass) plus its
symbol attributes and the global initializer.  Two paths, as in MXNet 1.9.1:

* **By name (Module/Symbol path).**  The base class ``__call__`` dispatches on the name's
  suffix: ``*weight`` -> ``_init_weight`` (the subclass's rule: Xavier, Normal, ...),
  ``*bias`` -> 0, ``*gamma`` -> 1, ``*beta`` -> 0, ``*min`` -> 0, ``*max`` -> 1.  An
  ``__init__`` attribute on the variable wins over the suffix (``desc.attrs['__init__']``,
  a JSON string like ``'["constant", {"value": 0.25}]'``: PReLU's gamma gets 0.25 that
  way).  A plain ``str`` instead of an ``InitDesc`` takes MXNet's older *legacy* path
  (with a DeprecationWarning), which also knows ``moving_mean`` -> 0, ``moving_var`` -> 1,
  ``moving_inv_var``/``moving_avg`` -> 0 and ``upsampling*`` -> bilinear.
  pymx extension: on the ``InitDesc`` path MXNet raises for ``*moving_mean`` and
  ``*moving_var`` without an ``__init__`` attribute (MXNet's BatchNorm always sets one);
  pymx fills them with 0 and 1 instead of raising.
* **Gluon path.**  ``Parameter.initialize`` calls ``init._init_weight(name, arr)``
  directly for *every* parameter, so layers pass ``bias_initializer='zeros'`` etc.

Random initializers draw through ``mx.nd.random.uniform/normal(..., out=arr)`` (through
``mx.np.random`` under ``npx.set_np()``, as MXNet 1.9.1), so
``mx.random.seed(n)`` makes them reproducible.

``dumps()`` gives the JSON that ``create`` reads back: ``Constant(1).dumps() ==
'["constant", {"value": 1}]'``, and ``create('xavier')``, ``create('["xavier", {...}]')``
or ``create(Xavier())`` all give an initializer.
"""
import json
import logging
import re
import warnings
from math import sqrt

import numpy as np

from . import ndarray as nd
from .ndarray import NDArray

__all__ = ["InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed", "Zero",
           "One", "Constant", "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu",
           "Bilinear", "LSTMBias", "FusedRNN"]

#: lower-case name (and aliases) -> Initializer subclass
_REGISTRY = {}



def _random(name):
    """``mx.nd.random.<name>``, or ``mx.np.random.<name>`` under ``npx.set_np()``: MXNet
    1.9.1's Uniform, Normal and Xavier switch like this, so in NumPy mode they draw
    from MXNet's serial generator instead of the parallel one (other numbers)."""
    from .util import is_np_array
    if is_np_array():
        from .numpy import random as np_random
        return getattr(np_random, name)
    return getattr(nd.random, name)

class InitDesc(str):
    """A parameter name carrying what the initializer may need.

    Parameters
    ----------
    name : str
        The parameter's name (the string value of the descriptor).
    attrs : dict of str to str
        The variable's attributes (``__init__``, ``__lr_mult__``, ...).
    global_init : Initializer
        The initializer of the whole model (set on first use if None).
    """

    def __new__(cls, name, attrs=None, global_init=None):
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


def register(klass):
    """Class decorator: make ``klass`` creatable by its lower-cased class name."""
    assert issubclass(klass, Initializer), "Can only register subclass of Initializer"
    name = klass.__name__.lower()
    if name in _REGISTRY:
        warnings.warn(f"New initializer {klass.__module__}.{klass.__name__} is overriding "
                      f"existing initializer {_REGISTRY[name].__module__}."
                      f"{_REGISTRY[name].__name__}", UserWarning, stacklevel=2)
    _REGISTRY[name] = klass
    return klass


def alias(*aliases):
    """Class decorator: register ``klass`` under extra names too (``@alias('zeros')``)."""
    def reg(klass):
        for name in aliases:
            _REGISTRY[name.lower()] = klass
        return klass
    return reg


def create(*args, **kwargs):
    """An initializer from an instance (returned as is), a name (``'xavier'``), a JSON
    string (``'["xavier", {"magnitude": 2}]'``) or a dict; extra arguments go to the
    constructor."""
    name, args = (args[0], args[1:]) if args else (kwargs.pop("initializer"), ())
    if isinstance(name, Initializer):
        assert not args and not kwargs, "create() with an instance takes no other arguments"
        return name
    if isinstance(name, dict):
        return create(**name)
    if not isinstance(name, str):
        # MXNet's registry asserts (so ``net.initialize(init.Mixed(...))``, a Mixed not
        # being an Initializer, fails with AssertionError there too)
        raise AssertionError(f"initializer must be of string type or an Initializer, got "
                             f"{type(name)}")
    if name.startswith("["):
        assert not args and not kwargs
        name, kwargs = json.loads(name)
        return create(name, **kwargs)
    if name.startswith("{"):
        assert not args and not kwargs
        return create(**json.loads(name))
    if name.lower() not in _REGISTRY:          # MXNet's registry asserts
        raise AssertionError(f"Cannot find initializer {name}; registered: "
                             f"{sorted(_REGISTRY)}")
    return _REGISTRY[name.lower()](*args, **kwargs)


def _fill(arr, value):
    """Write ``value`` (a scalar or an array-like) into every element of ``arr``."""
    if isinstance(value, NDArray):
        value.copyto(arr)
        return
    value = np.asarray(value, dtype=arr.dtype)
    nd.array(np.broadcast_to(value, arr.shape), ctx=arr.context, dtype=arr.dtype).copyto(arr)


class Initializer:
    """The base class: suffix dispatch (see the module doc) plus ``dumps``.

    Subclasses implement ``_init_weight(name, arr)``; the constructor's keyword arguments
    are kept in ``self._kwargs`` so that ``dumps()`` can serialise the initializer.
    """

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose=False, print_func=None):
        """Log every initialized array (with ``print_func(arr)``, default its RMS)."""
        self._verbose = verbose
        if print_func is None:
            def print_func(x):
                a = x.asnumpy().astype(np.float64)
                return str(np.sqrt((a * a).sum()) / sqrt(max(a.size, 1)))
        self._print_func = print_func
        return self

    def _verbose_print(self, desc, init, arr):
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self):
        """``'["<lowercased class name>", {kwargs}]'``, readable by ``create``."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, desc, arr):
        """Fill ``arr`` according to ``desc`` (an ``InitDesc``, or a legacy plain name)."""
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        for suffix, method in (("weight", self._init_weight), ("bias", self._init_bias),
                               ("gamma", self._init_gamma), ("beta", self._init_beta),
                               ("min", self._init_zero), ("max", self._init_one),
                               ("moving_mean", self._init_zero),     # pymx extension
                               ("moving_var", self._init_one)):      # pymx extension
            if desc.endswith(suffix):
                method(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name, arr):
        """MXNet's pre-InitDesc dispatch on a plain string name (deprecated)."""
        warnings.warn("Calling initializer with init(str, NDArray) has been deprecated. "
                      "please use init(mx.init.InitDesc(...), NDArray) instead.",
                      DeprecationWarning, stacklevel=3)
        if not isinstance(name, str):
            raise TypeError("name must be string")
        if not isinstance(arr, NDArray):
            raise TypeError("arr must be NDArray")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        elif name.endswith("bias"):
            self._init_bias(name, arr)
        elif name.endswith("gamma"):
            self._init_gamma(name, arr)
        elif name.endswith("beta"):
            self._init_beta(name, arr)
        elif name.endswith("weight"):
            self._init_weight(name, arr)
        elif name.endswith("moving_mean") or name.endswith("moving_inv_var") \
                or name.endswith("moving_avg") or name.endswith("min"):
            self._init_zero(name, arr)
        elif name.endswith("moving_var") or name.endswith("max"):
            self._init_one(name, arr)
        else:
            self._init_default(name, arr)

    def _init_bilinear(self, _, arr):
        _fill(arr, _bilinear_kernel(arr.shape))

    def _init_loc_bias(self, _, arr):
        assert arr.shape[0] == 6
        _fill(arr, np.array([1.0, 0, 0, 0, 1.0, 0]))

    def _init_zero(self, _, arr):
        _fill(arr, 0.0)

    def _init_one(self, _, arr):
        _fill(arr, 1.0)

    def _init_bias(self, _, arr):
        _fill(arr, 0.0)

    def _init_gamma(self, _, arr):
        _fill(arr, 1.0)

    def _init_beta(self, _, arr):
        _fill(arr, 0.0)

    def _init_weight(self, name, arr):
        raise NotImplementedError("Must override it")

    def _init_default(self, name, _):
        raise ValueError(
            f"Unknown initialization pattern for {name}. Default initialization is now "
            'limited to "weight", "bias", "gamma" (1.0), and "beta" (0.0).Please use '
            "mx.sym.Variable(init=mx.init.*) to set initialization pattern")

    def __eq__(self, other):
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = object.__hash__


def _bilinear_kernel(shape):
    """The weights of a bilinear-upsampling deconvolution kernel of ``shape``
    (..., kh, kw): ``(1 - |x/f - c|) * (1 - |y/f - c|)`` with ``f = ceil(kw/2)`` and
    ``c = (2f - 1 - f%2) / (2f)``."""
    f = np.ceil(shape[3] / 2.)
    c = (2 * f - 1 - f % 2) / (2. * f)
    x = np.arange(shape[3])
    y = np.arange(shape[2])
    kern = np.outer(1 - np.abs(y / f - c), 1 - np.abs(x / f - c)).astype(np.float32)
    return np.broadcast_to(kern, shape)


class Load:
    """Initialize from saved arrays: ``param`` is a dict name -> NDArray or a file name
    for ``mx.nd.load``; ``arg:``/``aux:`` prefixes are stripped.  Names not found use
    ``default_init`` (an AssertionError if there is none); shapes must match."""

    def __init__(self, param, default_init=None, verbose=False):
        if isinstance(param, str):
            param = nd.load(param)
        assert isinstance(param, dict)
        self.param = {}
        for name, arr in param.items():
            if name.startswith("arg:") or name.startswith("aux:"):
                self.param[name[4:]] = arr
            else:
                self.param[name] = arr
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name, arr):
        if name in self.param:
            assert arr.shape == self.param[name].shape, \
                f"Parameter {name} cannot be initialized from loading. Shape mismatch, " \
                f"target {arr.shape} vs loaded {self.param[name].shape}"
            self.param[name].copyto(arr)
            if self.verbose:
                logging.info("Initialized %s by loading", name)
        else:
            assert self.default_init is not None, \
                f"Cannot Initialize {name}. Not found in loaded param and no default " \
                "Initializer is provided."
            self.default_init(name, arr)
            if self.verbose:
                logging.info("Initialized %s by default", name)


class Mixed:
    """Pick the initializer by regex: the first of ``patterns`` that ``re.match``es the
    name wins (end with ``'.*'`` for a default); no match raises ValueError."""

    def __init__(self, patterns, initializers):
        assert len(patterns) == len(initializers)
        self.map = list(zip([re.compile(p) for p in patterns], initializers))

    def __call__(self, name, arr):
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError(f"Parameter name {name} did not match any pattern. Consider add a "
                         '".*" pattern at the and with default Initializer.')


@register
@alias("zeros")
class Zero(Initializer):
    """Weights 0 (``'zero'``, ``'zeros'``)."""

    def _init_weight(self, _, arr):
        _fill(arr, 0)


@register
@alias("ones")
class One(Initializer):
    """Weights 1 (``'one'``, ``'ones'``)."""

    def _init_weight(self, _, arr):
        _fill(arr, 1)


@register
class Constant(Initializer):
    """Weights ``value`` (a scalar, or an array broadcast to the weight's shape)."""

    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        _fill(arr, self.value)

    def dumps(self):
        val = self._kwargs["value"]
        if not np.isscalar(val):
            self._kwargs["value"] = val.tolist() if isinstance(val, np.ndarray) \
                else val.asnumpy().tolist()
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])


@register
class Uniform(Initializer):
    """Weights drawn from U(-scale, scale); default scale 0.07."""

    def __init__(self, scale=0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        _random("uniform")(-self.scale, self.scale, arr.shape, out=arr)


@register
class Normal(Initializer):
    """Weights drawn from N(0, sigma^2); default sigma 0.01."""

    def __init__(self, sigma=0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        _random("normal")(0, self.sigma, arr.shape, out=arr)


@register
class Orthogonal(Initializer):
    """A random orthogonal matrix times ``scale`` (Saxe et al. 2013).

    A (nout, nin) matrix of U(-1,1) ('uniform') or N(0,1) ('normal') numbers, nin =
    prod(shape[1:]), is decomposed by SVD ``u s v``; the factor with the matrix's shape
    (``u`` if nout >= nin, else ``v``) has orthonormal columns or rows, and is reshaped to
    the weight's shape.  The SVD runs on the host (NumPy), as in MXNet.
    """

    def __init__(self, scale=1.414, rand_type="uniform"):
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, _, arr):
        nout = arr.shape[0]
        nin = int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            tmp = nd.random.uniform(-1.0, 1.0, shape=(nout, nin)).asnumpy()
        elif self.rand_type == "normal":
            tmp = nd.random.normal(0.0, 1.0, shape=(nout, nin)).asnumpy()
        else:
            raise ValueError(f"Unknown rand_type {self.rand_type!r}")
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        _fill(arr, self.scale * res.reshape(arr.shape))


@register
class Xavier(Initializer):
    """Glorot & Bengio's initializer: variance set by the layer's fan-in/fan-out.

    For a weight of shape (out, in, *kernel): ``fan_in = in * prod(kernel)``,
    ``fan_out = out * prod(kernel)``; ``factor`` is their mean ('avg'), ``fan_in`` ('in')
    or ``fan_out`` ('out'); ``scale = sqrt(magnitude / factor)``.  Values are
    U(-scale, scale) ('uniform') or N(0, scale^2) ('gaussian').  Arrays with fewer than 2
    dimensions raise ValueError (a bias has no fan-in).

    ``Xavier(rnd_type='gaussian', factor_type='in', magnitude=2)`` is He/MSRA init.
    """

    def __init__(self, rnd_type="uniform", factor_type="avg", magnitude=3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name, arr):
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. It "
                             "requires at least 2D.")
        hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError("Incorrect factor type")
        scale = float(np.sqrt(self.magnitude / factor))
        if self.rnd_type == "uniform":
            _random("uniform")(-scale, scale, arr.shape, out=arr)
        elif self.rnd_type == "gaussian":
            _random("normal")(0, scale, arr.shape, out=arr)
        else:
            raise ValueError("Unknown random type")


@register
class MSRAPrelu(Xavier):
    """He et al.'s initializer for PReLU nets: Gaussian Xavier with
    ``magnitude = 2 / (1 + slope^2)`` (slope 0 gives ReLU's 2)."""

    def __init__(self, factor_type="avg", slope=0.25):
        magnitude = 2. / (1 + slope ** 2)
        super().__init__("gaussian", factor_type, magnitude)
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """A bilinear-upsampling kernel, for a Deconvolution weight of shape
    (C, 1, k, k) (see ``_bilinear_kernel``)."""

    def _init_weight(self, _, arr):
        _fill(arr, _bilinear_kernel(arr.shape))


@register
class LSTMBias(Initializer):
    """An LSTM's bias (4 gates of ``num_hidden`` each, in MXNet's i, f, c, o order): 0,
    except the forget gate's ``forget_bias`` (default 1, Jozefowicz et al. 2015)."""

    def __init__(self, forget_bias=1.0):
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name, arr):
        num_hidden = int(arr.shape[0] / 4)
        value = np.zeros(arr.shape, dtype=np.float64)
        value[num_hidden:2 * num_hidden] = self.forget_bias
        _fill(arr, value)


@register
class FusedRNN(Initializer):
    """Initializer for the packed parameter vector of a fused RNN layer
    (``mx.rnn.FusedRNNCell``'s ``parameters``).

    The vector is unpacked into one array per gate (``l0_i2h_f_weight``...), each
    filled by ``init`` (default: the global initializer, which dispatches on the
    ``_weight``/``_bias`` suffix), LSTM forget-gate biases set to ``forget_bias``, and
    packed back.
    """

    def __init__(self, init, num_hidden, num_layers, mode, bidirectional=False,
                 forget_bias=1.0):
        if isinstance(init, str):
            klass, kwargs = json.loads(init)
            init = _REGISTRY[klass.lower()](**kwargs)
        super().__init__(init=init.dumps() if init is not None else None,
                         num_hidden=num_hidden, num_layers=num_layers, mode=mode,
                         bidirectional=bidirectional, forget_bias=forget_bias)
        self._init = init
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._forget_bias = forget_bias

    def _init_weight(self, desc, arr):
        from .rnn import rnn_cell
        cell = rnn_cell.FusedRNNCell(self._num_hidden, self._num_layers, self._mode,
                                     self._bidirectional, forget_bias=self._forget_bias,
                                     prefix="")
        args = cell.unpack_weights({"parameters": arr})
        for name in args:
            arg_desc = InitDesc(name, global_init=desc.global_init)
            if self._mode == "lstm" and name.endswith("_f_bias"):
                args[name][:] = self._forget_bias
            elif self._init is None:
                desc.global_init(arg_desc, args[name])
            else:
                self._init(arg_desc, args[name])
        arr[:] = cell.pack_weights(args)["parameters"]
