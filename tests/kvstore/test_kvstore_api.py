"""``mx.kv``: init/push/pull semantics, errors, 2-bit compression, custom stores.

The expected numbers of the ``*_mxnet`` tests come from real MXNet 1.9.1:
``tests/data/mxnet/kvstore_cases.json``, written by ``tests/data/mxnet/make_kvstore.py``.
"""
import json
import os
import sys

import numpy as np
import pytest

import pymx as mx
from pymx.kvstore.compression import GradientCompression, pack_2bit, unpack_2bit

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "kvstore_cases.json")


@pytest.fixture(scope="module")
def cases():
    with open(DATA) as f:
        return json.load(f)


def nd(a, ctx=0):
    return mx.nd.array(np.array(a, np.float32), ctx=mx.cpu(ctx))


def close(a, b, **kw):
    np.testing.assert_allclose(a.asnumpy() if hasattr(a, "asnumpy") else a,
                               np.array(b, np.float32), rtol=1e-5, atol=1e-6, **kw)


# ---- basics -----------------------------------------------------------------------------
def test_create_types_rank_and_workers():
    for name in ("local", "device", "Local"):
        kv = mx.kv.create(name)
        assert kv.type == name.lower() and kv.rank == 0 and kv.num_workers == 1
        assert isinstance(kv, mx.kv.KVStore) and isinstance(kv, mx.kvstore.KVStoreBase)
    with pytest.raises(mx.MXNetError, match="nccl"):
        mx.kv.create("nccl")
    with pytest.raises(mx.MXNetError, match="unknown kvstore type 'bogus'"):
        mx.kv.create("bogus")
    with pytest.raises(TypeError):
        mx.kv.create(3)


def test_push_without_updater_assigns_the_sum_and_pull_broadcasts():
    kv = mx.kv.create("local")
    kv.init(3, mx.nd.ones((2, 3)))
    kv.push(3, [nd(np.full((2, 3), i), ctx=i) for i in (1, 2, 3)])   # 1 + 2 + 3
    outs = [mx.nd.zeros((2, 3), ctx=mx.cpu(i)) for i in range(2)]
    kv.pull(3, out=outs)
    for i, o in enumerate(outs):
        assert o.context == mx.cpu(i)
        close(o, np.full((2, 3), 6))
    kv.push(3, nd(np.full((2, 3), 4)))              # replaces, does not accumulate
    kv.pull(3, out=outs[0])
    close(outs[0], np.full((2, 3), 4))


def test_push_pull_several_devices_mxnet(cases):
    for c in cases["push_pull"]:
        kv = mx.kv.create(c["kind"])
        kv.init(3, nd(c["init"]))
        kv.push(3, [nd(v, ctx=i) for i, v in enumerate(c["values"])])
        outs = [mx.nd.zeros((2, 3), ctx=mx.cpu(i)) for i in range(2)]
        kv.pull(3, out=outs)
        for o, want in zip(outs, c["pulled"]):
            close(o, want, err_msg=c["kind"])
        kv.init([5, 6], [mx.nd.zeros((2,)), mx.nd.zeros((2,))])
        kv.push([5, 5, 6], [nd([1, 2]), nd([10, 20]), nd([7, 7])])   # key 5 twice: summed
        o5, o6 = mx.nd.zeros((2,)), mx.nd.zeros((2,))
        kv.pull([5, 6], out=[o5, o6])
        close(o5, c["key5"]), close(o6, c["key6"])


def test_updater_and_key_types_mxnet(cases):
    seen = []

    def upd(key, recv, stored):
        seen.append(type(key).__name__)
        stored += recv * 2

    kv = mx.kv.create("local")
    kv._set_updater(upd)
    kv.init(3, mx.nd.ones((2, 3)))
    kv.push(3, [mx.nd.ones((2, 3)), mx.nd.ones((2, 3)) * 2])
    out = mx.nd.zeros((2, 3))
    kv.pull(3, out=out)
    close(out, cases["updater"]["int_key"])
    kv2 = mx.kv.create("local")
    kv2._set_updater(upd)
    kv2.init("w", mx.nd.ones((2,)))
    kv2.push("w", mx.nd.ones((2,)))
    out2 = mx.nd.zeros((2,))
    kv2.pull("w", out=out2)
    close(out2, cases["updater"]["str_key"])
    assert seen == cases["updater"]["key_types"]      # ['int', 'bytes'], as MXNet


