"""Optimizer update operators: ``sgd_update``, ``sgd_mom_update``, ``nag_mom_update``,
``adam_update``, ``rmsprop_update``, ``rmspropalex_update``, ``ftml_update``,
``ftrl_update``, ``signsgd_update``, ``signum_update``, ``lamb_update_phase1/2`` and the
multi-precision ``mp_*`` variants.

Each op computes one optimizer step for one weight, as MXNet 1.9.1's kernels in
``src/operator/optimizer_op-inl.h`` do:

* the op **returns the new weight**; ``mx.optimizer`` calls it with ``out=weight`` so
  the weight is overwritten in place;
* the optimizer **states** (``mom``, ``mean``, ``var``, ``n``, ...) are inputs that the op
  **mutates in place** (MXNet's ``FMutateInputs``): after the call they hold their new
  values;
* the ops are not differentiable (no gradient rule; autograd does not record them).

Conventions of every formula below: ``g = rescale_grad * grad``; ``clip(x)`` clips to
``[-clip_gradient, clip_gradient]`` and is applied only when ``clip_gradient >= 0``
(MXNet tests ``>= 0``, so ``clip_gradient=0`` clips every gradient to zero).  The float
parameters are C ``float`` in MXNet, so pymx rounds them to float32 before use (this
matters only for float64 weights).  The ops' defaults are the *op's* defaults, which
differ from the Python optimizers' (``rmsprop_update`` has ``gamma1=0.95``, the
``RMSProp`` optimizer 0.9).  Adam's bias correction is **not** in the op: the Python
``Adam`` optimizer folds it into ``lr``.
"""
import numpy as np

from ..base import MXNetError
from .registry import Param, register, takes_out
from .util import fused

_FLOATS = ("float16", "float32", "float64")
_FLOAT_DTYPES = tuple(np.dtype(t) for t in _FLOATS)
_F32 = np.dtype("float32")


class _V:
    """A native array whose arithmetic runs backend kernels, so that the update formulas
    below read like MXNet's kernels (``mom * momentum - g * lr``)."""
    __slots__ = ("k", "x")

    def __init__(self, k, x):
        self.k, self.x = k, x

    def _bin(self, op, other):
        other = other.x if isinstance(other, _V) else other
        return _V(self.k, self.k.binary(op, self.x, other))

    def __add__(self, o):
        return self._bin("add", o)

    __radd__ = __add__

    def __sub__(self, o):
        return self._bin("subtract", o)

    def __rsub__(self, o):                      # o - self = (-self) + o
        return (-self)._bin("add", o)

    def __mul__(self, o):
        return self._bin("multiply", o)

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._bin("divide", o)

    def __rtruediv__(self, o):                  # o / self = o * (1 / self)
        return self.unary("reciprocal")._bin("multiply", o)

    def __neg__(self):
        return self.unary("negative")

    def __gt__(self, o):
        return self._bin("greater", o)

    def unary(self, op):
        return _V(self.k, self.k.unary(op, self.x))

    def clip(self, bound):
        return _V(self.k, self.k.clip(self.x, -bound, bound))

    def maximum(self, o):
        return self._bin("maximum", o)

    def astype(self, dtype):
        return _V(self.k, self.k.astype(self.x, dtype))


def _f32(value):
    """MXNet's optimizer parameters are C floats: round a Python float to float32."""
    return float(np.float32(value))


def _clip_if(g, clip_gradient):
    """``clip(g)`` when ``clip_gradient >= 0`` (MXNet's test), else ``g``."""
    return g.clip(_f32(clip_gradient)) if clip_gradient >= 0 else g


def _into(k, op, lhs, rhs, out):
    """The update's last step ``lhs <op> rhs``, written into ``out`` when the caller gives
    it (the weight itself: ``sgd_update(w, g, out=w)`` updates in place, with no new
    array and no copy, as MXNet's kernels do)."""
    return k.binary(op, lhs.x if isinstance(lhs, _V) else lhs,
                    rhs.x if isinstance(rhs, _V) else rhs, out=out)


def _assign(k, state, new):
    """Write ``new`` into the state array ``state`` (the op mutates its states)."""
    k.setitem(state, Ellipsis, new.x if isinstance(new, _V) else new)


