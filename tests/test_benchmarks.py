"""The benchmark harness (``python -m benchmarks``): options, the other-Python sides and
the report, with fake workloads and a fake "Python" that prints what a framework's
script would; neither MXNet nor PyTorch is needed."""
import py_compile
import sys

import pytest

import benchmarks.__main__ as bm

# Stands in for another Python: answers the version query, else prints a line of noise
# and then the JSON of one timing whose label echoes workload, threads, OMP_NUM_THREADS.
FAKE = """#!{python}
import json, os, sys
if sys.argv[1] == "-c":
    print("2.13.0+fake")
    sys.exit(0)
if os.environ.get("FAIL"):
    sys.exit("ImportError: no torch here")
print("some warning")
label = "torch eager " + "/".join([sys.argv[2], sys.argv[3], os.environ["OMP_NUM_THREADS"]])
print(json.dumps({{label: [0.004, 0.002, 0.006]}}))
"""


@pytest.fixture
def fake_python(tmp_path, monkeypatch):
    """A fake torch Python and one quick pymx workload in place of the real ones."""
    path = tmp_path / "python"
    path.write_text(FAKE.format(python=sys.executable))
    path.chmod(0o755)
    monkeypatch.setattr(bm, "WORKLOADS", {"mlp_step": lambda: {"pymx step": (0.002, 0.001, 0.003)}})
    return str(path)


def test_torch_side_is_merged_beside_pymx(fake_python, tmp_path):
    out = tmp_path / "BENCH.md"
    bm.main(["--python-torch", fake_python, "--output", str(out)])
    text = out.read_text()
    assert "- torch: 2.13.0+fake" in text
    assert "| pymx step | 2.00 ms | 1.00 | 3.00 | 1.00x |" in text
    for t in (1, 2):      # one run per thread count, told by argument and environment
        assert (f"| torch eager mlp_step/{t}/{t} (OMP_NUM_THREADS={t}) | 4.00 ms | 2.00 | "
                "6.00 | 2.00x |") in text
    assert "mxnet" not in text.split("## mlp_step")[1]


def test_without_the_option_no_other_side_runs(fake_python, tmp_path, monkeypatch):
    monkeypatch.setattr(bm, "run_elsewhere", lambda *a: pytest.fail("ran another Python"))
    out = tmp_path / "BENCH.md"
    bm.main(["--output", str(out)])
    assert "torch" not in out.read_text().split("## mlp_step")[1]


def test_a_failing_side_gives_no_rows_and_a_warning(fake_python, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FAIL", "1")
    found = bm.run_elsewhere([fake_python, "script.py"], "mlp_step", 2)
    assert found == {}
    assert "no torch here" in capsys.readouterr().err


def test_gemm_rows_are_grouped_and_compared_by_shape(tmp_path):
    rows = {"pymx dot 64x64x64": (2e-3, 2e-3, 2e-3), "pymx dot 8x8x8": (1e-4, 1e-4, 1e-4),
            "torch mm 64x64x64 (OMP_NUM_THREADS=1)": (1e-3, 1e-3, 1e-3),
            "torch mm 8x8x8 (OMP_NUM_THREADS=1)": (3e-4, 3e-4, 3e-4)}
    out = tmp_path / "BENCH.md"
    bm.write_table({"gemm": rows}, {"machine": "test"}, str(out))
    table = [line for line in out.read_text().splitlines() if line.startswith("| ")][1:]
    assert [line.split(" | ")[0] for line in table] == [
        "| pymx dot 64x64x64", "| torch mm 64x64x64 (OMP_NUM_THREADS=1)",
        "| pymx dot 8x8x8", "| torch mm 8x8x8 (OMP_NUM_THREADS=1)"]
    assert [line.split(" | ")[-1] for line in table] == ["1.00x |", "0.50x |", "1.00x |", "3.00x |"]


def test_torch_option_is_parsed_and_script_compiles(tmp_path):
    with pytest.raises(SystemExit):
        bm.main(["--python-torch"])             # the option takes a path
    py_compile.compile(bm.OTHERS["python_torch"][1][0], cfile=str(tmp_path / "t.pyc"),
                       doraise=True)
    assert set(bm.OTHERS["python_torch"][2]) == {"overhead", "gemm", "mlp_step",
                                                 "lenet_step", "conv_fwd"}
