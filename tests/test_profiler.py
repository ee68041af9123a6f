"""``mx.profiler``: operator timing, the summary table, the Chrome trace.

The table's layout (title, section underline, column headers) was printed by real
MXNet 1.9.1 for the same calls (``mx.profiler.dumps()`` after ``set_config(
profile_all=True, aggregate_stats=True)``)."""
import json

import pytest

import pymx as mx
from pymx import profiler
from pymx.base import MXNetError
from pymx.ops.registry import get_op

MXNET_HEADER = ("Name                          Total Count        Time (ms)    Min Time (ms)"
                "    Max Time (ms)    Avg Time (ms)")
MXNET_RULE = ("----                          -----------        ---------    -------------"
              "    -------------    -------------")


@pytest.fixture
def prof(tmp_path):
    profiler.set_config(profile_all=True, aggregate_stats=True,
                        filename=str(tmp_path / "profile.json"))
    profiler._events.clear()
    profiler._stats.clear()
    yield tmp_path / "profile.json"
    profiler.set_state("stop")
    profiler.set_config(**profiler._DEFAULTS)
    profiler._events.clear()
    profiler._stats.clear()


def _stats_of(text, category):
    """``{name: count}`` of one section of the table."""
    lines = text.splitlines()
    start = lines.index(category) + 4
    out = {}
    for line in lines[start:]:
        if not line or line[0] == "=" or len(line.split()) != 6:
            break
        name, count = line.split()[:2]
        out[name] = int(count)
    return out


def test_table_counts_imperative_hybridized_and_backward_ops(prof):
    plain = get_op("dot").forward
    profiler.set_state("run")
    a = mx.nd.ones((8, 8))
    for _ in range(3):
        mx.nd.relu(mx.nd.dot(a, a)) + 1
    net = mx.gluon.nn.Dense(3)
    net.initialize()
    net.hybridize()
    x = mx.nd.ones((2, 4))
    x.attach_grad()
    with mx.autograd.record():
        y = net(x)
    y.backward()
    profiler.set_state("stop")
    assert get_op("dot").forward is plain            # stopped: the plain functions again
    text = profiler.dumps()
    lines = text.splitlines()
    assert lines[:2] == ["Profile Statistics:",
                         "\tNote the difference in units for different entries."]
    assert lines[lines.index("operator") + 1:lines.index("operator") + 4] == [
        "=================", MXNET_HEADER, MXNET_RULE]
    counts = _stats_of(text, "operator")
    assert counts["dot"] == 3 and counts["relu"] == 3 and counts["_plus_scalar"] == 3
    assert counts["FullyConnected"] == 1 and counts["_backward_FullyConnected"] == 1
    mx.nd.dot(a, a)                                    # after stop: not counted
    assert _stats_of(profiler.dumps(), "operator")["dot"] == 3
    as_json = json.loads(profiler.dumps(format="json", sort_by="count", reset=True))
    assert as_json["Unit"] == {"Time": "ms"}
    assert as_json["Time"]["operator"]["dot"]["Count"] == 3
    assert profiler._stats == {}                       # reset


def test_trace_file_domains_counters_markers_and_pause(prof):
    profiler.set_state("run")
    d = profiler.Domain("mydomain")
    task = d.new_task("mytask")
    task.start()
    mx.nd.ones((2, 2)) * 2
    task.stop()
    c = profiler.Counter(d, "mycounter", 5)
    c.increment(2)
    c += 1
    profiler.Marker(d, "mymarker").mark("process")
    profiler.pause()
    mx.nd.exp(mx.nd.ones(2))                           # paused: not recorded
    profiler.resume()
    profiler.set_state("stop")
    profiler.dump()
    events = json.loads(prof.read_text())["traceEvents"]
    names = [(e["name"], e["ph"]) for e in events if e["ph"] != "M"]
    assert ("mytask", "B") in names and ("mytask", "E") in names
    assert ("_mul_scalar", "B") in names and ("exp", "B") not in names
    assert [e["args"]["mycounter"] for e in events if e["ph"] == "C"] == [5, 7, 8]
    assert [e["s"] for e in events if e["ph"] == "i"] == ["p"]
    phases = [e["ph"] for e in events]
    assert phases.count("B") == phases.count("E") > 0          # every range closed
    assert _stats_of(profiler.dumps(), "mydomain") == {"mytask": 1}
    profiler.dump()                                    # finished=True forgot the events
    assert [e for e in json.loads(prof.read_text())["traceEvents"] if e["ph"] != "M"] == []


def test_bad_arguments():
    with pytest.raises(MXNetError, match="unknown option 'bogus'"):
        profiler.set_config(bogus=1)
    with pytest.raises(ValueError, match="'run' or 'stop'"):
        profiler.set_state("walk")
    with pytest.raises(ValueError, match="sort_by"):
        profiler.dumps(sort_by="name")
    with pytest.raises(MXNetError, match="stopped before it started"):
        profiler.Event("e").stop()
