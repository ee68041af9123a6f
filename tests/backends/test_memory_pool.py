"""The host memory pool (pymx/backend/memory_pool.py): glibc keeps freed memory."""
import os
import platform
import subprocess
import sys

import pytest

CODE = "import pymx as mx; mx.nd.ones(1); from pymx.backend import memory_pool; " \
       "print(memory_pool._enabled)"


def run(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", CODE], env=dict(clean, **env),
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_the_numpy_backend_turns_the_pool_on_unless_told_not_to():
    assert run() == "True"
    assert run(PYMX_HOST_MEMORY_POOL="0") == "False"
    assert run(MALLOC_ARENA_MAX="2") == "False"          # the user's own malloc tuning wins
