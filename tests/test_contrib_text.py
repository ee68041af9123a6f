"""``mx.contrib.text``: token counting, ``Vocabulary`` and the token embeddings.

Every expected value below is frozen from MXNet 1.9.1 (the same calls run under
``/work/venv-mxnet``; the differential scripts were checked with ``diffrun``).  The
embedding files are tiny ones written by the tests: nothing is downloaded.
"""
import collections
import hashlib
import warnings

import numpy as np
import pytest

import pymx as mx
from pymx import nd
from pymx.contrib import text
from pymx.gluon.model_zoo.model_store import ConnectionError as PymxConnectionError

COUNTER = collections.Counter(['a', 'b', 'b', 'c', 'c', 'c', 'some_word$', 'B', 'e', 'd', 'd'])


def _write(tmp_path, name, content, encoding='utf8'):
    path = tmp_path / name
    path.write_text(content, encoding=encoding)
    return str(path)


@pytest.fixture
def abc_file(tmp_path):
    return _write(tmp_path, 'abc.txt', 'a 0.1 0.2 0.3\nb 0.4 0.5 0.6\nc 0.7 0.8 0.9\nA 1 2 3\n')


# ---- utils.count_tokens_from_str --------------------------------------------------------
def test_count_tokens_from_str():
    s = ' Life is great ! \n life is good . \n'
    # frozen from MXNet 1.9.1
    assert sorted(text.utils.count_tokens_from_str(s).items()) == \
        [('!', 1), ('.', 1), ('Life', 1), ('good', 1), ('great', 1), ('is', 2), ('life', 1)]
    assert sorted(text.utils.count_tokens_from_str(s, to_lower=True).items()) == \
        [('!', 1), ('.', 1), ('good', 1), ('great', 1), ('is', 2), ('life', 2)]
    # the delimiters are regular expressions
    s2 = '*Life*is*great*!*\n*life*is*good*.*\n'
    assert sorted(text.utils.count_tokens_from_str(s2, '\\*', '\\n', True).items()) == \
        [('!', 1), ('.', 1), ('good', 1), ('great', 1), ('is', 2), ('life', 2)]
    assert sorted(text.utils.count_tokens_from_str('a,b;;c,a', ',', ';').items()) == \
        [('a', 2), ('b', 1), ('c', 1)]
    assert text.utils.count_tokens_from_str('') == collections.Counter()
    c = collections.Counter(['a'])
    assert text.utils.count_tokens_from_str('a b a', counter_to_update=c) is c
    assert sorted(c.items()) == [('a', 3), ('b', 1)]


# ---- vocab.Vocabulary -------------------------------------------------------------------
# frozen from MXNet 1.9.1: (kwargs, idx_to_token)
VOCAB_CASES = [
    ({}, ['<unk>', 'c', 'b', 'd', 'B', 'a', 'e', 'some_word$']),
    ({'most_freq_count': 2}, ['<unk>', 'c', 'b']),
    ({'most_freq_count': 0}, ['<unk>']),
    ({'most_freq_count': 100}, ['<unk>', 'c', 'b', 'd', 'B', 'a', 'e', 'some_word$']),
    ({'min_freq': 2}, ['<unk>', 'c', 'b', 'd']),
    ({'min_freq': 3}, ['<unk>', 'c']),
    ({'min_freq': 2, 'most_freq_count': 1}, ['<unk>', 'c']),
    ({'unknown_token': '<UNK>', 'reserved_tokens': ['<pad>', 'b']},
     ['<UNK>', '<pad>', 'b', 'c', 'd', 'B', 'a', 'e', 'some_word$']),
    ({'unknown_token': 'c'}, ['c', 'b', 'd', 'B', 'a', 'e', 'some_word$']),
    ({'reserved_tokens': ['<pad>', '<bos>'], 'most_freq_count': 3},
     ['<unk>', '<pad>', '<bos>', 'c', 'b', 'd']),
    ({'reserved_tokens': 'xy'}, ['<unk>', 'x', 'y', 'c', 'b', 'd', 'B', 'a', 'e', 'some_word$']),
]