def _check(name, arrays, names, mp_names=()):
    """Same shapes everywhere; float weights; float32 master copies for ``mp_*``."""
    shape = tuple(arrays[0].shape)
    for x, n in zip(arrays, names):
        if tuple(x.shape) != shape:
            raise MXNetError(f"{name}: {n} has shape {tuple(x.shape)} but weight has shape "
                             f"{shape}")
    dtype = np.dtype(arrays[0].dtype)          # (compare dtypes, not names: this is hot)
    if dtype not in _FLOAT_DTYPES:
        raise MXNetError(f"{name}: weight must be a floating point array, got "
                         f"{dtype.name}")
    for x, n in zip(arrays, names):
        want = _F32 if n in mp_names else dtype
        if x.dtype != want:
            raise MXNetError(f"{name}: {n} must be {want.name}, got {np.dtype(x.dtype).name}")


def _common(*extra):
    """The parameters shared by most update ops, in MXNet's declared order."""
    ps = {"lr": Param("float", doc="Learning rate")}
    for key in extra:
        ps[key] = _EXTRA[key]
    ps.update(wd=Param("float", 0.0, doc="Weight decay"),
              rescale_grad=Param("float", 1.0, doc="grad = rescale_grad * grad"),
              clip_gradient=Param("float", -1.0,
                                  doc="clip grad to [-c, c] when c >= 0"))
    return ps


_EXTRA = {"momentum": Param("float", 0.0, doc="The decay rate of momentum estimates.")}
_LAZY = {"lazy_update": Param("bool", True, doc="sparse gradients only; ignored (dense)")}


def _register(name, forward, inputs, params, doc, mp_names=(), **kw):
    """Register an update op: it checks its inputs, has no gradient and may write its
    result over ``weight`` (input 0)."""
    def checked(k, a, *xs, **out):
        _check(name, xs, inputs, mp_names)
        return forward(k, a, *xs, **out)
    checked.takes_out = takes_out(forward)
    register(name, checked, inputs=inputs, params=params, gradient=None,
             inplace=[(0, 0)], doc=doc, **kw)


# ---- SGD --------------------------------------------------------------------------------
@fused("sgd_update")
def _sgd(k, a, weight, grad, *, out=None):
    lr, wd, rescale = _f32(a.lr), _f32(a.wd), _f32(a.rescale_grad)
    w, g = _V(k, weight), _V(k, grad)
    if wd != 0:
        w = (1 - lr * wd) * w
    if a.clip_gradient is None or a.clip_gradient < 0:     # no clip: one scaling pass
        return _into(k, "subtract", w, _f32(lr * rescale) * g, out)
    if rescale != 1:                 # (multiplying by 1 is exact: skip the pass)
        g = g * rescale
    return _into(k, "subtract", w, lr * _clip_if(g, a.clip_gradient), out)


_register("sgd_update", _sgd, ("weight", "grad"), dict(_common(), **_LAZY), """\
SGD step: ``weight = (1 - lr*wd)*weight - lr*clip(rescale_grad*grad)``.

Shapes: weight and grad of one shape; returns the new weight (call with ``out=weight``
to update in place).  ``lazy_update`` matters only for row-sparse gradients, which
pymx does not have.""")


@fused("sgd_mom_update")
def _sgd_mom(k, a, weight, grad, mom, *, out=None):
    # BEGIN EXERCISE sgd_momentum
    w, g, m = _V(k, weight), _V(k, grad) * _f32(a.rescale_grad), _V(k, mom)
    lr = _f32(a.lr)
    m = _f32(a.momentum) * m
    if a.wd != 0:                               # (wd = 0: skip two passes)
        m = m - lr * _f32(a.wd) * w
    m = _into(k, "subtract", m, lr * _clip_if(g, a.clip_gradient), mom)   # mom, in place
    return _into(k, "add", w, m, out)
    # END EXERCISE sgd_momentum


_register("sgd_mom_update", _sgd_mom, ("weight", "grad", "mom"),
          dict(_common("momentum"), **_LAZY), """\
SGD with momentum::

    mom = momentum*mom - lr*wd*weight - lr*clip(rescale_grad*grad)    (in place)
    weight = weight + mom                                              (returned)

Shapes: weight, grad and mom of one shape.""")


