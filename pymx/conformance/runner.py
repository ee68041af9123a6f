"""The conformance engine: draw inputs, run an op on the reference and on the tested
backend, compare forward results and gradients, and report.

One check (op, dtype) goes like this:

1. ``cases.CASES[op]`` says how to call the op; hypothesis draws an example from it
   (which case and attributes, the shape ``S``, which axes of ``B`` broadcast, the
   memory layout of each input on the tested backend, and a seed for the values).
   Size-0 and size-1 shapes are always tried first.
2. Both sides get the same NumPy inputs: the reference as contiguous NumPy arrays on
   ``cpu``, the tested backend as native arrays that may be **strided views** or views
   at an **offset** into a larger buffer (``Backend.getitem`` of a bigger upload).
3. The op runs through ``invoke`` under ``autograd.record()`` on both; the outputs, the
   inputs after the call (optimizer ops and BatchNorm update states in place) and the
   gradients of every float input for one fixed random head gradient are compared with
   ``|test - ref| <= tol + tol * |ref|`` (MXNet's ``check_consistency`` rule).
4. A failing example is shrunk by hypothesis and reported with a snippet that
   reproduces it (``reproduce``).
"""
import json
import re
import time
from importlib import resources
from pathlib import Path

import numpy as np

from .. import autograd
from ..backend import Backend, NumpyBackend
from ..context import BACKEND_OF, Context
from ..ops.registry import all_ops, get_op
from .cases import CASES, VIA, KERNEL_CASES, A, Case

__all__ = ["DEFAULT_TOL", "Result", "Expectations", "backend_context", "check_op",
           "check_fused", "run", "format_matrix", "reproduce", "op_ids"]

#: rtol = atol per dtype (MXNet's check_consistency); integer results must be equal.
DEFAULT_TOL = {"float16": 1e-1, "float32": 1e-3, "float64": 1e-5}
LAYOUTS = ("contiguous", "strided", "offset")


class Result:
    """The outcome of one (op, dtype): ``status`` is pass, fail, error, skip, xfail or
    xpass; ``max_abs``/``max_rel`` the largest errors seen over all examples."""

    def __init__(self, op, dtype, status, max_abs=0.0, max_rel=0.0, message="", repro="",
                 examples=0):
        self.op, self.dtype, self.status = op, dtype, status
        self.max_abs, self.max_rel = max_abs, max_rel
        self.message, self.repro, self.examples = message, repro, examples

    @property
    def ok(self):
        return self.status in ("pass", "skip", "xfail")

    def to_dict(self):
        """The result as a plain dict (op, dtype, status, max_abs, max_rel, examples,
        message, repro), for the JSON report.
        """
        return {k: getattr(self, k) for k in ("op", "dtype", "status", "max_abs", "max_rel",
                                              "examples", "message", "repro")}

    def __repr__(self):
        return f"<Result {self.op}[{self.dtype}] {self.status}>"


class _Mismatch(AssertionError):
    pass


# ---- the backend under test -------------------------------------------------------------
def backend_context(name, device_id=0):
    """The context whose arrays live on backend ``name``: the device type that maps to
    it (``opencl`` -> ``mx.opencl``), or a device type named after the backend (third
    party backends: ``Context('mybackend', 0)``)."""
    for devtype, backend in BACKEND_OF.items():
        if backend == name:
            return Context(devtype, device_id)
    return Context(name, device_id)


