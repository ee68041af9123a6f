"""Multi-tensor ops: one call works on a whole list of arrays.

**Aggregated SGD.**  ``mx.optimizer.SGD`` does not call ``sgd_update`` once per weight:
it updates its weights in groups of up to ``MXNET_OPTIMIZER_AGGREGATION_SIZE`` (default
4) with one ``multi_sgd_update`` (``multi_sgd_mom_update``, ``multi_mp_sgd_update``,
``multi_mp_sgd_mom_update``) per group: one dispatch for four weights (in MXNet, one
kernel launch).  The inputs are interleaved per weight::

    multi_sgd_update(w_0, g_0, w_1, g_1, ..., num_weights=n, lrs=(...), wds=(...),
                     out=[w_0, w_1, ...])

with ``mom_i`` after ``g_i`` in the momentum variants and the float32 master copy
``weight32_i`` last in the ``mp`` ones.  ``lrs`` and ``wds`` hold one value per weight;
the ``preloaded_*`` variants take them as two more arrays at the end instead, so that
they may change without new attributes.  Output ``i`` is the new ``w_i``; ``out=`` the
weights updates in place (MXNet requires ``out=``; pymx returns new arrays without it).
The momenta and master copies are updated in place.

Each weight follows MXNet's ``MultiSGDKernel``, with ``g = rescale_grad * grad``::

    mom    = momentum*mom - lr*wd*weight - lr*clip(g)        (mom = 0 without momentum)
    weight = weight + mom

With ``wd != 0`` and no momentum this rounds differently from ``sgd_update``'s
``(1 - lr*wd)*weight - lr*clip(g)``: MXNet's two kernels are written differently and
pymx follows each (the SGD optimizer uses this one, as MXNet's does).  Scalars are C
floats in MXNet, so products of them are rounded to the weights' dtype (float32 for the
``mp`` variants).

**Helpers of mixed precision and LARS**: ``multi_sum_sq`` (the sum of squares of each
array), ``multi_all_finite``/``all_finite`` (1.0 when no NaN or inf), ``reset_arrays``
(zero arrays in place) and ``multi_lars`` (LARS's per-layer learning rates).

None of these ops is differentiable.
"""
import numpy as np

from ..base import MXNetError
from .optimizer_ops import _V, _assign, _check, _clip_if, _f32, _into
from .params import Param
from .registry import register

__all__ = []

_SGD_PARAMS = {
    "rescale_grad": Param("float", 1.0, doc="grad = rescale_grad * grad"),
    "clip_gradient": Param("float", -1.0, doc="clip grad to [-c, c] when c >= 0"),
    "num_weights": Param("int", 1, doc="how many weights the call updates"),
}
_LRS_WDS = {"lrs": Param("floats", doc="one learning rate per weight"),
            "wds": Param("floats", doc="one weight decay per weight")}
_MOMENTUM = {"momentum": Param("float", 0.0, doc="decay of the momentum")}


def _scalar(value, dtype):
    """A C scalar of the kernel's compute type: rounded to ``dtype`` (float32 products
    of float32 factors, as MXNet's kernels compute them)."""
    return float(np.dtype(dtype).type(value))


def _sgd_one(k, a, lr, wd, weight, grad, mom, weight32, out):
    """One weight of MXNet's ``MultiSGDKernel``; returns the new weight (in ``out``
    when given and no cast is needed)."""
    master = weight32 if weight32 is not None else weight
    ct = master.dtype                                  # the compute type
    w, g = _V(k, master), _V(k, grad)
    if g.x.dtype != ct:
        g = g.astype(ct)
    lr, wd = _f32(lr), _f32(wd)
    if a.clip_gradient >= 0:
        step = lr * _clip_if(g * _f32(a.rescale_grad), a.clip_gradient)
    else:
        step = _scalar(lr * _f32(a.rescale_grad), ct) * g
    m = None if mom is None else _f32(a.momentum) * _V(k, mom)
    if wd != 0:
        decay = _scalar(lr * wd, ct) * w
        m = -decay if m is None else m - decay
    if m is None:                      # plain SGD without decay: weight - step
        if weight32 is None:
            return _into(k, "subtract", w, step, out)
        new = w - step
    else:
        m = m - step
        if mom is not None:
            _assign(k, mom, m)
        if weight32 is None:
            return _into(k, "add", w, m, out)
        new = w + m
    _assign(k, weight32, new)
    return k.deliver(k.astype(new.x, weight.dtype), out)


