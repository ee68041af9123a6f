"""MXNet's test helpers: tolerant comparison, random inputs and numeric gradient checks.

The names and signatures follow ``mxnet.test_utils`` (notes section 1(k)).  Default
tolerances by dtype: float16 rtol 1e-2 / atol 1e-1, float32 1e-4 / 1e-3, float64
1e-5 / 1e-20, integers exact.
"""
import numpy as np

from .base import MXNetError
from .context import Context, current_context

__all__ = ["default_context", "set_default_context", "assert_almost_equal", "almost_equal",
           "same", "rand_ndarray", "rand_shape_2d", "rand_shape_3d", "rand_shape_nd",
           "random_arrays", "default_rtols", "default_atols", "numeric_grad",
           "check_gradient", "assert_exception", "environment", "get_mnist",
           "check_numeric_gradient", "check_symbolic_forward", "check_symbolic_backward",
           "simple_forward", "default_dtype", "default_numeric_eps", "get_atol", "get_rtol",
           "get_etol", "get_tolerance", "get_tols", "effective_dtype", "np_reduce",
           "list_gpus", "same_array", "assert_almost_equal_ignore_nan", "assert_allclose",
           "random_sample", "rand_coord_2d", "create_vector", "create_2d_tensor", "retry",
           "discard_stderr", "collapse_sum_like", "compare_ndarray_tuple",
           "get_mnist_iterator"]

_DEFAULT_CTX = [None]


def default_context():
    """The context tests run on (``cpu(0)`` unless ``set_default_context`` changed it)."""
    return _DEFAULT_CTX[0] or current_context()


def set_default_context(ctx):
    """Set the context ``default_context()`` returns (the tests' device)."""
    _DEFAULT_CTX[0] = Context(ctx)


def default_rtols():
    """MXNet's default relative tolerances per dtype (float16 1e-2, float32
    1e-4, float64 1e-5), used by ``assert_almost_equal`` when none is given.
    """
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4,
            np.dtype(np.float64): 1e-5}


def default_atols():
    """MXNet's default absolute tolerances per dtype (float16 1e-1, float32
    1e-3, float64 1e-20).
    """
    return {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3,
            np.dtype(np.float64): 1e-20}


def default_dtype():
    """The dtype MXNet's tests default to: float32."""
    return np.float32


def default_numeric_eps():
    """Finite-difference steps per dtype, powers of two so the step itself is exact:
    float16 2^-6, float32 2^-9, float64 2^-14."""
    return {np.dtype(np.float16): 1.0 / 2**6, np.dtype(np.float32): 1.0 / 2**9,
            np.dtype(np.float64): 1.0 / 2**14}


def get_rtol(rtol=None, dtype=np.dtype(np.float64)):
    """``rtol``, or the default relative tolerance of ``dtype`` (float64's: 1e-5)."""
    return default_rtols()[np.dtype(dtype)] if rtol is None else rtol


def get_atol(atol=None, dtype=np.dtype(np.float64)):
    """``atol``, or the default absolute tolerance of ``dtype`` (float64's: 1e-20)."""
    return default_atols()[np.dtype(dtype)] if atol is None else atol


def get_etol(etol=None):
    """``etol``, the fraction of elements allowed to differ (default 0)."""
    return 0 if etol is None else etol


def effective_dtype(dat):
    """The dtype whose tolerance applies to ``dat``: its own (MXNet maps float32 to
    float16 on GPUs that compute float32 GEMMs in TF32; no such device here)."""
    return np.dtype(dat.dtype)


def get_tolerance(dat, tol, default_tol):
    """A number ``tol`` as is; else ``tol[dtype]`` (a dict) or ``default_tol[dtype]``."""
    if isinstance(tol, (int, float)):
        return tol
    dtype = effective_dtype(dat)
    return (tol or {}).get(dtype, default_tol[dtype])


def get_tols(x, y, rtol, atol):
    """``(rtol, atol)`` for comparing ``x`` with ``y``: the looser default of the two
    dtypes for each one not given."""
    x, y = (np.array(v) if isinstance(v, (int, float)) else v for v in (x, y))
    return (max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols())),
            max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols())))