class Expectations:
    """A backend's xfail file: one line per op, ``ID REASON``, ``#`` starts a comment.

    ``ID`` is an op name, optionally with a dtype: ``sort`` or ``sort[float64]``.
    ``REASON`` starting with ``skip:`` skips the check, ``tol=X`` (then a reason) sets
    the tolerance for that op on this backend; anything else marks an expected failure.
    """

    def __init__(self, lines=(), source=""):
        self.source, self.xfail, self.skip, self.tol = source, {}, {}, {}
        for raw in lines:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            ident, _, reason = line.partition(" ")
            reason = reason.strip()
            if reason.startswith("skip:"):
                self.skip[ident] = reason[5:].strip()
            elif reason.startswith("tol="):
                value, _, reason = reason[4:].partition(" ")
                self.tol[ident] = float(value)
            else:
                self.xfail[ident] = reason or "expected to fail"

    @classmethod
    def load(cls, path):
        """Read the expectations file at ``path`` (see the class docstring)."""
        path = Path(path)
        return cls(path.read_text().splitlines(), str(path))

    @classmethod
    def find(cls, backend):
        """``conformance_xfail.txt`` beside the backend's package (or one folder up, the
        distribution's root in a source checkout); empty when there is none."""
        module = type(backend).__module__.split(".")[0]
        if module == "pymx":
            return cls()
        try:
            folder = Path(str(resources.files(module)))
        except (ModuleNotFoundError, TypeError, ValueError):   # __main__, notebooks
            return cls()
        for candidate in (folder / "conformance_xfail.txt",
                          folder.parent / "conformance_xfail.txt"):
            if candidate.is_file():
                return cls.load(candidate)
        return cls()

    def lookup(self, table, op, dtype):
        """The entry of ``table`` for ``op`` at ``dtype``: an ``op[dtype]`` line wins
        over a line for the whole op; None when neither exists.
        """
        return table.get(f"{op}[{dtype}]", table.get(op))


# ---- drawing examples -------------------------------------------------------------------
def op_ids():
    """Every registered op once (aliases folded), sorted."""
    return [op.name for op in all_ops()]


def cases_of(name):
    cases = CASES.get(name)
    return None if cases is None else (cases if isinstance(cases, list) else [cases])


def _strategy(cases):
    from hypothesis import strategies as st

    @st.composite
    def params(draw):
        ci = draw(st.integers(0, len(cases) - 1))
        case = cases[ci]
        lo, hi = case.ndim
        shape = tuple(draw(st.lists(st.integers(case.min_side, 4), min_size=lo, max_size=hi)))
        return dict(case=ci, attrs=draw(st.integers(0, len(case.attrs) - 1)), shape=shape,
                    bcast=tuple(draw(st.lists(st.booleans(), min_size=len(shape),
                                              max_size=len(shape)))),
                    layouts=tuple(draw(st.lists(st.sampled_from(LAYOUTS),
                                                min_size=len(case.inputs),
                                                max_size=len(case.inputs)))),
                    seed=draw(st.integers(0, 2 ** 16)))
    return params()


def _edges(cases):
    """Deterministic first examples: every case and attribute set once, on a shape of
    ones and, where allowed, a shape with a zero side."""
    out = []
    for ci, case in enumerate(cases):
        nd = max(case.ndim[0], 2 if case.ndim[1] >= 2 else 1)
        shapes = [(1,) * nd] + ([(2,) * (nd - 1) + (0,)] if case.min_side == 0 else [])
        uses_s = any(isinstance(s, A) and s.shape in ("S", "B") for s in case.inputs)
        for ai in range(len(case.attrs)):
            for shape in (shapes if uses_s else [(1,)]):
                out.append(dict(case=ci, attrs=ai, shape=shape, bcast=(False,) * len(shape),
                                layouts=("contiguous",) * len(case.inputs), seed=ci + ai))
    return out


def _values(rng, spec, shape, dtype):
    dt = np.dtype(spec.dtype or dtype)
    lo, hi = spec.lo, spec.hi
    if spec.kind == "int":
        return rng.randint(lo, hi, size=shape).astype(dt)
    if spec.kind == "nz":
        x = rng.uniform(0.25, hi, size=shape) * rng.choice([-1, 1], size=shape)
    elif spec.kind == "spd":
        b = rng.uniform(-1, 1, size=shape)
        x = b @ np.swapaxes(b, -1, -2) + shape[-1] * np.eye(shape[-1])
    elif spec.kind == "tril":
        x = np.tril(rng.uniform(-1, 1, size=shape), -1) + np.eye(shape[-1]) * \
            rng.uniform(1, 2, size=shape[:-1])[..., None]
    elif spec.kind and spec.kind.startswith("between:"):   # off the kinks k*step + lo
        step = float(spec.kind.split(":")[1])
        cells = max(int(round((hi - lo) / step)), 1)
        x = lo + step * (rng.randint(0, cells, size=shape) + rng.uniform(0.15, 0.85, shape))
    elif spec.kind == "distinct":      # a shuffled grid, jittered: gaps >= (hi-lo)/2n
        n = max(int(np.prod(shape)), 1)
        x = lo + (hi - lo) * (rng.permutation(n) + rng.uniform(0.25, 0.75, n)) / n
        x = x[:int(np.prod(shape))].reshape(shape)
    elif spec.kind == "prob":
        x = rng.uniform(0.1, 1, size=shape)
        x /= x.sum(-1, keepdims=True)
    else:
        x = rng.uniform(lo, hi, size=shape)
    if dt.kind in "iu":
        x = np.floor(x)
        if dt.kind == "u":
            x = np.abs(x)
    return x.astype(dt)


