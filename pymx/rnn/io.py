"""Text to integer sequences, and the bucketing iterator of MXNet 1.x's language
models (``mx.rnn.encode_sentences``, ``mx.rnn.BucketSentenceIter``).

Bucketing: sentences have different lengths, and an unrolled RNN has a fixed one.
``BucketSentenceIter`` puts each sentence into the smallest bucket (a length) that
holds it, pads it with ``invalid_label``, and yields batches from one bucket at a
time, each tagged with ``bucket_key`` = that length; a ``BucketingModule`` then runs
the network unrolled to that length.  The label of step ``t`` is the token at
``t + 1`` (the last step's label is ``invalid_label``).

Chapter 8 (natural language, "Symbolic RNN cells and bucketing") teaches this file.
"""
import bisect
import random

import numpy as np

from .. import ndarray
from ..io import DataBatch, DataDesc, DataIter

__all__ = ["encode_sentences", "BucketSentenceIter"]


def encode_sentences(sentences, vocab=None, invalid_label=-1, invalid_key="\n",
                     start_label=0, unknown_token=None):
    """Map each token to an integer, growing the vocabulary as needed.

    Parameters
    ----------
    sentences : list of list of str
    vocab : dict of str to int, optional
        An existing vocabulary; without ``unknown_token`` a token missing from it is
        an error (AssertionError, as MXNet).
    invalid_label : int, default -1
        The index of ``invalid_key``; new indices skip it.
    invalid_key : str, default ``'\\n'``
    start_label : int, default 0
        The first index given to a new token.
    unknown_token : str, optional
        Tokens not in ``vocab`` map to this token's index (created on first use).

    Returns
    -------
    (list of list of int, dict)
        The encoded sentences and the vocabulary.
    """
    idx = start_label
    if vocab is None:
        vocab = {invalid_key: invalid_label}
        new_vocab = True
    else:
        new_vocab = False
    res = []
    for sent in sentences:
        coded = []
        for word in sent:
            if word not in vocab:
                assert new_vocab or unknown_token, f"Unknown token {word}"
                if idx == invalid_label:
                    idx += 1
                if unknown_token:
                    word = unknown_token
                vocab[word] = idx
                idx += 1
            coded.append(vocab[word])
        res.append(coded)
    return res, vocab


class BucketSentenceIter(DataIter):
    """Batches of same-length (padded) sentences for a language model.

    Parameters
    ----------
    sentences : list of list of int
        Encoded sentences.
    batch_size : int
    buckets : list of int, optional
        The bucket lengths; default: every length that at least ``batch_size``
        sentences have exactly.  Longer sentences are discarded (with MXNet's
        printed warning), and empty buckets dropped.
    invalid_label : int, default -1
        The padding value, also the label after the last token.
    data_name, label_name : str
    dtype : str, default ``'float32'``
    layout : {'NT', 'TN'}
        Batch-major (N, T) or time-major (T, N) batches.

    Each epoch (``reset``) shuffles the order of the batches with Python's
    ``random`` and the sentences within each bucket with ``numpy.random``; the
    remainder of a bucket that does not fill a batch is skipped.
    ``default_bucket_key`` is the largest bucket, and ``provide_data`` its shape.
    """

    def __init__(self, sentences, batch_size, buckets=None, invalid_label=-1,
                 data_name="data", label_name="softmax_label", dtype="float32",
                 layout="NT"):
        super().__init__()
        if not buckets:
            buckets = [i for i, j in enumerate(np.bincount([len(s) for s in sentences]))
                       if j >= batch_size]
        buckets.sort()
        ndiscard = 0
        self.data = [[] for _ in buckets]
        valid_buckets = {i: 0 for i in range(len(buckets))}
        for sent in sentences:
            buck = bisect.bisect_left(buckets, len(sent))
            valid_buckets[buck] = 1
            if buck == len(buckets):
                ndiscard += 1
                continue
            buff = np.full((buckets[buck],), invalid_label, dtype=dtype)
            buff[:len(sent)] = sent
            self.data[buck].append(buff)
        buckets = [j for i, j in enumerate(buckets) if valid_buckets[i] == 1]
        self.data = [np.asarray(i, dtype=dtype) for i in self.data if i]
        print(f"WARNING: discarded {ndiscard} sentences longer than the largest bucket.")

        self.batch_size = batch_size
        self.buckets = buckets
        self.data_name = data_name
        self.label_name = label_name
        self.dtype = dtype
        self.invalid_label = invalid_label
        self.nddata = []
        self.ndlabel = []
        self.major_axis = layout.find("N")
        self.layout = layout
        self.default_bucket_key = max(buckets)
        if self.major_axis == 0:
            shape = (batch_size, self.default_bucket_key)
        elif self.major_axis == 1:
            shape = (self.default_bucket_key, batch_size)
        else:
            raise ValueError(f"Invalid layout {layout}: Must by NT (batch major) or TN "
                             "(time major)")
        self.provide_data = [DataDesc(name=self.data_name, shape=shape, layout=self.layout)]
        self.provide_label = [DataDesc(name=self.label_name, shape=shape,
                                       layout=self.layout)]
        self.idx = []
        for i, buck in enumerate(self.data):
            self.idx.extend([(i, j) for j in range(0, len(buck) - batch_size + 1, batch_size)])
        self.curr_idx = 0
        self.reset()

    def reset(self):
        """Shuffle the batch order and each bucket, and rebuild the label arrays."""
        self.curr_idx = 0
        random.shuffle(self.idx)
        for buck in self.data:
            np.random.shuffle(buck)
        self.nddata = []
        self.ndlabel = []
        for buck in self.data:
            label = np.empty_like(buck)
            label[:, :-1] = buck[:, 1:]
            label[:, -1] = self.invalid_label
            self.nddata.append(ndarray.array(buck, dtype=self.dtype))
            self.ndlabel.append(ndarray.array(label, dtype=self.dtype))

    def next(self):
        """The next ``DataBatch`` (with ``bucket_key``, ``provide_data`` and
        ``provide_label`` of its own shape)."""
        if self.curr_idx == len(self.idx):
            raise StopIteration
        i, j = self.idx[self.curr_idx]
        self.curr_idx += 1
        data = self.nddata[i][j:j + self.batch_size]
        label = self.ndlabel[i][j:j + self.batch_size]
        if self.major_axis == 1:
            data, label = data.T, label.T
        return DataBatch([data], [label], pad=0, bucket_key=self.buckets[i],
                         provide_data=[DataDesc(name=self.data_name, shape=data.shape,
                                                layout=self.layout)],
                         provide_label=[DataDesc(name=self.label_name, shape=label.shape,
                                                 layout=self.layout)])