def _register_multi_sgd(name, states, preloaded, doc):
    """Register ``name``: per weight the inputs ``weight, grad`` and then ``states``
    (``("mom",)``, ``("weight32",)`` or both); ``preloaded`` takes ``lrs``/``wds`` as
    two trailing arrays instead of attributes."""
    per = ("weight", "grad") + states
    stride = len(per)
    mp = "weight32" in states

    def inputs(a):
        names = [f"{p}_{i}" for i in range(a.num_weights) for p in per]
        return names + ["lrs", "wds"] if preloaded else names

    def forward(k, a, *xs, out=None):
        n = a.num_weights
        want = n * stride + (2 if preloaded else 0)
        if len(xs) != want:
            raise MXNetError(f"{name}: expected {want} inputs for num_weights={n} "
                             f"({', '.join(per)} per weight), got {len(xs)}")
        if preloaded:
            lrs, wds = (k.to_numpy(x).reshape(-1).tolist() for x in xs[-2:])
        else:
            lrs, wds = a.lrs, a.wds
        for key, vals in (("lrs", lrs), ("wds", wds)):
            if len(vals) != n:
                raise MXNetError(f"{name}: {key} has {len(vals)} values for "
                                 f"num_weights={n}")
        dests = out if isinstance(out, tuple) else (out,) * n
        res = []
        for i in range(n):
            group = xs[i * stride:(i + 1) * stride]
            _check(f"{name} (weight {i})", group, per, ("mom", "weight32") if mp else ())
            mom = group[per.index("mom")] if "mom" in per else None
            w32 = group[-1] if mp else None
            res.append(_sgd_one(k, a, lrs[i], wds[i], group[0], group[1], mom, w32,
                                dests[i]))
        return tuple(res) if n > 1 else res[0]

    params = dict(_MOMENTUM if "mom" in states else {})
    if not preloaded:
        params.update(_LRS_WDS)
    params.update(_SGD_PARAMS)
    register(name, forward, inputs=inputs, params=params,
             outputs=lambda a: [f"output{i}" for i in range(a.num_weights)],
             infer_shape=lambda a, s: (s, [s[i * stride] for i in range(a.num_weights)]),
             infer_type=lambda a, t: (t, [t[i * stride] for i in range(a.num_weights)]),
             inplace=lambda a: [(i * stride, i) for i in range(a.num_weights)],
             gradient=None, doc=doc)


_register_multi_sgd("multi_sgd_update", (), False, """\
SGD on ``num_weights`` weights at once: inputs ``(weight_i, grad_i)`` per weight,
``lrs``/``wds`` one per weight; ``weight_i + (-lr_i*wd_i*weight_i - lr_i*clip(g_i))``
per output (see the module docstring).""")
_register_multi_sgd("multi_sgd_mom_update", ("mom",), False, """\
SGD with momentum on ``num_weights`` weights at once: inputs ``(weight_i, grad_i,
mom_i)``; ``mom_i = momentum*mom_i - lr_i*wd_i*weight_i - lr_i*clip(g_i)`` in place,
output ``weight_i + mom_i``.""")
_register_multi_sgd("multi_mp_sgd_update", ("weight32",), False, """\
Multi-precision ``multi_sgd_update``: inputs ``(weight_i, grad_i, weight32_i)``; the
float32 master copy is updated in place and returned cast to weight's dtype.""")
_register_multi_sgd("multi_mp_sgd_mom_update", ("mom", "weight32"), False, """\
Multi-precision ``multi_sgd_mom_update``: inputs ``(weight_i, grad_i, mom_i,
weight32_i)`` with float32 ``mom_i`` and master copy, both updated in place.""")
for _name, _states in (("preloaded_multi_sgd_update", ()),
                       ("preloaded_multi_sgd_mom_update", ("mom",)),
                       ("preloaded_multi_mp_sgd_update", ("weight32",)),
                       ("preloaded_multi_mp_sgd_mom_update", ("mom", "weight32"))):
    _register_multi_sgd(_name, _states, True, f"""\
``{_name[len('preloaded_'):]}`` with the learning rates and weight decays as two arrays
(``lrs``, ``wds``: one value per weight) after the weights' inputs.""")


# ---- helpers of mixed precision and LARS ------------------------------------------------
def _num_arrays_inputs(a):
    return [f"data_{i}" for i in range(a.num_arrays)]


def _float32(k, x):
    return x if x.dtype == np.float32 else k.astype(x, "float32")


def _multi_sum_sq(k, a, *xs):
    if len(xs) != a.num_arrays:
        raise MXNetError(f"multi_sum_sq: num_arrays={a.num_arrays} but got {len(xs)} arrays")
    for i, x in enumerate(xs):
        if x.dtype != xs[0].dtype:
            raise MXNetError(f"multi_sum_sq: all arrays must have one dtype; array 0 is "
                             f"{np.dtype(xs[0].dtype).name}, array {i} "
                             f"{np.dtype(x.dtype).name}")
    sums = []
    for x in xs:                 # squares in the arrays' dtype, summed in float32 (MXNet)
        sq = _float32(k, k.binary("multiply", x, x))
        s = k.reduce("sum", sq, tuple(range(len(x.shape))), False)
        sums.append(k.reshape(s, (1,)))
    return k.concat(sums, 0)