def _mp_sgd(k, a, weight, grad, weight32):
    w = _V(k, weight32)
    g = _V(k, grad).astype("float32") * _f32(a.rescale_grad)
    w = (1 - _f32(a.lr) * _f32(a.wd)) * w - _f32(a.lr) * _clip_if(g, a.clip_gradient)
    _assign(k, weight32, w)
    return k.astype(w.x, weight.dtype)


_register("mp_sgd_update", _mp_sgd, ("weight", "grad", "weight32"),
          dict(_common(), **_LAZY), """\
Multi-precision SGD: the float32 master copy ``weight32`` is updated as ``sgd_update``
does (``weight32 = (1 - lr*wd)*weight32 - lr*clip(rescale_grad*float32(grad))``, in
place) and the op returns it cast to weight's dtype (usually float16).""",
          mp_names=("weight32",))


def _mp_sgd_mom(k, a, weight, grad, mom, weight32):
    w, m = _V(k, weight32), _V(k, mom)
    g = _V(k, grad).astype("float32") * _f32(a.rescale_grad)
    lr = _f32(a.lr)
    m = _f32(a.momentum) * m - lr * _f32(a.wd) * w - lr * _clip_if(g, a.clip_gradient)
    w = w + m
    _assign(k, mom, m)
    _assign(k, weight32, w)
    return k.astype(w.x, weight.dtype)


_register("mp_sgd_mom_update", _mp_sgd_mom, ("weight", "grad", "mom", "weight32"),
          dict(_common("momentum"), **_LAZY), """\
Multi-precision SGD with momentum: ``sgd_mom_update`` on the float32 master copy
``weight32`` with a float32 ``mom`` (both updated in place); returns ``weight32`` cast
to weight's dtype.""", mp_names=("mom", "weight32"))


# ---- NAG --------------------------------------------------------------------------------
def _nag_step(a, w, g, m):
    step = _f32(a.lr) * (_clip_if(g * _f32(a.rescale_grad), a.clip_gradient) + _f32(a.wd) * w)
    m = _f32(a.momentum) * m - step
    return w + _f32(a.momentum) * m - step, m


def _nag(k, a, weight, grad, mom):
    w0, g = _V(k, weight), _V(k, grad)
    w, _ = _nag_step(a, w0, g, _V(k, mom))
    # MXNet's kernel writes the output, then reads weight for mom's wd term: called
    # in place (out=weight, as every optimizer does) that term sees the new weight.
    _, m = _nag_step(a, w, g, _V(k, mom))
    _assign(k, mom, m)
    return w.x


_register("nag_mom_update", _nag, ("weight", "grad", "mom"), _common("momentum"), """\
Nesterov accelerated gradient (MXNet 1.9.1's kernel)::

    step = lr*(clip(rescale_grad*grad) + wd*weight)
    new_weight = weight + momentum*(momentum*mom - step) - step          (returned)
    mom = momentum*mom - lr*(clip(rescale_grad*grad) + wd*new_weight)    (in place)

``mom`` holds the velocity as SGD's does (it accumulates ``-lr*g``); wd is outside
the clip.  MXNet quirk, kept: the kernel writes the output before it reads ``weight``
for the momentum's weight-decay term, so when called in place (``out=weight``, as
``mx.optimizer.NAG`` does) ``mom`` sees the *new* weight.  pymx always computes it so;
MXNet called *without* ``out=weight`` uses the old weight there (a difference of
``lr*wd*(new_weight - weight)`` in ``mom``, zero when ``wd=0``).""")


def _mp_nag(k, a, weight, grad, mom, weight32):
    w0, g = _V(k, weight32), _V(k, grad).astype("float32")
    w, _ = _nag_step(a, w0, g, _V(k, mom))
    # MXNet 1.9.1 quirk: the momentum's weight-decay term uses the *new* weight32.
    _, m = _nag_step(a, w, g, _V(k, mom))
    _assign(k, mom, m)
    _assign(k, weight32, w)
    return k.astype(w.x, weight.dtype)


_register("mp_nag_mom_update", _mp_nag, ("weight", "grad", "mom", "weight32"),
          _common("momentum"), """\
Multi-precision NAG: ``nag_mom_update`` on the float32 master copy ``weight32`` with a
float32 ``mom`` (both in place); returns ``weight32`` cast to weight's dtype.

MXNet 1.9.1 quirk, kept: the new ``mom`` is computed with the *updated* weight in its
weight-decay term, ``mom = momentum*mom - lr*(clip(rescale_grad*grad) + wd*weight32_new)``
(as ``nag_mom_update`` called in place).""",
          mp_names=("mom", "weight32"))


