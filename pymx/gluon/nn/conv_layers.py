"""Convolution, transposed convolution, pooling and padding layers.

``Conv2D(channels, kernel_size)`` holds ``weight`` (channels, in_channels/groups, kh, kw)
and ``bias`` (channels,) and calls ``F.Convolution``.  The output size along each
spatial axis is ``floor((in + 2*pad - dilation*(k-1) - 1) / stride) + 1``.

``Conv2DTranspose`` is the gradient of a convolution with respect to its input
(``F.Deconvolution``): ``weight`` is (in_channels, channels/groups, kh, kw) and
``out = (in - 1)*stride - 2*pad + dilation*(k-1) + 1 + output_padding``.

Pooling layers call ``F.Pooling``; ``strides=None`` means ``strides = pool_size`` and
``ceil_mode=True`` is MXNet's ``pooling_convention='full'``.  The ``Global*`` layers
reduce every spatial axis to size 1.

Weight shapes, including which dimension is the (maybe unknown) input channel count,
come from the operators' own shape rules (``_weight_shapes``).
"""
from numbers import Integral

from ...base import MXNetError
from ...ops.registry import get_op
from ..block import HybridBlock
from .activations import Activation
from .basic_layers import _fill_param_shapes

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
           "Conv3DTranspose", "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D",
           "AvgPool2D", "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "ReflectionPad2D"]


def _tuple(v, n):
    return (v,) * n if isinstance(v, Integral) else tuple(v)


def _weight_shapes(op_name, kwargs, in_channels):
    """(weight shape, bias shape) of a convolution op, with 0 for the dimensions that
    depend on ``in_channels`` when it is 0 (unknown).

    The op's shape rule is asked twice with made-up inputs of 1 and 2 channel groups;
    the dimensions that differ are the ones that depend on the input channels.
    """
    op = get_op(op_name)
    a = op.parse_attrs(kwargs)
    layout = kwargs.get("layout") or "NC" + "DHW"[-len(kwargs["kernel"]):]
    groups = kwargs["num_group"]

    def shapes(c):
        dshape = [1] * len(layout)
        dshape[layout.find("C")] = c
        for i, ch in enumerate(layout):
            if ch not in "NC":
                dshape[i] = 64                                  # any large spatial size
        ins, _ = op.infer_shape(a, [tuple(dshape)] + [None] * (len(op.input_names(a)) - 1))
        return ins[1:]

    if in_channels:
        found = shapes(in_channels)
    else:
        s1, s2 = shapes(groups), shapes(2 * groups)
        found = [tuple(d1 if d1 == d2 else 0 for d1, d2 in zip(x, y)) for x, y in zip(s1, s2)]
    return found[0], (found[1] if len(found) > 1 else None)


class _Conv(HybridBlock):
    """The shared body of the convolution layers (``op_name`` Convolution or
    Deconvolution)."""

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, layout,
                 in_channels=0, activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", op_name="Convolution", adj=None, prefix=None,
                 params=None):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            n = len(kernel_size)
            self._op_name = op_name
            self._kwargs = {"kernel": tuple(kernel_size), "stride": _tuple(strides, n),
                            "dilate": _tuple(dilation, n), "pad": _tuple(padding, n),
                            "num_filter": channels, "num_group": groups,
                            "no_bias": not use_bias, "layout": layout}
            if adj is not None:
                self._kwargs["adj"] = _tuple(adj, n)
            if op_name == "Deconvolution" and not in_channels and (2**64 - 1) % groups:
                # MXNet infers the weight shape with the unknown channel count -1, read
                # as the unsigned 2**64 - 1 by Deconvolution's "channels % groups == 0"
                # check: groups 3, 5, 15, 17, ... pass, groups 2, 4, 6, ... fail
                raise MXNetError(f"{self.__class__.__name__}: groups={groups} needs "
                                 "in_channels (input num_filter must divide group size)")
            wshape, bshape = _weight_shapes(op_name, self._kwargs, in_channels)
            self.weight = self.params.get("weight", shape=wshape, init=weight_initializer,
                                          allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=bshape, init=bias_initializer,
                                            allow_deferred_init=True)
            else:
                self.bias = None
            self.act = Activation(activation, prefix=activation + "_") \
                if activation is not None else None

    def _alias(self):
        return "conv"

    def infer_shape(self, x, *args):
        _fill_param_shapes(self._op_name, self._kwargs, x.shape,
                           [self.weight] + ([self.bias] if self.bias is not None else []))

    def hybrid_forward(self, F, x, weight, bias=None):
        op = getattr(F, self._op_name)
        if bias is None:
            act = op(x, weight, name="fwd", **self._kwargs)
        else:
            act = op(x, weight, bias, name="fwd", **self._kwargs)
        if self.act is not None:
            act = self.act(act)
        return act

    def __repr__(self):
        k = self._kwargs
        n = len(k["kernel"])
        s = f"{self.__class__.__name__}({{mapping}}, kernel_size={k['kernel']}, " \
            f"stride={k['stride']}"
        if k["pad"] != (0,) * n:
            s += f", padding={k['pad']}"
        if k["dilate"] != (1,) * n:
            s += f", dilation={k['dilate']}"
        if getattr(self, "outpad", (0,) * n) != (0,) * n:
            s += f", output_padding={self.outpad}"
        if k["num_group"] != 1:
            s += f", groups={k['num_group']}"
        if self.bias is None:
            s += ", bias=False"
        if self.act:
            s += f", {self.act}"
        s += ")"
        shape = self.weight.shape
        return s.format(mapping=f"{shape[1] if shape[1] else None} -> {shape[0]}")