def np_reduce(dat, axis, keepdims, numpy_reduce_func):
    """``numpy_reduce_func`` over ``axis`` (an int, a sequence, or None for all), one
    axis at a time from the last, keeping the reduced axes as 1 when ``keepdims``."""
    axes = [axis] if isinstance(axis, int) else \
        list(range(dat.ndim)) if axis is None else list(axis)
    ret = dat
    for i in sorted(axes, reverse=True):
        ret = numpy_reduce_func(ret, axis=i)
    if keepdims:
        ret = ret.reshape(tuple(1 if i in axes else d for i, d in enumerate(dat.shape)))
    return ret


def list_gpus():
    """``range(number of CUDA devices)``: empty without CuPy or a GPU."""
    from .context import num_gpus
    return range(num_gpus())


def same_array(array1, array2):
    """Do two NDArrays share memory?  (MXNet's test: add 1 to one, look at the other.)"""
    array1[:] += 1
    shared = same(array1.asnumpy(), array2.asnumpy())
    array1[:] -= 1
    return shared and same(array1.asnumpy(), array2.asnumpy())


def assert_almost_equal_ignore_nan(a, b, rtol=None, atol=None, names=("a", "b")):
    """``assert_almost_equal`` with every position that is NaN in either array skipped."""
    a, b = np.array(_as_numpy(a)), np.array(_as_numpy(b))
    nan = np.isnan(a) | np.isnan(b)
    a[nan], b[nan] = 0, 0
    assert_almost_equal(a, b, rtol, atol, names)


def assert_allclose(a, b, rtol=1e-07, atol=0, equal_nan=True):
    """NumPy's ``assert_allclose`` defaults on ``assert_almost_equal``."""
    assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def random_sample(population, k):
    """``k`` elements of the list ``population`` in random order (NumPy's generator)."""
    assert 0 <= k <= len(population)
    chosen = population[:]
    np.random.shuffle(chosen)
    return chosen[:k]


def rand_coord_2d(x_low, x_high, y_low, y_high):
    """A random integer point ``(x, y)`` with ``x_low <= x < x_high`` and the same for y."""
    return (np.random.randint(x_low, x_high, dtype=np.int64),
            np.random.randint(y_low, y_high, dtype=np.int64))


def create_vector(size, dtype=np.int64):
    """``mx.nd.arange(size)`` in ``dtype`` (MXNet's large-tensor tests use it)."""
    from .ndarray import arange
    return arange(0, size, dtype=dtype)


def create_2d_tensor(rows, columns, dtype=np.int64):
    """A (rows, columns) NDArray whose row ``i`` is all ``i``."""
    from .ndarray import arange, broadcast_to
    return broadcast_to(arange(0, rows, dtype=dtype).reshape((rows, 1)), shape=(rows, columns))


def retry(n):
    """Decorator: run a stochastic test up to ``n`` times until it passes (only an
    ``AssertionError`` counts as failing)."""
    assert n > 0

    def decorate(f):
        import functools

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            for i in range(n):
                try:
                    return f(*args, **kwargs)
                except AssertionError:
                    if i == n - 1:
                        raise
        return wrapper
    return decorate


class discard_stderr:  # noqa: N801 (MXNet's name)
    """``with discard_stderr():`` sends file descriptor 2 (also C code's output) to
    /dev/null for the block."""

    def __enter__(self):
        import os
        import sys
        self._null = open(os.devnull, "w")
        try:
            self._fd = sys.stderr.fileno()
        except (AttributeError, ValueError):      # a stream that is not a file
            self._fd = None
            return self
        self._old = os.dup(self._fd)
        sys.stderr.flush()
        os.dup2(self._null.fileno(), self._fd)
        return self

    def __exit__(self, *exc):
        import os
        if self._fd is not None:
            os.dup2(self._old, self._fd)
            os.close(self._old)
        self._null.close()


def collapse_sum_like(a, shape):
    """Sum the NumPy array ``a`` down to ``shape`` (the gradient of a broadcast from
    ``shape``): over its extra leading axes and the axes where ``shape`` has 1."""
    assert len(a.shape) >= len(shape)
    if np.prod(shape) == 0 or a.size == 0:
        return np.zeros(shape, dtype=a.dtype)
    lead = a.ndim - len(shape)
    axes = list(range(lead)) + [lead + i for i, d in enumerate(shape)
                                if d != a.shape[lead + i]]
    return np.sum(a, axis=tuple(axes)).reshape(shape)


