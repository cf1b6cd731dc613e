"""Domain rules: identities, privacy of reviewer names, the state machine, the event envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from highpipe.domain import identity, jobs
from highpipe.domain.events import CompletedData, Envelope, ProgressData, StageData
from highpipe.domain.raw import RawReview
from highpipe.domain.schema import render
from highpipe.domain.vocab import ASPECTS, EMOTIONS, KOTE_TO_EMOTION, aspect_label

KOTE_LABELS = (
    "불평/불만 환영/호의 감동/감탄 지긋지긋 고마움 슬픔 화남/분노 존경 기대감 우쭐댐/무시함 안타까움/실망 비장함 "
    "의심/불신 뿌듯함 편안/쾌적 신기함/관심 아껴주는 부끄러움 공포/무서움 절망 한심함 역겨움/징그러움 짜증 어이없음 "
    "없음 패배/자기혐오 귀찮음 힘듦/지침 즐거움/신남 깨달음 죄책감 증오/혐오 흐뭇함(귀여움/예쁨) 당황/난처 경악 "
    "부담/안_내킴 서러움 재미없음 불쌍함/연민 놀람 행복 불안/걱정 기쁨 안심/신뢰"
).split()


def test_review_uid_prefers_site_id_and_hashes_otherwise() -> None:
    assert identity.review_uid("coupang", "123") == "coupang:123"
    a = identity.review_uid("web", None, author="kim", date="2026-01-01", text="좋아요")
    b = identity.review_uid("web", None, author="kim", date="2026-01-01", text="좋아요")
    c = identity.review_uid("web", None, author="kim", date="2026-01-01", text="별로예요")
    assert a == b != c
    assert a.startswith("web:") and len(a) == len("web:") + 16


def test_author_is_masked_and_hashed_never_raw() -> None:
    assert identity.mask_author("김철수") == "김**"
    assert identity.mask_author("이") == "이**"
    assert identity.mask_author("  ") is None
    h1 = identity.hash_author("김철수", "salt-a")
    assert h1 is not None and "김철수" not in h1
    assert h1 != identity.hash_author("김철수", "salt-b")
    review = RawReview(text="좋아요", author="김철수", rating=8, rating_scale=10).to_review(
        product_id="demo:1", site="demo", salt="s"
    )
    assert review.author_display == "김**"
    assert "김철수" not in review.model_dump_json()
    assert review.rating == 4.0


def test_ten_point_ratings_are_normalised_and_clamped() -> None:
    assert RawReview(text="x", rating=10, rating_scale=10).normalised_rating() == 5.0
    assert RawReview(text="x", rating=1, rating_scale=10).normalised_rating() == 1.0
    assert RawReview(text="x", rating=None).normalised_rating() is None


def test_state_machine() -> None:
    assert jobs.can_transition("queued", "running")
    assert jobs.can_transition("running", "completed")
    assert jobs.can_transition("queued", "cancelled")
    assert not jobs.can_transition("completed", "running")
    assert not jobs.can_transition("failed", "completed")
    with pytest.raises(jobs.InvalidTransition):
        jobs.check_transition("cancelled", "running")


def test_envelope_wire_format() -> None:
    env = Envelope.make("job-1", StageData(stage="collect", state="started"))
    env = env.model_copy(update={"seq": 3, "ts": datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=UTC)})
    wire = env.to_wire()
    assert wire == {
        "version": 1,
        "type": "stage",
        "job_id": "job-1",
        "seq": 3,
        "ts": "2026-11-26T10:00:00.123Z",
        "data": {"stage": "collect", "state": "started"},
    }
    assert Envelope.make("j", CompletedData(report_url="/r")).type == "completed"
    assert (
        Envelope.make(
            "j", ProgressData(pages=1, collected=2, analyzed=0, total_estimate=None, rate_per_s=1)
        ).type
        == "progress"
    )


def test_envelope_rejects_malformed_data() -> None:
    bad = Envelope(type="stage", job_id="j", data={"stage": "cooking", "state": "started"})
    with pytest.raises(ValidationError):
        bad.parsed()


def test_vocabulary_matches_design() -> None:
    assert len(ASPECTS) == 13
    assert aspect_label("delivery") == "배송"
    assert aspect_label("topic:배터리") == "배터리"
    assert {e.id for e in EMOTIONS} == {
        "satisfaction",
        "joy",
        "trust",
        "anticipation",
        "disappointment",
        "anger",
        "worry",
        "surprise",
        "regret",
    }
    # every KOTE label used by the mapping exists in the KOTE label list
    assert set(KOTE_TO_EMOTION) <= set(KOTE_LABELS)
    assert KOTE_TO_EMOTION["짜증"] == "anger" and KOTE_TO_EMOTION["안심/신뢰"] == "trust"


def test_events_schema_export_is_fresh() -> None:
    path = Path(__file__).resolve().parents[3] / "docs" / "events.schema.json"
    assert path.read_text(encoding="utf-8") == render(), "run: uv run python -m highpipe.domain.schema"
