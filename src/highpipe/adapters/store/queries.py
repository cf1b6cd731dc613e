"""The SQL store's larger statements: the filtered review list of a job, and the reviews a job alone holds.

Everything is a SQLAlchemy expression with bound parameters (no SQL is assembled from strings).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select

from highpipe.adapters.store.codec import REVIEW_COLUMNS
from highpipe.adapters.store.tables import (
    analyses,
    job_reviews,
    review_aspects,
    review_emotions,
    reviews,
)
from highpipe.ports.store import ReviewFilter

_JOINED = job_reviews.join(reviews, reviews.c.review_uid == job_reviews.c.review_uid).outerjoin(
    analyses, analyses.c.review_uid == reviews.c.review_uid
)


def review_conditions(job_id: str, flt: ReviewFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [job_reviews.c.job_id == job_id]
    if flt.sentiment is not None:
        conds.append(analyses.c.sentiment == flt.sentiment)
    if flt.aspect is not None:
        mention = [
            review_aspects.c.review_uid == reviews.c.review_uid,
            review_aspects.c.aspect_id == flt.aspect,
        ]
        if flt.aspect_polarity is not None:
            mention.append(review_aspects.c.polarity == flt.aspect_polarity)
        conds.append(exists().where(*mention))
    if flt.rating is not None:
        # "rounds to r" as a range, so the rating index (if any) stays usable and no SQL rounding
        # function (which differs between databases) is involved.
        conds.append(and_(reviews.c.rating >= flt.rating - 0.5, reviews.c.rating < flt.rating + 0.5))
    if flt.q:
        # icontains with autoescape: % and _ in the user's text are literal characters.
        conds.append(reviews.c.text.icontains(flt.q, autoescape=True))
    if flt.date_from is not None:
        conds.append(reviews.c.date >= flt.date_from)
    if flt.date_to is not None:
        conds.append(reviews.c.date <= flt.date_to)
    if flt.emotion is not None:
        # Semi-join on the child table's primary key (review_uid, emotion): no JSON is read.
        conds.append(
            exists().where(
                review_emotions.c.review_uid == reviews.c.review_uid,
                review_emotions.c.emotion == flt.emotion,
            )
        )
    if flt.review_ids is not None:
        # On the link table, so the (job_id, review_uid) primary key answers it; () matches nothing.
        conds.append(job_reviews.c.review_uid.in_(flt.review_ids))
    return conds


def review_rows(job_id: str, flt: ReviewFilter) -> Select[Any]:
    """Reviews of the job with their analysis payload (NULL if not analysed yet), newest first."""
    return (
        select(*REVIEW_COLUMNS, analyses.c.payload)
        .select_from(_JOINED)
        .where(*review_conditions(job_id, flt))
        .order_by(reviews.c.date.desc().nulls_last(), reviews.c.review_uid)
    )


def review_count(job_id: str, flt: ReviewFilter) -> Select[int]:
    return select(func.count()).select_from(_JOINED).where(*review_conditions(job_id, flt))


def orphan_review_uids(job_id: str) -> Select[str]:
    """The job's reviews that no other job links to (they go when the job goes)."""
    other = job_reviews.alias("other")
    return select(job_reviews.c.review_uid).where(
        job_reviews.c.job_id == job_id,
        ~exists().where(other.c.review_uid == job_reviews.c.review_uid, other.c.job_id != job_id),
    )
