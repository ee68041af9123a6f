"""``dist_sync`` for real: two processes under ``mpiexec -n 2`` (MPICH from
``pip install 'pymx[dist]'``).  Skipped when mpiexec or mpi4py is missing."""
import json
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def find_mpiexec():
    """The mpiexec next to this Python (pip's mpich wheel puts it there), else PATH's."""
    local = os.path.join(sysconfig.get_path("scripts"), "mpiexec")
    return local if os.access(local, os.X_OK) else shutil.which("mpiexec")


MPIEXEC = find_mpiexec()


def mpi4py_works():
    if MPIEXEC is None:
        return False
    probe = subprocess.run([sys.executable, "-c", "from mpi4py import MPI"],
                           capture_output=True, timeout=60)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not mpi4py_works(), reason="needs mpiexec and mpi4py")


def run_mpi(*argv, timeout=120):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run([MPIEXEC, "-n", "2", *argv], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_two_workers_sum_update_and_train_identically(tmp_path):
    proc = run_mpi(sys.executable, os.path.join(HERE, "dist_worker.py"), str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert r0 == r1                          # bit-identical replicas on both workers
    assert r0["a"] == [[23.0] * 3] * 2


def test_cli_dist_sync_two_workers(tmp_path):
    proc = run_mpi(sys.executable, "-m", "pymx", "train", "--kvstore", "dist_sync",
                   "--model", "mlp", "--limit", "512", "--epochs", "1", "--quiet",
                   "--optimizer", "sgd", "--lr", "0.1", "--save", str(tmp_path / "m"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.count("training mlp") == 1 and "2 workers (dist_sync)" in out   # rank 0 only
    assert "256 images" in out                                 # each worker: half the data
    assert out.count("test accuracy:") == 1
    assert sorted(os.listdir(tmp_path)) == ["m-0001.params", "m-0001.states"]