# ---- Adam -------------------------------------------------------------------------------
_ADAM = {"beta1": Param("float", 0.9), "beta2": Param("float", 0.999),
         "epsilon": Param("float", 1e-8)}


@fused("adam_update")
def _adam(k, a, weight, grad, mean, var, *, out=None):
    # BEGIN EXERCISE adam
    w = _V(k, weight)
    g = _V(k, grad) * _f32(a.rescale_grad)
    if a.wd != 0:                               # (wd = 0: skip two passes)
        g = g + _f32(a.wd) * w
    g = _clip_if(g, a.clip_gradient)
    b1, b2 = _f32(a.beta1), _f32(a.beta2)
    m = _into(k, "add", b1 * _V(k, mean), (1 - b1) * g, mean)            # mean, in place
    v = _into(k, "add", b2 * _V(k, var), (1 - b2) * g.unary("square"), var)
    step = _f32(a.lr) * _V(k, m) / (_V(k, v).unary("sqrt") + _f32(a.epsilon))
    return _into(k, "subtract", w, step, out)
    # END EXERCISE adam


_register("adam_update", _adam, ("weight", "grad", "mean", "var"),
          dict({"lr": Param("float")}, **_ADAM,
               **{k: v for k, v in _common().items() if k != "lr"}, **_LAZY), """\
Adam step **without bias correction** (the Python ``Adam`` optimizer passes
``lr * sqrt(1 - beta2^t) / (1 - beta1^t)`` as ``lr``)::

    g = clip(rescale_grad*grad + wd*weight)       (wd is inside the clip)
    mean = beta1*mean + (1 - beta1)*g              (in place)
    var = beta2*var + (1 - beta2)*g^2              (in place)
    weight = weight - lr*mean / (sqrt(var) + epsilon)""")


# ---- RMSProp ----------------------------------------------------------------------------
_RMS_TAIL = {"clip_weights": Param("float", -1.0,
                                   doc="clip the new weight to [-c, c] when c >= 0")}


def _clip_weights(w, a):
    return w.clip(_f32(a.clip_weights)) if a.clip_weights >= 0 else w


def _rmsprop(k, a, weight, grad, n):
    w = _V(k, weight)
    g = _clip_if(_V(k, grad) * _f32(a.rescale_grad) + _f32(a.wd) * w, a.clip_gradient)
    g1 = _f32(a.gamma1)
    n_new = (1 - g1) * g.unary("square") + g1 * _V(k, n)
    _assign(k, n, n_new)
    w = w - _f32(a.lr) * g / (n_new + _f32(a.epsilon)).unary("sqrt")
    return _clip_weights(w, a).x


_register("rmsprop_update", _rmsprop, ("weight", "grad", "n"),
          dict({"lr": Param("float"), "gamma1": Param("float", 0.95),
                "epsilon": Param("float", 1e-8)},
               **{k: v for k, v in _common().items() if k != "lr"}, **_RMS_TAIL), """\
RMSProp (Tieleman & Hinton)::

    g = clip(rescale_grad*grad + wd*weight)
    n = (1 - gamma1)*g^2 + gamma1*n                      (in place)
    weight = clip_weights(weight - lr*g / sqrt(n + epsilon))

Note the op's default ``gamma1=0.95`` (the Python optimizer's is 0.9), and that
epsilon is inside the square root.""")


def _rmspropalex(k, a, weight, grad, n, g_avg, delta):
    w = _V(k, weight)
    g = _clip_if(_V(k, grad) * _f32(a.rescale_grad) + _f32(a.wd) * w, a.clip_gradient)
    g1, g2 = _f32(a.gamma1), _f32(a.gamma2)
    n_new = (1 - g1) * g.unary("square") + g1 * _V(k, n)
    ga_new = (1 - g1) * g + g1 * _V(k, g_avg)
    d_new = g2 * _V(k, delta) - _f32(a.lr) * g / (
        n_new - ga_new.unary("square") + _f32(a.epsilon)).unary("sqrt")
    _assign(k, n, n_new)
    _assign(k, g_avg, ga_new)
    _assign(k, delta, d_new)
    return _clip_weights(w + d_new, a).x


