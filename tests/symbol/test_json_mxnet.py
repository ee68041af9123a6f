"""Symbol JSON against real MXNet 1.9.1.

The fixtures ``tests/data/mxnet/symbols_*-symbol.json`` and ``symbols_cases.json``
were written by MXNet 1.9.1 with ``tests/data/mxnet/make_symbols.py`` (fixed seeded
inputs; outputs, gradients and updated aux states after forward+backward).
"""
import json
import os
import subprocess

import numpy as np
import pytest

import pymx as mx
import pymx.symbol as sym

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
MXNET_PY = "/work/venv-mxnet/bin/python"
CASES = json.load(open(os.path.join(DATA, "symbols_cases.json")))["cases"]


def _text(name):
    with open(os.path.join(DATA, f"symbols_{name}-symbol.json")) as f:
        return f.read()


@pytest.mark.parametrize("name", sorted(CASES))
def test_mxnet_json_loads_and_runs_the_same(name):
    c = CASES[name]
    s = sym.load_json(_text(name))
    assert s.list_arguments() == c["list_arguments"]
    assert s.list_auxiliary_states() == c["list_auxiliary_states"]
    assert s.list_outputs() == c["list_outputs"]
    assert s.get_internals().list_outputs() == c["internals"]
    exe = s.simple_bind(mx.cpu(), **{k: tuple(v) for k, v in c["shapes"].items()})
    for k, v in c["args"].items():
        exe.arg_dict[k][:] = np.array(v, dtype=np.float32)
    for k, v in c["aux"].items():
        exe.aux_dict[k][:] = np.array(v, dtype=np.float32)
    np.testing.assert_allclose(exe.forward(is_train=False)[0].asnumpy(), c["infer_output"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(exe.forward(is_train=True)[0].asnumpy(), c["train_output"],
                               rtol=1e-5, atol=1e-6)
    exe.backward()
    for k, v in c["grads"].items():
        np.testing.assert_allclose(exe.grad_dict[k].asnumpy(), v, rtol=1e-4, atol=1e-5,
                                   err_msg=k)
    for k, v in c["aux_after"].items():
        np.testing.assert_allclose(exe.aux_dict[k].asnumpy(), v, rtol=1e-5, atol=1e-6,
                                   err_msg=k)


@pytest.mark.parametrize("name", ["mlp", "resblock"])
def test_tojson_is_byte_identical_to_mxnet(name):
    assert sym.load_json(_text(name)).tojson() == _text(name)


def test_tojson_lenet_differs_only_in_pooling_outputs():
    # MXNet's MKLDNN build gives max Pooling a hidden 2nd output (workspace), which
    # changes node_row_ptr; everything else is identical.
    mine, theirs = json.loads(sym.load_json(_text("lenet")).tojson()), json.loads(_text("lenet"))
    mine.pop("node_row_ptr"), theirs.pop("node_row_ptr")
    assert mine == theirs


def test_building_in_pymx_gives_mxnet_json():
    data = sym.var("data")
    fc1 = sym.FullyConnected(data, num_hidden=16, name="fc1")
    act = sym.Activation(fc1, act_type="relu", name="relu1")
    fc2 = sym.FullyConnected(act, num_hidden=5, name="fc2")
    out = sym.SoftmaxOutput(fc2, name="softmax")
    assert out.tojson() == _text("mlp")


def test_notes_example_format():
    fc = sym.FullyConnected(sym.var("data"), name="fc1", num_hidden=2)
    d = json.loads(sym.SoftmaxOutput(fc, name="softmax").tojson())
    assert d["arg_nodes"] == [0, 1, 2, 4] and d["heads"] == [[5, 0, 0]]
    assert d["node_row_ptr"] == [0, 1, 2, 3, 4, 5, 6]
    assert d["nodes"][1] == {"op": "null", "name": "fc1_weight", "attrs": {"num_hidden": "2"},
                             "inputs": []}
    assert d["attrs"] == {"mxnet_version": ["int", 10901]}
    bn = json.loads(sym.BatchNorm(sym.var("x"), name="bn").tojson())
    assert bn["node_row_ptr"][-1] == 8 and bn["nodes"][-1]["inputs"][3] == [3, 0, 1]


def test_legacy_0_8_json_upgrade():
    legacy = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {"op": "null", "name": "fc_weight", "inputs": []},
            {"op": "null", "name": "fc_bias", "inputs": []},
            {"op": "FullyConnected", "name": "fc", "param": {"num_hidden": "4"},
             "attr": {"weight_lr_mult": "0.5", "ctx_group": "g1"},
             "inputs": [[0, 0], [1, 0], [2, 0]]},
            {"op": "null", "name": "bn_gamma", "inputs": []},
            {"op": "null", "name": "bn_beta", "inputs": []},
            {"op": "BatchNorm", "name": "bn", "param": {}, "inputs": [[3, 0], [4, 0], [5, 0]]},
        ],
        "arg_nodes": [0, 1, 2, 4, 5], "heads": [[6, 0]],
    }
    s = sym.load_json(json.dumps(legacy))
    assert s.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    attrs = s.attr_dict()
    assert attrs["fc_weight"]["__lr_mult__"] == "0.5"
    assert attrs["fc"]["__ctx_group__"] == "g1"
    assert attrs["bn_moving_var"]["__init__"] == '["one", {}]'
    assert s.infer_shape(data=(2, 3))[2] == [(4,), (4,)]


