"""Loss heads and losses: ``SoftmaxOutput``/``Softmax``, ``LinearRegressionOutput``,
``LogisticRegressionOutput``, ``MAERegressionOutput``, ``SVMOutput``, ``MakeLoss``,
``make_loss``, ``softmax_cross_entropy`` and ``smooth_l1``.

A *loss head* (``SoftmaxOutput``, the ``*RegressionOutput`` s, ``SVMOutput``,
``MakeLoss``) is MXNet's way to end a network: its forward is a prediction
(probabilities, the identity...), but its backward **ignores the gradient arriving from
above** and returns the gradient of a loss that is never computed, e.g. softmax
cross-entropy's ``softmax - onehot(label)``.  So ``executor.backward()`` needs no
head gradient.  The label gets no gradient.

The gradient of a head depends on shapes (the class count, the batch size), which a
rule written with ``F`` ops may not read, so each head's backward is a kernel op
(``_backward_SoftmaxOutput``, ...) that the rule calls with the head's attributes.
"""
from ..base import MXNetError
from .registry import Attrs, Param, register, uniform_type
from .softmax import softmax_kernel


def _check_float(op, x, label=None):
    if x.dtype.kind != "f":
        raise MXNetError(f"{op}: data must be a floating point array, got {x.dtype.name}")
    if label is not None and label.dtype != x.dtype:     # MXNet: one uniform dtype
        raise MXNetError(f"{op}: label must have data's dtype {x.dtype.name} (no type "
                         f"promotion), got {label.dtype.name}")


def _one_hot_rows(k, label, depth, dtype):
    """``onehot[i, j] = 1 if int(label[i]) == j`` (C truncation; out-of-range: no 1)."""
    lab = k.unary("trunc", k.astype(label, dtype))
    cols = k.reshape(k.arange(0, depth, 1, dtype), (1, depth))
    n = label.shape[0]
    return k.binary("equal", k.broadcast_to(k.reshape(lab, (n, 1)), (n, depth)),
                    k.broadcast_to(cols, (n, depth)))


