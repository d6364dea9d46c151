"""Reads GGUF header metadata (architecture, quantisation, context length) without loading."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from engine.errors import ModelError

# Our own reader, not the gguf package's GGUFReader: that one parses every field and tensor
# (the 49k-token vocabulary too) and took 5.4 s for the 98 MB default model here, vs 0.23 s for
# this one, which skips long arrays; `glassbox models list` and the picker read every file.
_MAGIC = b"GGUF"
_SCALARS: dict[int, tuple[str, int]] = {
    0: ("<B", 1), 1: ("<b", 1), 2: ("<H", 2), 3: ("<h", 2), 4: ("<I", 4), 5: ("<i", 4),
    6: ("<f", 4), 7: ("<?", 1), 10: ("<Q", 8), 11: ("<q", 8), 12: ("<d", 8),
}
_STRING, _ARRAY = 8, 9
# llama.cpp's llama_ftype enum, as written to general.file_type.
FILE_TYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
}
# Arrays longer than this (token lists) are skipped, not kept: only scalars matter here.
_KEEP_ARRAY_MAX = 64


@dataclass(frozen=True, slots=True)
class GGUFMetadata:
    """What `glassbox models list` shows about a model file."""

    path: Path
    size_bytes: int
    version: int
    architecture: str
    name: str
    quantization: str
    context_length: int | None
    embedding_length: int | None
    values: dict[str, Any]


def read_gguf_metadata(path: Path) -> GGUFMetadata:
    """Parse the header; raises ModelError naming the file and what is wrong with it."""
    if not path.exists():
        raise ModelError(
            f"Model file {path} does not exist.",
            hint="Run `glassbox models pull smollm2` or set llm.model to an existing .gguf file.",
        )
    if not path.is_file():
        raise ModelError(f"Model path {path} is not a file.")
    size = path.stat().st_size
    try:
        with path.open("rb") as handle:
            values, version = _read_header(handle, size)
    except ModelError:
        raise
    except (struct.error, UnicodeDecodeError, OverflowError, MemoryError) as exc:
        raise ModelError(
            f"Model file {path} is corrupt or truncated ({exc}).",
            hint="Delete it and fetch it again (`glassbox models pull smollm2`).",
        ) from None
    except OSError as exc:
        raise ModelError(f"Model file {path} cannot be read: {exc.strerror}.") from None
    arch = str(values.get("general.architecture", "unknown"))
    file_type = values.get("general.file_type")
    quant = FILE_TYPES.get(int(file_type), f"type {file_type}") if file_type is not None else "unknown"
    ctx = values.get(f"{arch}.context_length")
    emb = values.get(f"{arch}.embedding_length")
    return GGUFMetadata(
        path=path, size_bytes=size, version=version, architecture=arch,
        name=str(values.get("general.name", path.stem)), quantization=quant,
        context_length=int(ctx) if ctx is not None else None,
        embedding_length=int(emb) if emb is not None else None, values=values,
    )


def _read_header(handle: IO[bytes], size: int) -> tuple[dict[str, Any], int]:
    magic = handle.read(4)
    if magic != _MAGIC:
        raise ModelError(
            f"{getattr(handle, 'name', 'file')} is not a GGUF model (it starts with {magic!r}, "
            "not b'GGUF').",
            hint="Glassbox runs GGUF files only; convert other formats with llama.cpp.",
        )
    (version,) = struct.unpack("<I", _exact(handle, 4))
    if version not in (2, 3):
        raise ModelError(f"GGUF version {version} is not supported (only 2 and 3).")
    _tensors, kv_count = struct.unpack("<QQ", _exact(handle, 16))
    if kv_count > 100_000:
        raise ModelError(f"GGUF header claims {kv_count} metadata entries: the file is corrupt.")
    values: dict[str, Any] = {}
    for _ in range(kv_count):
        key = _read_string(handle, size)
        (value_type,) = struct.unpack("<I", _exact(handle, 4))
        values[key] = _read_value(handle, value_type, size)
    return values, version


def _exact(handle: IO[bytes], count: int) -> bytes:
    data = handle.read(count)
    if len(data) != count:
        raise struct.error("unexpected end of file")
    return data


def _read_string(handle: IO[bytes], size: int) -> str:
    (length,) = struct.unpack("<Q", _exact(handle, 8))
    if length > size:
        raise struct.error(f"string length {length} exceeds the file size")
    return _exact(handle, length).decode("utf-8")


def _read_value(handle: IO[bytes], value_type: int, size: int) -> Any:
    if value_type in _SCALARS:
        fmt, width = _SCALARS[value_type]
        return struct.unpack(fmt, _exact(handle, width))[0]
    if value_type == _STRING:
        return _read_string(handle, size)
    if value_type == _ARRAY:
        (item_type,) = struct.unpack("<I", _exact(handle, 4))
        (count,) = struct.unpack("<Q", _exact(handle, 8))
        if count > size:
            raise struct.error(f"array length {count} exceeds the file size")
        if item_type in _SCALARS and count > _KEEP_ARRAY_MAX:
            handle.seek(_SCALARS[item_type][1] * count, 1)
            return f"<array of {count}>"
        items = [_read_value(handle, item_type, size) for _ in range(count)]
        return items if count <= _KEEP_ARRAY_MAX else f"<array of {count}>"
    raise struct.error(f"unknown GGUF value type {value_type}")
