"""``RNN``: MXNet's fused multi-layer (bi)directional RNN / LSTM / GRU, and its gradient
``_backward_RNN`` (back-propagation through time).

Everything is time-major (TNC).  The weights of all layers live in **one flat vector**
``parameters``, packed exactly as MXNet (and cuDNN) pack them, which is what Gluon's
``rnn.LSTM`` etc. pass in::

    for each layer l, for each direction d (left-to-right, then right-to-left):
        i2h weight (G*H, I_l), h2h weight (G*H, H)  [, h2r weight (P, H) with projection]
    then for each layer l, for each direction d:
        i2h bias (G*H,), h2h bias (G*H,)

``G`` is the number of gates (1 for rnn_relu/rnn_tanh, 4 for lstm in the order
[i, f, g, o], 3 for gru in the order [r, z, n]); ``I_0`` is the input size and
``I_l = D*H`` (``D*P`` with projection) for the layers above.  Weights are stored row
major, so the slice for the i2h weight reshaped to (G*H, I_l) is used as ``x @ W.T``.

The forward is a Python loop over time steps written in backend kernels; the backward
recomputes the forward keeping each step's gates and runs the loop in reverse.
"""
import numpy as np

from ..base import FLAGS, MXNetError
from .registry import Param, register

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
_FALLBACK_RNG = []


def _host_rng():
    """pymx's seeded host generator (``pymx.ops.random.host_rng``) when it exists, else a
    private ``numpy.random.default_rng()``; dropout masks are drawn on the host."""
    try:
        from . import random as _random
        return _random.host_rng()
    except (ImportError, AttributeError):
        if not _FALLBACK_RNG:
            _FALLBACK_RNG.append(np.random.default_rng())
        return _FALLBACK_RNG[0]


# ---- sizes and the packed parameter vector ----------------------------------------------
def _dims(a):
    """(G, H, Hs, D, L): gates, hidden size, recurrent state size (P with projection),
    directions, layers."""
    h = a.state_size
    return _GATES[a.mode], h, a.projection_size or h, 2 if a.bidirectional else 1, a.num_layers


def _layout(a, input_size):
    """``{(layer, direction, name): (offset, shape)}`` and the total parameter count."""
    g, h, hs, d, n_layers = _dims(a)
    pieces, ni = [], input_size
    for layer in range(n_layers):
        for direction in range(d):
            pieces += [((layer, direction, "wx"), (g * h, ni)),
                       ((layer, direction, "wh"), (g * h, hs))]
            if a.projection_size:
                pieces.append(((layer, direction, "wr"), (hs, h)))
        ni = hs * d
    for layer in range(n_layers):
        for direction in range(d):
            pieces += [((layer, direction, "bx"), (g * h,)),
                       ((layer, direction, "bh"), (g * h,))]
    layout, offset = {}, 0
    for key, shape in pieces:
        layout[key] = (offset, shape)
        offset += int(np.prod(shape))
    return layout, offset


def _unpack(k, a, params, input_size):
    layout, _ = _layout(a, input_size)
    return {key: k.reshape(k.getitem(params, slice(off, off + int(np.prod(shape)))), shape)
            for key, (off, shape) in layout.items()}


def _pack(k, a, grads, input_size):
    """The inverse of ``_unpack``: flat pieces concatenated in layout order."""
    layout, _ = _layout(a, input_size)
    order = sorted(layout, key=lambda key: layout[key][0])
    return k.concat([k.reshape(grads[key], (int(np.prod(layout[key][1])),))
                     for key in order], 0)


# ---- inputs, outputs, shapes -------------------------------------------------------------
def _inputs(a):
    names = ["data", "parameters", "state"]
    if a.mode == "lstm":
        names.append("state_cell")
    if a.use_sequence_length:
        names.append("sequence_length")
    return names


def _has_mask(a):
    return a.p > 0 and a.num_layers > 1


def _state_outputs(a):
    if not a.state_outputs:
        return []
    # MXNet's output names: ``<name>_state_output``, ``<name>_statecell_output``
    return ["state_output", "statecell_output"] if a.mode == "lstm" else ["state_output"]


def _outputs(a):
    return ["output"] + _state_outputs(a) + (["dropout_mask"] if _has_mask(a) else [])


def _num_visible(a):
    return 1 + len(_state_outputs(a))