def _substitute(attrs, dtype):
    return {k: (dtype if v == "$dtype" else v) for k, v in attrs.items()}


def materialize(op, case, params, dtype):
    """The NumPy inputs and attributes of one drawn example."""
    attrs = _substitute(case.attrs[params["attrs"]], dtype)
    if op.key_var_num_args and op._inputs == "*data":
        attrs.setdefault(op.key_var_num_args, len(case.inputs))
    s = tuple(params["shape"])
    b = tuple(1 if flag else n for n, flag in zip(s, params["bcast"]))
    shapes = [{"S": s, "B": b}.get(spec.shape, spec.shape) for spec in case.inputs]
    if any(sh is None for sh in shapes):
        parsed = op.parse_attrs(dict(attrs))
        shapes, _ = op.infer_shape(parsed, [None if sh is None else tuple(sh) for sh in shapes])
    rng = np.random.RandomState(params["seed"])
    inputs = [_values(rng, spec, tuple(sh), dtype) for spec, sh in zip(case.inputs, shapes)]
    return inputs, attrs


# ---- running one side -------------------------------------------------------------------
def _view(k, x, key):
    """A view ``x[key]``: the native array's own slicing (NumPy, CuPy and PyOpenCL
    arrays make strided views), else the backend's ``getitem`` (which may copy)."""
    try:
        return x[key]
    except Exception:                 # a native type without (basic) slicing
        return k.getitem(x, key)


def _upload(k, a, layout):
    """``a`` as a native array of backend ``k`` in the given memory layout:
    ``strided`` (every other element of a wider buffer) or ``offset`` (a view that
    starts one row into a bigger buffer)."""
    if layout == "strided" and a.ndim and a.size:
        wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
        wide[..., ::2] = a
        return _view(k, k.from_numpy(wide), (slice(None),) * (a.ndim - 1) +
                     (slice(None, None, 2),))
    if layout == "offset" and a.ndim:
        big = np.concatenate([np.zeros((1,) + a.shape[1:], a.dtype), a])
        return _view(k, k.from_numpy(big), (slice(1, None),))
    return k.from_numpy(a)


def _is_float(dt):
    return np.dtype(dt).kind == "f"


