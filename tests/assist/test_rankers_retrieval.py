"""'Checked before?' on the independent data (CLEF2020 CheckThat! task 2), run end to end on a slice of
it: every post counted, every method's MAP@5 reported, and the test split refused for tuning."""
from __future__ import annotations

import csv

import pytest

from factdesk.assist import retrieval as rankers_retrieval
from factdesk.assist.retrieval import DATA, SPLITS, load

POSTS_PER_SPLIT = 8
DISTRACTORS = 150


def _write(path, rows, header=None):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def data_slice(tmp_path, monkeypatch):
    """The first posts of each split, their verified claims and distractor claims, in the data's own files."""
    monkeypatch.setenv("FACTDESK_RANKERS_CACHE", str(tmp_path / "cache"))
    claims, posts, qrels = load(DATA)
    kept: dict[str, str] = {}
    out = tmp_path / "data"
    out.mkdir()
    for split in SPLITS:
        chosen = [(pid, text) for pid, text in posts[split] if pid in qrels[split]][:POSTS_PER_SPLIT]
        _write(out / f"tweets-{split}.tsv", chosen, header=["", "tweet_content"])
        _write(out / f"qrels-{split}.tsv", [(pid, 0, qrels[split][pid], 1) for pid, _ in chosen])
        kept.update((qrels[split][pid], claims[qrels[split][pid]]) for pid, _ in chosen)
    for label, text in list(claims.items())[:DISTRACTORS]:
        kept.setdefault(label, text)
    _write(out / "verified_claims.tsv", [(label, text, "") for label, text in kept.items()],
           header=["", "vclaim", "title"])
    return out


def test_every_post_is_asked_and_each_method_reported(data_slice):
    report = rankers_retrieval.evaluate(data_slice)
    assert report["claims"] >= DISTRACTORS
    for split in SPLITS:
        row = report["splits"][split]
        assert row["posts"] == POSTS_PER_SPLIT  # the qrels files have no header: none is dropped
        assert {"bm25", "rerank", "fused"} <= set(row["map_at_5"])
        assert all(0.0 <= value <= 1.0 for value in row["map_at_5"].values())
        assert row["repeats_right"] <= row["repeats_called"] <= row["posts"]
    # Among a few hundred claims, the desk's matcher finds most posts' claims in its top five.
    assert min(report["splits"][s]["map_at_5"]["fused"] for s in SPLITS) >= 0.5
    assert report["non_repeats"]["sentences"] > 0
    assert "MAP@5" in rankers_retrieval.render(report)


def test_tuning_never_looks_at_the_test_split(data_slice):
    with pytest.raises(ValueError, match="test split"):
        rankers_retrieval.tune(data_slice, on="train", check="test")
