"""``color_normalize``: subtract a per-channel mean and divide by a standard deviation."""
__all__ = ["color_normalize"]


def color_normalize(src, mean, std=None):
    """``(src - mean) / std`` over the channel (last) axis, computed **in place** on
    ``src`` (as MXNet: pass a float copy if the original is still needed).  ``mean`` or
    ``std`` may be None to skip that step."""
    if mean is not None:
        src -= mean
    if std is not None:
        src /= std
    return src