@pytest.mark.parametrize("which", [0, 1], ids=["sgd", "adam"])
def test_set_optimizer_mxnet(cases, which):
    c = cases["optimizer"][which]
    kv = mx.kv.create("device")
    kv.set_optimizer(mx.optimizer.create(c["optimizer"], **c["params"]))
    kv.init(0, nd(c["init"]))
    for grads, want in zip(c["grads"], c["pulled"]):
        out = mx.nd.zeros((3, 2))
        kv.pushpull(0, [nd(g, ctx=i) for i, g in enumerate(grads)], out=out)
        close(out, want)


def test_pushpull_without_out_writes_back_and_broadcast():
    kv = mx.kv.create("device")
    kv.init("g", mx.nd.zeros((2,)))
    grads = [nd([1, 2], ctx=0), nd([3, 4], ctx=1)]
    kv.pushpull("g", grads)
    for g in grads:
        close(g, [4, 6])
    outs = [mx.nd.zeros((3,), ctx=mx.cpu(i)) for i in range(2)]
    kv.broadcast("w", nd([7, 8, 9]), out=outs)
    for o in outs:
        close(o, [7, 8, 9])


def test_row_sparse_pull_dense_fallback_mxnet(cases):
    c = cases["row_sparse_pull"]
    kv = mx.kv.create("local")
    kv.init("emb", nd(c["init"]))
    out = mx.nd.zeros((4, 3))
    kv.row_sparse_pull("emb", out=out, row_ids=mx.nd.array(c["row_ids"]))
    close(out, c["dense"])


# ---- errors -----------------------------------------------------------------------------
def test_clear_errors():
    kv = mx.kv.create("local")
    kv.init(3, mx.nd.ones((2, 3)))
    with pytest.raises(mx.MXNetError, match="duplicate init of key 3"):
        kv.init(3, mx.nd.ones((2, 3)))
    with pytest.raises(mx.MXNetError, match="duplicate init of key 3"):
        kv.broadcast(3, mx.nd.ones((2, 3)), out=mx.nd.zeros((2, 3)))
    with pytest.raises(mx.MXNetError, match="key 99 has not been initialized"):
        kv.pull(99, out=mx.nd.zeros((2,)))
    with pytest.raises(mx.MXNetError, match="key 98 has not been initialized"):
        kv.push(98, mx.nd.zeros((2,)))
    with pytest.raises(mx.MXNetError, match=r"holds shape \(2, 3\).*shape \(5,\)"):
        kv.push(3, mx.nd.zeros((5,)))
    with pytest.raises(mx.MXNetError, match=r"holds shape \(2, 3\).*shape \(5,\)"):
        kv.pull(3, out=mx.nd.zeros((5,)))
    with pytest.raises(mx.MXNetError, match="mixed key types"):
        kv.init("w", mx.nd.ones((2,)))
    with pytest.raises(mx.MXNetError, match="inconsistent types of keys"):
        mx.kv.create("local").init([1, "w"], [mx.nd.ones(1), mx.nd.ones(1)])
    with pytest.raises(mx.MXNetError, match="2 keys but 1 values"):
        kv.push([3, 4], [mx.nd.ones((2, 3))])
    with pytest.raises(mx.MXNetError, match="must be an NDArray"):
        kv.push(3, np.ones((2, 3)))
    with pytest.raises(mx.MXNetError, match="no optimizer"):
        kv.save_optimizer_states("never-written")
    with pytest.raises(ValueError, match="Unknown capability"):
        kv.is_capable("sparse")


# ---- 2-bit compression -----------------------------------------------------------------
def test_compression_only_on_device_and_dist_stores():
    with pytest.raises(mx.MXNetError, match="not supported for this type"):
        mx.kv.create("local").set_gradient_compression({"type": "2bit", "threshold": 0.5})
    kv = mx.kv.create("device")
    for bad, msg in (({"type": "1bit"}, "only '2bit'"), ({"threshold": 1}, "'type'"),
                     ({"type": "2bit", "threshold": 0}, "> 0"),
                     ({"type": "2bit", "thresh": 1}, "unknown argument")):
        with pytest.raises(mx.MXNetError, match=msg):
            kv.set_gradient_compression(bad)


