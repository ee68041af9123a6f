"""Write ``recordio.rec``/``recordio.idx`` with **real MXNet 1.9.1** (dmlc RecordIO).

Run it with the side virtualenv (not part of pymx and not needed to run the tests)::

    /work/venv-mxnet/bin/python tests/data/mxnet/make_recordio.py

Five records through ``MXIndexedRecordIO.write_idx`` (keys 0..4): an empty one, one of
3 bytes (padding), ``pack``ed headers with a scalar and with an array label, and one
whose payload holds the RecordIO magic word at 4-byte aligned offsets (dmlc splits such
a record into parts and drops the magic words; the reader puts them back).
``tests/test_recordio.py`` reads the files with pymx and writes them again, byte for
byte.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC = struct.pack("<I", 0xCED7230A)


def records(recordio):
    """The five records, packed with ``recordio`` (MXNet's, or pymx's in the test)."""
    return [
        b"",
        b"abc",
        recordio.pack(recordio.IRHeader(0, 4.0, 2574, 0), b"payload!"),
        recordio.pack(recordio.IRHeader(0, [1.0, 2.5, -3.0], 7, 9), b"xyz"),
        MAGIC + b"1234" + MAGIC + MAGIC + b"tail5",
    ]


if __name__ == "__main__":
    import mxnet as mx
    RECORDS = records(mx.recordio)
    rec = mx.recordio.MXIndexedRecordIO(os.path.join(HERE, "recordio.idx"),
                                        os.path.join(HERE, "recordio.rec"), "w")
    for i, r in enumerate(RECORDS):
        rec.write_idx(i, r)
    rec.close()
    back = mx.recordio.MXIndexedRecordIO(os.path.join(HERE, "recordio.idx"),
                                         os.path.join(HERE, "recordio.rec"), "r")
    assert [back.read_idx(i) for i in range(len(RECORDS))] == RECORDS
