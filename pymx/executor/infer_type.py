"""Graph pass: dtype inference (the same sweep as ``infer_shape``, with ``Op.infer_type``).

Known dtypes come from the caller and from variables' ``__dtype__`` (an mshadow type
flag, ``'0'`` = float32).  The default rule gives every unknown input and the outputs
the first known input's dtype, so ``fc1_weight`` becomes float16 when ``data`` is.
"""
import numpy as np

from ..base import FLAG_TO_DTYPE, MXNetError
from ..ops.registry import DtypeConflict

__all__ = ["infer_types", "infer_symbol_type"]


def infer_types(order, types):
    """Fill ``types`` (dict ``(id(node), index) -> np.dtype``) over ``order``."""
    for _ in range(len(order) + 1):
        changed = False
        for node in order:
            if node.is_variable:
                continue
            in_keys = [(id(e[0]), e[1]) for e in node.inputs]
            out_keys = [(id(node), i) for i in range(node.num_outputs())]
            ins = [types.get(k) for k in in_keys]
            if all(t is not None for t in ins + [types.get(k) for k in out_keys]):
                continue
            try:
                new_ins, new_outs = node.op.infer_type(node.parsed, ins)
            except (MXNetError, ValueError, TypeError, KeyError) as err:
                if any(t is None for t in ins) and not isinstance(err, DtypeConflict):
                    continue
                raise MXNetError(f"Error in operator {node.name} ({node.op.name}): "
                                 f"{err}") from None
            for key, new in zip(in_keys + out_keys, list(new_ins) + list(new_outs)):
                if new is None:
                    continue
                new = np.dtype(new)
                old = types.get(key)
                if old is None:
                    types[key] = new
                    changed = True
                elif old != new:
                    raise MXNetError(
                        f"Error in operator {node.name} ({node.op.name}): type "
                        f"inconsistent: provided {old.name}, inferred {new.name}")
        if not changed:
            break
    return types


def infer_symbol_type(symbol, args, kwargs, partial):
    """Symbol.infer_type / infer_type_partial: NumPy types, or ``(None,)*3``."""
    arg_nodes, aux_nodes = symbol._variables()
    inputs = {n.name: n for n in arg_nodes + aux_nodes}
    types = {}
    for node in arg_nodes + aux_nodes:
        if "__dtype__" in node.attrs:
            types[(id(node), 0)] = FLAG_TO_DTYPE[int(node.attrs["__dtype__"])]
    if args and kwargs:
        raise ValueError("Can only specify known argument types either by positional "
                         "or kwargs way.")
    for node, t in zip(arg_nodes, args):
        if t is not None:
            types[(id(node), 0)] = np.dtype(t)
    for name, t in kwargs.items():
        if name not in inputs:
            raise MXNetError(f"infer_type: keyword argument name {name!r} not found; "
                             f"candidate arguments are {sorted(inputs)}")
        if t is not None:
            types[(id(inputs[name]), 0)] = np.dtype(t)
    infer_types(symbol._topo(), types)

    def get(key):
        t = types.get(key)
        return None if t is None else t.type

    arg_t = [get((id(n), 0)) for n in arg_nodes]
    out_t = [get((id(e[0]), e[1])) for e in symbol._outputs]
    aux_t = [get((id(n), 0)) for n in aux_nodes]
    if not partial and any(t is None for t in arg_t + out_t + aux_t):
        return None, None, None
    return arg_t, out_t, aux_t