_register("rmspropalex_update", _rmspropalex, ("weight", "grad", "n", "g", "delta"),
          dict({"lr": Param("float"), "gamma1": Param("float", 0.95),
                "gamma2": Param("float", 0.9), "epsilon": Param("float", 1e-8)},
               **{k: v for k, v in _common().items() if k != "lr"}, **_RMS_TAIL), """\
Centered RMSProp (Graves 2013, eqs. 38-45)::

    gr = clip(rescale_grad*grad + wd*weight)
    n = (1 - gamma1)*gr^2 + gamma1*n                                  (in place)
    g = (1 - gamma1)*gr + gamma1*g                                    (in place)
    delta = gamma2*delta - lr*gr / sqrt(n - g^2 + epsilon)            (in place)
    weight = clip_weights(weight + delta)""")


# ---- FTML and FTRL ----------------------------------------------------------------------
def _ftml(k, a, weight, grad, d, v, z):
    w = _V(k, weight)
    g = _clip_if(_V(k, grad) * _f32(a.rescale_grad) + _f32(a.wd) * w, a.clip_grad)
    b1, b2, t = _f32(a.beta1), _f32(a.beta2), a.t
    v_new = b2 * _V(k, v) + (1 - b2) * g.unary("square")
    d_new = (1 - b1 ** t) / _f32(a.lr) * (
        (v_new / (1 - b2 ** t)).unary("sqrt") + a.epsilon)
    z_new = b1 * _V(k, z) + (1 - b1) * g - (d_new - b1 * _V(k, d)) * w
    _assign(k, v, v_new)
    _assign(k, d, d_new)
    _assign(k, z, z_new)
    return (-z_new / d_new).x


_register("ftml_update", _ftml, ("weight", "grad", "d", "v", "z"),
          {"lr": Param("float"), "beta1": Param("float", 0.6),
           "beta2": Param("float", 0.999), "epsilon": Param("float", 1e-8),
           "t": Param("int"), "wd": Param("float", 0.0),
           "rescale_grad": Param("float", 1.0), "clip_grad": Param("float", -1.0)}, """\
FTML, Follow the Moving Leader (Zheng & Kwok 2017), step number ``t`` (from 1)::

    g = clip(rescale_grad*grad + wd*weight)             (clip_grad: wd inside the clip)
    v = beta2*v + (1 - beta2)*g^2                                         (in place)
    d_new = (1 - beta1^t)/lr * (sqrt(v / (1 - beta2^t)) + epsilon)
    z = beta1*z + (1 - beta1)*g - (d_new - beta1*d)*weight               (in place)
    d = d_new                                                             (in place)
    weight = -z / d

``epsilon`` is a C double here (the only such parameter).""")


def _ftrl(k, a, weight, grad, z, n):
    w = _V(k, weight)
    g = _clip_if(_V(k, grad) * _f32(a.rescale_grad), a.clip_gradient)
    lr, lamda1 = _f32(a.lr), _f32(a.lamda1)
    n_old = _V(k, n)
    n_new = n_old + g.unary("square")
    z_new = _V(k, z) + g - (n_new.unary("sqrt") - n_old.unary("sqrt")) * w / lr
    _assign(k, z, z_new)
    _assign(k, n, n_new)
    w = (z_new.unary("sign") * lamda1 - z_new) / (
        (_f32(a.beta) + n_new.unary("sqrt")) / lr + _f32(a.wd))
    return (w * (z_new.unary("abs") > lamda1)).x


_register("ftrl_update", _ftrl, ("weight", "grad", "z", "n"),
          {"lr": Param("float"), "lamda1": Param("float", 0.01),
           "beta": Param("float", 1.0), "wd": Param("float", 0.0),
           "rescale_grad": Param("float", 1.0), "clip_gradient": Param("float", -1.0)}, """\
FTRL-proximal (McMahan et al. 2013)::

    g = clip(rescale_grad*grad)
    z = z + g - (sqrt(n + g^2) - sqrt(n))*weight/lr                   (in place)
    n = n + g^2                                                       (in place)
    weight = (sign(z)*lamda1 - z) / ((beta + sqrt(n))/lr + wd) * (|z| > lamda1)""")


