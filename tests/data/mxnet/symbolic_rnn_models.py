"""The networks of the ``mx.rnn`` / ``BucketingModule`` fixtures, written once for both
sides: ``make_symbolic_rnn.py`` builds them with real MXNet 1.9.1, the tests
(tests/test_symbolic_rnn.py, tests/test_bucketing_module.py) with pymx.  Every
function takes the framework module ``mx`` as its first argument.
"""
N, T, C, H = 2, 3, 5, 4
# the bucketing language model: vocabulary, embedding, hidden, layers, batch, buckets
V, E, HL, LAYERS, BATCH, BUCKETS = 12, 5, 6, 2, 4, [4, 6, 8]
OPT = {"learning_rate": 0.5, "momentum": 0.9, "wd": 1e-4}


def flat(states):
    """Nested state lists (``BidirectionalCell``) -> one flat list."""
    out = []
    for s in states:
        out.extend(flat(s) if isinstance(s, (list, tuple)) else [s])
    return out


def cell_configs(mx):
    """``[(case name, make cell, unroll options)]``; options may hold ``layout`` and
    ``in_dim`` (the input size, default C) besides ``merge_outputs``."""
    def lstm(p="lstm_"):
        return mx.rnn.LSTMCell(H, prefix=p)

    def gru(p="gru_"):
        return mx.rnn.GRUCell(H, prefix=p)

    def seq2():
        s = mx.rnn.SequentialRNNCell()
        s.add(lstm("l0_"))
        s.add(mx.rnn.DropoutCell(0.5, prefix="d0_"))
        s.add(gru("l1_"))
        return s

    def fused(**kw):
        return lambda: mx.rnn.FusedRNNCell(H, **kw)

    return [
        ("rnn_tanh", lambda: mx.rnn.RNNCell(H, prefix="rnn_"), {}),
        ("rnn_relu_tnc", lambda: mx.rnn.RNNCell(H, activation="relu", prefix="r_"),
         {"layout": "TNC"}),
        ("lstm_merged", lstm, {"merge_outputs": True}),
        ("lstm_list", lstm, {"merge_outputs": False}),
        ("lstm_tnc", lambda: mx.rnn.LSTMCell(H, prefix="lstm_", forget_bias=2.0),
         {"layout": "TNC", "merge_outputs": True}),
        ("gru_merged", gru, {"merge_outputs": True}),
        ("sequential", seq2, {"merge_outputs": True}),
        ("bidirectional_merged", lambda: mx.rnn.BidirectionalCell(
            lstm("bl_"), gru("br_"), output_prefix="bi_"), {"merge_outputs": True}),
        ("bidirectional_list", lambda: mx.rnn.BidirectionalCell(
            mx.rnn.RNNCell(H, prefix="bl_"), mx.rnn.RNNCell(H, prefix="br_")), {}),
        ("residual", lambda: mx.rnn.ResidualCell(gru("res_")),
         {"merge_outputs": True, "in_dim": H}),
        ("zoneout", lambda: mx.rnn.ZoneoutCell(lstm("z_"), zoneout_outputs=0.3,
                                               zoneout_states=0.2), {}),
        ("fused_lstm_bi", fused(num_layers=2, mode="lstm", bidirectional=True,
                                get_next_state=True, prefix="f_"),
         {"layout": "TNC", "merge_outputs": True}),
        ("fused_gru_ntc", fused(num_layers=1, mode="gru", get_next_state=True),
         {"merge_outputs": True}),
        ("fused_rnn_nostate", fused(mode="rnn_tanh"),
         {"layout": "TNC", "merge_outputs": False}),
        ("unfused_lstm_bi", lambda: fused(num_layers=2, mode="lstm", bidirectional=True,
                                          prefix="f_")().unfuse(),
         {"layout": "TNC", "merge_outputs": True}),
    ]


def unroll_case(mx, make, opts):
    """Build the cell in a fresh NameManager and unroll it T steps over ``data``.
    Returns ``(cell, outputs, Group(outputs + flat states), layout, input shape)``."""
    opts = dict(opts)
    layout = opts.pop("layout", "NTC")
    in_dim = opts.pop("in_dim", C)
    with mx.name.NameManager():
        cell = make()
        outputs, states = cell.unroll(T, mx.sym.var("data"), layout=layout, **opts)
        outs = [outputs] if isinstance(outputs, mx.sym.Symbol) else list(outputs)
        group = mx.sym.Group(outs + flat(states))
    dshape = (N, T, in_dim) if layout == "NTC" else (T, N, in_dim)
    return cell, outputs, group, layout, dshape


def lm_sym_gen(mx):
    """example/rnn/bucketing/lstm_bucketing.py's ``sym_gen`` (one stack of LSTM cells
    re-unrolled per bucket), at this file's sizes."""
    stack = mx.rnn.SequentialRNNCell()
    for i in range(LAYERS):
        stack.add(mx.rnn.LSTMCell(num_hidden=HL, prefix="lstm_l%d_" % i))

    def sym_gen(seq_len):
        data = mx.sym.Variable("data")
        label = mx.sym.Variable("softmax_label")
        embed = mx.sym.Embedding(data=data, input_dim=V, output_dim=E, name="embed")
        stack.reset()
        outputs = stack.unroll(seq_len, inputs=embed, merge_outputs=True)[0]
        pred = mx.sym.Reshape(outputs, shape=(-1, HL))
        pred = mx.sym.FullyConnected(data=pred, num_hidden=V, name="pred")
        label = mx.sym.Reshape(label, shape=(-1,))
        pred = mx.sym.SoftmaxOutput(data=pred, label=label, name="softmax")
        return pred, ("data",), ("softmax_label",)
    return sym_gen


def lm_iter(mx, sentences):
    """The language model's ``BucketSentenceIter`` after seeding Python's and NumPy's
    generators (its shuffles use both)."""
    import random

    import numpy as np
    random.seed(7)
    np.random.seed(7)
    return mx.rnn.BucketSentenceIter(sentences, BATCH, buckets=list(BUCKETS),
                                     invalid_label=0)