@pytest.mark.parametrize('kwargs,expected', VOCAB_CASES, ids=[str(k) for k, _ in VOCAB_CASES])
def test_vocabulary_order(kwargs, expected):
    v = text.vocab.Vocabulary(COUNTER, **kwargs)
    assert v.idx_to_token == expected
    assert len(v) == len(expected)
    assert v.token_to_idx == {t: i for i, t in enumerate(expected)}
    assert v.unknown_token == kwargs.get('unknown_token', '<unk>')


def test_vocabulary_attributes():
    v = text.vocab.Vocabulary(COUNTER)
    assert v.reserved_tokens is None
    assert type(v.token_to_idx) is dict and type(v.idx_to_token) is list
    res = ['<pad>']
    vr = text.vocab.Vocabulary(COUNTER, reserved_tokens=res)
    assert vr.reserved_tokens == res and vr.reserved_tokens is not res
    assert text.vocab.Vocabulary(COUNTER, reserved_tokens=[]).reserved_tokens == []
    v0 = text.vocab.Vocabulary(reserved_tokens=['<pad>'])
    assert (len(v0), v0.token_to_idx) == (2, {'<unk>': 0, '<pad>': 1})
    # any hashable tokens
    ints = text.vocab.Vocabulary(collections.Counter([3, 1, 1, 2, 2]), unknown_token=-1)
    assert ints.idx_to_token == [-1, 1, 2, 3] and ints.to_indices([1, 5]) == [1, 0]
    tups = text.vocab.Vocabulary(collections.Counter([('a', 'b'), ('a', 'b'), ('c',)]),
                                 unknown_token=('u',))
    assert tups.idx_to_token == [('u',), ('a', 'b'), ('c',)]
    assert tups.to_indices(('a', 'b')) == 1


@pytest.mark.parametrize('kwargs', [
    {'min_freq': 0}, {'min_freq': -1}, {'reserved_tokens': ['<unk>']},
    {'reserved_tokens': ['x', 'x']}])
def test_vocabulary_bad_arguments(kwargs):
    with pytest.raises(AssertionError):          # frozen from MXNet 1.9.1
        text.vocab.Vocabulary(COUNTER, **kwargs)


def test_vocabulary_counter_must_be_a_counter():
    with pytest.raises(AssertionError):
        text.vocab.Vocabulary({'a': 1})
    with pytest.raises(AssertionError):
        text.vocab.Vocabulary(['a'])
    with pytest.raises(TypeError):               # tokens that do not compare
        text.vocab.Vocabulary(collections.Counter(['a', 1]))


def test_vocabulary_to_indices_and_to_tokens():
    v = text.vocab.Vocabulary(COUNTER)
    # frozen from MXNet 1.9.1
    assert v.to_indices('c') == 1
    assert v.to_indices(['c', 'zz', 'a']) == [1, 0, 5]
    assert v.to_indices([]) == []
    assert v.to_indices(('a',)) == 0            # a tuple is one (unknown) token
    assert v.to_tokens(1) == 'c'
    assert v.to_tokens([0, 1, 2]) == ['<unk>', 'c', 'b']
    assert v.to_tokens([]) == []
    assert v.to_tokens(-1) == 'some_word$'      # only the upper bound is checked
    assert v.to_tokens(True) == 'c'
    for bad, err in [(100, ValueError), ([1, 100], ValueError), (1.0, ValueError),
                     (np.int64(1), ValueError), ('a', TypeError), (-100, IndexError),
                     ((1, 2), TypeError)]:
        with pytest.raises(err):
            v.to_tokens(bad)
    # MXNet's Vocabulary is not a container
    with pytest.raises(TypeError):
        'a' in v  # noqa: B015
    with pytest.raises(TypeError):
        v['a']  # noqa: B018