def _check_attrs(a):
    if a.mode not in _GATES:
        raise MXNetError(f"RNN: argument 'mode' must be one of {sorted(_GATES)}, got {a.mode!r}")
    if a.projection_size and a.mode != "lstm":
        raise MXNetError("RNN: projection_size is supported only with mode='lstm'")
    if (a.lstm_state_clip_min is None) != (a.lstm_state_clip_max is None):
        raise MXNetError("RNN: lstm_state_clip_min and lstm_state_clip_max must be given "
                         "together")
    if not 0 <= a.p < 1:
        raise MXNetError(f"RNN: argument 'p' must be in [0, 1), got {a.p}")


def _expected_shapes(a, data_shape):
    t, n, i = data_shape
    _, h, hs, d, n_layers = _dims(a)
    shapes = [tuple(data_shape), (_layout(a, i)[1],), (n_layers * d, n, hs)]
    if a.mode == "lstm":
        shapes.append((n_layers * d, n, h))
    if a.use_sequence_length:
        shapes.append((n,))
    return shapes


def _out_shapes(a, data_shape):
    t, n, _ = data_shape
    _, h, hs, d, n_layers = _dims(a)
    outs = [(t, n, d * hs)]
    outs += [(n_layers * d, n, hs), (n_layers * d, n, h)][:len(_state_outputs(a))]
    if _has_mask(a):
        outs.append((n_layers - 1, t, n, d * hs))
    return outs


def _rnn_infer_shape(a, in_shapes):
    _check_attrs(a)
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None] * len(_outputs(a))
    if len(data) != 3:
        raise MXNetError(f"RNN: data must be 3-D (T, N, C), got shape {tuple(data)}")
    return _expected_shapes(a, data), _out_shapes(a, data)


def _check_inputs(op, a, xs):
    _check_attrs(a)
    data = xs[0]
    if len(data.shape) != 3:
        raise MXNetError(f"{op}: data must be 3-D (T, N, C) (layout TNC), got shape "
                         f"{tuple(data.shape)}")
    for name, x, want in zip(_inputs(a), xs, _expected_shapes(a, data.shape)):
        if x.dtype != data.dtype and name != "sequence_length":   # no type promotion
            raise MXNetError(f"{op}: {name} must have data's dtype {data.dtype.name}, "
                             f"got {x.dtype.name}")
        if tuple(x.shape) != want:
            raise MXNetError(f"{op}: {name} must have shape {want} for data "
                             f"{tuple(data.shape)}, got {tuple(x.shape)}")


# ---- one layer in one direction ----------------------------------------------------------
class _Ops:
    """Kernel shorthands for the cell code (``o.mul(a, b)`` is ``k.binary('multiply', ...)``)."""

    def __init__(self, k):
        self.k = k

    def add(self, a, b):
        return self.k.binary("add", a, b)

    def sub(self, a, b):
        return self.k.binary("subtract", a, b)

    def mul(self, a, b):
        return self.k.binary("multiply", a, b)

    def one_minus(self, a):
        return self.k.binary("add", self.k.unary("negative", a), 1.0)

    def gate(self, x, j, size):
        """Columns ``[j*size, (j+1)*size)`` of a (N, G*size) gate array."""
        return self.k.getitem(x, (slice(None), slice(j * size, (j + 1) * size)))

    def bias(self, b, n):
        return self.k.broadcast_to(self.k.reshape(b, (1,) + tuple(b.shape)), (n,) + tuple(b.shape))


def _step_order(t, reverse):
    return range(t - 1, -1, -1) if reverse else range(t)


