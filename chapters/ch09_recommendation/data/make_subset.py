"""Make chapter 9's rating data from goodbooks-10k (CC BY-SA 4.0); see README.txt.

Usage::

    python make_subset.py RATINGS_CSV BOOKS_CSV [OUT_FOLDER]

RATINGS_CSV is ``data/ratings_random.csv`` of fant0md/minor-goodbooks-recommender
(goodbooks-10k's ``ratings.csv`` restricted to a random 5% of its users; any file with
the header ``user_id,book_id,rating`` works), BOOKS_CSV is goodbooks-10k's
``books.csv``.  The rule: keep the 1000 books with the most ratings in RATINGS_CSV and
the 2000 users with the most ratings in RATINGS_CSV (ties broken by the smaller id),
then every rating of such a user for such a book, in file order.  Writes
``ratings.csv.gz`` (``user_id,book_id,rating``, goodbooks ids) and ``books.csv``
(``book_id,authors,title`` of the kept books).  Only the standard library and NumPy.
"""
import csv
import gzip
import os
import sys

import numpy as np

NUM_USERS, NUM_BOOKS = 2000, 1000


def most_frequent(ids, k):
    """The ``k`` ids that occur most often, ties broken by the smaller id."""
    counts = np.bincount(ids)
    return np.argsort(-counts, kind="stable")[:k]


def main(ratings_csv, books_csv, out="."):
    rows = np.loadtxt(ratings_csv, delimiter=",", skiprows=1, dtype=np.int64)
    users, books = rows[:, 0], rows[:, 1]
    keep = np.isin(users, most_frequent(users, NUM_USERS)) & \
        np.isin(books, most_frequent(books, NUM_BOOKS))
    kept = rows[keep]
    # mtime=0: the same input gives the same bytes
    with open(os.path.join(out, "ratings.csv.gz"), "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(b"user_id,book_id,rating\n")
        f.write("".join(f"{u},{b},{r}\n" for u, b, r in kept).encode())
    wanted = set(kept[:, 1].tolist())
    with open(books_csv, newline="", encoding="utf-8") as f, \
            open(os.path.join(out, "books.csv"), "w", newline="",
                 encoding="utf-8") as g:
        w = csv.writer(g)
        w.writerow(["book_id", "authors", "title"])
        for rec in csv.DictReader(f):
            if int(rec["book_id"]) in wanted:
                w.writerow([rec["book_id"], rec["authors"], rec["title"]])
    print(f"{len(kept)} ratings, {len(np.unique(kept[:, 0]))} users, "
          f"{len(wanted)} books")


if __name__ == "__main__":
    main(*sys.argv[1:])