def compare_ndarray_tuple(t1, t2, rtol=None, atol=None):
    """``assert_almost_equal`` on matching items of two (nested) tuples; None skips."""
    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for a, b in zip(t1, t2):
            compare_ndarray_tuple(a, b, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)


def get_mnist_iterator(batch_size, input_shape, num_parts=1, part_index=0):
    """``(train, val)`` ``MNISTIter`` s over pymx's bundled MNIST (MXNet downloads it into
    ``data/``); ``input_shape`` of length 3 gives (batch, 1, 28, 28) batches, else flat
    (batch, 784).  Both shuffle (MXNet passes ``shuffle=True`` to the training one and
    leaves the validation one at ``MNISTIter``'s default, also True)."""
    from .io import MNISTIter
    flat = len(input_shape) != 3
    common = dict(input_shape=input_shape, batch_size=batch_size, flat=flat,
                  num_parts=num_parts, part_index=part_index)
    return (MNISTIter(image="data/train-images-idx3-ubyte",
                      label="data/train-labels-idx1-ubyte", shuffle=True, **common),
            MNISTIter(image="data/t10k-images-idx3-ubyte",
                      label="data/t10k-labels-idx1-ubyte", **common))


def _as_numpy(a):
    return a.asnumpy() if hasattr(a, "asnumpy") else np.asarray(a)


def _tols(a, b, rtol, atol):
    dts = [np.dtype(x.dtype) for x in (a, b)]
    if rtol is None:
        rtol = max(default_rtols().get(d, 0.0) for d in dts)
    if atol is None:
        atol = max(default_atols().get(d, 0.0) for d in dts)
    return rtol, atol


def same(a, b):
    """True when ``a`` and ``b`` hold exactly the same values and shape."""
    return np.array_equal(_as_numpy(a), _as_numpy(b))


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False, use_broadcast=True):
    """True when ``|a - b| <= atol + rtol * |b|`` everywhere."""
    a, b = _as_numpy(a), _as_numpy(b)
    rtol, atol = _tols(a, b, rtol, atol)
    if not use_broadcast and a.shape != b.shape:
        return False
    return np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan=False,
                        use_broadcast=True, mismatches=(10, 10)):
    """Raise AssertionError with the largest errors and their positions unless
    ``a`` and ``b`` agree to the tolerances."""
    a, b = _as_numpy(a), _as_numpy(b)
    rtol, atol = _tols(a, b, rtol, atol)
    if not use_broadcast and a.shape != b.shape:
        raise AssertionError(f"shape mismatch: {names[0]}{a.shape} vs {names[1]}{b.shape}")
    try:
        a64, b64 = np.broadcast_arrays(a.astype(np.float64), b.astype(np.float64))
    except ValueError:
        raise AssertionError(f"shapes do not broadcast: {names[0]}{a.shape} vs "
                             f"{names[1]}{b.shape}") from None
    if np.allclose(a64, b64, rtol=rtol, atol=atol, equal_nan=equal_nan):
        return
    err = np.abs(a64 - b64)
    rel = err / (np.abs(b64) + 1e-30)
    bad = ~np.isclose(a64, b64, rtol=rtol, atol=atol, equal_nan=equal_nan)
    where = np.argwhere(bad)[: mismatches[0]]
    lines = [f"Items are not equal (rtol={rtol}, atol={atol}): {int(bad.sum())} of "
             f"{bad.size} differ; max abs error {np.nanmax(err):.3g}, max rel error "
             f"{np.nanmax(rel):.3g}"]
    for idx in where:
        idx = tuple(int(i) for i in idx)
        lines.append(f"  at {idx}: {names[0]}={a64[idx]!r} {names[1]}={b64[idx]!r}")
    raise AssertionError("\n".join(lines))


def rand_shape_2d(dim0=10, dim1=10):
    """A random 2-D shape, each axis in ``[1, dim]`` (NumPy's global RNG)."""
    return tuple(np.random.randint(1, d + 1) for d in (dim0, dim1))


def rand_shape_3d(dim0=10, dim1=10, dim2=10):
    """A random 3-D shape, each axis in ``[1, dim]`` (NumPy's global RNG)."""
    return tuple(np.random.randint(1, d + 1) for d in (dim0, dim1, dim2))


