"""The order in which MXNet lists a node's attributes (``list_attr``, ``attr_dict``).

MXNet keeps a node's attributes in a C++ ``std::unordered_map<string, string>``, so
``sym.list_attr()`` comes out in the map's *iteration* order, which is neither the
insertion order nor sorted: ``mx.sym.var('a', shape=(2, 3), lr_mult=2.0)`` lists
``__lr_mult__`` before ``__shape__``.  (The JSON is different: ``tojson`` sorts the keys.)

That order is deterministic, and this module recomputes it from the insertion order
(pymx keeps attributes in Python dicts, which remember it).  It is the behaviour of the
libstdc++ that MXNet 1.9.1's pip wheel was built with (GCC before 7):

* the hash is ``std::hash<std::string>``: libstdc++'s ``_Hash_bytes``, a 64-bit
  MurmurHash variant with seed ``0xc70f6907``;
* a new map has 11 buckets (the default bucket hint 10, rounded up to a prime); key
  ``k`` lives in bucket ``hash(k) % bucket_count``;
* all elements form one singly linked list, each bucket a contiguous run of it.  A key
  whose bucket is empty goes to the **front of the list**; a key whose bucket is not
  empty goes to the **front of that bucket's run**;
* when an insertion would make ``size > bucket_count`` (max load factor 1), the table
  grows to the smallest prime >= ``max(size + 1, 2 * bucket_count)``, and the old list is
  re-linked front to back with the same two rules.

Overwriting an existing key changes nothing; MXNet never deletes attributes.  Copies
of a map (the variables ``fc1_weight``... start as copies of their operator's
attributes) keep its order, so replaying the insertions reproduces them too.
"""
import bisect

__all__ = ["std_hash", "unordered_map_order"]

_MASK = (1 << 64) - 1
_MUL = (0xc6a4a793 << 32) + 0x5bd1e995
_SEED = 0xc70f6907

# libstdc++'s __prime_list (the part that attribute maps can reach) and its shortcut
# table for small bucket counts.
_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
           73, 79, 83, 89, 97, 103, 109, 113, 127, 137, 139, 149, 157, 167, 179, 193,
           199, 211, 227, 241, 257, 277, 293, 313, 337, 359, 383, 409, 439, 467, 503,
           541, 577, 619, 661, 709, 761, 823, 887, 953, 1031, 1109, 1193, 1289, 1381,
           1493, 1613, 1741, 1879, 2029, 2179, 2357, 2549, 2753, 2971, 3209, 3469,
           3739, 4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783,
           9497, 10273, 11113, 12011, 12983, 14033, 15173, 16411, 17749, 19183, 20753)
_FAST_BUCKETS = (2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11)


def _shift_mix(v):
    return v ^ (v >> 47)


def std_hash(key):
    """``std::hash<std::string>()(key)`` of 64-bit libstdc++ (``_Hash_bytes``)."""
    data = key.encode("utf-8")
    n = len(data)
    h = (_SEED ^ (n * _MUL)) & _MASK
    aligned = n & ~7
    for p in range(0, aligned, 8):                  # 8 bytes at a time, little-endian
        word = int.from_bytes(data[p:p + 8], "little")
        h ^= (_shift_mix((word * _MUL) & _MASK) * _MUL) & _MASK
        h = (h * _MUL) & _MASK
    if n & 7:                                       # the 1..7 bytes left over
        h ^= int.from_bytes(data[aligned:], "little")
        h = (h * _MUL) & _MASK
    h = (_shift_mix(h) * _MUL) & _MASK
    return _shift_mix(h)


def _next_bucket_count(n):
    """libstdc++'s ``_Prime_rehash_policy::_M_next_bkt``: the smallest prime >= n."""
    if n < len(_FAST_BUCKETS):
        return _FAST_BUCKETS[n]
    return _PRIMES[min(bisect.bisect_left(_PRIMES, n, 5), len(_PRIMES) - 1)]


def _link(order, key, bucket_of):
    """Insert ``key`` into the linked list ``order`` (a Python list, front first)."""
    b = bucket_of(key)
    for i, other in enumerate(order):
        if bucket_of(other) == b:                   # front of the bucket's run
            order.insert(i, key)
            return
    order.insert(0, key)                            # empty bucket: front of the list


def unordered_map_order(keys):
    """The iteration order of an ``unordered_map`` into which ``keys`` were inserted
    in this order (duplicates ignored)."""
    hashes = {}
    count = _next_bucket_count(10)                  # a default-constructed map: 11

    def bucket_of(k):
        return hashes[k] % count

    order = []
    for key in keys:
        if key in hashes:
            continue
        hashes[key] = std_hash(key)
        if len(order) + 1 > count:                  # load factor would exceed 1: grow
            count = _next_bucket_count(max(len(order) + 2, 2 * count))
            old, order = order, []
            for k in old:
                _link(order, k, bucket_of)
        _link(order, key, bucket_of)
    return order
