"""HighPipe's built-in demo shop: a small fictional Korean shop with deterministic reviews (see `app.py`)."""