def rand_shape_nd(num_dim, dim=10):
    """A random shape of ``num_dim`` axes, each in ``[1, dim]``."""
    return tuple(np.random.randint(1, dim + 1, size=num_dim).tolist())


def rand_ndarray(shape, stype="default", density=None, dtype=None, ctx=None):
    """A random NDArray: dense uniform(-1, 1) values, or for ``stype`` 'csr' /
    'row_sparse' a sparse array whose entries (csr) or rows (row_sparse) are present
    with probability ``density`` (random when None) and uniform in [0, 1), as
    ``scipy.sparse.rand`` draws them for MXNet."""
    from .ndarray import array
    from .ndarray import sparse
    ctx = ctx or default_context()
    if stype == "default":
        data = np.random.uniform(-1, 1, size=shape)
        return array(data, ctx=ctx, dtype=dtype or np.float32)
    if stype not in ("csr", "row_sparse"):
        raise MXNetError(f"rand_ndarray: unknown storage type {stype!r}")
    density = np.random.rand() if density is None else density
    if stype == "csr":
        mask = np.random.rand(*shape) < density
    else:
        mask = np.broadcast_to((np.random.rand(shape[0]) < density).reshape(
            (-1,) + (1,) * (len(shape) - 1)), shape)
    values = np.where(mask, np.random.rand(*shape), 0).astype(dtype or np.float32)
    make = sparse.csr_matrix if stype == "csr" else sparse.row_sparse_array
    return make(values, ctx=ctx)


def random_arrays(*shapes):
    """NumPy float32 arrays of standard normal values, one per shape."""
    arrays = [np.random.randn(*s).astype(np.float32) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def numeric_grad(f, inputs, eps=1e-4):
    """Central-difference gradient of the scalar ``sum(f(*inputs) * head)`` in float64.

    ``f`` maps float64 NumPy arrays to a float64 NumPy array; returns one gradient per
    input.  ``(f(x + eps) - f(x - eps)) / (2 eps)``, one element at a time.
    """
    grads = []
    for i, x in enumerate(inputs):
        g = np.zeros_like(x, dtype=np.float64)
        flat, gflat = x.reshape(-1), g.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            plus = np.sum(f(*inputs))
            flat[j] = old - eps
            minus = np.sum(f(*inputs))
            flat[j] = old
            gflat[j] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def check_gradient(fn, inputs, eps=1e-4, rtol=1e-2, atol=1e-4, grad_inputs=None,
                   head_seed=0, train_mode=True):
    """Check autograd's gradient of ``fn`` against float64 central differences.

    ``fn`` takes NDArrays and returns an NDArray (or a list; only the first output is
    checked).  ``inputs`` are NumPy arrays; ``grad_inputs`` lists the indices to check
    (default all).  The head gradient is a fixed random array so that every element of
    the output matters.  Raises AssertionError with the op's worst element.
    ``train_mode`` is the training flag on both sides (it matters for Dropout and
    BatchNorm); like ``autograd.record``, it defaults to True.
    """
    from . import autograd
    from .ndarray import array
    training = train_mode          # numeric and autograd sides run in the same mode
    inputs = [np.asarray(x, dtype=np.float64) for x in inputs]
    grad_inputs = range(len(inputs)) if grad_inputs is None else grad_inputs

    def first(out):
        return out[0] if isinstance(out, (list, tuple)) else out

    def f64(*xs):
        with autograd.pause(training):
            out = first(fn(*[array(x, dtype=np.float64) for x in xs]))
        return out.asnumpy().astype(np.float64) * head

    with autograd.pause(training):
        probe = first(fn(*[array(x, dtype=np.float64) for x in inputs]))
    head = np.random.RandomState(head_seed).uniform(0.5, 1.5, probe.shape)
    xs = [array(x, dtype=np.float64) for x in inputs]
    for i in grad_inputs:
        xs[i].attach_grad()
    with autograd.record(training):
        out = first(fn(*xs))
    out.backward(array(head, dtype=np.float64), train_mode=training)
    numeric = numeric_grad(f64, [x.copy() for x in inputs], eps=eps)
    for i in grad_inputs:
        assert_almost_equal(xs[i].grad, numeric[i], rtol=rtol, atol=atol,
                            names=(f"autograd d/d input{i}", f"numeric d/d input{i}"))


def assert_exception(f, exception_type, *args, **kwargs):
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{f} did not raise {exception_type.__name__}")


class environment:
    """``with environment('VAR', 'value'):`` sets environment variables for a block."""

    def __init__(self, *args):
        import os
        self._os = os
        self.values = args[0] if len(args) == 1 else {args[0]: args[1]}
        self.old = {}

    def __enter__(self):
        for k, v in self.values.items():
            self.old[k] = self._os.environ.get(k)
            if v is None:
                self._os.environ.pop(k, None)
            else:
                self._os.environ[k] = str(v)
        return self

    def __exit__(self, *exc):
        for k, v in self.old.items():
            if v is None:
                self._os.environ.pop(k, None)
            else:
                self._os.environ[k] = v


def get_mnist(root=None):
    """MNIST as MXNet's ``get_mnist`` returns it: a dict of NumPy arrays ``train_data``
    and ``test_data`` (N, 1, 28, 28) float32 in [0, 1], ``train_label`` and
    ``test_label`` (N,) int8 (the IDX bytes as MXNet reads them; ``NDArrayIter`` makes
    float32 batches of them).  Read from the copy bundled with pymx (no download)."""
    from .data.idx import load_mnist
    out = {}
    for split, train in (("train", True), ("test", False)):
        images, labels = load_mnist(root, train)
        out[f"{split}_data"] = (images.reshape(-1, 1, 28, 28) / np.float32(255)).astype(np.float32)
        out[f"{split}_label"] = labels.astype(np.int8)
    return out


# Symbol-based helpers live with Symbol; imported last because they use the ones above.
from .symbol.testing import (check_numeric_gradient, check_symbolic_forward,  # noqa: E402
                             check_symbolic_backward, simple_forward)


def _consistency_tols(tol):
    """MXNet's check_consistency tolerances (rtol = atol) per dtype; ``tol`` overrides
    them all (a number) or some (a dict)."""
    tols = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3,
            np.dtype(np.float64): 1e-5, np.dtype(np.uint8): 0, np.dtype(np.int8): 0,
            np.dtype(np.int32): 0, np.dtype(np.int64): 0}
    if isinstance(tol, dict):
        tols.update({np.dtype(k): v for k, v in tol.items()})
    elif tol is not None:
        tols = {k: tol for k in tols}
    return tols


