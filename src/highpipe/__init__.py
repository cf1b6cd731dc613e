"""HighPipe: real-time, Korean-first product-review intelligence."""

__version__ = "0.1.0"
