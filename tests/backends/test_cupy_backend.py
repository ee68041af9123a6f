"""The CuPy backend, in three layers, so that most of it is checked without a GPU:

1. every CUDA source the backend compiles goes through ``nvcc --ptx`` (skipped only
   when nvcc is absent), for float and double;
2. the Python logic: the sources' generation and launch arithmetic, the lazy import,
   and the whole "reference written against xp" class run with ``xp = numpy`` and
   compared with the NumPy reference kernel by kernel;
3. on a real GPU (skipped when CuPy is missing or sees no device): CupyBackend
   against the reference, fused CUDA kernels included.
"""
import importlib.util
import os
import shutil
import subprocess
import zlib

import numpy as np
import pytest

import pymx_kernels
from pymx.backend import NumpyBackend, UNARY_OPS, BINARY_OPS, REDUCE_OPS
from pymx_cupy import sources

REF = NumpyBackend.reference()
NVCC = shutil.which("nvcc") or next(
    (p for p in ["/usr/local/bin/nvcc", "/usr/local/cuda/bin/nvcc"] if os.path.exists(p)), None)


def assert_same(got, want, what, rtol=1e-6, atol=1e-7):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != reference {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != reference {want.dtype}"
    if np.issubdtype(want.dtype, np.floating):
        ok = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    else:
        ok = got == want
    if not ok.all():
        first = tuple(int(i) for i in np.argwhere(~ok)[0])
        raise AssertionError(f"{what}: {int((~ok).sum())} of {got.size} differ; first at "
                             f"{first}: got {got[first]!r}, reference {want[first]!r}")


# ---- 1. the CUDA sources compile -------------------------------------------------------
@pytest.mark.skipif(NVCC is None, reason="nvcc not found")
@pytest.mark.parametrize("module,dtype", [(m, d) for m in sources.MODULES
                                          for d in sources.FUSED_DTYPES])
def test_cuda_source_compiles_with_nvcc(tmp_path, module, dtype):
    src = sources.cuda_source(module, dtype)
    cu = tmp_path / f"{module}_{dtype}.cu"
    cu.write_text(src)
    run = subprocess.run([NVCC, "--ptx", "-Werror", "all-warnings", str(cu),
                          "-o", str(tmp_path / "out.ptx")],
                         capture_output=True, text=True, timeout=300)
    numbered = "\n".join(f"{i + 1:4d} {line}" for i, line in enumerate(src.splitlines()))
    assert run.returncode == 0, (f"nvcc rejected the {module} source for {dtype}:\n"
                                 f"{run.stderr}\n--- source ---\n{numbered}")
    ptx = (tmp_path / "out.ptx").read_text()
    expected = sources.kernel_names(module)
    missing = [name for name in expected if f".entry {name}(" not in ptx]
    assert not missing, f"kernels missing from the {module} PTX: {missing}"


def test_sources_cover_the_contract():
    assert set(pymx_kernels.UNARY_C) == set(UNARY_OPS), \
        f"table vs contract: {set(pymx_kernels.UNARY_C) ^ set(UNARY_OPS)}"
    assert set(pymx_kernels.BINARY_C) == set(BINARY_OPS), \
        f"table vs contract: {set(pymx_kernels.BINARY_C) ^ set(BINARY_OPS)}"
    names = [m for m, _, _ in sources.all_sources()]
    assert sorted(set(names)) == ["conv", "elementwise", "fused"] and len(names) == 6
    assert set(sources.kernel_names("fused")) == {
        "softmax_rows", "log_softmax_rows", "sgd_update", "sgd_mom_update", "adam_update",
        "batchnorm_stats", "batchnorm_apply"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("make", [pymx_kernels.elementwise_source, pymx_kernels.conv_source,
                                  pymx_kernels.fused_source])
def test_one_body_two_languages(dtype, make):
    """After the dialect prelude, the OpenCL and CUDA sources are the same text."""
    cuda, opencl = make("cuda", dtype), make("opencl", dtype)
    head_cuda, head_opencl = (pymx_kernels.prelude(lang, dtype) for lang in ("cuda", "opencl"))
    assert cuda.startswith(head_cuda) and opencl.startswith(head_opencl)
    assert cuda[len(head_cuda):] == opencl[len(head_opencl):]
    assert "typedef double T;" in cuda if dtype == "float64" else "typedef float T;" in cuda
    assert ("cl_khr_fp64" in opencl) == (dtype == "float64")


# ---- 2. Python logic, no device --------------------------------------------------------
@pytest.mark.parametrize("n,grid", [(0, 1), (1, 1), (256, 1), (257, 2), (10 ** 6, 3907)])
def test_launch_config(n, grid):
    assert sources.launch_config(n) == ((grid,), (sources.BLOCK,))
    assert grid * sources.BLOCK >= n


def test_conv_geometry():
    g = pymx_kernels.conv_geometry((7, 8), (2, 3), (2, 1), (0, 2), (1, 2))
    out = pymx_kernels.conv_out_size((7, 8), (2, 3), (2, 1), (0, 2), (1, 2))
    assert out == (3, 8)
    assert g.dtype == np.int64 and list(g) == [2, 7, 8, 3, 8, 2, 3, 2, 1, 0, 2, 1, 2]


def test_lazy_import_without_cupy():
    import pymx_cupy
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("cupy is installed")
    with pytest.raises(ImportError):
        pymx_cupy.CupyBackend                                      # noqa: B018
    with pytest.raises(AttributeError):
        pymx_cupy.no_such_name                                     # noqa: B018


@pytest.fixture(scope="module")
def xpb():
    from pymx_cupy.xp_backend import ArrayModuleBackend
    return ArrayModuleBackend()


def rand(rng, shape, dtype="float32", lo=-3, hi=3):
    return rng.uniform(lo, hi, shape).astype(dtype)


def xp_cases():
    """(description, kernel name, args): one call per contract kernel (several for some)."""
    rng = np.random.default_rng(0)
    x = rand(rng, (3, 4))
    x3 = rand(rng, (2, 3, 4))
    img = rand(rng, (2, 3, 6, 5))
    idx = np.array([2, 0, 2])
    cases = [
        ("full", "full", ((2, 3), 1.5, "float32")),
        ("copy", "copy", (x[:, ::2],)),
        ("astype", "astype", (x, "int32")),
        ("arange", "arange", (1, 7, 1.5, "float32")),
        ("reshape", "reshape", (x, (4, 3))),
        ("transpose", "transpose", (x3, (2, 0, 1))),
        ("broadcast_to", "broadcast_to", (x[:1], (5, 4))),
        ("getitem", "getitem", (x3, (slice(None), 1, slice(None, None, -1)))),
        ("concat", "concat", ([x, x[:1]], 0)),
        ("stack", "stack", ([x, x], 1)),
        ("pad", "pad", (x, ((1, 0), (2, 1)), "constant", 0.5)),
        ("pad edge", "pad", (x, ((1, 0), (2, 1)), "edge", None)),
        ("flip", "flip", (x3, (0, 2))),
        ("tile", "tile", (x, (2, 1))),
        ("repeat", "repeat", (x, 2, 1)),
        ("where", "where", ((x > 0).astype("float32"), x, -x)),
        ("clip", "clip", (x, -1, 1)),
        ("argmax", "argmax", (x3, 1, False)),
        ("argmin", "argmin", (x3, None, False)),
        ("cumsum", "cumsum", (x, 1)),
        ("matmul", "matmul", (x, x, True, False)),
        ("batch_matmul", "batch_matmul", (x3, x3, False, True)),
        ("take", "take", (x3, idx, 1)),
        ("scatter_add", "scatter_add", ((3, 4), idx, rand(rng, (3, 4)), 0, "float32")),
        ("one_hot", "one_hot", (idx, 4, 1.0, 0.0, "float32")),
        ("sort", "sort", (x, 1)),
        ("argsort", "argsort", (x, 0)),
        ("im2col", "im2col", (img, (3, 3), (1, 2), (1, 1), (1, 1))),
        ("col2im", "col2im", (rand(rng, (2, 27, 18)), (2, 3, 6, 5), (3, 3), (1, 2), (1, 1),
                              (1, 1))),
    ]
    for op in sorted(UNARY_OPS):
        lo, hi = (0.1, 0.9) if op in ("log", "log2", "log10", "log1p", "sqrt", "erfinv",
                                       "arcsin", "arccos", "arctanh", "gamma", "gammaln") \
            else (-3, 3)
        if op == "arccosh":
            lo, hi = 1.1, 4
        cases.append((f"unary {op}", "unary", (op, rand(rng, (3, 4), "float32", lo, hi))))
    for op in sorted(BINARY_OPS):
        base = np.abs(x) + 0.1 if op == "power" else x
        cases.append((f"binary {op}", "binary", (op, base, np.abs(x) + 0.5)))
        cases.append((f"binary {op} scalar", "binary", (op, np.abs(x) + 0.1, 2.0)))
    for op in sorted(REDUCE_OPS):
        cases.append((f"reduce {op}", "reduce", (op, x3, (0, 2), True)))
    return cases


@pytest.mark.parametrize("what,kernel,args", xp_cases(), ids=lambda v: v if isinstance(
    v, str) else "")
def test_xp_backend_matches_reference(xpb, what, kernel, args):
    """The xp-generic class (what CupyBackend runs with xp = cupy) with xp = numpy."""
    assert_same(getattr(xpb, kernel)(*args), getattr(REF, kernel)(*args), what)


def test_xp_backend_setitem_and_memory(xpb):
    a = np.arange(12.0).reshape(3, 4)
    x = xpb.from_numpy(a)
    xpb.setitem(x, (slice(None), 1), -1.0)
    want = a.copy()
    REF.setitem(want, (slice(None), 1), -1.0)
    assert_same(xpb.to_numpy(x), want, "setitem in place")
    assert xpb.is_native(x) and not xpb.is_native([1])
    assert xpb.empty((2,), "float64").shape == (2,)


def test_xp_backend_has_every_kernel(xpb):
    from pymx.backend import Backend
    declared = {n for n in dir(Backend) if hasattr(getattr(Backend, n), "is_fallback")}
    assert declared <= set(type(xpb).native_kernels()), \
        f"kernels left to the host fallback: {declared - set(type(xpb).native_kernels())}"


def emulate_fused(name, threads, args):
    """What each kernel of pymx_kernels/fused.c computes, in NumPy (for the stub)."""
    def clip(g, c, on):
        return np.clip(g, -c, c) if on else g
    if name.endswith("softmax_rows"):
        x, y, outer, n, inner, t = args
        assert threads >= outer * inner, f"{name}: too few threads"
        z = x.reshape(outer, n, inner) / t
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        y[...] = (z - np.log(e.sum(1, keepdims=True)) if name == "log_softmax_rows"
                  else e / e.sum(1, keepdims=True)).reshape(y.shape)
    elif name == "batchnorm_stats":
        x, mean, invstd, rm, rv, outer, c, inner, eps, training = args
        assert threads >= c, f"{name}: too few threads"
        x3 = x.reshape(outer, c, inner)
        if training:
            mu, var = x3.mean((0, 2)), x3.var((0, 2))
        else:
            mu, var = rm, rv
        mean[...], invstd[...] = mu, 1 / np.sqrt(var + eps)
    else:
        assert threads >= int(args[-1]), f"{name}: too few threads"
        if name == "batchnorm_apply":
            x, mean, invstd, gamma, beta, y, c, inner, fix_gamma, _ = args
            scale = invstd if fix_gamma else invstd * gamma
            sh = (-1, int(c), int(inner))
            y[...] = ((x.reshape(sh) - mean[:, None]) * scale[:, None]
                      + beta[:, None]).reshape(y.shape)
        elif name == "sgd_update":
            w, g, out, lr, decay, rescale, c, on, _ = args
            out[...] = decay * w - lr * clip(rescale * g, c, on)
        elif name == "sgd_mom_update":
            w, g, m, out, lr, lr_wd, momentum, rescale, c, on, _ = args
            m[...] = momentum * m - lr_wd * w - lr * clip(rescale * g, c, on)
            out[...] = w + m
        else:                                              # adam_update
            w, g, m, v, out, lr, b1, omb1, b2, omb2, eps, wd, rescale, c, on, _ = args
            g = clip(rescale * g + wd * w, c, on)
            m[...], v[...] = b1 * m + omb1 * g, b2 * v + omb2 * g * g
            out[...] = w - lr * m / (np.sqrt(v) + eps)


@pytest.fixture
def stub_cupy(monkeypatch):
    """``CupyBackend`` imported against a stand-in ``cupy``: NumPy's namespace, one fake
    device, and a ``RawModule`` whose kernels are *emulated* with the NumPy reference.
    This checks the backend's own Python (dispatch, argument packing, launch sizes,
    fallbacks for other dtypes) on a machine without a GPU; whether the CUDA itself is
    right is for nvcc (layer 1) and a real GPU (layer 3)."""
    import sys
    import types
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("the real cupy is installed: layer 3 tests it")
    launches = []

    def emulate(name, grid, block, args):
        launches.append((name, grid, block))
        if name in pymx_kernels.fused.KERNEL_NAMES:
            return emulate_fused(name, grid[0] * block[0], args)
        assert grid[0] * block[0] >= int(args[-1]), f"{name}: too few threads"
        if name.startswith("unary_"):
            x, out, _ = args
            out[...] = REF.unary(name[len("unary_"):], x)
        elif name.startswith("binary_"):
            a, b, out, _ = args
            out[...] = REF.binary(name[len("binary_"):].replace("_scalar", ""), a, b)
        else:                                              # im2col / col2im: decode g
            src, g, dst, _ = args
            d = int(g[0])
            spatial, out_sp, kernel, stride, pad, dilate = (
                tuple(int(v) for v in g[1 + i * d: 1 + (i + 1) * d]) for i in range(6))
            assert pymx_kernels.conv_out_size(spatial, kernel, stride, pad, dilate) == out_sp
            if name == "im2col":
                dst[...] = REF.im2col(src, kernel, stride, pad, dilate)
            else:
                dst[...] = REF.col2im(src, dst.shape, kernel, stride, pad, dilate)

    class RawModule:
        def __init__(self, code):
            assert "extern \"C\" __global__" in code

        def get_function(self, name):
            return lambda grid, block, args: emulate(name, grid, block, args)

    class Device:
        def __init__(self, i):
            self.id = i

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def synchronize(self):
            pass

    cupy = types.ModuleType("cupy")
    cupy.__dict__.update({k: getattr(np, k) for k in dir(np) if not k.startswith("__")})
    cupy.RawModule, cupy.asnumpy = RawModule, np.asarray
    cupy.cuda = types.SimpleNamespace(Device=Device, runtime=types.SimpleNamespace(
        getDeviceCount=lambda: 1, CUDARuntimeError=RuntimeError))
    cupyx = types.ModuleType("cupyx")
    cupyx.scipy = types.SimpleNamespace(special=__import__("scipy.special").special)
    cupyx.scatter_add = np.add.at
    for name, mod in [("cupy", cupy), ("cupyx", cupyx), ("cupyx.scipy", cupyx.scipy),
                      ("cupyx.scipy.special", cupyx.scipy.special)]:
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.delitem(sys.modules, "pymx_cupy.backend", raising=False)
    from pymx_cupy.backend import CupyBackend
    yield CupyBackend(0), launches
    sys.modules.pop("pymx_cupy.backend", None)             # never leave the stub behind
    import pymx_cupy
    pymx_cupy.__dict__.pop("backend", None)


def test_cupy_backend_logic_with_stub_cupy(stub_cupy):
    be, launches = stub_cupy
    rng = np.random.default_rng(3)
    for dtype in ["float32", "float64"]:
        a, b = rand(rng, (3, 5), dtype, 0.5, 2), rand(rng, (3, 5), dtype, 0.5, 2)
        A, B = be.from_numpy(a), be.from_numpy(b[:, ::-1])  # a strided operand
        assert_same(be.unary("sigmoid", A), REF.unary("sigmoid", a), "unary fused")
        assert_same(be.binary("mod", A, B), REF.binary("mod", a, b[:, ::-1]), "binary fused")
        assert_same(be.binary("power", A, 2.0), REF.binary("power", a, 2.0), "binary scalar")
        assert_same(be.binary("subtract", 1.0, A), REF.binary("subtract", 1.0, a),
                    "binary scalar first")
        x = rand(rng, (2, 3, 6, 5), dtype)
        cols = be.im2col(be.from_numpy(x), (3, 2), (1, 2), (1, 0), (2, 1))
        assert_same(cols, REF.im2col(x, (3, 2), (1, 2), (1, 0), (2, 1)), "im2col fused")
        assert_same(be.col2im(cols, x.shape, (3, 2), (1, 2), (1, 0), (2, 1)),
                    REF.col2im(REF.im2col(x, (3, 2), (1, 2), (1, 0), (2, 1)), x.shape,
                               (3, 2), (1, 2), (1, 0), (2, 1)), "col2im fused", rtol=1e-5)
    names = [name for name, _, _ in launches]
    assert names[:4] == ["unary_sigmoid", "binary_mod", "binary_power_scalar",
                         "binary_subtract"], names
    launches.clear()
    ints = np.arange(-3, 3, dtype=np.int32)                   # not fused: xp (CuPy) path
    assert_same(be.unary("abs", be.from_numpy(ints)), REF.unary("abs", ints), "int abs")
    assert_same(be.binary("add", be.from_numpy(ints), 2), REF.binary("add", ints, 2), "int add")
    assert launches == [], f"int32 must not launch float kernels: {launches}"
    empty = be.from_numpy(np.zeros((0, 3), np.float32))
    assert be.unary("exp", empty).shape == (0, 3) and launches == []
    assert be.name == "cupy" and {"unary", "binary", "im2col", "col2im"} <= set(be.native_kernels())


def fused_calls(rng, dtype):
    """(op name, kwargs, NumPy inputs): one call of every fused kernel, strided inputs
    and states included."""
    x = rand(rng, (3, 4, 5), dtype)
    w, g = rand(rng, (4, 6), dtype), rand(rng, (4, 6), dtype)
    pos = lambda: rand(rng, (4, 6), dtype, 0.2, 1)                       # noqa: E731
    c = lambda lo=-1, hi=1: rand(rng, (4,), dtype, lo, hi)              # noqa: E731
    return [
        ("softmax", {"axis": 1, "temperature": 2.0}, [x]),
        ("softmax", {}, [x[:, ::2]]),
        ("log_softmax", {"axis": 0}, [x]),
        ("sgd_update", {"lr": 0.1, "wd": 0.01, "rescale_grad": 0.5}, [w, g]),
        ("sgd_mom_update", {"lr": 0.1, "momentum": 0.9, "clip_gradient": 0.5}, [w, g, pos()]),
        ("adam_update", {"lr": 0.1, "wd": 0.01}, [w, g, pos()[:, ::-1], pos()]),
        ("BatchNorm", {"fix_gamma": False}, [x.transpose(0, 2, 1)[:, :4], c(), c(), c(),
                                             c(0.5, 2)]),
        ("BatchNorm", {"axis": -1, "use_global_stats": True}, [rand(rng, (2, 3, 4), dtype),
                                                               c(), c(), c(), c(0.5, 2)]),
    ]


def upload_view(be, v):
    """``v`` on the device as a non-contiguous view (rows of a twice-as-wide buffer), so
    kernels that update states in place must write back through the view."""
    if v.ndim < 2:
        return be.from_numpy(v)
    return be.from_numpy(np.concatenate([v, v], -1))[..., :v.shape[-1]]


def check_fused_call(be, name, kwargs, dtype, got, natives, want, host):
    """The outputs, then the inputs after the call (states updated in place)."""
    got = list(got) if isinstance(got, tuple) else [got]
    want = list(want) if isinstance(want, tuple) else [want]
    assert len(got) == len(want), f"fused_{name}: {len(got)} outputs, want {len(want)}"
    for i, (u, v) in enumerate(zip(got + natives, want + host)):
        assert_same(be.to_numpy(u), v, f"fused_{name} {kwargs} {dtype} #{i}",
                    rtol=1e-5, atol=1e-6)


def test_cupy_fused_kernels_with_stub_cupy(stub_cupy):
    """Each ``fused_<op>`` of CupyBackend (argument packing, plans, in-place states)
    against the op's composite on the reference; the kernels emulated as in fused.c."""
    from pymx import autograd
    from pymx.ops.registry import get_op
    be, launches = stub_cupy
    rng = np.random.default_rng(5)
    for dtype in ["float32", "float64"]:
        for name, kwargs, inputs in fused_calls(rng, dtype):
            op = get_op(name)
            a = op.parse_attrs(kwargs)
            with autograd.train_mode():
                natives = [upload_view(be, v) for v in inputs]
                got = getattr(be, "fused_" + name)(a, *natives)
                host = [np.array(v) for v in inputs]
                want = op.forward(REF, a, *host)
            assert got is not None, f"fused_{name} declined {kwargs}"
            check_fused_call(be, name, kwargs, dtype, got, natives, want, host)
    assert {n for n, _, _ in launches} == set(pymx_kernels.fused.KERNEL_NAMES)
    a = get_op("softmax").parse_attrs({"dtype": "float64"})
    assert be.fused_softmax(a, be.from_numpy(rand(rng, (2, 3)))) is None   # declined
    ints = be.from_numpy(np.arange(6, dtype=np.int32))
    assert be.fused_sgd_update(get_op("sgd_update").parse_attrs({"lr": 0.1}), ints, ints) is None


# ---- 3. on a GPU -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def gpu():
    cupy = pytest.importorskip("cupy")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:                                   # no driver, no device
        pytest.skip(f"CuPy finds no GPU: {err}")
    if count == 0:
        pytest.skip("CuPy finds no GPU")
    from pymx_cupy import CupyBackend
    return CupyBackend(0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gpu_elementwise(gpu, dtype):
    rng = np.random.default_rng(1)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-11, atol=1e-12)
    for op in sorted(UNARY_OPS):
        lo, hi = {"log": (0.1, 5), "log2": (0.1, 5), "log10": (0.1, 5), "sqrt": (0, 5),
                  "log1p": (-0.9, 5), "arcsin": (-0.99, 0.99), "arccos": (-0.99, 0.99),
                  "arctanh": (-0.99, 0.99), "erfinv": (-0.99, 0.99), "arccosh": (1.01, 5),
                  "gamma": (0.1, 5), "gammaln": (0.1, 10)}.get(op, (-3, 3))
        for shape in [(), (0,), (7,), (3, 40)]:
            a = rand(rng, shape, dtype, lo, hi)
            assert_same(gpu.to_numpy(gpu.unary(op, gpu.from_numpy(a))), REF.unary(op, a),
                        f"gpu unary {op} {dtype} {shape}", rtol=tol["rtol"] * 5, atol=tol["atol"])
    for op in sorted(BINARY_OPS):
        a, b = rand(rng, (5, 6), dtype, 0.1, 3), rand(rng, (5, 6), dtype, 0.5, 2)
        seed = zlib.crc32(op.encode()) % 3
        if seed == 0:
            b = np.round(b)                                   # some ties
        A, B = gpu.from_numpy(a), gpu.from_numpy(b)
        assert_same(gpu.to_numpy(gpu.binary(op, A, B)), REF.binary(op, a, b),
                    f"gpu binary {op} {dtype}", **tol)
        assert_same(gpu.to_numpy(gpu.binary(op, A, 1.5)), REF.binary(op, a, 1.5),
                    f"gpu binary {op} {dtype} scalar", **tol)
        assert_same(gpu.to_numpy(gpu.binary(op, 1.5, B)), REF.binary(op, 1.5, b),
                    f"gpu binary {op} {dtype} scalar first", **tol)


@pytest.mark.parametrize("case", [((2, 3, 7), (3,), (1,), (0,), (1,)),
                                  ((2, 3, 6, 5), (3, 3), (1, 2), (1, 1), (1, 1)),
                                  ((1, 2, 4, 5, 3), (2, 2, 2), (1, 2, 1), (1, 0, 1), (1, 1, 2))])
def test_gpu_im2col_col2im(gpu, case):
    shape, kernel, stride, pad, dilate = case
    rng = np.random.default_rng(2)
    x = rand(rng, shape)
    want = REF.im2col(x, kernel, stride, pad, dilate)
    assert_same(gpu.to_numpy(gpu.im2col(gpu.from_numpy(x), kernel, stride, pad, dilate)),
                want, f"gpu im2col {case}")
    cols = rand(rng, want.shape)
    assert_same(gpu.to_numpy(gpu.col2im(gpu.from_numpy(cols), shape, kernel, stride, pad,
                                        dilate)),
                REF.col2im(cols, shape, kernel, stride, pad, dilate), f"gpu col2im {case}",
                rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("what,kernel,args", xp_cases(), ids=lambda v: v if isinstance(
    v, str) else "")
def test_gpu_matches_reference(gpu, what, kernel, args):
    conv = lambda a: gpu.from_numpy(a) if isinstance(a, np.ndarray) else (
        [conv(b) for b in a] if isinstance(a, list) else a)
    got = getattr(gpu, kernel)(*[conv(a) for a in args])
    assert_same(gpu.to_numpy(got), getattr(REF, kernel)(*args), f"gpu {what}",
                rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gpu_fused_kernels(gpu, dtype):
    from pymx import autograd
    from pymx.ops.registry import get_op
    for name, kwargs, inputs in fused_calls(np.random.default_rng(6), dtype):
        op = get_op(name)
        a = op.parse_attrs(kwargs)
        with autograd.train_mode():
            natives = [upload_view(gpu, v) for v in inputs]
            got = getattr(gpu, "fused_" + name)(a, *natives)
            host = [np.array(v) for v in inputs]
            want = op.forward(REF, a, *host)
        assert got is not None, f"fused_{name} declined {kwargs}"
        check_fused_call(gpu, name, kwargs, dtype, got, natives, want, host)