def check_consistency(fn_or_sym, ctx_list, inputs=None, scale=1.0, grad_req="write",
                      arg_params=None, aux_params=None, tol=None, raise_on_err=True,
                      ground_truth=None, equal_nan=False, rand_type=np.float64):
    """Run one computation on several contexts (and dtypes) and compare: MXNet's
    differential test across devices.

    ``fn_or_sym`` is a function of NDArrays returning an NDArray or a list of them, or
    a ``Symbol``.  Each entry of ``ctx_list`` is a Context or, as in MXNet, a dict
    ``{'ctx': mx.opencl(0), 'data': (2, 3), 'type_dict': {'data': np.float32}}``
    (input shapes by name; for a function the names are only labels, in order).
    ``inputs`` (NumPy arrays, for a function) default to ``uniform(-1, 1) * scale``
    drawn once, so every context gets the same values.  Every context computes the
    outputs and, with ``grad_req != 'null'``, the gradients of all inputs for one random
    head gradient.  The ground truth is the entry with the widest dtype (the first of
    them); the others must match it within the tolerance of the narrower dtype
    (float16 1e-1, float32 1e-3, float64 1e-5, ints exact; ``tol`` overrides).
    Returns the list of results per context: ``(outputs, gradients)`` as NumPy arrays.
    """
    from . import autograd
    from .ndarray import array
    entries = [e if isinstance(e, dict) else {"ctx": e} for e in ctx_list]
    if not entries:
        raise ValueError("check_consistency: ctx_list is empty")
    names = next(([k for k in e if k not in ("ctx", "type_dict")] for e in entries
                  if len(e) > 1 + ("type_dict" in e)), None) or \
        next((list(e["type_dict"]) for e in entries if e.get("type_dict")), [])
    symbol = _as_symbol(fn_or_sym)
    if symbol is not None and inputs is None:      # every argument, shapes inferred
        given = next(({n: e[n] for n in names} for e in entries if names[0] in e), {}) \
            if names else {}
        arg_shapes, _, _ = symbol.infer_shape(**given)
        names = symbol.list_arguments()
        params = arg_params or {}
        inputs = [np.asarray(params[n]) if n in params else
                  np.random.uniform(-1, 1, s).astype(rand_type) * scale
                  for n, s in zip(names, arg_shapes)]
    if inputs is None:
        if names and any(names[0] in e for e in entries):
            shapes = [next(e for e in entries if names[0] in e)[n] for n in names]
            inputs = [np.random.uniform(-1, 1, s).astype(rand_type) * scale for s in shapes]
        else:
            raise ValueError("check_consistency: give inputs=[numpy arrays] or input "
                             "shapes in ctx_list, e.g. {'ctx': mx.cpu(), 'data': (2, 3)}")
    names = list(names)[:len(inputs)] + [f"input{i}" for i in range(len(names), len(inputs))]
    results, dtypes = [], []
    heads = None
    for e in entries:
        types = e.get("type_dict", {})       # the others are inferred (simple_bind)
        dts = [np.dtype(types[n]) if n in types else None for n in names]
        dtypes.append(max((d for d in dts if d is not None), key=lambda d: d.itemsize,
                          default=np.dtype(np.float32)))
        ctx = Context(e["ctx"])
        if symbol is not None:
            outs, grads, heads = _run_symbol(symbol, ctx, names, inputs, dts, grad_req,
                                             aux_params, heads)
        else:
            xs = [array(x, ctx=ctx, dtype=d or np.float32) for x, d in zip(inputs, dts)]
            if grad_req != "null":
                for x in xs:
                    x.attach_grad(grad_req)
            with autograd.record():
                out = fn_or_sym(*xs)
            out = list(out) if isinstance(out, (list, tuple)) else [out]
            if heads is None:
                heads = [np.random.normal(0, 1, o.shape) for o in out]
            grads = []
            if grad_req != "null":
                autograd.backward(out, [array(h, ctx=ctx, dtype=o.dtype)
                                        for h, o in zip(heads, out)])
                grads = [x.grad.asnumpy() for x in xs]
            outs = [o.asnumpy() for o in out]
        results.append((outs, grads))
    gt = ground_truth
    if gt is None:
        widest = max(range(len(entries)), key=lambda i: dtypes[i].itemsize)
        gt = results[widest]
    tols = _consistency_tols(tol)
    for e, dt, (outs, grads) in zip(entries, dtypes, results):
        t = tols.get(dt, 0)
        for kind, got, want in (("output", outs, gt[0]), ("gradient", grads, gt[1])):
            for i, (g, w) in enumerate(zip(got, want)):
                try:
                    assert_almost_equal(g, w, rtol=t, atol=t, equal_nan=equal_nan,
                                        names=(f"{kind} {i} on {e['ctx']} ({dt.name})",
                                               f"{kind} {i} of the ground truth"))
                except AssertionError as err:
                    if raise_on_err:
                        raise
                    print(err)
    return results


