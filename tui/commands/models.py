"""`glassbox models list|pull`: local GGUF files with their metadata; fetch known models."""

from __future__ import annotations

import argparse
from typing import Any

from engine.llm.registry import KNOWN_MODELS, list_local_models, models_dir
from tui.commands.common import emit_json, print_table


def register(sub: Any) -> None:
    """Add `models`."""
    models = sub.add_parser("models", help="list and fetch local GGUF models")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = msub.add_parser("list", help="local models with size, architecture, quantisation, context")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    pull = msub.add_parser("pull", help="fetch a model (built-in name, URL or owner/repo/file.gguf)")
    pull.add_argument("name", metavar="MODEL",
                      help=f"a built-in name ({', '.join(sorted(KNOWN_MODELS))}), an https:// URL of a "
                      ".gguf file, or a Hugging Face file reference owner/repo/file.gguf")
    pull.add_argument("--sha256", metavar="HEX", help="install the file only if its sha256 is this")
    pull.add_argument("--as", dest="save_as", metavar="FILE",
                      help="file name in the models directory (default: the URL's)")
    pull.set_defaults(handler=_pull)


def _list(args: argparse.Namespace) -> int:
    infos = list_local_models()
    servers = _server_models()
    if args.json:
        for info in infos:
            emit_json({"type": "model", "name": info.name, "path": str(info.path),
                       "size_bytes": info.size_bytes, "architecture": info.architecture,
                       "quantization": info.quantization, "context_length": info.context_length,
                       "error": info.error})
        for entry_name, listed in servers.items():
            emit_json({"type": "server_models", "entry": entry_name,
                       "models": listed if isinstance(listed, list) else [],
                       "error": None if isinstance(listed, list) else str(listed)})
        return 0
    for entry_name, listed in servers.items():
        shown = ", ".join(listed) if isinstance(listed, list) else f"UNREACHABLE: {listed.message}"
        print(f"[models.{entry_name}] {shown or 'no models'}")
    if not infos:
        print(f"No models in {models_dir()}. Run `glassbox models pull smollm2`.")
        return 0
    print_table(
        ["FILE", "SIZE", "ARCH", "QUANT", "CONTEXT", "NAME"],
        [(i.path.name, f"{i.size_bytes / 1e6:.1f} MB", i.architecture or "-", i.quantization or "-",
          i.context_length or "-", i.name if not i.error else f"UNREADABLE: {i.error}") for i in infos],
    )
    return 0


def _server_models() -> dict[str, list[str] | Any]:
    """Each [models.NAME] server's /v1/models (or why it could not be listed)."""
    import asyncio

    from engine.config import load_settings
    from engine.llm.server_api import list_all_server_models

    entries = load_settings().models
    return asyncio.run(list_all_server_models(entries)) if entries else {}


def _pull(args: argparse.Namespace) -> int:
    from tui.commands.model_pull import pull_with_progress

    pull_with_progress(args.name, sha256=args.sha256, save_as=args.save_as)
    return 0