# ---- sign methods -----------------------------------------------------------------------
def _signsgd(k, a, weight, grad):
    w = _V(k, weight)
    return ((1 - _f32(a.lr) * _f32(a.wd)) * w - _f32(a.lr) * _V(k, grad).unary("sign")).x


_register("signsgd_update", _signsgd, ("weight", "grad"), _common(), """\
signSGD: ``weight = (1 - lr*wd)*weight - lr*sign(grad)``.  ``rescale_grad`` and
``clip_gradient`` are accepted but cannot change a sign, so they are unused (as in
MXNet).""")


def _signum(k, a, weight, grad, mom):
    w, mu = _V(k, weight), _f32(a.momentum)
    g = _clip_if(_V(k, grad) * _f32(a.rescale_grad), a.clip_gradient)
    m = mu * _V(k, mom) - (1 - mu) * _f32(a.wd) * w - (1 - mu) * g
    _assign(k, mom, m)
    return ((1 - _f32(a.lr) * _f32(a.wd_lh)) * w + _f32(a.lr) * m.unary("sign")).x


_register("signum_update", _signum, ("weight", "grad", "mom"),
          dict(_common("momentum"), wd_lh=Param("float", 0.0)), """\
Signum, SIGN momentUM (Bernstein et al. 2018)::

    mom = momentum*mom - (1 - momentum)*(wd*weight + clip(rescale_grad*grad))  (in place)
    weight = (1 - lr*wd_lh)*weight + lr*sign(mom)

``wd_lh`` is decoupled weight decay; ``mom`` accumulates the *negative* gradient.""")


# ---- LAMB -------------------------------------------------------------------------------
def _lamb_params():
    return {"beta1": Param("float", 0.9), "beta2": Param("float", 0.999),
            "epsilon": Param("float", 1e-6), "t": Param("int"),
            "bias_correction": Param("bool", True), "wd": Param("float"),
            "rescale_grad": Param("float", 1.0), "clip_gradient": Param("float", -1.0)}


def _lamb1_step(k, a, w, grad, mean, var):
    g = _clip_if(grad * _f32(a.rescale_grad), a.clip_gradient)
    b1, b2 = _f32(a.beta1), _f32(a.beta2)
    m = b1 * _V(k, mean) + (1 - b1) * g
    v = b2 * _V(k, var) + (1 - b2) * g.unary("square")
    _assign(k, mean, m)
    _assign(k, var, v)
    if a.bias_correction:
        m_hat, v_hat = m / (1 - b1 ** a.t), v / (1 - b2 ** a.t)
    else:
        m_hat, v_hat = m, v
    return (m_hat / (v_hat.unary("sqrt") + _f32(a.epsilon)) + _f32(a.wd) * w).x


def _lamb1(k, a, weight, grad, mean, var):
    return _lamb1_step(k, a, _V(k, weight), _V(k, grad), mean, var)


_LAMB1_DOC = """\
LAMB phase 1 (You et al. 2019): the update direction ``g`` (returned)::

    gr = clip(rescale_grad*grad)
    mean = beta1*mean + (1 - beta1)*gr                      (in place)
    var = beta2*var + (1 - beta2)*gr^2                      (in place)
    if bias_correction: mean /= 1 - beta1^t; var /= 1 - beta2^t   (local copies)
    g = mean / (sqrt(var) + epsilon) + wd*weight

Then ``r1 = norm(weight)``, ``r2 = norm(g)`` and ``lamb_update_phase2``."""
_register("lamb_update_phase1", _lamb1, ("weight", "grad", "mean", "var"), _lamb_params(),
          _LAMB1_DOC)


def _mp_lamb1(k, a, weight, grad, mean, var, weight32):
    return _lamb1_step(k, a, _V(k, weight32), _V(k, grad).astype("float32"), mean, var)


_register("mp_lamb_update_phase1", _mp_lamb1, ("weight", "grad", "mean", "var", "weight32"),
          _lamb_params(), _LAMB1_DOC.replace("LAMB phase 1", "Multi-precision LAMB phase 1")
          + "\n\nHere grad is cast to float32, weight32 (float32) replaces weight, and "
            "mean, var and the result g are float32.",
          mp_names=("mean", "var", "weight32"),
          infer_type=lambda a, t: (t, ["float32"]))


