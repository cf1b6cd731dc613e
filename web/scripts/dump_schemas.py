"""Print, as one JSON object, what the web app's generated types come from (no server needed).

`{"openapi": <the API's OpenAPI document>, "vocab": {"aspects", "emotions", "upload_fields"}}` — the vocabulary
(aspect and emotion ids with Korean and English labels) and the upload reader's fields with the headers it
recognises for each, so the UI never keeps its own copy of them.
Run from the repository root: `uv run python web/scripts/dump_schemas.py`.
"""

from __future__ import annotations

import json
import sys

from highpipe.bootstrap import bootstrap
from highpipe.config import Settings
from highpipe.domain.vocab import ASPECTS, EMOTIONS
from highpipe.entrypoints.api.app import create_app
from highpipe.ingest.columns import _SYNONYMS, FIELDS


def main() -> None:
    # The demo router is mounted so /api/demo/products is in the schema, as `highpipe serve` has it.
    app = create_app(bootstrap(Settings()), mount_demo=True)
    vocab = {
        "aspects": [{"id": a.id, "ko": a.ko, "en": a.en} for a in ASPECTS],
        "emotions": [{"id": e.id, "ko": e.ko, "en": e.en} for e in EMOTIONS],
        "upload_fields": [{"field": f, "headers": list(_SYNONYMS.get(f, ()))} for f in FIELDS],
    }
    json.dump({"openapi": app.openapi(), "vocab": vocab}, sys.stdout, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    main()
