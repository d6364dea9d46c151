"""LaidOut: the message a reply's widgets post when they change size, so the chat can follow."""

from __future__ import annotations

from textual.message import Message


class LaidOut(Message):
    """A reply (or the space below it) changed size: the chat may have to follow it."""