def _layer_forward(k, a, x, w, h, c, valid, reverse, keep):
    """Run one direction of one layer over all steps.

    x (T, N, I); w the layer's weights; h (N, Hs) and c (N, H) (c None unless lstm);
    ``valid[t]`` None or a (N, 1)-like 0/1 array broadcast for blending.  Returns the
    outputs (T, N, Hs), the final h and c, and (if keep) the per-step caches.
    """
    o = _Ops(k)
    t_len, n, i_size = x.shape
    g, hid, hs, _, _ = _dims(a)
    xw = k.matmul(k.reshape(x, (t_len * n, i_size)), w["wx"], transpose_b=True)
    xw = k.reshape(o.add(xw, o.bias(w["bx"], t_len * n)), (t_len, n, g * hid))
    bh = o.bias(w["bh"], n)
    clip = a.lstm_state_clip_min is not None
    ys, caches = [None] * t_len, [None] * t_len
    for t in _step_order(t_len, reverse):
        gx = k.getitem(xw, t)
        gh = o.add(k.matmul(h, w["wh"], transpose_b=True), bh)
        cache = {"h_prev": h, "c_prev": c}
        if a.mode == "lstm":
            gates = o.add(gx, gh)
            ig = k.unary("sigmoid", o.gate(gates, 0, hid))
            fg = k.unary("sigmoid", o.gate(gates, 1, hid))
            gg = k.unary("tanh", o.gate(gates, 2, hid))
            og = k.unary("sigmoid", o.gate(gates, 3, hid))
            c_raw = o.add(o.mul(fg, c), o.mul(ig, gg))
            c_new = k.clip(c_raw, a.lstm_state_clip_min, a.lstm_state_clip_max) if clip \
                else c_raw
            if clip and a.lstm_state_clip_nan:      # NaN -> the upper bound (cuDNN's fmin)
                c_new = k.where(k.binary("not_equal", c_raw, c_raw),
                                k.full(c_raw.shape, a.lstm_state_clip_max, c_raw.dtype), c_new)
            tc = k.unary("tanh", c_new)
            h_raw = o.mul(og, tc)
            h_new = k.matmul(h_raw, w["wr"], transpose_b=True) if a.projection_size else h_raw
            cache.update(i=ig, f=fg, g=gg, o=og, c_raw=c_raw, tc=tc, h_raw=h_raw)
        elif a.mode == "gru":
            rg = k.unary("sigmoid", o.add(o.gate(gx, 0, hid), o.gate(gh, 0, hid)))
            zg = k.unary("sigmoid", o.add(o.gate(gx, 1, hid), o.gate(gh, 1, hid)))
            hn = o.gate(gh, 2, hid)                              # W_hn h + b_hn
            ng = k.unary("tanh", o.add(o.gate(gx, 2, hid), o.mul(rg, hn)))
            h_new = o.add(o.mul(o.one_minus(zg), ng), o.mul(zg, h))
            cache.update(r=rg, z=zg, n=ng, hn=hn)
        else:
            act = "relu" if a.mode == "rnn_relu" else "tanh"
            h_new = k.unary(act, o.add(gx, gh))
            cache.update(act=h_new)
        if valid is not None:                       # padded steps keep the old state
            ys[t] = o.mul(h_new, valid[t][0])
            h = k.where(valid[t][0], h_new, h)
            if c is not None:
                c = k.where(valid[t][1], c_new, c)
        else:
            ys[t], h = h_new, h_new
            if c is not None:
                c = c_new
        if keep:
            caches[t] = cache
    return k.stack(ys, 0), h, c, caches


