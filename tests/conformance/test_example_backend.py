"""A third party's backend runs the conformance suite with no change to pymx.

``example_backend/pymx_example`` is such a backend: it writes only the memory kernels
(everything else falls back to the NumPy reference), plus a ``unary`` whose ``tanh``
is off by 1e-2 and a fused ``matmul_blocked``.  Registered under the name 'example'
(as its entry point would do once installed), it gets a context ``Context('example')``
and the suite must fail **exactly** the ops whose computation calls ``unary('tanh')``,
which a spying backend finds out independently.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "example_backend"))

import pymx as mx  # noqa: E402
from pymx import conformance  # noqa: E402
from pymx.backend import NumpyBackend, register_backend  # noqa: E402
from pymx.conformance.__main__ import main as cli  # noqa: E402
from pymx_example import TANH_ERROR, ExampleBackend  # noqa: E402

SEEN = set()


class SpyBackend(ExampleBackend):
    """The example backend without its bug, recording which unary kernels run."""
    name = "spy"

    def unary(self, op, x):
        SEEN.add(op)
        return NumpyBackend.reference().unary(op, x)


@pytest.fixture(scope="module")
def example_report():
    register_backend("example", ExampleBackend)
    register_backend("spy", SpyBackend)
    return conformance.run("example", dtypes=["float32"], max_examples=2)


def ops_calling_tanh():
    """The ops whose forward or gradient calls ``unary('tanh')`` on the suite's cases."""
    calls = set()
    for name in conformance.op_ids():
        if name.startswith("_backward_"):
            continue
        SEEN.clear()
        r = conformance.check_op("spy", name, "float32", max_examples=0)
        assert r.status in ("pass", "skip"), r.message
        if "tanh" in SEEN:
            calls.add(name)
    return calls


def test_suite_catches_exactly_the_ops_using_the_broken_kernel(example_report):
    failed = {r.op for r in example_report["results"] if r.status == "fail"}
    expected = ops_calling_tanh()
    assert {"tanh", "Activation", "RNN"} <= expected
    forward_ops = {op for op in failed if not op.startswith("_backward_")}
    assert forward_ops == expected
    # a backward op is reported with its forward op's gradient check
    assert failed - forward_ops <= {f"_backward_{op}" for op in expected}
    others = [r for r in example_report["results"] if r.op not in failed]
    assert all(r.status in ("pass", "skip") for r in others)
    assert example_report["summary"]["pass"] > 250


def test_failure_reports_error_size_and_reproduces(example_report):
    tanh = next(r for r in example_report["results"] if r.op == "tanh")
    assert tanh.max_abs == pytest.approx(TANH_ERROR, rel=1e-3)
    assert "forward" in tanh.message and "reproduce" in tanh.repro
    with pytest.raises(AssertionError, match="tanh on example"):
        exec(tanh.repro, {})                     # the snippet reruns the failing example


def test_fused_kernel_is_checked(example_report):
    fused = [r for r in example_report["results"] if r.op == "kernel:matmul_blocked"]
    assert [r.status for r in fused] == ["pass"] and fused[0].examples > 0


def test_xfail_file_and_tolerances(tmp_path):
    register_backend("example", ExampleBackend)
    path = tmp_path / "xfail.txt"
    path.write_text("# the known bug\ntanh  off by 1e-2\nActivation  tol=0.05  looser here\n"
                    "RNN[float32]  skip: slow\n")
    report = conformance.run("example", ops="^(tanh|Activation|RNN|exp)$", dtypes=["float32"],
                             max_examples=1, xfail_file=path)
    status = {r.op: r.status for r in report["results"]}
    assert status == {"tanh": "xfail", "Activation": "pass", "RNN": "skip", "exp": "pass"}
    text = conformance.format_matrix(report)
    assert "xfail" in text and "summary:" in text


def test_command_line_matrix_and_json(tmp_path, capsys):
    register_backend("example", ExampleBackend)
    out = tmp_path / "report.json"
    code = cli(["--backend", "example", "--ops", "^(tanh|sigmoid)$", "--dtypes", "float64",
                "--max-examples", "1", "--json", str(out), "-q"])
    text = capsys.readouterr().out
    assert code == 1
    assert "tanh" in text and "FAIL tanh[float64]" in text and "reproduce with:" in text
    data = json.loads(out.read_text())
    assert {(r["op"], r["status"]) for r in data["results"]} == {("tanh", "fail"),
                                                                ("sigmoid", "pass")}


def test_example_backend_context():
    register_backend("example", ExampleBackend)
    ctx = mx.Context("example", 0)
    x = mx.nd.array([0.5, -1.0], ctx=ctx)
    assert x.context == ctx
    np.testing.assert_allclose(mx.nd.exp(x).asnumpy(), np.exp(x.asnumpy()), rtol=1e-6)
    assert mx.nd.tanh(x).asnumpy()[0] == pytest.approx(np.tanh(0.5) + TANH_ERROR)
    back = x.as_in_context(mx.cpu())                # numpy memory: the DLPack path
    assert back.context == mx.cpu() and back.asnumpy().tolist() == [0.5, -1.0]
    with pytest.raises(mx.MXNetError, match="one context"):
        x + back
    with pytest.raises(ValueError, match="unknown device type"):
        mx.Context("no_such_backend", 0)