register("multi_sum_sq", _multi_sum_sq, inputs=_num_arrays_inputs,
         params={"num_arrays": Param("int", doc="how many arrays")},
         infer_shape=lambda a, s: (s, [(a.num_arrays,)]),
         infer_type=lambda a, t: (t, [np.dtype(np.float32)]), gradient=None, doc="""\
The sum of squares of each of ``num_arrays`` arrays of one dtype: a float32 array of
shape ``(num_arrays,)`` (``||x_i||^2``).  As MXNet's kernel, each square is rounded to
the arrays' dtype (float16 too) and the sum is accumulated in float32.""")


def _all_finite_of(k, xs, init_output, out):
    """1.0 unless some element of ``xs`` is NaN or infinite (then 0.0); with
    ``init_output=False`` the previous value of ``out`` is kept when all are finite.
    (``|x| < inf`` is false exactly for NaN and +-inf.)"""
    ok = True
    for x in xs:
        if x.size:
            finite = k.binary("lesser", k.unary("abs", _float32(k, x)), float("inf"))
            ok = ok and float(k.to_numpy(k.reduce("min", finite, tuple(range(len(x.shape))),
                                                  False))) == 1.0
    if not init_output and out is not None:
        if not ok:
            k.setitem(out, Ellipsis, 0.0)
        return out
    return k.deliver(k.full((1,), 1.0 if ok else 0.0, np.float32), out)


def _multi_all_finite(k, a, *xs, out=None):
    return _all_finite_of(k, xs, a.init_output, out)


def _all_finite(k, a, x, *, out=None):
    return _all_finite_of(k, (x,), a.init_output, out)


_FINITE_DOC = """\
1.0 (float32, shape (1,)) when every element is finite, else 0.0: how mixed-precision
training detects an overflowed gradient.  ``init_output=False`` keeps the value that
``out=`` holds when everything is finite, so that one flag can collect several calls."""
register("multi_all_finite", _multi_all_finite, inputs=_num_arrays_inputs,
         params={"num_arrays": Param("int", 1), "init_output": Param("bool", True)},
         infer_shape=lambda a, s: (s, [(1,)]),
         infer_type=lambda a, t: (t, [np.dtype(np.float32)]), gradient=None,
         doc=_FINITE_DOC)
register("all_finite", _all_finite, params={"init_output": Param("bool", True)},
         infer_shape=lambda a, s: (s, [(1,)]),
         infer_type=lambda a, t: (t, [np.dtype(np.float32)]), gradient=None,
         doc=_FINITE_DOC)


def _reset_arrays(k, a, *xs):
    if len(xs) != a.num_arrays:
        raise MXNetError(f"reset_arrays: num_arrays={a.num_arrays} but got {len(xs)} arrays")
    for x in xs:
        k.setitem(x, Ellipsis, 0)
    return ()


register("reset_arrays", _reset_arrays, inputs=_num_arrays_inputs,
         params={"num_arrays": Param("int", doc="how many arrays")}, outputs=(),
         infer_shape=lambda a, s: (s, []), infer_type=lambda a, t: (t, []),
         gradient=None, doc="""\
Set every element of ``num_arrays`` arrays to zero, in place; no outputs (the call
returns an empty list).""")


def _multi_lars(k, a, lrs, weights_sum_sq, grads_sum_sq, wds):
    lr = _V(k, lrs)
    w_norm = _V(k, weights_sum_sq).unary("sqrt")
    g_norm = _V(k, grads_sum_sq).unary("sqrt")
    scaled = lr * _f32(a.eta) * w_norm / (
        g_norm * _f32(a.rescale_grad) + _V(k, wds) * w_norm + _f32(a.eps))
    both = k.binary("multiply", k.binary("greater", w_norm.x, 0),
                    k.binary("greater", g_norm.x, 0))
    return k.where(k.binary("not_equal", both, 0), scaled.x, lrs)


register("multi_lars", _multi_lars, inputs=("lrs", "weights_sum_sq", "grads_sum_sq", "wds"),
         params={"eta": Param("float", doc="LARS's trust coefficient"),
                 "eps": Param("float", doc="added to the denominator"),
                 "rescale_grad": Param("float", 1.0)},
         infer_shape=lambda a, s: (s, [next((x for x in s if x is not None), None)]),
         gradient=None, doc="""\
LARS's layer-wise learning rates, one per layer (all inputs of shape (n,))::

    w = sqrt(weights_sum_sq), g = sqrt(grads_sum_sq)
    out = lrs * eta * w / (g*rescale_grad + wds*w + eps)   where w > 0 and g > 0
    out = lrs                                              elsewhere""")