def _layer_backward(k, a, x, w, caches, dys, dh, dc, valid, reverse):
    """BPTT through one direction of one layer.  dys (T, N, Hs) is the gradient of the
    outputs; dh, dc of the final states.  Returns dx, the weight gradients, dh0, dc0."""
    o = _Ops(k)
    t_len, n, i_size = x.shape
    g, hid, hs, _, _ = _dims(a)
    dgx, dgh, hprev = [None] * t_len, [None] * t_len, [None] * t_len
    dwr = None
    clip = a.lstm_state_clip_min is not None
    for t in reversed(list(_step_order(t_len, reverse))):
        cc = caches[t]
        dout = o.add(dh, k.getitem(dys, t))
        if valid is not None:                       # padded step: state passes through
            dnew = o.mul(dout, valid[t][0])
            dh_pass = k.where(valid[t][0], k.full(dh.shape, 0, dh.dtype), dh)
        else:
            dnew, dh_pass = dout, None
        if a.mode == "lstm":
            if a.projection_size:
                step = k.matmul(dnew, cc["h_raw"], transpose_a=True)
                dwr = step if dwr is None else o.add(dwr, step)
                dnew = k.matmul(dnew, w["wr"])
            dc_next = dc
            dc_in = dc if valid is None else o.mul(dc, valid[t][1])
            dtc = o.mul(o.mul(dnew, cc["o"]), o.one_minus(k.unary("square", cc["tc"])))
            dcell = o.add(dc_in, dtc)
            if clip:
                inside = o.mul(k.binary("greater", cc["c_raw"], a.lstm_state_clip_min),
                               k.binary("lesser", cc["c_raw"], a.lstm_state_clip_max))
                dcell = o.mul(dcell, inside)
            di = o.mul(o.mul(dcell, cc["g"]), o.mul(cc["i"], o.one_minus(cc["i"])))
            df = o.mul(o.mul(dcell, cc["c_prev"]), o.mul(cc["f"], o.one_minus(cc["f"])))
            dg = o.mul(o.mul(dcell, cc["i"]), o.one_minus(k.unary("square", cc["g"])))
            do = o.mul(o.mul(dnew, cc["tc"]), o.mul(cc["o"], o.one_minus(cc["o"])))
            dgates = k.concat([di, df, dg, do], 1)
            dgx[t] = dgh[t] = dgates
            dc = o.mul(dcell, cc["f"])
            if valid is not None:                   # padded step: the cell passes through
                dc = o.add(dc, k.where(valid[t][1], k.full(dc.shape, 0, dc.dtype), dc_next))
        elif a.mode == "gru":
            r, z, nn, hn = cc["r"], cc["z"], cc["n"], cc["hn"]
            dn = o.mul(o.mul(dnew, o.one_minus(z)), o.one_minus(k.unary("square", nn)))
            dz = o.mul(o.mul(dnew, o.sub(cc["h_prev"], nn)), o.mul(z, o.one_minus(z)))
            dr = o.mul(o.mul(dn, hn), o.mul(r, o.one_minus(r)))
            dgx[t] = k.concat([dr, dz, dn], 1)
            dgh[t] = k.concat([dr, dz, o.mul(dn, r)], 1)
        else:
            y = cc["act"]
            deriv = k.binary("greater", y, 0.0) if a.mode == "rnn_relu" \
                else o.one_minus(k.unary("square", y))
            dgx[t] = dgh[t] = o.mul(dnew, deriv)
        hprev[t] = cc["h_prev"]
        dh = k.matmul(dgh[t], w["wh"])
        if a.mode == "gru":
            dh = o.add(dh, o.mul(dnew, cc["z"]))
        if dh_pass is not None:
            dh = o.add(dh, dh_pass)
    flat = lambda xs: k.reshape(k.stack(xs, 0), (t_len * n, -1))      # noqa: E731
    dgx_all, dgh_all = flat(dgx), flat(dgh)
    grads = {"wx": k.matmul(dgx_all, k.reshape(x, (t_len * n, i_size)), transpose_a=True),
             "wh": k.matmul(dgh_all, flat(hprev), transpose_a=True),
             "bx": k.reduce("sum", dgx_all, (0,), False),
             "bh": k.reduce("sum", dgh_all, (0,), False)}
    if a.projection_size:
        grads["wr"] = dwr
    dx = k.reshape(k.matmul(dgx_all, w["wx"]), (t_len, n, i_size))
    return dx, grads, dh, dc



# ---- all layers ---------------------------------------------------------------------------
def _valid_masks(k, a, data, length):
    """Per step t: (mask for h (N, Hs), mask for c (N, H)), 1 where t < length[n]; or None."""
    if length is None:
        return None
    t_len, n, _ = data.shape
    _, hid, hs, _, _ = _dims(a)
    steps = k.broadcast_to(k.reshape(k.arange(0, t_len, 1, "float32"), (t_len, 1)), (t_len, n))
    lens = k.unary("trunc", k.astype(length, "float32"))
    lens = k.broadcast_to(k.reshape(lens, (1, n)), (t_len, n))
    valid = k.astype(k.binary("lesser", steps, lens), data.dtype)          # (T, N)
    out = []
    for t in range(t_len):
        col = k.reshape(k.getitem(valid, t), (n, 1))
        out.append((k.broadcast_to(col, (n, hs)), k.broadcast_to(col, (n, hid))))
    return out


def _split(a, xs):
    """(data, parameters, state, state_cell or None, sequence_length or None, rest)."""
    xs = list(xs)
    data, params, state = xs[:3]
    i = 3
    cell = None
    if a.mode == "lstm":
        cell, i = xs[3], 4
    length = None
    if a.use_sequence_length:
        length, i = xs[i], i + 1
    return data, params, state, cell, length, xs[i:]


