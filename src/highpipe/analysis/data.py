"""Readers for the training corpora in ../shared/data, with the fixed test splits enforced here.

Every reader takes `split="train"` or `split="test"`; training code only ever asks for
"train", and only `evaluate.py` asks for "test". The split rules (DATA.md):

- naver_shopping_sample.tsv: data line number (1-based, header not counted) % 5 == 0 is test;
- nsmc_ratings.tsv.gz: movie_id % 10 == 0 is test (held out by movie);
- kote_val.tsv: id % 5 == 0 is test.

Test rows are skipped while reading, before their text is even split into fields.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

Split = Literal["train", "test"]

SHOPPING_FILE: Final = "data/naver_shopping_sample.tsv"
NSMC_FILE: Final = "data/nsmc_ratings.tsv.gz"
KOTE_FILE: Final = "data/kote_val.tsv"

# KOTE label list, in index order (KOTE README), as DATA.md lists it.
KOTE_LABELS: Final[tuple[str, ...]] = (
    "불평/불만", "환영/호의", "감동/감탄", "지긋지긋", "고마움", "슬픔", "화남/분노", "존경", "기대감",
    "우쭐댐/무시함", "안타까움/실망", "비장함", "의심/불신", "뿌듯함", "편안/쾌적", "신기함/관심", "아껴주는",
    "부끄러움", "공포/무서움", "절망", "한심함", "역겨움/징그러움", "짜증", "어이없음", "없음",
    "패배/자기혐오", "귀찮음", "힘듦/지침", "즐거움/신남", "깨달음", "죄책감", "증오/혐오",
    "흐뭇함(귀여움/예쁨)", "당황/난처", "경악", "부담/안_내킴", "서러움", "재미없음", "불쌍함/연민", "놀람",
    "행복", "불안/걱정", "기쁨", "안심/신뢰",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    label: int  # 1 positive, 0 negative
    domain: str  # "shopping" | "movie"
    key: int  # shopping: data line number; nsmc: movie_id


@dataclass(frozen=True, slots=True)
class KoteRow:
    id: int
    text: str
    labels: tuple[str, ...]


def _keep(is_test: bool, split: Split) -> bool:
    return is_test if split == "test" else not is_test


def read_shopping(shared_dir: Path, split: Split = "train") -> list[Labelled]:
    """Shopping rows of one split; ratings 4-5 positive, 1-2 negative (3 does not occur)."""
    out: list[Labelled] = []
    with (shared_dir / SHOPPING_FILE).open(encoding="utf-8") as f:
        f.readline()  # header
        for line_no, line in enumerate(f, start=1):
            if not _keep(line_no % 5 == 0, split):
                continue
            rating, _, text = line.rstrip("\n").partition("\t")
            r = int(rating)
            if r == 3:
                continue
            out.append(Labelled(text, 1 if r >= 4 else 0, "shopping", line_no))
    return out


def iter_nsmc(shared_dir: Path, split: Split = "train") -> Iterator[tuple[int, int, str]]:
    """(movie_id, rating 1-10, text) of one split, all ratings (the caller picks the polar ones)."""
    with gzip.open(shared_dir / NSMC_FILE, "rt", encoding="utf-8") as f:
        f.readline()
        for line in f:
            first = line.find("\t")
            second = line.find("\t", first + 1)
            if first < 0 or second < 0:
                continue
            try:
                movie_id = int(line[first + 1 : second])
            except ValueError:
                continue
            if not _keep(movie_id % 10 == 0, split):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5 or not parts[4].strip():
                continue
            yield movie_id, int(parts[2]), parts[4]


def nsmc_binary(rating: int) -> int | None:
    """The usual NSMC rule: 1-4 negative, 9-10 positive, 5-8 mixed (None)."""
    if rating <= 4:
        return 0
    if rating >= 9:
        return 1
    return None


def read_kote(shared_dir: Path, split: Split = "train") -> list[KoteRow]:
    out: list[KoteRow] = []
    with (shared_dir / KOTE_FILE).open(encoding="utf-8") as f:
        for line in f:
            head, _, rest = line.partition("\t")
            if not head.strip().isdigit():
                continue
            rid = int(head)
            if not _keep(rid % 5 == 0, split):
                continue
            text, _, labels = rest.rstrip("\n").rpartition("\t")
            idx = [int(x) for x in labels.split(",") if x.strip().isdigit()]
            out.append(KoteRow(rid, text, tuple(KOTE_LABELS[i] for i in idx if 0 <= i < len(KOTE_LABELS))))
    return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
