"""One logging configuration for the server: `arrangeur` loggers to stderr, one line each."""

from __future__ import annotations

import logging

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Configure the `arrangeur` logger once (again: only its level changes)."""
    logger = logging.getLogger("arrangeur")
    logger.setLevel(level)
    if not any(getattr(h, "_arrangeur", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._arrangeur = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False  # uvicorn's root configuration would print it twice