@pytest.mark.skipif(not os.path.exists(MXNET_PY), reason="MXNet 1.9.1 venv not present")
def test_pymx_json_loads_in_mxnet(tmp_path):
    data = sym.var("data")
    bn = sym.BatchNorm(data, fix_gamma=False, name="bn")
    c = sym.Convolution(sym.Activation(bn, act_type="relu"), kernel=(3, 3), pad=(1, 1),
                        num_filter=2, name="conv")
    out = sym.SoftmaxOutput(sym.FullyConnected(sym.Flatten(c + data), num_hidden=3,
                                               name="fc"), name="softmax")
    fname = tmp_path / "net-symbol.json"
    out.save(str(fname))
    code = ("import mxnet as mx, json, sys\n"
            f"s = mx.sym.load({str(fname)!r})\n"
            "a, o, x = s.infer_shape(data=(2, 2, 4, 4))\n"
            "print(json.dumps([s.list_arguments(), s.list_auxiliary_states(), o, s.tojson()]))\n")
    res = subprocess.run([MXNET_PY, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    args, aux, outs, text = json.loads(res.stdout.strip().splitlines()[-1])
    assert args == out.list_arguments() and aux == out.list_auxiliary_states()
    assert outs == [[2, 3]]
    assert text == out.tojson()                     # MXNet writes back the same bytes


def test_same_shape_binary_op_names_load():
    """MXNet 1.9.1 writes ``mx.sym.maximum(a, b)``, ``a ** b``, ``a % b``, ``a == b`` as the
    same-shape ops ``_maximum``, ``_power``, ``_mod``, ``_equal`` (op names seen in its
    ``tojson()``); they load as the broadcasting ops."""
    nodes = [{"op": "null", "name": "a", "inputs": []},
             {"op": "null", "name": "b", "inputs": []}]
    for op in ("_maximum", "_minimum", "_power", "_mod", "_hypot", "_equal", "_greater"):
        nodes.append({"op": op, "name": f"{op}0", "inputs": [[0, 0, 0], [1, 0, 0]]})
    text = json.dumps({"nodes": nodes, "arg_nodes": [0, 1],
                       "heads": [[i, 0, 0] for i in range(2, len(nodes))],
                       "attrs": {"mxnet_version": ["int", 10901]}})
    outs = mx.sym.load_json(text).eval(a=mx.nd.array([1., 5.]), b=mx.nd.array([3., 2.]))
    want = [[3., 5.], [1., 2.], [1., 25.], [1., 1.], [np.hypot(1, 3), np.hypot(5, 2)],
            [0., 0.], [0., 1.]]
    for o, w in zip(outs, want):
        np.testing.assert_allclose(o.asnumpy(), w, rtol=1e-6)
