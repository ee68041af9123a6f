"""``mx.recordio``: MXNet's RecordIO files (dmlc-core's format) and image records.

A ``.rec`` file is a sequence of records, each stored as::

    magic (uint32 0xced7230a) | lrec (uint32) | data | zero padding to 4 bytes

with ``lrec = cflag << 29 | length``.  A record whose data holds the magic word at a
4-byte aligned offset is split there into parts (cflag 1 = first, 2 = middle, 3 =
last; 0 = whole record), the magic words themselves are dropped, and the reader puts
them back; so a reader that finds a magic word at an aligned position is always at
a record boundary.  All integers are little-endian.

``MXIndexedRecordIO`` adds a text index (``key<TAB>byte offset`` per line, the
``.idx`` file) for random access.  ``pack``/``unpack`` put an ``IRHeader`` (flag,
label, id, id2: struct ``'IfQQ'``) in front of a payload; a label that is an array is
stored after the header as ``flag`` float32 values.  ``pack_img``/``unpack_img``
encode the payload as an image with Pillow and decode it with ``mx.image.imdecode``
(MXNet uses OpenCV), keeping OpenCV's BGR channel order.
"""
import numbers
import os
import struct
from collections import namedtuple

import numpy as np

from .base import MXNetError

__all__ = ["MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack", "pack_img",
           "unpack_img"]

_MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", _MAGIC)
_LEN_MASK = (1 << 29) - 1


class MXRecordIO:
    """Read (``flag='r'``) or write (``flag='w'``) the records of ``uri`` in order.

    ``write(buf)`` appends one record (bytes or str); ``read()`` returns the next one as
    bytes, or None at the end; ``reset()`` starts reading again from the beginning.
    """

    def __init__(self, uri, flag):
        self.uri = str(uri)
        self.flag = flag
        self.handle = None
        self.is_open = False
        self.open()

    def open(self):
        """Open the file (done by the constructor; again after ``close``)."""
        if self.flag == "w":
            self.handle, self.writable = open(self.uri, "wb"), True
        elif self.flag == "r":
            self.handle, self.writable = open(self.uri, "rb"), False
        else:
            raise ValueError(f"MXRecordIO: invalid flag {self.flag!r}; use 'r' or 'w'")
        self.pid = os.getpid()
        self.is_open = True

    def close(self):
        """Close the file."""
        if self.is_open:
            self.handle.close()
            self.is_open = False
            self.pid = None

    def __del__(self):
        self.close()

    def __getstate__(self):
        """Pickling (DataLoader workers) keeps the path; the copy reopens the file."""
        d = dict(self.__dict__)
        d["handle"] = None
        return d

    def __setstate__(self, d):
        was_open = d["is_open"]
        self.__dict__ = dict(d, is_open=False)
        if was_open:
            self.open()

    def _check_pid(self, allow_reset=False):
        """A forked process gets its own file position: reopen the file there."""
        if self.pid != os.getpid():
            if not allow_reset:
                raise MXNetError("MXRecordIO: forbidden operation in a forked process")
            self.close()
            self.open()

    def reset(self):
        """Read from the beginning again (reopens the file)."""
        self.close()
        self.open()

    def write(self, buf):
        """Append one record: dmlc's layout, split at aligned magic words."""
        assert self.writable, "MXRecordIO: the file is open for reading"
        self._check_pid()
        data = buf.encode() if isinstance(buf, str) else bytes(buf)
        if len(data) >= 1 << 29:
            raise MXNetError("MXRecordIO: a record must be shorter than 2^29 bytes")
        start, out = 0, []
        for i in range(0, len(data) - len(data) % 4, 4):
            if data[i:i + 4] == _MAGIC_BYTES:
                out.append(self._part(1 if start == 0 else 2, data[start:i]))
                start = i + 4
        out.append(self._part(3 if start else 0, data[start:]))
        out.append(b"\0" * (-len(data) % 4))
        self.handle.write(b"".join(out))

    @staticmethod
    def _part(cflag, chunk):
        return struct.pack("<II", _MAGIC, cflag << 29 | len(chunk)) + chunk

    def read(self):
        """The next record as bytes, or None at the end of the file."""
        assert not self.writable, "MXRecordIO: the file is open for writing"
        self._check_pid(allow_reset=True)
        parts = []
        while True:
            head = self.handle.read(8)
            if not head:
                if parts:
                    raise MXNetError(f"MXRecordIO: {self.uri} ends inside a record")
                return None
            if len(head) != 8:
                raise MXNetError(f"MXRecordIO: {self.uri} is truncated")
            magic, lrec = struct.unpack("<II", head)
            if magic != _MAGIC:
                raise MXNetError(f"MXRecordIO: {self.uri} is not a RecordIO file (bad magic "
                                 f"{magic:#x} at byte {self.handle.tell() - 8})")
            cflag, length = lrec >> 29, lrec & _LEN_MASK
            chunk = self.handle.read(length + (-length % 4))
            if len(chunk) < length:
                raise MXNetError(f"MXRecordIO: {self.uri} is truncated")
            parts.append(chunk[:length])
            if cflag in (0, 3):
                return _MAGIC_BYTES.join(parts)


