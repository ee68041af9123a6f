"""``mx.runtime`` feature flags and the small helpers of ``mx.util``, ``mx.engine``,
``mx.context`` and ``mx.profiler`` that MXNet scripts call (behaviour checked against
MXNet 1.9.1: the feature list and its order, ``set_bulk_size`` returning the previous
size, ``bulk`` restoring it, the deprecated profiler names)."""
import os
import warnings

import pytest

import pymx as mx


def test_features():
    f = mx.runtime.Features()
    names = list(f.keys())
    assert names[:5] == ["CUDA", "CUDNN", "NCCL", "CUDA_RTC", "TENSORRT"]
    assert names[-1] == "TVM_OP" and len(names) == 32
    assert f.is_enabled("cuda") == (mx.num_gpus() > 0)
    assert f.is_enabled("PROFILER") and not f.is_enabled("MKLDNN")
    assert repr(f["MKLDNN"]) == "✖ MKLDNN"
    assert [x.name for x in mx.runtime.feature_list()] == names
    with pytest.raises(RuntimeError):
        f.is_enabled("NO_SUCH_FEATURE")


def test_util_env_and_gpus(monkeypatch):
    monkeypatch.delenv("PYMX_TEST_SETENV", raising=False)
    assert mx.util.getenv("PYMX_TEST_SETENV") is None
    mx.util.setenv("PYMX_TEST_SETENV", 3)
    assert os.environ["PYMX_TEST_SETENV"] == "3"
    mx.util.setenv("PYMX_TEST_SETENV", None)
    assert "PYMX_TEST_SETENV" not in os.environ
    assert mx.util.get_gpu_count() == mx.num_gpus()
    if mx.num_gpus() == 0:
        with pytest.raises(mx.MXNetError):
            mx.context.gpu_memory_info(0)


def test_bulk_size():
    assert mx.engine.set_bulk_size(10) == 0
    assert mx.engine.set_bulk_size(15) == 10
    with mx.engine.bulk(5):
        assert mx.engine.set_bulk_size(5) == 5
    assert mx.engine.set_bulk_size(0) == 15
    assert mx.rnd is mx.random


def test_deprecated_profiler_names(tmp_path):
    path = str(tmp_path / "prof.json")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mx.profiler.profiler_set_config(mode="all", filename=path)
        mx.profiler.profiler_set_state("run")
        mx.nd.ones(2).wait_to_read()
        mx.profiler.profiler_set_state("stop")
        mx.profiler.dump_profile()
    assert os.path.exists(path)
    assert sum("deprecated" in str(w.message) for w in caught) == 4
    mx.profiler.set_config(profile_all=False, filename="profile.json")
