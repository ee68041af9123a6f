"""The executor runs its memory plan: preallocated blocks, results written into them.

Checks that what is allocated equals the plan, that entries with one storage id share
memory, that results stay equal to autograd with in-place on and off and with planned
memory off (the escape hatches), that CachedOp(static_alloc) reuses its blocks without
overwriting returned outputs, and reshape / shared_exec memory sharing.
"""
import re
import tracemalloc

import numpy as np
import pytest

import pymx as mx
import pymx.symbol as sym
from pymx.cached_op import CachedOp
from pymx.executor.memory_plan import plan_symbol

from test_executor import NETS, _bound_values, _symbol, test_executor_equals_autograd


def _train(exe, seed=0):
    rng = np.random.RandomState(seed)
    for a in exe.arg_arrays:
        a[:] = rng.uniform(-1, 1, a.shape)
    out = exe.forward(is_train=True)[0]
    exe.backward(mx.nd.array(rng.uniform(-1, 1, out.shape), dtype=out.dtype))
    return out.asnumpy(), {k: g.asnumpy() for k, g in exe.grad_dict.items()}


@pytest.mark.parametrize("net", sorted(NETS))
def test_allocated_blocks_equal_the_plan_and_debug_str(net):
    s = _symbol(net)
    shape = (32,) + NETS[net][1][1:]
    exe = s.simple_bind(mx.cpu(), data=shape)
    st = exe._storage
    assert st is not None and exe._program.storage is st
    assert st.allocated_bytes == st.total_bytes == exe._plan.total_bytes
    total = int(re.search(r"Total (\d+) MB allocated", exe.debug_str()).group(1))
    assert total == st.allocated_bytes >> 20
    # entries with the same storage id are views of one buffer
    by_sid = {}
    for key, sid in exe._plan.storage.items():
        if key in st.views:
            by_sid.setdefault(sid, []).append(st.views[key])
    assert any(len(v) > 1 for v in by_sid.values())
    for sid, views in by_sid.items():
        for v in views:
            assert np.shares_memory(v, st.blocks[sid])


@pytest.mark.parametrize("env", [{}, {"MXNET_EXEC_ENABLE_INPLACE": "0"},
                                 {"NNVM_EXEC_MATCH_RANGE": "0"},
                                 {"PYMX_EXEC_PLANNED_MEMORY": "0"}])
@pytest.mark.parametrize("net", sorted(NETS))
def test_equals_autograd_under_every_switch(monkeypatch, env, net):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    test_executor_equals_autograd(net, "write")
    test_executor_equals_autograd(net, "add")


def test_switches_change_what_is_allocated(monkeypatch):
    s = _symbol("lenet")
    both = s.simple_bind(mx.cpu(), data=(16, 1, 8, 8))
    monkeypatch.setenv("MXNET_EXEC_ENABLE_INPLACE", "0")
    monkeypatch.setenv("NNVM_EXEC_MATCH_RANGE", "0")
    naive = s.simple_bind(mx.cpu(), data=(16, 1, 8, 8))
    assert naive._storage.allocated_bytes > both._storage.allocated_bytes
    a, b = _train(both), _train(naive)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-6)
    for k in a[1]:
        np.testing.assert_allclose(a[1][k], b[1][k], rtol=1e-5, atol=1e-7)
    monkeypatch.setenv("PYMX_EXEC_PLANNED_MEMORY", "0")
    assert s.simple_bind(mx.cpu(), data=(16, 1, 8, 8))._storage is None


def _deep(n=8):
    x = sym.var("data")
    for i in range(n):
        x = sym.Activation(sym.FullyConnected(x, num_hidden=256, name=f"fc{i}"),
                           act_type="tanh", name=f"t{i}")
    return x


def _peak(monkeypatch, planned):
    monkeypatch.setenv("PYMX_EXEC_PLANNED_MEMORY", "1" if planned else "0")
    s = _deep()
    exe = s.simple_bind(mx.cpu(), data=(128, 256))
    _train(exe)                                   # warm up
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    _train(exe, 1)
    cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return exe, peak - base, cur - base


