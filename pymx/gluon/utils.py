"""Gluon helpers: split a batch over devices, clip gradients by their global norm, and
file utilities (``check_sha1``; ``download``, which in pymx never goes online).

``split_and_load(batch, [ctx0, ctx1])`` is the data-parallel idiom: slice the batch
along ``batch_axis``, one slice per context; each device computes its part, and
``Trainer.step`` sums the gradients.
"""
import hashlib
import os
import warnings

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray

__all__ = ["split_data", "split_and_load", "clip_global_norm", "check_sha1", "download",
           "replace_file", "HookHandle"]


def split_data(data, num_slice, batch_axis=0, even_split=True):
    """Split ``data`` into ``num_slice`` slices along ``batch_axis`` (always a list).

    With ``even_split`` the size must divide evenly (ValueError otherwise); else the
    first ``size % num_slice`` slices get one extra element.
    """
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise ValueError(
            f"data with shape {data.shape} cannot be evenly split into {num_slice} slices "
            f"along axis {batch_axis}. Use a batch size that's multiple of {num_slice} or "
            "set even_split=False to allow uneven partitioning of data.")
    n_each, extras = divmod(size, num_slice)
    sizes = [0] + extras * [n_each + 1] + (num_slice - extras) * [n_each]
    points = np.cumsum(sizes)
    if batch_axis == 0:
        return [data[int(points[i]):int(points[i + 1])] for i in range(num_slice)]
    return [nd.slice_axis(data, axis=batch_axis, begin=int(points[i]), end=int(points[i + 1]))
            for i in range(num_slice)]


def split_and_load(data, ctx_list, batch_axis=0, even_split=True):
    """Split ``data`` (NDArray or array-like) and copy slice ``i`` to ``ctx_list[i]``."""
    if not isinstance(data, NDArray):
        data = nd.array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(c) for s, c in zip(slices, ctx_list)]


def clip_global_norm(arrays, max_norm, check_isfinite=True):
    """Scale ``arrays`` in place so that their joint 2-norm is at most ``max_norm``.

    ``norm = sqrt(sum_i ||a_i||^2)``; every array is multiplied by
    ``min(1, max_norm / (norm + 1e-8))``.  Returns the norm as a float (an NDArray of
    shape (1,) when ``check_isfinite=False``); a NaN/inf norm gives a UserWarning.
    """
    if not arrays:
        raise AssertionError("clip_global_norm: no arrays given")
    ctx = arrays[0].context

    def sq_norm(a):
        flat = a.reshape((-1,))
        return nd.dot(flat, flat).as_in_context(ctx)

    total = nd.sqrt(nd.add_n(*[sq_norm(a) for a in arrays]))
    if check_isfinite and not np.isfinite(total.asscalar()):
        warnings.warn(UserWarning("nan or inf is detected. Clipping results will be "
                                  "undefined."), stacklevel=2)
    scale = max_norm / (total + 1e-8)
    scale = nd.min(nd.concat(scale, nd.ones((1,), ctx=ctx), dim=0))
    for a in arrays:
        a *= scale.as_in_context(a.context)
    return total.asscalar() if check_isfinite else total


def check_sha1(filename, sha1_hash):
    """True if the SHA-1 of the file's content is ``sha1_hash`` (hex)."""
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha1.update(chunk)
    return sha1.hexdigest() == sha1_hash


def replace_file(src, dst):
    """Atomically move ``src`` over ``dst``."""
    os.replace(src, dst)


def download(url, path=None, overwrite=False, sha1_hash=None, retries=5,
             verify_ssl=True):
    """MXNet downloads ``url``; pymx never accesses the network.

    If the target file already exists (and matches ``sha1_hash`` when given), its path
    is returned, so code that downloads once and then reuses a cache keeps working.
    Otherwise an ``OSError`` says which file to put where.
    """
    fname = url.split("/")[-1]
    if path is not None:
        path = os.path.expanduser(path)
        fname = os.path.join(path, fname) if os.path.isdir(path) or path.endswith(os.sep) \
            else path
    if os.path.exists(fname) and not overwrite and \
            (sha1_hash is None or check_sha1(fname, sha1_hash)):
        return fname
    raise OSError(f"pymx does not download files: {url} is needed at "
                  f"{os.path.abspath(fname)}. Fetch it yourself and place it there"
                  + (f" (expected sha1 {sha1_hash})" if sha1_hash else "") + ".")


def shape_is_known(shape):
    """True when ``shape`` has no unknown dimension: 0 marks one in MXNet's legacy shape
    semantics (where ``()`` too counts as unknown), -1 under ``npx.set_np()``."""
    from ..util import is_np_shape
    if shape is None:
        return False
    unknown = -1 if is_np_shape() else 0
    if len(shape) == 0:
        return unknown == -1
    for d in shape:
        if d == unknown:
            return False
        assert d > unknown, f"shape dimension size cannot be less than {unknown}, while " \
                            f"received {d}"
    return True


def _brief_print_list(lst, limit=7):
    """``'a', 'b', ..., 'z'``: a list shortened for error messages."""
    from .parameter import _brief_print_list as brief
    return brief(lst, limit)


def _indent(s_, num_spaces):
    """Indent every line of ``s_`` but the first by ``num_spaces``."""
    lines = s_.split("\n")
    if len(lines) == 1:
        return s_
    return "\n".join([lines[0]] + [" " * num_spaces + line for line in lines[1:]])


class HookHandle:
    """Returned by ``register_forward_hook``: ``detach()`` removes the hook (also usable
    as a context manager)."""
    _next_id = 0

    def __init__(self):
        self._hooks_dict = None
        self._id = None

    def attach(self, hooks_dict, hook):
        """Register ``hook`` in ``hooks_dict`` (a Block's ordered hook table) under a
        fresh id; a handle can be attached once.
        """
        assert self._hooks_dict is None, "The same handle cannot be attached twice."
        self._id = HookHandle._next_id
        HookHandle._next_id += 1
        hooks_dict[self._id] = hook
        self._hooks_dict = hooks_dict

    def detach(self):
        """Remove the hook from its table (a no-op when already detached)."""
        if self._hooks_dict is not None and self._id in self._hooks_dict:
            del self._hooks_dict[self._id]
        self._hooks_dict = None

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.detach()


def _flatten(args, inout_str):
    """Flatten nested lists of arrays; returns (flat list, format) for ``_regroup``."""
    if isinstance(args, (list, tuple)):
        flat, fmts = [], []
        for i in args:
            arg, fmt = _flatten(i, inout_str)
            flat.extend(arg)
            fmts.append(fmt)
        return flat, fmts
    if args is None:
        return [None], -1
    if hasattr(args, "list_outputs"):     # a Symbol of n > 1 outputs stands for n items
        n = len(args.list_outputs())
        return [args], n if n > 1 else 0
    return [args], 0


def _regroup(args, fmt):
    """Inverse of ``_flatten``."""
    def merge(args, fmt):
        if isinstance(fmt, int):
            if fmt == 0:
                return args[0], args[1:]
            if fmt == -1:
                return None, args[1:]
            return args[:fmt], args[fmt:]
        ret = []
        for i in fmt:
            res, args = merge(args, i)
            ret.append(res)
        return ret, args
    return merge(args, fmt)[0]