@pytest.mark.parametrize("which", [0, 1], ids=["assign", "sgd"])
def test_two_bit_compression_residuals_mxnet(cases, which):
    c = cases["compression"][which]
    kv = mx.kv.create("device")
    kv.set_gradient_compression({"type": "2bit", "threshold": c["threshold"]})
    if c["with_optimizer"]:
        kv.set_optimizer(mx.optimizer.create("sgd", learning_rate=0.1))
    kv.init("w", nd(c["init"]))
    for step, (grads, want) in enumerate(zip(c["grads"], c["pulled"])):
        kv.push("w", [nd(g, ctx=i) for i, g in enumerate(grads)])
        out = mx.nd.zeros((2, 5))
        kv.pull("w", out=out)
        close(out, want, err_msg=f"push {step}")


def test_two_bit_quantize_error_feedback_by_hand():
    gc = GradientCompression({"type": "2bit", "threshold": 0.5})
    g = np.array([0.3, -0.3, 0.6, -1.2], np.float32)
    sent = [gc.quantize("k", g) for _ in range(3)]
    np.testing.assert_array_equal(sent[0], [0, 0, 0.5, -0.5])
    np.testing.assert_array_equal(sent[1], [0.5, -0.5, 0.5, -0.5])   # residuals reached t
    np.testing.assert_allclose(sum(sent) + gc.residuals["k"], 3 * g, rtol=1e-6)  # no loss


def test_pack_2bit_round_trip_and_size():
    rng = np.random.RandomState(0)
    q = rng.choice([-0.25, 0.0, 0.25], size=(7, 5)).astype(np.float32)
    packed = pack_2bit(q, 0.25)
    assert packed.dtype == np.uint32 and packed.size == 3        # 35 values, 16 per word
    np.testing.assert_array_equal(unpack_2bit(packed, 0.25, q.shape), q)


# ---- custom stores, optimizer states, dist without MPI ---------------------------------
def test_register_custom_store_and_teststore():
    kv = mx.kv.create("teststore")
    assert kv.type == "teststore" and not kv.is_capable("optimizer")
    vals = [nd([1, 2]), nd([3, 4])]
    kv.pushpull(0, vals)
    close(vals[0], [4, 6]), close(vals[1], [4, 6])

    class MyStore(mx.kv.TestStore):
        pass

    try:
        assert mx.kvstore.KVStoreBase.register(MyStore) is MyStore
        assert type(mx.kv.create("mystore")) is MyStore
        with pytest.warns(UserWarning, match="overriding"):
            mx.kvstore.KVStoreBase.register(MyStore)
    finally:
        mx.kvstore.KVStoreBase.kv_registry.pop("mystore", None)


def test_save_and_load_optimizer_states(tmp_path):
    def fresh(w):
        kv = mx.kv.create("local")
        kv.set_optimizer(mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.9))
        kv.init(0, mx.nd.array(w))
        return kv

    def step(kv):
        kv.push(0, mx.nd.array([1.0, -2.0, 3.0]))
        out = mx.nd.zeros((3,))
        kv.pull(0, out=out)
        return out.asnumpy()

    kv = fresh(np.zeros(3))
    step(kv)
    w1 = step(kv)
    fname = str(tmp_path / "kv.states")
    kv.save_optimizer_states(fname)
    assert os.listdir(tmp_path) == ["kv.states"]          # written atomically, no leftovers
    want = step(kv)
    resumed = fresh(w1)
    resumed.load_optimizer_states(fname)                  # the momentum comes back
    np.testing.assert_allclose(step(resumed), want, rtol=1e-6)
    assert not np.allclose(step(fresh(w1)), want)        # without it: another step


def test_dist_without_mpi4py_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)            # import fails
    with pytest.raises(mx.MXNetError, match="need mpi4py"):
        mx.kv.create("dist_sync")


def test_dist_single_process_behaves_like_local():
    pytest.importorskip("mpi4py.MPI", reason="mpi4py with an MPI library")
    kv = mx.kv.create("dist_sync")
    assert (kv.type, kv.rank, kv.num_workers) == ("dist_sync", 0, 1)
    kv.init("w", mx.nd.ones((2,)))
    kv.push("w", [nd([1, 2]), nd([3, 4], ctx=1)])
    out = mx.nd.zeros((2,))
    kv.pull("w", out=out)
    close(out, [4, 6])
    kv._barrier()