def _trust_lr(k, a, r1, r2):
    """``lr * r1 / r2`` as a (1,) array, ``lr`` when either norm is zero."""
    r1 = _V(k, r1)
    if a.lower_bound >= 0:
        r1 = r1.maximum(_f32(a.lower_bound))
    if a.upper_bound >= 0:
        r1 = r1._bin("minimum", _f32(a.upper_bound))
    r2 = _V(k, r2)
    zero = (r1._bin("equal", 0.0) + r2._bin("equal", 0.0)) > 0
    one = k.full(r1.x.shape, 1, r1.x.dtype)
    r2 = _V(k, k.where(zero.x, one, r2.x))          # no 0/0 computed and thrown away
    return _V(k, k.where(zero.x, one, (r1 / r2).x)) * _f32(a.lr)


def _lamb2_step(k, a, w, g, r1, r2):
    lr = _trust_lr(k, a, r1, r2)
    return w - _V(k, k.broadcast_to(lr.x, w.x.shape)) * g


def _lamb2(k, a, weight, g, r1, r2):
    _check_lamb2("lamb_update_phase2", weight, g, r1, r2)
    return _lamb2_step(k, a, _V(k, weight), _V(k, g), r1, r2).x


def _check_lamb2(name, weight, g, r1, r2, weight32=None):
    if tuple(g.shape) != tuple(weight.shape):
        raise MXNetError(f"{name}: g has shape {tuple(g.shape)} but weight has shape "
                         f"{tuple(weight.shape)}")
    for n, r in (("r1", r1), ("r2", r2)):
        if tuple(r.shape) != (1,):
            raise MXNetError(f"{name}: {n} must have shape (1,), got {tuple(r.shape)}")
    if weight32 is not None and tuple(weight32.shape) != tuple(weight.shape):
        raise MXNetError(f"{name}: weight32 has shape {tuple(weight32.shape)} but weight "
                         f"has shape {tuple(weight.shape)}")


def _lamb2_shape(a, in_shapes):
    w = next((s for i, s in enumerate(in_shapes) if s is not None and i not in (2, 3)), None)
    out = [w if i not in (2, 3) else (1,) for i in range(len(in_shapes))]
    return out, [w]


_LAMB2 = {"lr": Param("float"), "lower_bound": Param("float", -1.0),
          "upper_bound": Param("float", -1.0)}
_LAMB2_DOC = """\
LAMB phase 2: the layer-wise trust ratio step.  ``r1`` (the norm of weight) and ``r2``
(the norm of phase 1's g) have shape (1,)::

    if lower_bound >= 0: r1 = max(r1, lower_bound)
    if upper_bound >= 0: r1 = min(r1, upper_bound)
    ratio = 1 if r1 == 0 or r2 == 0 else r1 / r2
    weight = weight - lr*ratio*g          (returned)

(MXNet's docstring says ``max`` for the upper bound too; its kernel uses ``min``.)"""
register("lamb_update_phase2", _lamb2, inputs=("weight", "g", "r1", "r2"), params=_LAMB2,
         gradient=None, inplace=[(0, 0)], infer_shape=_lamb2_shape, doc=_LAMB2_DOC)


def _mp_lamb2(k, a, weight, g, r1, r2, weight32):
    _check_lamb2("mp_lamb_update_phase2", weight, g, r1, r2, weight32)
    w = _lamb2_step(k, a, _V(k, weight32), _V(k, g), r1, r2)
    return k.astype(w.x, weight.dtype)      # weight32 is NOT written back (MXNet 1.9.1)


register("mp_lamb_update_phase2", _mp_lamb2, inputs=("weight", "g", "r1", "r2", "weight32"),
         params=_LAMB2, gradient=None, inplace=[(0, 0)], infer_shape=_lamb2_shape,
         doc=_LAMB2_DOC.replace("LAMB phase 2", "Multi-precision LAMB phase 2") +
         "\n\nThe step is taken from the float32 master copy ``weight32`` and returned "
         "cast to weight's dtype.  MXNet 1.9.1 quirk, kept: ``weight32`` is **not** "
         "updated in place (so the Python ``LAMB`` optimizer with multi_precision keeps "
         "stepping from a stale master copy).")
