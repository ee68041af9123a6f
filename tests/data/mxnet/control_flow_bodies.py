"""The control-flow programs of ``contrib_cases.json``, shared by ``make_contrib.py`` (run
with MXNet 1.9.1) and ``tests/test_control_flow.py`` (run with pymx): each takes the
framework's ``nd`` and ``autograd`` and the input arrays, runs one program under
``autograd.record()`` with ``backward()``, and returns its results."""


def rnn_foreach(nd, autograd, x, h0, w):
    """``h_t = tanh(x_t * w + h_{t-1})``, outputs ``2 h_t``; loss ``sum(out^2) + sum(h)``.
    Returns (outs, last state); x, h0, w must have attached gradients."""
    def body(data, states):
        h = nd.tanh(data * w + states[0])
        return h * 2, [h]

    with autograd.record():
        outs, states = nd.contrib.foreach(body, x, [h0])
        loss = (outs * outs).sum() + states[0].sum()
    loss.backward()
    return outs, states[0]


def two_sequence_foreach(nd, x, y):
    """foreach over two sequences with two states and two outputs (no gradient)."""
    return nd.contrib.foreach(
        lambda d, s: ([d[0].sum() + s[0], d[1] * s[1]], [s[0] + d[0].sum(), s[1] * 0.5]),
        [x, y], [nd.zeros((1,)), nd.ones((2,))])


def accumulate_while(nd, autograd, v):
    """While i < 5 and s < 10: output 2 s v, then s += i v, i += 1 (from i = 0, s = 1,
    at most 8 steps); ``backward`` of ``sum(outputs) + s``.  Returns (outs, [i, s])."""
    with autograd.record():
        outs, final = nd.contrib.while_loop(
            cond=lambda i, s: (i < 5) * (s < 10),
            func=lambda i, s: ([s * 2 * v], [i + 1, s + i * v]),
            loop_vars=[nd.array([0.0]), nd.array([1.0])], max_iterations=8)
        total = outs[0].sum() + final[1].sum()
    total.backward()
    return outs, final


def branch(nd, autograd, a, b, limit):
    """``cond(a b > limit, 2 a b, [a + b, a - b])``; backward of the product of the
    outputs.  Returns the outputs as a list."""
    with autograd.record():
        r = nd.contrib.cond(a * b > limit, lambda: a * b * 2, lambda: [a + b, a - b])
        r = r if isinstance(r, list) else [r]
        prod = r[0]
        for t in r[1:]:
            prod = prod * t
    prod.backward()
    return r