def test_peak_memory_is_the_plan_not_one_array_per_entry(monkeypatch):
    exe, peak_p, held_p = _peak(monkeypatch, True)
    _, peak_n, held_n = _peak(monkeypatch, False)
    entry = 128 * 256 * 4
    n_entries = sum(1 for k in exe._plan.storage if exe._plan.storage[k] >= 0)
    assert exe._plan.total_bytes < n_entries * entry / 3
    assert held_p < entry               # nothing new stays allocated between steps
    assert held_n > 10 * entry          # every entry of the last step is kept
    assert peak_p < peak_n / 2


def test_inplace_trap_executes_correctly():
    b = sym.Activation(sym.var("data"), act_type="relu", name="b")
    c = sym.sigmoid(b, name="c")             # may not overwrite b: d still reads it
    d = sym.elemwise_add(c, b, name="d")
    x = np.linspace(-2, 2, 8)
    exe = d.simple_bind(mx.cpu(), data=(8,))
    out = exe.forward(data=x)[0].asnumpy()
    r = np.maximum(x, 0)
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-r)) + r, rtol=1e-6)


def test_inplace_chain_really_runs_in_one_block():
    x = sym.var("data")
    y = x
    for i in range(4):
        y = sym.Activation(y, act_type="sigmoid", name=f"s{i}")
    exe = y.simple_bind(mx.cpu(), data=(5,), grad_req="null")
    assert len(exe._storage.blocks) == 1
    v = np.linspace(-1, 1, 5)
    out = exe.forward(data=v)[0].asnumpy()
    for _ in range(4):
        v = 1 / (1 + np.exp(-v))
    np.testing.assert_allclose(out, v, rtol=1e-6)


def test_flatten_and_dropout_run_in_place_only_when_allowed():
    data = sym.var("data")
    h = sym.Activation(data, act_type="relu", name="h")
    f = sym.Flatten(h, name="f")                           # h's last reader: in place
    dr = sym.Dropout(f, p=0.5, name="dr")                  # f's last reader: in place
    plan = plan_symbol(dr, {"data": (2, 3, 4)})
    node = {n.name: n for n in dr._topo()}
    sid = plan.storage[(id(node["h"]), 0)]
    assert plan.storage[(id(node["f"]), 0)] == sid == plan.storage[(id(node["dr"]), 0)]
    # a second reader of h forbids it; a variable input is never overwritten
    g = sym.Flatten(h, name="g") + sym.Flatten(h, name="g2")
    plan = plan_symbol(g, {"data": (2, 3, 4)})
    node = {n.name: n for n in g._topo()}
    assert plan.storage[(id(node["g"]), 0)] != plan.storage[(id(node["h"]), 0)]
    plan = plan_symbol(sym.Flatten(data, name="v"), {"data": (2, 3, 4)})
    assert 0 in plan.storage.values() and not plan.inplace
    # and they compute the right thing when run in place
    exe = (sym.Dropout(sym.Flatten(h), p=0.5) * 2).simple_bind(mx.cpu(), data=(2, 3, 4),
                                                                grad_req="null")
    x = np.random.RandomState(0).uniform(-1, 1, (2, 3, 4))
    out = exe.forward(is_train=False, data=x)[0].asnumpy()
    np.testing.assert_allclose(out, 2 * np.maximum(x, 0).reshape(2, 12), rtol=1e-6)


def test_second_backward_gives_the_same_gradients():
    s = _symbol("resblock")
    exe = s.simple_bind(mx.cpu(), data=(3, 2, 4, 4))
    _, g1 = _train(exe)
    exe.backward(mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (3, 2, 4, 4))))
    g2 = {k: g.asnumpy() for k, g in exe.grad_dict.items()}
    ref = s.simple_bind(mx.cpu(), data=(3, 2, 4, 4))
    for a, b in zip(ref.arg_arrays, exe.arg_arrays):
        b.copyto(a)
    ref.forward(is_train=True)
    ref.backward(mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (3, 2, 4, 4))))
    for k in g2:
        np.testing.assert_allclose(g2[k], ref.grad_dict[k].asnumpy(), rtol=1e-5, err_msg=k)
    assert set(g1) == set(g2)


