"""load_chat_model: the chat model llm.model names, in-process (llama.cpp) or on a server."""

from __future__ import annotations

from engine.config import ModelEntry, Settings
from engine.llm.base import ChatModel


def model_entry(settings: Settings, name: str | None = None) -> ModelEntry | None:
    """The [models.NAME] entry llm.model (or `name`) refers to, if it is one."""
    return settings.models.get(name if name is not None else settings.llm.model)


async def load_chat_model(settings: Settings) -> ChatModel:
    """Load or connect to the configured chat model; raises ModelError with a clear message."""
    name = settings.llm.model
    entry = model_entry(settings)
    if entry is not None and entry.backend == "openai":
        from engine.llm.openai_backend import OpenAIChatModel

        return await OpenAIChatModel.connect(name, entry, settings.llm.context_size)
    from engine.llm.llama_backend import LlamaChatModel
    from engine.llm.registry import resolve_model_path

    path = resolve_model_path(entry.path if entry is not None else name)
    return await LlamaChatModel.load(path, settings.llm)
