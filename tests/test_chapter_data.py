"""The data files shipped with the book's chapters: present, unchanged, documented.

Chapters 8 and 9 read data that ships in the repository (pymx never downloads).
Each file's SHA-256 is pinned here and written in its folder's ``README.txt``,
which also states the source and the license.  Chapter 9's subset is checked
against the rule its ``make_subset.py`` states.
"""
import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
SHA256 = {
    "ch08_nlp/data/timemachine.txt":
        "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516",
    "ch09_recommendation/data/ratings.csv.gz":
        "b3e613d18bbd6b9188a417dba2658d03d71b21ebe74a9ed3c2591a940883bd50",
    "ch09_recommendation/data/books.csv":
        "03a0d8e939c0924761465f3523c72cf286430700ff034ddd5daaebfb1e80e0e8",
}
LICENSES = {"ch08_nlp/data": "public domain",
            "ch09_recommendation/data": "CC BY-SA 4.0"}


@pytest.mark.parametrize("rel", sorted(SHA256))
def test_data_file_is_unchanged(rel):
    path = CHAPTERS / rel
    assert path.exists(), f"{rel} is missing"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == SHA256[rel], f"{rel}: SHA-256 {digest}, expected {SHA256[rel]}"


@pytest.mark.parametrize("folder", sorted(LICENSES))
def test_data_folder_states_source_and_license(folder):
    readme = CHAPTERS / folder / "README.txt"
    assert readme.exists(), f"{folder} has no README.txt"
    text = readme.read_text()
    assert LICENSES[folder] in text, f"{folder}/README.txt: no '{LICENSES[folder]}'"
    for rel, digest in SHA256.items():
        if rel.startswith(folder + "/") and not rel.endswith(".txt"):
            assert digest in text, f"{folder}/README.txt does not pin {rel}'s SHA-256"


def test_timemachine_is_d2l_text():
    """d2l's ``timemachine.txt``: SHA-1 as in d2l's DATA_HUB, 3221 lines, ASCII."""
    raw = (CHAPTERS / "ch08_nlp/data/timemachine.txt").read_bytes()
    assert hashlib.sha1(raw).hexdigest() == "090b5e7e70c295757f55df93cb0a180b9691891a"
    assert raw.count(b"\n") == 3221 and raw.isascii()
    assert raw.startswith(b"The Time Machine, by H. G. Wells [1898]")


def test_ratings_subset_shape():
    """2000 users x 1000 books, ratings 1..5, no (user, book) pair twice, and
    every book listed in books.csv."""
    with gzip.open(CHAPTERS / "ch09_recommendation/data/ratings.csv.gz", "rt") as f:
        assert f.readline().strip() == "user_id,book_id,rating"
        rows = np.loadtxt(f, delimiter=",", dtype=np.int64)
    assert len(np.unique(rows[:, 0])) == 2000
    assert len(np.unique(rows[:, 1])) == 1000
    assert rows[:, 2].min() == 1 and rows[:, 2].max() == 5
    pairs = rows[:, 0] * 100_000 + rows[:, 1]
    assert len(np.unique(pairs)) == len(rows)
    books = (CHAPTERS / "ch09_recommendation/data/books.csv").read_text(encoding="utf-8")
    listed = {int(line.split(",", 1)[0]) for line in books.splitlines()[1:]}
    assert listed == set(np.unique(rows[:, 1]).tolist())
