"""Files a prompt attaches with `@path`: found on the host, checked, and the note the model reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import GlassboxError

WORKSPACE = "/workspace"
_MENTION = re.compile(r'(?:(?<=\s)|^)@(?:"([^"\n]+)"|(\S+))')
_TRAILING = ".,;:!?)]}'\""


class AttachmentError(GlassboxError):
    """A file named with @ cannot be attached (missing, a folder, unreadable or too large)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A host file to copy into the session's /workspace before the turn runs."""

    source: Path
    """The file on the host (absolute)."""
    name: str
    """Its name in /workspace."""
    size: int
    mention: str
    """How the prompt named it (the text after @)."""

    @property
    def workspace_path(self) -> str:
        """Where the code sees it."""
        return f"{WORKSPACE}/{self.name}"


def human_size(size: int) -> str:
    """1_234_567 -> '1.2 MB' (decimal units, as file managers show them)."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def _candidates(token: str) -> list[str]:
    # "see @data.csv." names data.csv: punctuation after a path is tried off, one character at a time.
    out = [token]
    while token and token[-1] in _TRAILING:
        token = token[:-1]
        out.append(token)
    return [t for t in out if t]


def _resolve(token: str, root: Path) -> Path:
    path = Path(token).expanduser()
    return path if path.is_absolute() else root / path


def find_attachments(text: str, root: Path, max_bytes: int) -> tuple[Attachment, ...]:
    """The files a prompt names with `@path` (or `@"a path"`), relative to `root`.

    A mention that is not an existing file is left as text (`@property`, `@alice`), unless it
    holds a slash, which only a path does: then it is an error, as are folders, unreadable files
    and files over `max_bytes` (sandbox.attach_max_bytes)."""
    found: dict[str, Attachment] = {}
    for match in _MENTION.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        tokens = [quoted] if quoted else _candidates(bare)
        path = next((p for t in tokens if (p := _resolve(t, root)).is_file()), None)
        token = tokens[0]
        if path is None:
            first = _resolve(token, root)
            if first.is_dir():
                raise AttachmentError(f"@{token} is a folder; attach the files in it one by one.")
            if quoted or "/" in token.rstrip(_TRAILING):
                raise AttachmentError(f"@{token}: no such file (looked in {root}).")
            continue
        mention = next(t for t in tokens if _resolve(t, root) == path)
        try:
            size = path.stat().st_size
            with path.open("rb"):
                pass
        except OSError as exc:
            raise AttachmentError(f"@{mention} cannot be read: {exc.strerror or exc}.") from None
        if size > max_bytes:
            raise AttachmentError(
                f"@{mention} is {human_size(size)}; an attached file may be at most "
                f"{human_size(max_bytes)}.", hint="Raise sandbox.attach_max_bytes in settings to allow it.")
        source = path.resolve()
        other = found.get(path.name)
        if other is not None and other.source != source:
            raise AttachmentError(f"@{other.mention} and @{mention} would both be /workspace/{path.name}; "
                                  "rename one of them.")
        found[path.name] = Attachment(source, path.name, size, mention)
    return tuple(found.values())


def attached_note(attachments: tuple[Attachment, ...] | list[Attachment]) -> str:
    """The lines the model reads after the prompt: 'Attached: /workspace/data.csv (1,234 bytes)'."""
    return "\n".join(f"Attached: {a.workspace_path} ({a.size:,} bytes)" for a in attachments)


def complete_path(prefix: str, root: Path, limit: int = 50) -> list[str]:
    """Paths under `root` that complete `prefix` (folders end with '/'), hidden ones only when
    asked for with a leading dot; sorted folders first."""
    head, sep, stem = prefix.rpartition("/")
    if sep:
        base, lead = (_resolve(head, root) if head else Path("/")), f"{head}/"
    else:
        base, lead = root, ""
    try:
        entries = list(base.iterdir())
    except OSError:
        return []
    out: list[tuple[bool, str]] = []
    for entry in entries:
        name = entry.name
        if not name.startswith(stem) or (name.startswith(".") and not stem.startswith(".")):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        out.append((not is_dir, f"{lead}{name}{'/' if is_dir else ''}"))
    out.sort(key=lambda item: (item[0], item[1].lower()))
    return [path for _, path in out[:limit]]
