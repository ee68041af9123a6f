"""Freeze MXNet 1.9.1's ``mx.viz.print_summary`` tables: ``print_summary.json``.

Run with MXNet 1.9.1: ``python tests/data/mxnet/make_print_summary.py``; the test
(``tests/symbol/test_symbol.py::test_print_summary_is_mxnets_table``) builds the same
symbols with pymx and compares the printed text.
"""
import contextlib
import io
import json
import os


def symbols(mx):
    """name -> (symbol, shape dict or None), auto-named from fresh counters."""
    with mx.name.NameManager():
        return _symbols(mx)


def _symbols(mx):
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, name="fc1", num_hidden=32)
    act = mx.sym.Activation(fc1, name="relu1", act_type="relu")
    fc2 = mx.sym.FullyConnected(act, name="fc2", num_hidden=3)
    mlp = mx.sym.SoftmaxOutput(fc2, name="softmax")
    c = mx.sym.Convolution(data, name="conv1", kernel=(3, 3), num_filter=8, pad=(1, 1))
    c = mx.sym.BatchNorm(c, name="bn1")
    c = mx.sym.Activation(c, name="relu", act_type="relu")
    c = mx.sym.Pooling(c, name="pool", kernel=(2, 2), stride=(2, 2), pool_type="max")
    c = mx.sym.Convolution(c, name="conv2", kernel=(3, 3), num_filter=4, no_bias=True,
                           num_group=2)
    c = mx.sym.Flatten(c, name="flat")
    e = mx.sym.Embedding(mx.sym.Variable("tokens"), input_dim=10, output_dim=6, name="emb")
    out = mx.sym.FullyConnected(c, name="fc", num_hidden=6) + \
        mx.sym.sum(e, axis=1, name="pool_emb")
    return {"mlp": (mlp, {"data": (1, 8)}), "mlp_no_shape": (mlp, None),
            "conv": (out, {"data": (2, 3, 8, 8), "tokens": (2, 5)})}


def summary(mx, sym, shape):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ret = mx.viz.print_summary(sym, shape=shape)
    return buf.getvalue(), ret


if __name__ == "__main__":
    import mxnet as mx
    out = {name: summary(mx, *args)[0] for name, args in symbols(mx).items()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "print_summary.json")
    with open(path, "w") as f:
        json.dump({"mxnet": mx.__version__, "tables": out}, f, indent=1)
