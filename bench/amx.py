"""avoid_amx_weight_repacking: a workaround for llama.cpp builds whose AMX path crashes the process."""

from __future__ import annotations

from typing import Any


def avoid_amx_weight_repacking() -> bool:
    """Turn off llama.cpp's extra weight buffers (AMX repacking) when the CPU reports AMX.

    On this machine's VM, llama-cpp-python 0.3.36 with AMX repacking dies on the first
    multi-token decode (SIGSEGV for the chat model, SIGILL for the embedding model); without
    the extra buffers both run. Applies to every Llama created afterwards in this process.
    Returns True when the workaround was applied.
    """
    import llama_cpp
    from llama_cpp import llama_cpp as low_level

    if "AMX_INT8 = 1" not in llama_cpp.llama_print_system_info().decode(errors="replace"):
        return False
    original = low_level.llama_model_default_params
    if getattr(original, "_without_extra_buffers", False):
        return True

    def without_extra_buffers() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    without_extra_buffers._without_extra_buffers = True  # type: ignore[attr-defined]
    low_level.llama_model_default_params = without_extra_buffers
    return True