def _make_conv(name, ndim, transpose, layouts):
    default_layout = layouts[0]

    def __init__(self, channels, kernel_size, strides=1, padding=0, *args, **kwargs):
        # MXNet's argument order: (..., padding, [output_padding,] dilation, groups,
        # layout, activation, use_bias, weight_initializer, bias_initializer, in_channels)
        names = (["output_padding"] if transpose else []) + \
            ["dilation", "groups", "layout", "activation", "use_bias", "weight_initializer",
             "bias_initializer", "in_channels"]
        defaults = ({"output_padding": 0} if transpose else {})
        defaults.update(dilation=1, groups=1, layout=default_layout, activation=None,
                        use_bias=True, weight_initializer=None, bias_initializer="zeros",
                        in_channels=0)
        if len(args) > len(names):
            raise TypeError(f"{name}() takes at most {len(names) + 4} positional arguments")
        for n_, v in zip(names, args):
            if n_ in kwargs:
                raise TypeError(f"{name}() got multiple values for argument '{n_}'")
            kwargs[n_] = v
        for n_, v in defaults.items():
            kwargs.setdefault(n_, v)
        layout = kwargs.pop("layout")
        if layout not in layouts:
            raise AssertionError(f"Only supports {' and '.join(repr(l) for l in layouts)} "
                                 "layout for now")
        kernel_size = _tuple(kernel_size, ndim)
        if len(kernel_size) != ndim:
            raise AssertionError(f"kernel_size must be a number or a list of {ndim} ints")
        adj = None
        if transpose:
            adj = _tuple(kwargs.pop("output_padding"), ndim)
            if len(adj) != ndim:
                raise AssertionError(f"output_padding must be a number or a list of {ndim} "
                                     "ints")
        op_name = kwargs.pop("op_name", "Deconvolution" if transpose else "Convolution")
        _Conv.__init__(self, channels, kernel_size, strides, padding,
                       kwargs.pop("dilation"), kwargs.pop("groups"), layout,
                       kwargs.pop("in_channels"), kwargs.pop("activation"),
                       kwargs.pop("use_bias"), kwargs.pop("weight_initializer"),
                       kwargs.pop("bias_initializer"), op_name=op_name, adj=adj, **kwargs)
        if transpose:
            self.outpad = adj

    what = "transposed convolution (deconvolution)" if transpose else "convolution"
    doc = (f"{ndim}D {what} layer; layouts {', '.join(layouts)} (default {default_layout}).\n\n"
           f"``{name}(channels, kernel_size, strides=1, padding=0, "
           + ("output_padding=0, " if transpose else "")
           + "dilation=1, groups=1, layout='" + default_layout + "', activation=None, "
           "use_bias=True, weight_initializer=None, bias_initializer='zeros', "
           "in_channels=0)``; ints are repeated over the spatial axes.  See the module "
           "docstring for the shapes.")
    return type(name, (_Conv,), {"__init__": __init__, "__doc__": doc})


Conv1D = _make_conv("Conv1D", 1, False, ("NCW",))
Conv2D = _make_conv("Conv2D", 2, False, ("NCHW", "NHWC"))
Conv3D = _make_conv("Conv3D", 3, False, ("NCDHW", "NDHWC"))
Conv1DTranspose = _make_conv("Conv1DTranspose", 1, True, ("NCW",))
Conv2DTranspose = _make_conv("Conv2DTranspose", 2, True, ("NCHW", "NHWC"))
Conv3DTranspose = _make_conv("Conv3DTranspose", 3, True, ("NCDHW", "NDHWC"))