# ---- SoftmaxOutput ---------------------------------------------------------------------------
def _softmax_output(k, a, x, label):
    _check_float("SoftmaxOutput", x, label)
    if len(x.shape) == 0 or x.size == 0:
        return k.copy(x)
    if a.multi_output:
        if len(x.shape) < 2:
            raise MXNetError(f"SoftmaxOutput: multi_output needs data (N, C, ...), got "
                             f"shape {tuple(x.shape)}")
        return softmax_kernel(k, x, (1,))
    if a.preserve_shape:
        return softmax_kernel(k, x, (len(x.shape) - 1,))
    n = x.shape[0]
    flat = k.reshape(k.copy(x), (n, x.size // n))
    return k.reshape(softmax_kernel(k, flat, (1,)), x.shape)


def _valid_count(k, a, lab, total):
    """``max(1, #labels != ignore_label)`` on the host (a scalar divisor)."""
    ignored = k.to_numpy(k.reduce("sum", k.binary("equal", lab, float(int(a.ignore_label))),
                                  tuple(range(len(lab.shape))), False))
    return max(1, total - int(ignored))


def _softmax_output_backward(k, a, out, label):
    dtype = out.dtype
    if tuple(label.shape) == tuple(out.shape):          # probabilities as labels
        g = k.binary("multiply", k.binary("subtract", out, k.astype(label, dtype)),
                     a.grad_scale)
        return k.binary("multiply", g, out) if a.out_grad else g
    ignore = float(int(a.ignore_label))
    if a.multi_output:
        n, c = out.shape[:2]
        r = out.size // (n * c) if n * c else 0
        if label.size != n * r:
            raise MXNetError(f"SoftmaxOutput: multi_output label must have {n * r} elements "
                             f"(N, prod(spatial)), got shape {tuple(label.shape)}")
        o3 = k.reshape(k.copy(out), (n, c, r))
        rows = k.reshape(k.transpose(o3, (0, 2, 1)), (n * r, c))       # (N*R, C)
        lab = k.unary("trunc", k.reshape(k.astype(label, dtype), (n * r,)))
        g = k.binary("subtract", rows, _one_hot_rows(k, lab, c, dtype))
        if a.use_ignore:
            keep = k.binary("not_equal", lab, ignore)
            g = k.binary("multiply", g, k.broadcast_to(k.reshape(keep, (n * r, 1)), g.shape))
        if a.normalization == "batch":
            cnt = n
        elif a.normalization == "valid":
            cnt = _valid_count(k, a, lab, n * r)
        else:
            cnt = 1
        g = k.binary("multiply", g, a.grad_scale / (1 if a.normalization == "valid" else r)
                     / cnt)
        g = k.transpose(k.reshape(g, (n, r, c)), (0, 2, 1))
        g = k.reshape(g, out.shape)
        return k.binary("multiply", g, out) if a.out_grad else g
    # one label per row: rows are (N, rest) flattened, or every position but the last axis
    c = out.shape[-1] if a.preserve_shape else (out.size // out.shape[0])
    nrows = out.size // c if c else 0
    lab = k.reshape(k.astype(label, dtype), (label.size,))
    if label.size != nrows:
        if tuple(label.shape) != tuple(out.shape[:-1]):
            raise MXNetError(f"SoftmaxOutput: label must have {nrows} elements (one class "
                             f"index per row), got shape {tuple(label.shape)}")
        lab = k.getitem(lab, slice(0, nrows))      # MXNet quirk: the first N labels
    rows = k.reshape(k.copy(out), (nrows, c))
    lab = k.unary("trunc", lab)
    hot = _one_hot_rows(k, lab, c, dtype)
    if a.smooth_alpha != 0:                    # 1 - alpha on the label, alpha/(C-1) elsewhere
        smooth = a.smooth_alpha / (c - 1) if c > 1 else 0.0
        target = k.binary("add", k.binary("multiply", hot, 1 - a.smooth_alpha - smooth),
                          smooth)
        g = k.binary("subtract", rows, target)
    else:
        g = k.binary("subtract", rows, hot)
    if a.use_ignore:
        keep = k.binary("not_equal", lab, ignore)
        g = k.binary("multiply", g, k.broadcast_to(k.reshape(keep, (nrows, 1)), g.shape))
    if a.normalization == "batch":
        cnt = nrows
    elif a.normalization == "valid":
        cnt = _valid_count(k, a, lab, nrows)
    else:
        cnt = 1
    g = k.reshape(k.binary("multiply", g, a.grad_scale / cnt), out.shape)
    return k.binary("multiply", g, out) if a.out_grad else g


def _so_infer_shape(a, in_shapes):
    data, label = in_shapes
    if data is None:
        return in_shapes, [None]
    if label is None:
        if a.multi_output:
            n = data[0]
            label = (n, _prod(data[2:]))
        else:
            label = tuple(data[:-1])
    return [data, label], [data]


def _prod(shape):
    out = 1
    for d in shape:
        out *= d
    return out


_SO_PARAMS = {
    "grad_scale": Param("float", 1.0), "ignore_label": Param("float", -1.0),
    "multi_output": Param("bool", False), "use_ignore": Param("bool", False),
    "preserve_shape": Param("bool", False),
    "normalization": Param("str", "null", choices=("batch", "null", "valid")),
    "out_grad": Param("bool", False), "smooth_alpha": Param("float", 0.0),
}

register(
    "SoftmaxOutput", _softmax_output, inputs=("data", "label"), params=_SO_PARAMS,
    aliases=("Softmax",), infer_shape=_so_infer_shape, infer_type=uniform_type,
    gradient=lambda F, a, xs, ys, dys: [F._backward_SoftmaxOutput(ys[0], xs[1], **a), None],
    doc=r"""Softmax with a cross-entropy loss head.

Forward: ``softmax`` of ``data`` (N, ...) over the flattened sample (default), over
axis 1 (``multi_output``: data (N, C, d1, ...), label (N, d1, ...)), or over the last
axis (``preserve_shape``).  ``label`` holds class indices (float, truncated to int).

Backward **ignores the head gradient** and returns::

    grad = (out - onehot(label)) * grad_scale / valid_cnt

* ``normalization``: ``'null'`` -> valid_cnt = 1; ``'batch'`` -> the number of label
  rows (N); ``'valid'`` -> ``max(1, #labels != ignore_label)`` (counted even when
  ``use_ignore`` is False).  With ``multi_output`` the gradient is also divided by
  ``d1*d2*...`` except under ``'valid'``.
* ``use_ignore``: rows whose label equals ``ignore_label`` get a zero gradient.
* ``smooth_alpha``: label smoothing, the target is ``1 - alpha`` on the label and
  ``alpha / (C - 1)`` elsewhere (not applied with ``multi_output``, as in MXNet).
* A ``label`` of the same shape as ``data`` is a probability target: ``grad =
  (out - label) * grad_scale``, with no normalization and no ignoring.
* Without ``multi_output``/``preserve_shape``, data (N, d1, ..., dk) is one row of
  ``d1*...*dk`` classes per sample and needs N labels; MXNet's shape inference asks
  for label (N, d1, ..., d(k-1)), and then only its first N values are used.
* ``out_grad=True``: MXNet 1.9.1's ``_backward_SoftmaxOutput`` gets the output in
  place of the head gradient, so the gradient is multiplied by ``out`` (not by the
  head gradient); pymx reproduces this.

The label gets no gradient.""")

register(
    "_backward_SoftmaxOutput", _softmax_output_backward, inputs=("output", "label"),
    params=_SO_PARAMS, infer_shape=lambda a, s: (s, [s[0]]),
    doc="SoftmaxOutput's gradient from its output and label (see ``SoftmaxOutput``).")


# ---- regression heads --------------------------------------------------------------------------
def _reg_forward(name, fn):
    def forward(k, a, x, label):
        _check_float(name, x, label)
        if label.size != x.size:
            raise MXNetError(f"{name}: label must have as many elements as data "
                             f"{tuple(x.shape)}, got shape {tuple(label.shape)}")
        return fn(k, x)
    return forward


def _reg_backward(diff):
    def backward(k, a, out, label):
        lab = k.reshape(k.astype(label, out.dtype), out.shape)
        num_output = label.size // label.shape[0] if len(label.shape) and label.shape[0] else 1
        return k.binary("multiply", diff(k, k.binary("subtract", out, lab)),
                        a.grad_scale / num_output)
    return backward


def _reg_infer_shape(a, in_shapes):
    data, label = in_shapes
    if data is None:
        return in_shapes, [None]
    if label is None:
        label = (data[0],) if len(data) == 2 and data[1] == 1 else data
    return [data, label], [data]


_REGRESSION = {
    "LinearRegressionOutput": ("_backward_linear_reg_out", lambda k, x: k.copy(x),
                               lambda k, d: d, "out = data", "out - label"),
    "LogisticRegressionOutput": ("_backward_logistic_reg_out",
                                 lambda k, x: k.unary("sigmoid", x), lambda k, d: d,
                                 "out = sigmoid(data)", "out - label"),
    "MAERegressionOutput": ("_backward_mae_reg_out", lambda k, x: k.copy(x),
                            lambda k, d: k.unary("sign", d), "out = data",
                            "sign(out - label)"),
}
_REG_PARAMS = {"grad_scale": Param("float", 1.0)}

for _name, (_bname, _fwd, _diff, _fdoc, _gdoc) in _REGRESSION.items():
    register(
        _name, _reg_forward(_name, _fwd), inputs=("data", "label"), params=_REG_PARAMS,
        infer_shape=_reg_infer_shape, infer_type=uniform_type,
        gradient=(lambda bname: lambda F, a, xs, ys, dys: [
            getattr(F, bname)(ys[0], xs[1], **a), None])(_bname),
        doc=f"""Regression loss head: ``{_fdoc}``.

Backward ignores the head gradient and returns
``{_gdoc} * grad_scale / num_output``, where ``num_output = label.size /
label.shape[0]`` (the outputs per sample).  ``label`` has data's size (data (N, 1)
takes label (N,)); it gets no gradient.""")
    register(_bname, _reg_backward(_diff), inputs=("output", "label"), params=_REG_PARAMS,
             infer_shape=lambda a, s: (s, [s[0]]),
             doc=f"The gradient of ``{_name}``: ``{_gdoc} * grad_scale / num_output``.")


# ---- SVMOutput ----------------------------------------------------------------------------
def _svm_backward(k, a, out, label):
    n = out.shape[0]
    c = out.size // n if n else 0
    if label.size != n:
        raise MXNetError(f"SVMOutput: label must have {n} elements, got shape "
                         f"{tuple(label.shape)}")
    o = k.reshape(k.copy(out), (n, c))
    hot = _one_hot_rows(k, k.reshape(label, (n,)), c, out.dtype)
    m, reg = a.margin, a.regularization_coefficient
    # s = o on the label's column and -o elsewhere; the hinge is active where margin > s
    sign = k.binary("subtract", k.binary("multiply", hot, 2.0), 1.0)       # +1 / -1
    s = k.binary("multiply", o, sign)
    active = k.binary("greater", k.full(s.shape, m, s.dtype), s)
    if a.use_linear:                           # L1-SVM: -reg on the label, +reg elsewhere
        g = k.binary("multiply", k.binary("multiply", active, sign), -reg)
    else:                                      # L2-SVM: -2 reg (margin - s) * sign
        g = k.binary("multiply", k.binary("multiply", k.binary(
            "multiply", k.binary("subtract", k.full(s.shape, m, s.dtype), s), active), sign),
            -2.0 * reg)
    return k.reshape(g, out.shape)


_SVM_PARAMS = {"margin": Param("float", 1.0), "regularization_coefficient": Param("float", 1.0),
               "use_linear": Param("bool", False)}


def _svm_forward(k, a, x, label):
    _check_float("SVMOutput", x, label)
    return k.copy(x)


register(
    "SVMOutput", _svm_forward, inputs=("data", "label"), params=_SVM_PARAMS,
    infer_shape=lambda a, s: ([s[0], s[1] if s[1] is not None else
                               (s[0][0],) if s[0] is not None else None], [s[0]]),
    infer_type=uniform_type,
    gradient=lambda F, a, xs, ys, dys: [F._backward_SVMOutput(ys[0], xs[1], **a), None],
    doc=r"""Support vector machine loss head.  Forward: the identity on ``data`` (N, C).

Backward ignores the head gradient.  With ``s = out[i, j]`` for the label's column
``j = label[i]`` and ``s = -out[i, j]`` elsewhere, the hinge is active where
``margin > s``; the gradient there is ``-reg * sign`` (``use_linear``, L1-SVM) or
``-2 * reg * (margin - s) * sign`` (default, L2-SVM), where ``sign`` is +1 on the
label's column and -1 elsewhere, and ``reg = regularization_coefficient``.""")

register(
    "_backward_SVMOutput", _svm_backward, inputs=("output", "label"), params=_SVM_PARAMS,
    infer_shape=lambda a, s: (s, [s[0]]),
    doc="SVMOutput's gradient (see ``SVMOutput``).")


# ---- MakeLoss and make_loss ------------------------------------------------------------------
def _make_loss_backward(k, a, x):
    if a.normalization == "batch":
        scale = a.grad_scale / x.shape[0] if len(x.shape) and x.shape[0] else a.grad_scale
    elif a.normalization == "valid":
        valid = k.reduce("sum", k.binary("greater", x, a.valid_thresh),
                         tuple(range(len(x.shape))), False)
        scale = a.grad_scale / max(1.0, float(k.to_numpy(valid)))
    else:
        scale = a.grad_scale
    return k.full(x.shape, scale, x.dtype)


_MAKE_LOSS_PARAMS = {"grad_scale": Param("float", 1.0), "valid_thresh": Param("float", 0.0),
                     "normalization": Param("str", "null", choices=("batch", "null", "valid"))}

register(
    "MakeLoss", lambda k, a, x: k.copy(x), params=_MAKE_LOSS_PARAMS,
    gradient=lambda F, a, xs, ys, dys: [F._backward_MakeLoss(xs[0], **a)],
    doc=r"""Turn any expression into a loss head.  Forward: the identity.

Backward ignores the head gradient and returns ``grad_scale / cnt`` everywhere,
``cnt`` = 1 (``normalization='null'``), the batch size ``data.shape[0]``
(``'batch'``) or ``max(1, #elements of data > valid_thresh)`` (``'valid'``).""")

register(
    "_backward_MakeLoss", _make_loss_backward, params=_MAKE_LOSS_PARAMS,
    doc="MakeLoss's gradient: ``grad_scale / cnt`` in data's shape (see ``MakeLoss``).")

register(
    "make_loss", lambda k, a, x: k.copy(x), outputs=("loss",),
    gradient=lambda F, a, xs, ys, dys: [F.ones_like(xs[0])],
    doc=r"""Turn an expression into a loss head (MXNet's older form of ``MakeLoss``,
without parameters; its output is named ``loss``).  Forward: the identity.  The
gradient ignores the head gradient and is ``ones_like(data)``.""")


# ---- softmax_cross_entropy and smooth_l1 ---------------------------------------------------------
def _sce_check(k, x, label):
    _check_float("softmax_cross_entropy", x, label)
    if len(x.shape) != 2 or tuple(label.shape) != (x.shape[0],):
        raise MXNetError(f"softmax_cross_entropy: data must be (N, C) and label (N,), got "
                         f"data {tuple(x.shape)} and label {tuple(label.shape)}")


def _softmax_cross_entropy(k, a, x, label):
    _sce_check(k, x, label)
    n, c = x.shape
    from .softmax import log_softmax_kernel
    logp = log_softmax_kernel(k, x, (1,))
    hot = _one_hot_rows(k, label, c, x.dtype)
    total = k.reduce("sum", k.binary("multiply", logp, hot), (0, 1), False)
    return k.reshape(k.unary("negative", total), (1,))


def _sce_backward(k, a, dy, x, label):
    # BEGIN EXERCISE softmax_ce_grad
    n, c = x.shape
    g = k.binary("subtract", softmax_kernel(k, x, (1,)), _one_hot_rows(k, label, c, x.dtype))
    return k.binary("multiply", g, k.broadcast_to(k.reshape(dy, (1, 1)), g.shape))
    # END EXERCISE softmax_ce_grad


register(
    "softmax_cross_entropy", _softmax_cross_entropy, inputs=("data", "label"),
    infer_shape=lambda a, s: ([s[0], s[1] if s[1] is not None else
                               ((s[0][0],) if s[0] is not None else None)],
                              [(1,) if s[0] is not None else None]),
    infer_type=uniform_type,
    gradient=lambda F, a, xs, ys, dys: [
        F._backward_softmax_cross_entropy(dys[0], xs[0], xs[1]), None],
    doc=r"""Softmax cross-entropy summed over the batch::

    out = -sum_i log(softmax(data[i])[label[i]])          shape (1,)

``data`` (N, C), ``label`` (N,) class indices.  Gradient: ``dy * (softmax(data) -
onehot(label))``; the label gets none.""")

def _sce_backward_gradient(F, a, xs, ys, dys):
    """``dx = dy * (softmax(x) - onehot)`` with ``dy`` of shape (1,): its gradient in dy
    is ``sum(g * (softmax(x) - onehot))``, in x softmax's backward of ``g * dy``."""
    dy, x, label = xs
    g = dys[0]
    d_dy = F.sum(g * F._backward_softmax_cross_entropy(F.ones_like(dy), x, label))
    d_x = F._backward_softmax(F.broadcast_mul(g, dy), F.softmax(x, axis=1), axis=1)
    return [d_dy, d_x, None]


register(
    "_backward_softmax_cross_entropy", _sce_backward, inputs=("ograd", "data", "label"),
    infer_shape=lambda a, s: (s, [s[1]]), infer_type=lambda a, t: (t, [t[1]]),
    gradient=_sce_backward_gradient,
    doc="softmax_cross_entropy's backward: ``ograd * (softmax(data) - onehot(label))``.")


def _smooth_l1(k, a, x):
    if x.dtype.kind in "iu":     # MXNet: scalar cast to x's dtype, float math, truncated
        y = _smooth_l1(k, Attrs(a, scalar=float(int(a.scalar))), k.astype(x, "float32"))
        return k.astype(y, x.dtype)
    _check_float("smooth_l1", x)
    s2 = a.scalar * a.scalar
    ax = k.unary("abs", x)
    quad = k.binary("multiply", k.unary("square", x), 0.5 * s2)
    lin = k.binary("subtract", ax, 0.5 / s2)
    return k.where(k.binary("lesser", ax, 1.0 / s2), quad, lin)


def _smooth_l1_gradient(F, a, xs, ys, dys):
    s2 = a.scalar * a.scalar
    x = xs[0]
    inner = F.abs(x) < 1.0 / s2
    return [dys[0] * (inner * x * s2 + (1 - inner) * F.sign(x))]


register(
    "smooth_l1", _smooth_l1, params={"scalar": Param("float", 1.0)},
    gradient=_smooth_l1_gradient,
    doc=r"""Smooth L1 (Huber-like) loss, elementwise, with ``sigma = scalar``::

    out = 0.5 * (sigma * x)^2     if |x| < 1 / sigma^2
          |x| - 0.5 / sigma^2     otherwise

Gradient: ``sigma^2 * x`` inside, ``sign(x)`` outside.""")