# ---- CustomEmbedding ---------------------------------------------------------------------
def test_custom_embedding_loads(abc_file):
    e = text.embedding.CustomEmbedding(abc_file)
    assert (len(e), e.vec_len) == (5, 3)
    assert e.idx_to_token == ['<unk>', 'a', 'b', 'c', 'A']
    assert e.token_to_idx == {'<unk>': 0, 'a': 1, 'b': 2, 'c': 3, 'A': 4}
    assert (e.unknown_token, e.reserved_tokens) == ('<unk>', None)
    assert isinstance(e.idx_to_vec, nd.NDArray) and e.idx_to_vec.dtype == np.float32
    np.testing.assert_allclose(e.idx_to_vec.asnumpy(), [[0, 0, 0], [.1, .2, .3], [.4, .5, .6],
                                                        [.7, .8, .9], [1, 2, 3]], rtol=1e-6)
    assert isinstance(e, text.vocab.Vocabulary)
    assert e.to_indices(['a', 'c', 'q']) == [1, 3, 0] and e.to_tokens([1, 2]) == ['a', 'b']


def test_get_vecs_by_tokens(abc_file):
    e = text.embedding.CustomEmbedding(abc_file)
    v = e.get_vecs_by_tokens('b')
    assert isinstance(v, nd.NDArray) and v.shape == (3,)
    np.testing.assert_allclose(v.asnumpy(), [.4, .5, .6], rtol=1e-6)
    v = e.get_vecs_by_tokens(['b', 'zz', 'a'])
    np.testing.assert_allclose(v.asnumpy(), [[.4, .5, .6], [0, 0, 0], [.1, .2, .3]], rtol=1e-6)
    assert e.get_vecs_by_tokens(['a']).shape == (1, 3)
    # lower_case_backup: the exact token first, then its lower case
    np.testing.assert_allclose(e.get_vecs_by_tokens('B').asnumpy(), [0, 0, 0])
    np.testing.assert_allclose(e.get_vecs_by_tokens('B', lower_case_backup=True).asnumpy(),
                               [.4, .5, .6], rtol=1e-6)
    np.testing.assert_allclose(
        e.get_vecs_by_tokens(['A', 'C'], lower_case_backup=True).asnumpy(),
        [[1, 2, 3], [.7, .8, .9]], rtol=1e-6)