class _Pooling(HybridBlock):
    """The shared body of the pooling layers."""

    def __init__(self, pool_size, strides, padding, ceil_mode, global_pool, pool_type,
                 layout, count_include_pad=None, **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        n = len(pool_size)
        self._kwargs = {"kernel": tuple(pool_size), "stride": _tuple(strides, n),
                        "pad": _tuple(padding, n), "global_pool": global_pool,
                        "pool_type": pool_type, "layout": layout,
                        "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self):
        return "pool"

    def hybrid_forward(self, F, x):
        return F.Pooling(x, name="fwd", **self._kwargs)

    def __repr__(self):
        k = self._kwargs
        return (f"{self.__class__.__name__}(size={k['kernel']}, stride={k['stride']}, "
                f"padding={k['pad']}, ceil_mode={k['pooling_convention'] == 'full'}, "
                f"global_pool={k['global_pool']}, pool_type={k['pool_type']}, "
                f"layout={k['layout']})")


_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


def _check_pool(ndim, pool_size, layout):
    if layout not in _LAYOUTS[ndim]:
        raise AssertionError(f"Only {' and '.join(_LAYOUTS[ndim])} layouts are valid for "
                             f"{ndim}D Pooling")
    pool_size = _tuple(pool_size, ndim)
    if len(pool_size) != ndim:
        raise AssertionError(f"pool_size must be a number or a list of {ndim} ints")
    return pool_size


class MaxPool1D(_Pooling):
    """Max over windows of ``pool_size`` along W (layout NCW or NWC)."""

    def __init__(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False,
                 **kwargs):
        super().__init__(_check_pool(1, pool_size, layout), strides, padding, ceil_mode,
                         False, "max", layout, **kwargs)


class MaxPool2D(_Pooling):
    """Max over ``pool_size`` windows of H, W (layout NCHW or NHWC)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding=0, layout="NCHW",
                 ceil_mode=False, **kwargs):
        super().__init__(_check_pool(2, pool_size, layout), strides, padding, ceil_mode,
                         False, "max", layout, **kwargs)


class MaxPool3D(_Pooling):
    """Max over ``pool_size`` windows of D, H, W (layout NCDHW or NDHWC)."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding=0, ceil_mode=False,
                 layout="NCDHW", **kwargs):
        super().__init__(_check_pool(3, pool_size, layout), strides, padding, ceil_mode,
                         False, "max", layout, **kwargs)


class AvgPool1D(_Pooling):
    """Mean over windows along W; ``count_include_pad`` counts padding in the divisor."""

    def __init__(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False,
                 count_include_pad=True, **kwargs):
        super().__init__(_check_pool(1, pool_size, layout), strides, padding, ceil_mode,
                         False, "avg", layout, count_include_pad, **kwargs)


class AvgPool2D(_Pooling):
    """Mean over windows of H, W; ``count_include_pad`` counts padding in the divisor."""

    def __init__(self, pool_size=(2, 2), strides=None, padding=0, ceil_mode=False,
                 layout="NCHW", count_include_pad=True, **kwargs):
        super().__init__(_check_pool(2, pool_size, layout), strides, padding, ceil_mode,
                         False, "avg", layout, count_include_pad, **kwargs)


class AvgPool3D(_Pooling):
    """Mean over windows of D, H, W; ``count_include_pad`` counts padding."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding=0, ceil_mode=False,
                 layout="NCDHW", count_include_pad=True, **kwargs):
        super().__init__(_check_pool(3, pool_size, layout), strides, padding, ceil_mode,
                         False, "avg", layout, count_include_pad, **kwargs)


def _make_global(name, ndim, pool_type):
    def __init__(self, layout=_LAYOUTS[ndim][0], **kwargs):
        _check_pool(ndim, 1, layout)
        _Pooling.__init__(self, (1,) * ndim, None, 0, True, True, pool_type, layout,
                          **kwargs)
    doc = (f"Global {pool_type} pooling over every spatial axis: output (N, C"
           + ", 1" * ndim + f") for layout {_LAYOUTS[ndim][0]}.")
    return type(name, (_Pooling,), {"__init__": __init__, "__doc__": doc})


GlobalMaxPool1D = _make_global("GlobalMaxPool1D", 1, "max")
GlobalMaxPool2D = _make_global("GlobalMaxPool2D", 2, "max")
GlobalMaxPool3D = _make_global("GlobalMaxPool3D", 3, "max")
GlobalAvgPool1D = _make_global("GlobalAvgPool1D", 1, "avg")
GlobalAvgPool2D = _make_global("GlobalAvgPool2D", 2, "avg")
GlobalAvgPool3D = _make_global("GlobalAvgPool3D", 3, "avg")


class ReflectionPad2D(HybridBlock):
    """Pad H and W of an NCHW input by mirroring (without repeating the edge).
    ``padding`` is an int (all four sides) or MXNet's 8-tuple ``pad_width``."""

    def __init__(self, padding=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, Integral):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        if len(padding) != 8:
            raise AssertionError("ReflectionPad2D: padding must be an int or 8 ints")
        self._padding = tuple(padding)

    def hybrid_forward(self, F, x):
        return F.pad(x, mode="reflect", pad_width=self._padding)