def test_cached_op_static_alloc_reuses_blocks_but_not_outputs():
    s = _symbol("lenet")
    argv, _ = _bound_values(s, (2, 1, 8, 8))
    op = CachedOp(s, {"static_alloc": True})
    names = s.list_inputs()
    arrays = [mx.nd.array(argv[n]) for n in names]
    y1 = op(*arrays)
    prog = next(iter(op._cache.values()))
    st = prog.storage
    assert st is not None and st.allocated_bytes == prog.plan_info[0].total_bytes
    first = y1.asnumpy().copy()
    arrays2 = [mx.nd.array(argv[n] * (2 if n == "data" else 1)) for n in names]
    y2 = op(*arrays2)
    assert prog.storage is st                               # same blocks
    np.testing.assert_allclose(y1.asnumpy(), first)         # not overwritten
    assert not np.allclose(y2.asnumpy(), first)
    plain = CachedOp(s)(*arrays2)
    np.testing.assert_allclose(y2.asnumpy(), plain.asnumpy(), rtol=1e-6)


def test_cached_op_recorded_calls_retain_graph():
    s = _symbol("mlp")
    argv, _ = _bound_values(s, (4, 5))
    op = CachedOp(s, {"static_alloc": True})
    xs = [mx.nd.array(argv[n], dtype=np.float64) for n in s.list_inputs()]
    for x in xs:
        x.attach_grad()
    with mx.autograd.record():
        y = op(*xs)
        loss = (y * y).sum()
    loss.backward(retain_graph=True)
    g1 = [x.grad.asnumpy().copy() for x in xs]
    loss.backward()
    for x, g in zip(xs, g1):
        np.testing.assert_allclose(x.grad.asnumpy(), g, rtol=1e-12)


def test_reshape_views_smaller_arrays_and_shares_blocks():
    s = _symbol("lenet")
    exe = s.simple_bind(mx.cpu(), data=(8, 1, 8, 8))
    small = exe.reshape(data=(2, 1, 8, 8))
    assert np.shares_memory(small.arg_dict["data"]._data, exe.arg_dict["data"]._data)
    assert small.arg_dict["fc1_weight"] is exe.arg_dict["fc1_weight"]
    assert small._storage.allocated_bytes == 0            # borrows exe's blocks
    assert all(any(b is p for p in exe._pool) for b in small._storage.blocks)
    x = np.random.RandomState(0).uniform(-1, 1, (2, 1, 8, 8))
    out = small.forward(is_train=False, data=x)[0].asnumpy()
    ref = s.simple_bind(mx.cpu(), data=(2, 1, 8, 8))
    for n in s.list_arguments():
        if n != "data":
            exe.arg_dict[n].copyto(ref.arg_dict[n])
    np.testing.assert_allclose(out, ref.forward(data=x)[0].asnumpy(), rtol=1e-6)
    with pytest.raises(mx.base.MXNetError, match="allow_up_sizing"):
        exe.reshape(data=(16, 1, 8, 8))
    big = exe.reshape(data=(16, 1, 8, 8), allow_up_sizing=True)
    assert big.arg_dict["data"].shape == (16, 1, 8, 8)
    assert not np.shares_memory(big.arg_dict["data"]._data, exe.arg_dict["data"]._data)


def test_shared_exec_shares_arrays_by_size():
    x = sym.var("data")
    net = sym.FullyConnected(x, num_hidden=4, name="fc")
    a = net.simple_bind(mx.cpu(), data=(8, 3))
    b = net.simple_bind(mx.cpu(), data=(4, 3), shared_exec=a)
    assert b.arg_dict["fc_weight"] is a.arg_dict["fc_weight"]
    assert np.shares_memory(b.arg_dict["data"]._data, a.arg_dict["data"]._data)
    assert b._storage.allocated_bytes == 0
    c = net.simple_bind(mx.cpu(), data=(16, 3), shared_exec=a)
    assert not np.shares_memory(c.arg_dict["data"]._data, a.arg_dict["data"]._data)