def _run(k, a, data, params, state, cell, length, masks, keep):
    """The whole stack.  Returns out, [hy per (l, d)], [cy per (l, d)], and when ``keep``
    each layer's input and each (l, d)'s step caches."""
    _, _, hs, n_dir, n_layers = _dims(a)
    w = _unpack(k, a, params, data.shape[2])
    valid = _valid_masks(k, a, data, length)
    x, hy, cy, inputs, caches = data, [], [], [], {}
    for layer in range(n_layers):
        outs = []
        for d in range(n_dir):
            wd = {name: w[(layer, d, name)] for name in ("wx", "wh", "bx", "bh", "wr")
                  if (layer, d, name) in w}
            idx = layer * n_dir + d
            c0 = k.getitem(cell, idx) if cell is not None else None
            y, h_t, c_t, cache = _layer_forward(k, a, x, wd, k.getitem(state, idx), c0,
                                                valid, d == 1, keep)
            outs.append(y)
            hy.append(h_t)
            cy.append(c_t)
            caches[(layer, d)] = (wd, cache)
        inputs.append(x)
        x = outs[0] if n_dir == 1 else k.concat(outs, 2)
        if masks is not None and layer < n_layers - 1:
            x = k.binary("multiply", x, k.getitem(masks, layer))
    return x, hy, cy, inputs, caches, valid


def _dropout_masks(k, a, data):
    """(L-1, T, N, D*Hs) masks of 0 and 1/(1-p) while training, ones otherwise."""
    t_len, n, _ = data.shape
    _, _, hs, n_dir, n_layers = _dims(a)
    shape = (n_layers - 1, t_len, n, n_dir * hs)
    if not FLAGS.training:
        return k.full(shape, 1, data.dtype)
    keep = 1.0 - a.p
    draw = _host_rng().random(shape) < keep
    return k.from_numpy((draw / keep).astype(data.dtype))


def _rnn(k, a, *xs):
    _check_inputs("RNN", a, xs)
    data, params, state, cell, length, _ = _split(a, xs)
    masks = _dropout_masks(k, a, data) if _has_mask(a) else None
    out, hy, cy, _, _, _ = _run(k, a, data, params, state, cell, length, masks, False)
    res = [out]
    if a.state_outputs:
        res.append(k.stack(hy, 0))
        if a.mode == "lstm":
            res.append(k.stack(cy, 0))
    if masks is not None:
        res.append(masks)
    return tuple(res) if len(res) > 1 else out


def _rnn_gradient(F, a, xs, ys, dys):
    data, params, state, cell, length, _ = _split(a, xs)
    heads = [dys[0]]
    n_state = len(_state_outputs(a))
    heads.append(dys[1] if n_state else F.zeros_like(state))
    if a.mode == "lstm":
        heads.append(dys[2] if n_state == 2 else F.zeros_like(cell))
    ins = [x for x in (data, params, state, cell, length) if x is not None]
    mask = [ys[-1]] if _has_mask(a) else []
    grads = F._backward_RNN(*ins, *heads, *mask, **_attr_kwargs(a))
    grads = list(grads)
    return grads + ([None] if a.use_sequence_length else [])


def _attr_kwargs(a):
    return {key: a[key] for key in _PARAMS if key in a}


# ---- the backward op ----------------------------------------------------------------------
def _backward_inputs(a):
    names = _inputs(a) + ["dout", "dhy"] + (["dcy"] if a.mode == "lstm" else [])
    return names + (["dropout_mask"] if _has_mask(a) else [])


def _backward_rnn(k, a, *xs):
    data, params, state, cell, length, rest = _split(a, xs)
    dout, dhy = rest[0], rest[1]
    dcy = rest[2] if a.mode == "lstm" else None
    masks = rest[-1] if _has_mask(a) else None
    _, _, hs, n_dir, n_layers = _dims(a)
    _, _, _, inputs, caches, valid = _run(k, a, data, params, state, cell, length, masks, True)
    grads, dstate, dcell = {}, [None] * (n_layers * n_dir), [None] * (n_layers * n_dir)
    dx_layer = dout
    for layer in reversed(range(n_layers)):
        if masks is not None and layer < n_layers - 1:
            dx_layer = k.binary("multiply", dx_layer, k.getitem(masks, layer))
        dx_in = None
        for d in range(n_dir):
            idx = layer * n_dir + d
            wd, cache = caches[(layer, d)]
            dys = k.getitem(dx_layer, (slice(None), slice(None), slice(d * hs, (d + 1) * hs)))
            dc = k.getitem(dcy, idx) if dcy is not None else None
            dx, g, dh0, dc0 = _layer_backward(k, a, inputs[layer], wd, cache, dys,
                                              k.getitem(dhy, idx), dc, valid, d == 1)
            for name, value in g.items():
                grads[(layer, d, name)] = value
            dstate[idx], dcell[idx] = dh0, dc0
            dx_in = dx if dx_in is None else k.binary("add", dx_in, dx)
        dx_layer = dx_in
    res = [dx_layer, _pack(k, a, grads, data.shape[2]), k.stack(dstate, 0)]
    if a.mode == "lstm":
        res.append(k.stack(dcell, 0))
    return tuple(res)


