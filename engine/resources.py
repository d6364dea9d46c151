"""Locates files shipped with the app (data/ and styles/) in a wheel or a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The shipped data/ folder: inside the wheel as engine/_data, else the checkout's data/."""
    bundled = _PACKAGE_DIR / "_data"
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent / "data"


def data_file(*parts: str) -> Path:
    """A file under the shipped data/ folder."""
    return data_dir().joinpath(*parts)


def styles_dir() -> Path:
    """The shipped styles/ folder (the wheel puts it at tui/_styles)."""
    bundled = _PACKAGE_DIR.parent / "tui" / "_styles"
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent / "styles"


def bundled_embedding_model() -> Path:
    """The all-MiniLM-L6-v2 GGUF embedding model shipped with the app."""
    return data_file("models", "all-MiniLM-L6-v2.Q8_0.gguf")