def run_side(op, case, inputs, attrs, ctx, layouts, grad, seed):
    """Run ``op`` on ``ctx``; returns (outputs + inputs after the call, gradients)."""
    from ..ndarray.ndarray import NDArray
    from ..ndarray.register import invoke
    from .. import random as mx_random
    k = ctx.backend
    xs = [NDArray(_upload(k, a, lay), ctx) for a, lay in zip(inputs, layouts)]
    names = op.input_names(op.parse_attrs(dict(attrs)))
    wrt = [i for i, (x, spec) in enumerate(zip(inputs, case.inputs))
           if grad and spec.grad and _is_float(x.dtype) and names[i] not in op.aux]
    for i in wrt:
        xs[i].attach_grad()
    kwargs = dict(attrs)
    if not xs:
        kwargs["ctx"] = ctx
    mx_random.seed(seed)
    scope = autograd.record(case.train) if wrt else autograd.pause(case.train)
    with scope:
        out = invoke(op, xs, kwargs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    values = [o.asnumpy() for o in outs] + [x.asnumpy() for x in xs]
    grads = []
    if wrt:
        heads = [o for o in outs if _is_float(o.dtype)]
        rng = np.random.RandomState(seed + 1)
        hg = [NDArray(k.from_numpy(rng.uniform(0.5, 1.5, h.shape).astype(h.dtype)), ctx)
              for h in heads]
        if heads:
            autograd.backward(heads, hg, train_mode=case.train)
            grads = [xs[i].grad.asnumpy() for i in wrt]
    return values, grads


def check_out(op, inputs, attrs, ctx, layouts):
    """For an op that ``takes_out``: its forward with ``out=`` new buffers, and (where
    ``op.inplace_pairs`` allows it) with ``out=`` the paired inputs themselves, must give
    the plain forward's values.  An op with several outputs gets a tuple of
    destinations.  Each call gets fresh inputs (update ops mutate their states).
    Returns (got, want) lists of NumPy arrays to compare."""
    k = ctx.backend
    a = op.parse_attrs(dict(attrs))

    def fresh():
        return [_upload(k, x, lay) for x, lay in zip(inputs, layouts)]

    def as_tuple(res):
        return res if type(res) is tuple else (res,)

    def written(res, dests):
        """The destinations' values, NaN where the forward did not return them."""
        return [k.to_numpy(d) if r is d else np.full(tuple(d.shape), np.nan)
                for r, d in zip(as_tuple(res), dests)]

    plain = as_tuple(op.forward(k, a, *fresh()))
    want = [k.to_numpy(p) for p in plain]
    bufs = tuple(k.empty(tuple(p.shape), p.dtype) for p in plain)
    got = written(op.forward(k, a, *fresh(), out=bufs if len(bufs) > 1 else bufs[0]), bufs)
    pairs = [(i, o) for i, o in op.inplace_pairs(a) if i < len(inputs) and o < len(plain)]
    if len(plain) == 1:                   # each input that output 0 may overwrite
        aliasings = [{0: i} for i, o in pairs]
    else:                                 # every output over its first paired input
        first = {}
        for i, o in pairs:
            first.setdefault(o, i)
        aliasings = [first] if len(first) == len(plain) else []
    for alias in aliasings:
        if not all(inputs[i].shape == tuple(plain[o].shape) and inputs[i].dtype == plain[o].dtype
                   for o, i in alias.items()):
            continue
        xs = fresh()
        for i in alias.values():
            xs[i] = k.from_numpy(inputs[i])           # compact: out aliases input i
        dests = tuple(xs[alias[o]] for o in range(len(plain)))
        got += written(op.forward(k, a, *xs, out=dests if len(dests) > 1 else dests[0]),
                       dests)
        want += want[:len(plain)]
    return got, want


def compare(got, want, tol):
    """(ok, max abs error, max rel error, message) for two lists of arrays."""
    worst_abs = worst_rel = 0.0
    for i, (g, w) in enumerate(zip(got, want)):
        if g.shape != w.shape or g.dtype != w.dtype:
            return False, np.inf, np.inf, f"#{i}: got {g.dtype}{g.shape}, want {w.dtype}{w.shape}"
        if not g.size:
            continue
        g64, w64 = g.astype(np.float64), w.astype(np.float64)
        both_nan = np.isnan(g64) & np.isnan(w64)
        same = (g64 == w64) | both_nan
        err = np.where(same, 0.0, np.abs(g64 - w64))
        err = np.where(np.isnan(err), np.inf, err)
        t = tol if _is_float(w.dtype) else 0.0
        rel = err / (np.abs(np.nan_to_num(w64)) + max(t, 1e-30))
        worst_abs, worst_rel = max(worst_abs, float(err.max())), max(worst_rel, float(rel.max()))
        bad = err > t + t * np.abs(np.nan_to_num(w64))
        if bad.any():
            at = tuple(int(j) for j in np.argwhere(bad)[0])
            return False, worst_abs, worst_rel, (
                f"#{i}: {int(bad.sum())} of {bad.size} elements differ (tol {t:g}); "
                f"first at {at}: got {g64[at]!r}, want {w64[at]!r}")
    return True, worst_abs, worst_rel, ""


def _tolerance(op, case, dtype, expect):
    tol = DEFAULT_TOL.get(dtype, 0.0)
    if case.tol is not None:
        tol = case.tol.get(dtype, tol) if isinstance(case.tol, dict) else case.tol
    override = expect.lookup(expect.tol, op, dtype) if expect else None
    return tol if override is None else override


# ---- checking one op --------------------------------------------------------------------
def check_op(backend, name, dtype, max_examples=5, expect=None, ref_ctx=None):
    """Check op ``name`` in ``dtype`` on backend ``backend`` (a name); returns a Result."""
    ctx = backend if isinstance(backend, Context) else backend_context(backend)
    ref_ctx = ref_ctx or Context("cpu", 0)
    op = get_op(name)
    cases = cases_of(name)
    skip = expect.lookup(expect.skip, name, dtype) if expect else None
    if skip is not None:
        return Result(name, dtype, "skip", message=skip)
    if cases is None:
        return Result(name, dtype, "skip", message="no case in pymx/conformance/cases.py")
    ok_dtype = [c for c in cases if c.dtypes == "all" or dtype in c.dtypes
                or (c.dtypes == "float" and _is_float(dtype))]
    if not ok_dtype:
        return Result(name, dtype, "skip", message=f"op is not defined for {dtype}")
    cases = ok_dtype
    state = dict(abs=0.0, rel=0.0, n=0, fail=None)

    def one(params):
        case = cases[params["case"]]
        try:
            inputs, attrs = materialize(op, case, params, dtype)
        except Exception as err:
            raise _CaseError(f"cannot build inputs: {type(err).__name__}: {err}") from err
        grad = case.grad and op.gradient is not None and _is_float(dtype)
        seed = params["seed"]
        tol = _tolerance(name, case, dtype, expect)
        try:
            want = run_side(op, case, inputs, attrs, ref_ctx,
                            ("contiguous",) * len(inputs), grad, seed)
        except Exception as err:          # the case itself is wrong: say so loudly
            raise _CaseError(f"the reference raised {type(err).__name__}: {err} "
                             f"(attrs {attrs}, shapes {[a.shape for a in inputs]})") from err
        state["n"] += 1
        try:
            got = run_side(op, case, inputs, attrs, ctx, params["layouts"], grad, seed)
        except Exception as err:
            msg = f"raised {type(err).__name__}: {err}"
            state["fail"] = (msg, inputs, attrs, params, grad, np.inf, np.inf)
            state["abs"] = state["rel"] = np.inf
            raise _Mismatch(msg) from None
        checks = [("forward", got[0], want[0]), ("gradient", got[1], want[1])]
        if op.takes_out:
            try:
                checks.append(("forward with out=",) + check_out(
                    op, inputs, attrs, ctx, params["layouts"]))
            except Exception as err:
                msg = f"forward with out= raised {type(err).__name__}: {err}"
                state["fail"] = (msg, inputs, attrs, params, grad, np.inf, np.inf)
                state["abs"] = state["rel"] = np.inf
                raise _Mismatch(msg) from None
        for part, g, w in checks:
            ok, ea, er, msg = compare(g, w, tol)
            state["abs"], state["rel"] = max(state["abs"], ea), max(state["rel"], er)
            if not ok:
                msg = f"{part} {msg}"
                state["fail"] = (msg, inputs, attrs, params, grad, ea, er)
                raise _Mismatch(msg)

    try:
        for params in _edges(cases):
            one(params)
        if max_examples:
            _hypothesis(one, _strategy(cases), max_examples)
        status, message, repro = "pass", "", ""
    except _Mismatch:
        msg, inputs, attrs, params, grad, _, _ = state["fail"]
        status, message = "fail", msg
        repro = snippet(backend_name(ctx), name, dtype, inputs, attrs, params["layouts"], grad,
                        params["seed"])
    except _CaseError as err:
        status, message, repro = "error", str(err), ""
    if expect is not None:
        reason = expect.lookup(expect.xfail, name, dtype)
        if reason is not None:
            status = {"fail": "xfail", "pass": "xpass"}.get(status, status)
            message = f"{reason}; {message}" if message else reason
    return Result(name, dtype, status, state["abs"], state["rel"], message, repro, state["n"])


class _CaseError(Exception):
    pass


def _hypothesis(fn, strategy, max_examples):
    from hypothesis import HealthCheck, Verbosity, given, settings
    from hypothesis import errors as hyp_errors

    @settings(max_examples=max_examples, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
              report_multiple_bugs=False, print_blob=False)
    @given(strategy)
    def prop(params):
        fn(params)

    try:
        prop()
    except hyp_errors.Flaky as err:        # failed once, then passed on replay
        raise _Mismatch(str(err)) from None


def backend_name(ctx):
    return BACKEND_OF.get(ctx.device_type, ctx.device_type)


# ---- reproduction -----------------------------------------------------------------------
def _literal(a):
    text = f"np.array({a.tolist()!r}, dtype={a.dtype.name!r})"
    if a.ndim != 1:
        text += f".reshape({a.shape!r})"
    return text


def snippet(backend, name, dtype, inputs, attrs, layouts, grad, seed):
    """Python code that reruns one failing example."""
    arrays = ",\n          ".join(_literal(a) for a in inputs)
    return (f"import numpy as np\nfrom pymx.conformance import reproduce\n"
            f"inputs = [{arrays}]\n"
            f"reproduce({backend!r}, {name!r}, inputs, attrs={attrs!r},\n"
            f"          layouts={tuple(layouts)!r}, grad={grad!r}, seed={seed!r})")


def reproduce(backend, name, inputs, attrs=None, layouts=None, grad=True, seed=0,
              tol=None):
    """Run op ``name`` on ``inputs`` (NumPy arrays) on the reference and on ``backend``,
    print both and raise AssertionError if they differ (what a failure's snippet calls)."""
    op = get_op(name)
    attrs = dict(attrs or {})
    case = Case(*[A(x.shape) for x in inputs])
    layouts = layouts or ("contiguous",) * len(inputs)
    ctx = backend_context(backend) if isinstance(backend, str) else backend
    grad = grad and op.gradient is not None
    want = run_side(op, case, inputs, attrs, Context("cpu", 0), ("contiguous",) * len(inputs),
                    grad, seed)
    got = run_side(op, case, inputs, attrs, ctx, layouts, grad, seed)
    dtype = inputs[0].dtype.name if inputs else attrs.get("dtype", "float32")
    tol = DEFAULT_TOL.get(dtype, 0.0) if tol is None else tol
    for part, g, w in (("forward", got[0], want[0]), ("gradient", got[1], want[1])):
        for i, (a, b) in enumerate(zip(g, w)):
            print(f"{part} #{i} {ctx}:\n{a}\nreference:\n{b}")
        ok, ea, er, msg = compare(g, w, tol)
        if not ok:
            raise AssertionError(f"{name} on {ctx}: {part} {msg} (max abs {ea:.3g}, "
                                 f"max rel {er:.3g})")


# ---- fused kernels ----------------------------------------------------------------------
def extra_kernels(backend):
    """Public methods of the backend that the contract does not define (fused kernels)."""
    cls = type(backend)
    return sorted(n for n in dir(cls) if not n.startswith("_") and n not in dir(Backend)
                  and callable(getattr(cls, n)) and n not in ("reference",))


def _contract_kernel_of(name):
    kernels = [n for n in dir(Backend) if not n.startswith("_")]
    matches = [k for k in kernels if name.startswith(k + "_")]
    return max(matches, key=len) if matches else None


def check_fused(backend, dtypes=None, expect=None):
    """Check every fused kernel of ``backend`` against what it replaces.

    Naming says what that is: ``<contract kernel>_<variant>`` (``matmul_naive``,
    ``matmul_tiled``) is compared with the contract kernel on the same backend and
    with the reference, on ``cases.KERNEL_CASES``; ``fused_<op>`` (``fused_softmax(a,
    x)``, called by an op whose forward is decorated ``@fused("softmax")``) is compared
    with the op's composite on the same backend and with the reference: fused ==
    composite == reference (``_check_fused_op``).  Anything else is reported as a skip
    (unchecked)."""
    ctx = backend if isinstance(backend, Context) else backend_context(backend)
    k, ref = ctx.backend, NumpyBackend.reference()
    results = []
    for name in extra_kernels(k):
        base = _contract_kernel_of(name)
        for dtype in dtypes or k.dtypes:
            rid = f"kernel:{name}"
            if not _is_float(dtype):
                continue
            tol = DEFAULT_TOL.get(dtype, 0.0)
            override = expect.lookup(expect.tol, rid, dtype) if expect else None
            tol = tol if override is None else override
            worst, status, message, n = [0.0, 0.0], "pass", "", 0
            try:
                if base is not None and base in KERNEL_CASES:
                    for args, kwargs in KERNEL_CASES[base]:
                        rng = np.random.RandomState(n)
                        host = [rng.uniform(-1, 1, s).astype(dtype) for s in args]
                        fused = getattr(k, name)(*[k.from_numpy(h) for h in host], **kwargs)
                        plain = getattr(k, base)(*[k.from_numpy(h) for h in host], **kwargs)
                        want = getattr(ref, base)(*host, **kwargs)
                        n += 1
                        for other, label in ((plain, base), (want, "reference")):
                            other = other if isinstance(other, np.ndarray) else k.to_numpy(other)
                            ok, ea, er, msg = compare([k.to_numpy(fused)], [other], tol)
                            worst = [max(worst[0], ea), max(worst[1], er)]
                            if not ok:
                                raise _Mismatch(f"{name}{tuple(args)} {kwargs} vs {label}: {msg}")
                elif name.startswith("fused_"):
                    n = _check_fused_op(k, ref, name[len("fused_"):], dtype, tol, worst)
                    if not n:
                        status, message = "skip", "declined every example (composite ran)"
                else:
                    status, message = "skip", "unchecked: not named like a kernel or fused_<op>"
            except _Mismatch as err:
                status, message = "fail", str(err)
            except Exception as err:
                status, message = "fail", f"raised {type(err).__name__}: {err}"
            if expect is not None and expect.lookup(expect.xfail, rid, dtype) is not None:
                status = {"fail": "xfail", "pass": "xpass"}.get(status, status)
            results.append(Result(rid, dtype, status, worst[0], worst[1], message, "", n))
    return results


class _CompositeOnly:
    """Backend ``k`` with its ``fused_*`` kernels hidden, so an op runs its composite;
    records which fused kernels the op asked for."""

    def __init__(self, k):
        self._k, self.asked = k, set()

    def __getattr__(self, name):
        if name.startswith("fused_"):
            self.asked.add(name)
            raise AttributeError(name)
        return getattr(self._k, name)


#: The examples of a fused-kernel check: (shape, layout) per case and attribute set.
FUSED_EXAMPLES = [((1,), "contiguous"), ((2, 0, 3), "contiguous"), ((3, 5), "contiguous"),
                  ((2, 3, 4), "strided"), ((4, 3, 2), "offset")]


def _check_fused_op(k, ref, name, dtype, tol, worst):
    """fused == composite == reference for op ``name``: every case and attribute set of
    ``cases.CASES[name]``, on ``FUSED_EXAMPLES`` (where the case draws its shape), in
    training and in inference mode.  Each side gets fresh inputs; the outputs and the
    inputs after the call (states updated in place) are compared.  Returns the number of
    examples the fused kernel took (it may decline some: then only the op runs)."""
    op = get_op(name)
    taken = 0
    for ci, case in enumerate(cases_of(name) or []):
        if not (case.dtypes == "all" or dtype in case.dtypes
                or (case.dtypes == "float" and _is_float(dtype))):
            continue
        uses_s = any(isinstance(s, A) and s.shape in ("S", "B") for s in case.inputs)
        for ai in range(len(case.attrs)):
            for shape, layout in (FUSED_EXAMPLES if uses_s else [((2, 3), "contiguous")]):
                if len(shape) < case.ndim[0] or len(shape) > case.ndim[1] or (
                        0 in shape and case.min_side > 0):
                    continue
                params = dict(case=ci, attrs=ai, shape=shape, bcast=(False,) * len(shape),
                              layouts=(), seed=ai + len(shape))
                inputs, attrs = materialize(op, case, params, dtype)
                a = op.parse_attrs(dict(attrs))
                for train in (True, False):
                    taken += _fused_example(k, ref, op, a, attrs, inputs, layout, train,
                                            tol, worst)
    return taken


def _fused_example(k, ref, op, a, attrs, inputs, layout, train, tol, worst):
    as_list = lambda r: list(r) if isinstance(r, (tuple, list)) else [r]  # noqa: E731
    where = f"{op.name}{[x.shape for x in inputs]} {attrs} ({layout}, train={train})"
    with autograd.pause(train):
        xs = [_upload(k, x, layout) for x in inputs]
        fused = getattr(k, "fused_" + op.name)(a, *xs)
        if fused is None:                                 # declined: nothing to compare
            return 0
        got = [k.to_numpy(y) for y in as_list(fused) + xs]
        spy = _CompositeOnly(k)
        xs = [_upload(k, x, layout) for x in inputs]
        composite = [k.to_numpy(y) for y in as_list(op.forward(spy, a, *xs)) + xs]
        if "fused_" + op.name not in spy.asked:
            raise _Mismatch(f"{op.name}'s forward never looks up fused_{op.name} "
                            f"(decorate it with @fused({op.name!r}), pymx/ops/util.py)")
        host = [x.copy() for x in inputs]
        want = [np.asarray(y) for y in as_list(op.forward(ref, a, *host))] + host
    for other, label in ((composite, "composite"), (want, "reference")):
        ok, ea, er, msg = compare(got, other, tol)
        worst[0], worst[1] = max(worst[0], ea), max(worst[1], er)
        if not ok:
            raise _Mismatch(f"{where}: fused vs {label}: {msg} (outputs, then inputs "
                            f"after the call)")
    return 1


# ---- the whole suite --------------------------------------------------------------------
def run(backend, ops=None, dtypes=None, max_examples=5, xfail_file=None, progress=None):
    """Run the suite on backend ``backend`` (a name); returns a dict with the results,
    the backend's dtypes, the elapsed time and a summary (``format_matrix`` prints it).

    ``ops``: a regular expression on op names (``re.search``); ``dtypes``: a subset of
    the backend's ``dtypes``; ``xfail_file``: overrides the file found beside the
    backend's package; ``progress``: called with each Result."""
    start = time.perf_counter()
    ctx = backend_context(backend)
    k = ctx.backend
    expect = Expectations.load(xfail_file) if xfail_file else Expectations.find(k)
    dtypes = [d for d in (dtypes or k.dtypes) if d in k.dtypes]
    names = [n for n in op_ids() if not ops or re.search(ops, n)]
    results, by_key = [], {}
    for name in names:
        if name.startswith("_backward_"):
            continue
        for dtype in dtypes:
            r = check_op(ctx, name, dtype, max_examples, expect)
            results.append(r)
            by_key[name, dtype] = r
            if progress:
                progress(r)
    for name in names:                   # backward ops: reported with their forward op
        if not name.startswith("_backward_"):
            continue
        parent = VIA.get(name, name[len("_backward_"):])
        for dtype in dtypes:
            p = by_key.get((parent, dtype))
            if p is None:
                r = Result(name, dtype, "skip", message=f"runs in {parent}'s gradient")
            else:
                r = Result(name, dtype, p.status, p.max_abs, p.max_rel,
                           f"checked through {parent}'s gradient" +
                           (f": {p.message}" if p.message else ""), p.repro, p.examples)
            results.append(r)
    if not ops:
        results += check_fused(ctx, dtypes, expect)
    summary = {}
    for r in results:
        summary[r.status] = summary.get(r.status, 0) + 1
    return dict(backend=backend, context=str(ctx), dtypes=dtypes, results=results,
                summary=summary, seconds=time.perf_counter() - start,
                xfail_file=expect.source)


def format_matrix(report, failures=True):
    """The op x dtype matrix as text: ``status max_abs/max_rel`` per cell, then the
    summary and, with ``failures``, each failure's message and reproduction snippet."""
    dtypes = report["dtypes"]
    cells = {}
    ops = []
    for r in report["results"]:
        if r.op not in cells:
            ops.append(r.op)
            cells[r.op] = {}
        cells[r.op][r.dtype] = r
    width = max([len(o) for o in ops] + [10])
    lines = [f"conformance of backend {report['backend']!r} ({report['context']}), "
             f"{len(ops)} ops, {report['seconds']:.1f} s",
             f"{'op':<{width}}  " + "  ".join(f"{d:<22}" for d in dtypes)]
    for op in ops:
        row = []
        for d in dtypes:
            r = cells[op].get(d)
            if r is None:
                row.append(f"{'-':<22}")
            elif r.status in ("skip", "error") or not r.examples:
                row.append(f"{r.status:<22}")
            else:
                row.append(f"{r.status:<5} {r.max_abs:8.1e}/{r.max_rel:7.1e}")
        lines.append(f"{op:<{width}}  " + "  ".join(row))
    lines.append("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(report["summary"].items())))
    if failures:
        for r in report["results"]:
            if r.status in ("fail", "error", "xpass"):
                lines += ["", f"{r.status.upper()} {r.op}[{r.dtype}]: {r.message}"]
                if r.repro and not r.message.startswith("checked through"):
                    lines += ["reproduce with:", r.repro]
    return "\n".join(lines)


def to_json(report):
    out = dict(report)
    out["results"] = [r.to_dict() for r in report["results"]]
    return json.dumps(out, indent=1, default=float)
