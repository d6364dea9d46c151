"""A session's whole conversation tree as Markdown (readable, every branch) and JSON (every message)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.store.records import MessageRecord, SessionRecord
from engine.store.tree import ConversationTree


def message_json(message: MessageRecord) -> dict[str, Any]:
    """One message as JSON (the CLI's `sessions show --json` line and an export's entry)."""
    return {"type": "message", "id": message.id, "session_id": message.session_id,
            "parent_id": message.parent_id, "role": message.role, "content": message.content,
            "status": message.status, "cached": message.cached, "run_id": message.run_id,
            "created_at": message.created_at}


def session_json(session: SessionRecord, tree: ConversationTree) -> dict[str, Any]:
    """The session with every message (parent_id links make the tree) and the path it shows."""
    leaf = tree.leaf
    return {"type": "session", "id": session.id, "title": session.title, "created_at": session.created_at,
            "active_leaf_id": leaf.id if leaf else None, "active_path": [m.id for m in tree.path()],
            "branches": tree.branch_count(), "messages": [message_json(m) for m in tree.messages]}


def session_markdown(
    session: SessionRecord, tree: ConversationTree, exported_at: datetime | None = None
) -> str:
    """Every message once: the branch the app shows first, then each other branch from where it
    leaves the conversation. Messages are numbered in the order they were written (#1, #2, ...)."""
    number = {m.id: index for index, m in enumerate(tree.messages, start=1)}
    when = (exported_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
    count = len(tree.messages)
    branches = tree.branch_count()
    lines = [f"# {session.title or 'Untitled session'}", "",
             f"Session `{session.id[:8]}`, exported {when}: {count} message{'s' * (count != 1)} in "
             f"{branches} branch{'es' * (branches != 1)}. The branch the app shows comes first; each other "
             "branch starts where it leaves it. Messages are numbered in the order they were written.", ""]
    active = tree.path()
    on_active = {m.id for m in active}
    # Each thread follows its newest replies; a reply it passes by starts a thread of its own.
    pending: list[MessageRecord] = [active[0]] if active else []
    pending += [m for m in tree.children(None) if not active or m.id != active[0].id]
    shown: set[str] = set()
    section = 0
    while pending:
        start = pending.pop(0)
        if start.id in shown:
            continue
        section += 1
        lines += [_thread_heading(section, start, tree, number), ""]
        node: MessageRecord | None = start
        while node is not None and node.id not in shown:
            shown.add(node.id)
            lines += [_message_heading(node, tree, number), "", node.content or "*(empty)*", ""]
            replies = tree.children(node.id)
            on_path = [m for m in replies if m.id in on_active]
            newest = max(replies, key=lambda m: m.created_at) if replies else None
            follow = on_path[0] if on_path else newest
            pending += [m for m in replies if m is not follow]
            node = follow
    return "\n".join(lines).rstrip() + "\n"


def _thread_heading(
    section: int, start: MessageRecord, tree: ConversationTree, number: dict[str, int]
) -> str:
    if section == 1:
        return "## Branch 1 (shown in the app)"
    parent = tree.get(start.parent_id) if start.parent_id else None
    if parent is None:
        return f"## Branch {section}: another first prompt"
    what = "another reply to" if start.role == "assistant" else "another prompt after"
    return f"## Branch {section}: {what} #{number[parent.id]}"


def _message_heading(message: MessageRecord, tree: ConversationTree, number: dict[str, int]) -> str:
    who = "You" if message.role == "user" else message.role.capitalize()
    marks = [f"#{number[message.id]}"]
    position = tree.position(message.id)
    if position.count > 1:
        marks.append(f"{position.label} {'replies' if message.role == 'assistant' else 'versions'}")
    if message.incomplete:
        marks.append("incomplete")
    if message.cached:
        marks.append("cached")
    return f"### {who} ({', '.join(marks)})"


def export_name(session: SessionRecord) -> str:
    """A file name stem for the session: its title made safe, and its short id."""
    slug = re.sub(r"[^a-z0-9]+", "-", session.title.lower()).strip("-")[:40] or "session"
    return f"{slug}-{session.id[:8]}"


def write_exports(session: SessionRecord, tree: ConversationTree, directory: Path) -> tuple[Path, Path]:
    """Write `<name>.md` and `<name>.json` into directory (made if missing); returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / export_name(session)
    markdown, data = stem.with_suffix(".md"), stem.with_suffix(".json")
    markdown.write_text(session_markdown(session, tree), encoding="utf-8")
    text = json.dumps(session_json(session, tree), ensure_ascii=False, indent=1)
    data.write_text(text + "\n", encoding="utf-8")
    return markdown, data
