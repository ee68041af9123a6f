"""Exercise reshape_codes: ``infer_reshape`` in ``pymx/ops/shape.py``.

Oracle: the examples of MXNet's Reshape documentation (and its error rules), written
out as literal shapes.
"""
import pytest

from pymx.base import MXNetError
from pymx.ops.shape import infer_reshape

from support import HEADER

pytestmark = pytest.mark.exercise("reshape_codes")

SNIPPET = HEADER + """from pymx.ops.shape import infer_reshape
print(infer_reshape({shape}, {target}, reverse={reverse}))
"""

CASES = [  # (input shape, target, reverse, expected) -- MXNet's documented examples
    ((2, 3, 4), (6, 4), False, (6, 4)),
    ((2, 3, 4), (4, 0, 2), False, (4, 3, 2)),
    ((2, 3, 4), (2, 0, 0), False, (2, 3, 4)),
    ((2, 3, 4), (6, 1, -1), False, (6, 1, 4)),
    ((2, 3, 4), (3, -1, 8), False, (3, 1, 8)),
    ((2, 3, 4), (-1,), False, (24,)),
    ((2, 3, 4), (-2,), False, (2, 3, 4)),
    ((2, 3, 4), (2, -2), False, (2, 3, 4)),
    ((2, 3, 4), (-2, 1, 1), False, (2, 3, 4, 1, 1)),
    ((2, 3, 4), (-3, 4), False, (6, 4)),
    ((2, 3, 4, 5), (-3, -3), False, (6, 20)),
    ((2, 3, 4), (0, -3), False, (2, 12)),
    ((2, 3, 4), (-3, -2), False, (6, 4)),
    ((2, 3, 4), (-4, 1, 2, -2), False, (1, 2, 3, 4)),
    ((2, 3, 4), (2, -4, -1, 3, -2), False, (2, 1, 3, 4)),
    ((10, 5, 4), (-1, 0), False, (40, 5)),
    ((10, 5, 4), (-1, 0), True, (50, 4)),
    ((2, 3, 4), (-4, -1, 2, -3), False, (1, 2, 12)),
]


@pytest.mark.parametrize("shape,target,reverse,expected", CASES,
                         ids=[f"{c[0]}->{c[1]}{'-rev' if c[2] else ''}" for c in CASES])
def test_special_codes(repro, shape, target, reverse, expected):
    repro(SNIPPET.format(shape=shape, target=target, reverse=reverse),
          shape=shape, target=target, reverse=reverse, expected=expected)
    got = infer_reshape(shape, target, reverse)
    assert tuple(got) == expected, f"infer_reshape{shape, target} gave {got}, expected {expected}"


BAD = [  # (shape, target, the exception MXNet raises)
    ((2, 3, 4), (-1, -1), MXNetError),            # two inferred dims
    ((2, 3, 4), (5, -1), ValueError),             # 24 is not a multiple of 5
    ((2, 3, 4), (7, 4), MXNetError),              # larger than the array
    ((2, 3, 4), (5, 4), ValueError),              # smaller than the array
    ((2, 3, 4), (-4, 5, -1, -2), MXNetError),     # 5 does not divide 2
    ((2, 3, 4), (-4, -1, -1, -2), MXNetError),    # both split dims inferred
    ((2, 3, 4), (-5, 4), MXNetError),             # no such code
    ((4,), (-3,), MXNetError),                    # nothing to merge with
]


@pytest.mark.parametrize("shape,target,error", BAD, ids=[str(b[1]) for b in BAD])
def test_malformed_targets_raise(repro, shape, target, error):
    repro(SNIPPET.format(shape=shape, target=target, reverse=False), shape=shape,
          target=target, expected=f"raises {error.__name__}")
    with pytest.raises(error):
        infer_reshape(shape, target)