class MXIndexedRecordIO(MXRecordIO):
    """A RecordIO file with an index file for random access: ``write_idx(key, buf)``,
    ``read_idx(key)``; ``keys`` lists the keys in file order (``key_type`` converts
    them when reading the index)."""

    def __init__(self, idx_path, uri, flag, key_type=int):
        self.idx_path = str(idx_path)
        self.idx, self.keys = {}, []
        self.key_type = key_type
        self.fidx = None
        super().__init__(uri, flag)

    def open(self):
        super().open()
        self.idx, self.keys = {}, []
        self.fidx = open(self.idx_path, self.flag)
        if not self.writable:
            for line in self.fidx:
                fields = line.strip().split("\t")
                if len(fields) < 2:
                    continue
                key = self.key_type(fields[0])
                self.idx[key] = int(fields[1])
                self.keys.append(key)

    def close(self):
        if not self.is_open:
            return
        super().close()
        self.fidx.close()

    def __getstate__(self):
        d = super().__getstate__()
        d["fidx"] = None
        return d

    def seek(self, idx):
        """Move the read position to the record of key ``idx``."""
        assert not self.writable
        self._check_pid(allow_reset=True)
        self.handle.seek(self.idx[idx])

    def tell(self):
        """The write position (the byte offset the next record gets)."""
        assert self.writable
        return self.handle.tell()

    def read_idx(self, idx):
        """The record of key ``idx``."""
        self.seek(idx)
        return self.read()

    def write_idx(self, idx, buf):
        """Append a record under key ``idx`` (and its line in the index)."""
        key = self.key_type(idx)
        pos = self.tell()
        self.write(buf)
        self.fidx.write(f"{key}\t{pos}\n")
        self.idx[key] = pos
        self.keys.append(key)


IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """An image record's header: ``flag`` (0, or the number of float32
labels stored after the header), ``label`` (a number, or an array when flag > 0),
``id`` and ``id2`` (uint64)."""
_IR_FORMAT = "IfQQ"
_IR_SIZE = struct.calcsize(_IR_FORMAT)


def pack(header, s):
    """``header`` + ``s`` (bytes) as one record payload; an array label is stored after
    the header as float32 and ``flag`` becomes its length."""
    header = IRHeader(*header)
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32)
        header = header._replace(flag=label.size, label=0)
        s = label.tobytes() + s
    return struct.pack(_IR_FORMAT, *header) + s


def unpack(s):
    """``(header, payload)`` of a record made by ``pack``."""
    header = IRHeader(*struct.unpack(_IR_FORMAT, s[:_IR_SIZE]))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        header = header._replace(label=np.frombuffer(s, np.float32, header.flag))
        s = s[header.flag * 4:]
    return header, s


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise MXNetError("pack_img needs Pillow: pip install pillow") from None
    return Image


def unpack_img(s, iscolor=-1):
    """``(header, image)``: the payload decoded (``mx.image.imdecode``) to a uint8 NumPy
    array, (H, W, 3) in BGR order (OpenCV's, as MXNet) or (H, W) with ``iscolor=0``
    (gray).  pymx's decoder has no "unchanged" mode, so ``iscolor=-1`` (MXNet's default:
    the file's own channels) decodes as colour, like ``iscolor=1``."""
    from .image import imdecode
    header, payload = unpack(s)
    img = imdecode(payload, flag=0 if iscolor == 0 else 1, to_rgb=0).asnumpy()
    return header, (img[:, :, 0] if iscolor == 0 else img)


def pack_img(header, img, quality=95, img_fmt=".jpg"):
    """``pack`` an image (a uint8 array, (H, W) or (H, W, 3) in BGR order) encoded as
    ``img_fmt`` ('.jpg' with ``quality``, or '.png')."""
    import io
    arr = np.asarray(img)
    if arr.ndim == 3:
        arr = arr[:, :, ::-1]
    fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}.get(img_fmt.lower())
    if fmt is None:
        raise MXNetError(f"pack_img: unsupported img_fmt {img_fmt!r}; use '.jpg' or '.png'")
    buf = io.BytesIO()
    options = {"quality": quality} if fmt == "JPEG" else {}
    _pil().fromarray(np.ascontiguousarray(arr, dtype=np.uint8)).save(buf, fmt, **options)
    return pack(header, buf.getvalue())