def _backward_shape(a, in_shapes):
    n_out = 4 if a.mode == "lstm" else 3
    return in_shapes, list(in_shapes[:n_out])


_PARAMS = {
    "state_size": Param("int", doc="H, the hidden state size of each layer"),
    "num_layers": Param("int", doc="L, the number of stacked layers"),
    "bidirectional": Param("bool", False),
    "mode": Param("str", choices=tuple(sorted(_GATES))),
    "p": Param("float", 0.0, doc="dropout on the outputs of every layer but the last"),
    "state_outputs": Param("bool", False, doc="also return the final states"),
    "projection_size": Param("int", None, doc="P, LSTM projection size (LSTMP)"),
    "lstm_state_clip_min": Param("float", None),
    "lstm_state_clip_max": Param("float", None),
    "lstm_state_clip_nan": Param("bool", False),
    "use_sequence_length": Param("bool", False),
}

register("RNN", _rnn, inputs=_inputs, params=_PARAMS, outputs=_outputs,
         num_visible_outputs=_num_visible, infer_shape=_rnn_infer_shape,
         gradient=_rnn_gradient, doc="""\
A stack of ``num_layers`` recurrent layers (optionally bidirectional) over a whole
sequence, as one op (MXNet's fused, cuDNN-compatible RNN).

Shapes (layout TNC): data (T, N, I); parameters (K,) packed as described in this
module's docstring (K is inferred); state (L*D, N, H); state_cell (L*D, N, H), lstm
only; sequence_length (N,) only with ``use_sequence_length``.  Outputs: out
(T, N, D*H), and with ``state_outputs`` also hy (L*D, N, H) and, for lstm, cy
(L*D, N, H).  Index ``l*D + d`` of a state is layer l, direction d.  With
``projection_size=P`` (lstm only) h, hy and out use P instead of H; cy keeps H.

Per step (``x`` the layer input, ``h`` the previous state, W_i* from the i2h weight
and W_h* from the h2h weight, each with its own bias b_i*, b_h*):

* rnn_relu / rnn_tanh: ``h' = act(W_i x + b_i + W_h h + b_h)``
* lstm: ``i, f, g, o = s(.), s(.), tanh(.), s(.)`` of ``W_i* x + b_i* + W_h* h + b_h*``;
  ``c' = f*c + i*g`` (clipped to [lstm_state_clip_min, max] when given);
  ``h' = o*tanh(c')`` (then ``h' = W_hr h'`` with projection)
* gru (cuDNN's variant, r applied *after* the h2h product):
  ``r = s(W_ir x + b_ir + W_hr h + b_hr)``, ``z = s(W_iz x + b_iz + W_hz h + b_hz)``,
  ``n = tanh(W_in x + b_in + r*(W_hn h + b_hn))``, ``h' = (1 - z)*n + z*h``

The reverse direction runs from t = T-1 down to 0; layer l+1 reads the concatenation
[forward, reverse] of layer l's outputs.  With ``p > 0`` and training, dropout (masks
drawn on the host, kept as a hidden output for the gradient) is applied to every
layer's output except the last.  With ``use_sequence_length`` the steps
``t >= sequence_length[n]`` are padding: their outputs are 0 and the state passes
through unchanged (so the reverse direction starts at each sequence's own end), as
cuDNN does.  The gradient (``_backward_RNN``) is back-propagation through time;
sequence_length gets none.""")

register("_backward_RNN", _backward_rnn, inputs=_backward_inputs, params=_PARAMS,
         outputs=lambda a: ["ddata", "dparameters", "dstate"] +
         (["dstate_cell"] if a.mode == "lstm" else []),
         infer_shape=_backward_shape, doc="""\
RNN's gradient by back-propagation through time: recompute the forward keeping every
step's gates, then run the steps in reverse.  Inputs: RNN's inputs, then the gradients
of out, hy and (lstm) cy (zeros when RNN had no state outputs), then the dropout masks
when RNN used them.  Outputs: the gradients of data, parameters, state and (lstm)
state_cell.""")