def _as_symbol(obj):
    """``obj`` if it is a ``pymx.symbol.Symbol`` (when pymx has Symbol), else None."""
    try:
        from .symbol import Symbol
    except ImportError:
        return None
    return obj if isinstance(obj, Symbol) else None


def _run_symbol(sym, ctx, names, inputs, dts, grad_req, aux_params, heads):
    """Forward and backward of ``sym`` bound on ``ctx`` with ``simple_bind``."""
    shapes = {n: x.shape for n, x in zip(names, inputs)}
    exe = sym.simple_bind(ctx, grad_req=grad_req, type_dict={
        n: d for n, d in zip(names, dts) if d is not None}, **shapes)
    for n, x in zip(names, inputs):
        exe.arg_dict[n][:] = x.astype(exe.arg_dict[n].dtype)
    for n, v in (aux_params or {}).items():
        exe.aux_dict[n][:] = np.asarray(v)
    outs = exe.forward(is_train=True)
    if heads is None:
        heads = [np.random.normal(0, 1, o.shape) for o in outs]
    grads = []
    if grad_req != "null":
        from .ndarray import array
        exe.backward([array(h, ctx=ctx, dtype=o.dtype) for h, o in zip(heads, outs)])
        grads = [exe.grad_dict[n].asnumpy() for n in names if exe.grad_dict.get(n) is not None]
    return [o.asnumpy() for o in outs], grads, heads