def test_unknown_line_header_and_duplicates(tmp_path):
    path = _write(tmp_path, 'e.txt', '4 3\n<unk> 9 9 9\nx 1 1 1\nx 2 2 2\ny 3 3 3\n<unk> 8 8 8\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        e = text.embedding.CustomEmbedding(path)
    # the header, the second 'x' and the second '<unk>' are skipped with a warning each
    assert [w.category for w in caught] == [UserWarning] * 3
    assert e.idx_to_token == ['<unk>', 'x', 'y']
    assert e.idx_to_vec.asnumpy().tolist() == [[9, 9, 9], [1, 1, 1], [3, 3, 3]]


def test_init_unknown_vec_and_options(tmp_path, abc_file):
    e = text.embedding.CustomEmbedding(abc_file, init_unknown_vec=nd.ones)
    assert e.idx_to_vec[0].asnumpy().tolist() == [1, 1, 1]
    e = text.embedding.CustomEmbedding(abc_file, init_unknown_vec=lambda shape: nd.full(shape, 7))
    assert e.idx_to_vec[0].asnumpy().tolist() == [7, 7, 7]
    e = text.embedding.CustomEmbedding(abc_file, unknown_token='<UNK>')
    assert e.idx_to_token == ['<UNK>', 'a', 'b', 'c', 'A']
    path = _write(tmp_path, 'l1.txt', 'héllo,1,2\nwörld,3,4\n', encoding='latin-1')
    e = text.embedding.CustomEmbedding(path, elem_delim=',', encoding='latin-1')
    assert e.idx_to_token == ['<unk>', 'héllo', 'wörld']
    assert e.idx_to_vec.asnumpy().tolist() == [[0, 0], [1, 2], [3, 4]]
    path = _write(tmp_path, 'tab.txt', 'a\t1\t2\nb\t3\t4  \n')
    e = text.embedding.CustomEmbedding(path, elem_delim='\t')
    assert e.idx_to_vec.asnumpy().tolist() == [[0, 0], [1, 2], [3, 4]]
    # a one-element unknown line broadcasts into row 0 (as in MXNet)
    e = text.embedding.CustomEmbedding(_write(tmp_path, 'u1.txt', '<unk> 5\na 1 2\n'))
    assert e.idx_to_vec.asnumpy().tolist() == [[5, 5], [1, 2]]


def test_reserved_tokens_through_kwargs_get_no_rows(abc_file):
    """MXNet quirk kept: tokens indexed before the file's get indices but no rows."""
    e = text.embedding.CustomEmbedding(abc_file, reserved_tokens=['<pad>'])
    assert e.idx_to_token == ['<unk>', '<pad>', 'a', 'b', 'c', 'A']
    assert (len(e), e.idx_to_vec.shape) == (6, (5, 3))
    np.testing.assert_allclose(e.get_vecs_by_tokens(['<pad>', 'c']).asnumpy(),
                               [[.1, .2, .3], [1, 2, 3]], rtol=1e-6)
    e = text.embedding.CustomEmbedding(abc_file, reserved_tokens=['a'])
    assert e.idx_to_token == ['<unk>', 'a', 'a', 'b', 'c', 'A']
    assert e.token_to_idx['a'] == 2


def test_vocabulary_reindexes(tmp_path, abc_file):
    counter = collections.Counter(['c', 'c', 'a', 'zz', 'zz', 'zz', 'b'])
    voc = text.vocab.Vocabulary(counter, reserved_tokens=['<pad>'])
    e = text.embedding.CustomEmbedding(abc_file, vocabulary=voc)
    assert e.idx_to_token == ['<unk>', '<pad>', 'zz', 'c', 'a', 'b']
    assert (len(e), e.vec_len, e.reserved_tokens) == (6, 3, ['<pad>'])
    np.testing.assert_allclose(e.idx_to_vec.asnumpy(), [[0, 0, 0], [0, 0, 0], [0, 0, 0],
                                                        [.7, .8, .9], [.1, .2, .3],
                                                        [.4, .5, .6]], rtol=1e-6)
    assert e.token_to_idx == voc.token_to_idx and e.token_to_idx is not voc.token_to_idx
    # the loaded unknown vector fills the tokens the file lacks
    path = _write(tmp_path, 'u.txt', '<unk> 9 9 9\nx 1 1 1\n')
    e = text.embedding.CustomEmbedding(path, vocabulary=text.vocab.Vocabulary(
        counter, unknown_token='<UNK>'))
    assert e.unknown_token == '<UNK>' and e.idx_to_token == ['<UNK>', 'zz', 'c', 'a', 'b']
    assert e.idx_to_vec.asnumpy().tolist() == [[9, 9, 9]] * 5
    with pytest.raises(AssertionError):
        text.embedding.CustomEmbedding(abc_file, vocabulary=['a'])


@pytest.mark.parametrize('content,err', [
    ('a 1 2\nb 1 2 3\n', AssertionError),        # dimensions differ
    ('a 1 2\n\nb 1 2\n', AssertionError),        # empty line
    ('a 1 2\nb\n', AssertionError),              # token without a vector
    ('a 1 x\n', ValueError),                     # not a number
    ('a  1 2\n', ValueError),                    # two spaces: an empty element
    ('3 2\n', TypeError),                        # nothing to load (MXNet: reshape fails)
    ('', TypeError),
    ('<unk> 1 2\n', TypeError),
    ('<unk> 1 2 3\na 1 2\n', ValueError),        # unknown vector of another length
])
def test_bad_files(tmp_path, content, err):
    with pytest.raises(err):                     # frozen from MXNet 1.9.1
        text.embedding.CustomEmbedding(_write(tmp_path, 'bad.txt', content))


def test_missing_file(tmp_path):
    with pytest.raises(ValueError):
        text.embedding.CustomEmbedding(str(tmp_path / 'nope.txt'))
    with pytest.raises(ValueError):
        text.embedding.CustomEmbedding(str(tmp_path))
    with pytest.raises(AttributeError):
        text.embedding._TokenEmbedding().vec_len


def test_special_values_and_line_ends(tmp_path):
    e = text.embedding.CustomEmbedding(_write(tmp_path, 'n.txt', 'a nan inf\nb -inf 1e40\n'))
    vec = e.idx_to_vec.asnumpy()
    assert np.isnan(vec[1, 0]) and vec[1, 1] == np.inf and vec[2].tolist() == [-np.inf, np.inf]
    path = tmp_path / 'crlf.txt'
    path.write_bytes(b'a 1 2\r\nb 3 4\r\n')
    assert text.embedding.CustomEmbedding(str(path)).idx_to_token == ['<unk>', 'a', 'b']


# ---- update_token_vectors ---------------------------------------------------------------
def test_update_token_vectors(abc_file):
    e = text.embedding.CustomEmbedding(abc_file)
    ref = e.idx_to_vec
    e.update_token_vectors('a', nd.array([9, 9, 9]))
    assert e.idx_to_vec is ref and ref.asnumpy()[1].tolist() == [9, 9, 9]
    e.update_token_vectors(['b'], nd.array([[8, 8, 8]]))
    e.update_token_vectors(['b'], nd.array([7, 7, 7]))
    e.update_token_vectors(['c', '<unk>'], nd.array([[1, 2, 3], [4, 5, 6]]))
    assert e.idx_to_vec.asnumpy()[:4].tolist() == [[4, 5, 6], [9, 9, 9], [7, 7, 7], [1, 2, 3]]
    e.update_token_vectors(['a', 'a'], nd.array([[1, 1, 1], [2, 2, 2]]))
    assert e.idx_to_vec.asnumpy()[1].tolist() == [2, 2, 2]
    e.update_token_vectors('a', nd.array([[3, 3, 3]], dtype='float64'))
    assert e.idx_to_vec.dtype == np.float32 and e.idx_to_vec.asnumpy()[1].tolist() == [3, 3, 3]


@pytest.mark.parametrize('tokens,vectors,err', [
    ('zz', nd.array([1, 2, 3]), ValueError),
    (['a', 'zz'], nd.array([[1, 2, 3], [1, 2, 3]]), ValueError),
    ('a', [1, 2, 3], AssertionError),
    ('a', nd.array([1, 2]), AssertionError),
    (['a', 'b'], nd.array([[1, 2, 3]]), AssertionError),
    (['a', 'b'], nd.array([1, 2, 3]), AssertionError),
    ('a', nd.ones((1, 1, 3)), AssertionError),
])
def test_update_token_vectors_errors(abc_file, tokens, vectors, err):
    e = text.embedding.CustomEmbedding(abc_file)
    with pytest.raises(err):                     # frozen from MXNet 1.9.1
        e.update_token_vectors(tokens, vectors)


# ---- CompositeEmbedding ------------------------------------------------------------------
def test_composite_embedding(tmp_path, abc_file):
    e1 = text.embedding.CustomEmbedding(_write(tmp_path, 'e1.txt',
                                               'a 0.1 0.2 0.3\nb 0.4 0.5 0.6\nc 0.7 0.8 0.9\n'))
    e2 = text.embedding.CustomEmbedding(_write(tmp_path, 'e2.txt',
                                               '<unk> 1 1\nb 2 2\nc 3 3\nd 4 4\n'))
    voc = text.vocab.Vocabulary(collections.Counter(['d', 'd', 'c', 'b', 'b', 'b', 'x']),
                                reserved_tokens=['<pad>'])
    ce = text.embedding.CompositeEmbedding(voc, [e1, e2])
    assert (len(ce), ce.vec_len) == (6, 5)
    assert ce.idx_to_token == ['<unk>', '<pad>', 'b', 'd', 'c', 'x']
    assert (ce.unknown_token, ce.reserved_tokens) == ('<unk>', ['<pad>'])
    np.testing.assert_allclose(ce.idx_to_vec.asnumpy(), [
        [0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [.4, .5, .6, 2, 2], [0, 0, 0, 4, 4],
        [.7, .8, .9, 3, 3], [0, 0, 0, 1, 1]], rtol=1e-6)
    assert text.embedding.CompositeEmbedding(voc, e2).vec_len == 2
    assert text.embedding.CompositeEmbedding(voc, [e2, e2, e1]).idx_to_vec.shape == (6, 7)
    assert text.embedding.CompositeEmbedding(ce, [e1]).idx_to_token == ce.idx_to_token
    for bad in [(['a'], [e1]), (voc, [e1, 'x']), (voc, voc)]:
        with pytest.raises(AssertionError):
            text.embedding.CompositeEmbedding(*bad)
    with pytest.raises(mx.base.MXNetError):
        text.embedding.CompositeEmbedding(voc, [])


# ---- registry, GloVe, FastText ----------------------------------------------------------
def test_get_pretrained_file_names():
    names = text.embedding.get_pretrained_file_names()
    assert list(names)[:2] == ['glove', 'fasttext']
    core = {k: names[k] for k in ('glove', 'fasttext')}
    # frozen from MXNet 1.9.1: md5 of repr() of the whole table
    assert hashlib.md5(repr(core).encode()).hexdigest() == '116e344f388f511b2b90b3ecefa5446b'
    assert (len(core['glove']), len(core['fasttext'])) == (10, 327)
    assert text.embedding.get_pretrained_file_names('glove')[:3] == \
        ['glove.42B.300d.txt', 'glove.6B.50d.txt', 'glove.6B.100d.txt']
    assert text.embedding.get_pretrained_file_names('fasttext')[-1] == 'wiki.zu.vec'
    for bad in ('GloVe', 'word2vec'):
        with pytest.raises(KeyError):
            text.embedding.get_pretrained_file_names(bad)


@pytest.fixture
def embedding_root(tmp_path):
    (tmp_path / 'glove').mkdir()
    (tmp_path / 'fasttext').mkdir()
    (tmp_path / 'glove' / 'glove.6B.50d.txt').write_text(
        'the 0.1 0.2\n, 0.3 0.4\nhello 0.5 0.6\nworld -0.7 0.8\n')
    (tmp_path / 'fasttext' / 'wiki.simple.vec').write_text('3 2\nthe 1 2\nhello 3 4\n</s> 5 6\n')
    return str(tmp_path)


def test_glove_and_fasttext_load_local_files(embedding_root):
    g = text.embedding.create('GloVe', pretrained_file_name='glove.6B.50d.txt',
                              embedding_root=embedding_root)
    assert type(g) is text.embedding.GloVe and (len(g), g.vec_len) == (5, 2)
    assert g.idx_to_token == ['<unk>', 'the', ',', 'hello', 'world']
    np.testing.assert_allclose(g.idx_to_vec.asnumpy(), [[0, 0], [.1, .2], [.3, .4], [.5, .6],
                                                        [-.7, .8]], rtol=1e-6)
    g = text.embedding.GloVe('glove.6B.50d.txt', embedding_root=embedding_root,
                             unknown_token='<UNK>', reserved_tokens=['<pad>'])
    assert g.idx_to_token == ['<UNK>', '<pad>', 'the', ',', 'hello', 'world']
    voc = text.vocab.Vocabulary(collections.Counter(['hello', 'hello', 'world', 'foo']))
    g = text.embedding.GloVe('glove.6B.50d.txt', embedding_root=embedding_root, vocabulary=voc)
    assert g.idx_to_token == ['<unk>', 'hello', 'foo', 'world']
    np.testing.assert_allclose(g.idx_to_vec.asnumpy(), [[0, 0], [.5, .6], [0, 0], [-.7, .8]],
                               rtol=1e-6)
    f = text.embedding.create('fasttext', embedding_root=embedding_root)   # wiki.simple.vec
    assert type(f) is text.embedding.FastText
    assert f.idx_to_token == ['<unk>', 'the', 'hello', '</s>']
    assert f.idx_to_vec.asnumpy().tolist() == [[0, 0], [1, 2], [3, 4], [5, 6]]
    js = '["glove", {"pretrained_file_name": "glove.6B.50d.txt", "embedding_root": "%s"}]'
    assert len(text.embedding.create(js % embedding_root)) == 5


def test_missing_pretrained_file_says_where_to_put_it(tmp_path):
    with pytest.raises(OSError) as info:
        text.embedding.GloVe('glove.6B.50d.txt', embedding_root=str(tmp_path))
    assert isinstance(info.value, PymxConnectionError)
    msg = str(info.value)
    assert 'glove.6B.50d.txt' in msg and 'glove.6B.zip' in msg
    assert str(tmp_path / 'glove') in msg
    with pytest.raises(OSError) as info:
        text.embedding.create('fasttext', pretrained_file_name='wiki.en.vec',
                              embedding_root=str(tmp_path))
    assert 'wiki.en.zip' in str(info.value) and str(tmp_path / 'fasttext') in str(info.value)


def test_bad_names():
    with pytest.raises(KeyError):
        text.embedding.GloVe('glove.6B.51d.txt')
    with pytest.raises(KeyError):
        text.embedding.FastText('wiki.xx.vec')
    with pytest.raises(KeyError):
        text.embedding.create('glove', pretrained_file_name='nope.txt')
    with pytest.raises(AssertionError):
        text.embedding.create('word2vec')
    with pytest.raises(AssertionError):
        text.embedding.create(3)
    with pytest.raises(KeyError):                # MXNet's dict configs cannot work here
        text.embedding.create('{"embedding_name": "glove"}')


def test_register_and_create(embedding_root):
    @text.embedding.register
    class MyEmbed(text.embedding._TokenEmbedding):
        pretrained_file_name_sha1 = {'my.txt': 'x', 'my2.txt': 'y'}

        def __init__(self, pretrained_file_name='my.txt', **kwargs):
            super().__init__(**kwargs)
            self.name = pretrained_file_name

    try:
        m = text.embedding.create('myembed', pretrained_file_name='my2.txt', unknown_token='?')
        assert (type(m), m.name, m.idx_to_token) == (MyEmbed, 'my2.txt', ['?'])
        assert text.embedding.get_pretrained_file_names('myembed') == ['my.txt', 'my2.txt']
        assert text.embedding.create(m) is m
        with pytest.raises(AssertionError):
            text.embedding.create(m, unknown_token='x')
        with pytest.warns(UserWarning):
            assert text.embedding.register(MyEmbed) is MyEmbed
        with pytest.raises(AssertionError):
            text.embedding.register(dict)
    finally:
        text.embedding._REGISTRY.pop('myembed', None)


# ---- NumPy mode and Gluon ---------------------------------------------------------------
def test_numpy_mode(abc_file):
    mx.npx.set_np()
    try:
        e = text.embedding.CustomEmbedding(abc_file)
        assert isinstance(e.idx_to_vec, mx.np.ndarray) and e.idx_to_vec.shape == (5, 3)
        v = e.get_vecs_by_tokens(['b', 'x'])
        assert isinstance(v, mx.np.ndarray)
        np.testing.assert_allclose(v.asnumpy(), [[.4, .5, .6], [0, 0, 0]], rtol=1e-6)
        e.update_token_vectors(['b', 'c'], mx.np.array([[1, 1, 1], [2, 2, 2]]))
        assert e.idx_to_vec.asnumpy()[2:4].tolist() == [[1, 1, 1], [2, 2, 2]]
        voc = text.vocab.Vocabulary(collections.Counter(['c', 'zz', 'c']))
        ce = text.embedding.CompositeEmbedding(voc, [e, e])
        assert isinstance(ce.idx_to_vec, mx.np.ndarray) and ce.idx_to_vec.shape == (3, 6)
    finally:
        mx.npx.reset_np()


def test_gluon_embedding_layer_from_idx_to_vec(abc_file):
    e = text.embedding.CustomEmbedding(abc_file)
    layer = mx.gluon.nn.Embedding(len(e), e.vec_len)
    layer.initialize()
    layer.weight.set_data(e.idx_to_vec)
    out = layer(nd.array(e.to_indices(['c', 'nope'])))
    np.testing.assert_allclose(out.asnumpy(), [[.7, .8, .9], [0, 0, 0]], rtol=1e-6)


def test_mx_contrib_text_is_exposed():
    assert mx.contrib.text is text
    assert {'utils', 'vocab', 'embedding'} <= set(dir(mx.contrib.text))
