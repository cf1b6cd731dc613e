"""Export the event contract as JSON Schema (docs/events.schema.json); the web app's types come from it.

Run `uv run python -m highpipe.domain.schema` after changing an event model; a test fails if the file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from highpipe.domain.events import DATA_MODELS, Envelope

DEFAULT_PATH = Path("docs/events.schema.json")


def events_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    models: dict[str, type[BaseModel]] = {
        "Envelope": Envelope,
        **{f"{k}_data": v for k, v in DATA_MODELS.items()},
    }
    for name, model in models.items():
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "HighPipe job events",
        "description": "Every bus message on job.events and every WebSocket frame is an Envelope; "
        "`data` has the shape named `<type>_data`.",
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(events_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
