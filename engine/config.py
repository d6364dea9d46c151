"""Settings: pydantic-settings sections read from a TOML file with GLASSBOX_ env overrides."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from engine.errors import ConfigError
from engine.paths import ENV_DELIMITER, ENV_PREFIX, app_paths, env_name
from engine.paths import config_file as config_file  # re-exported: the CLI and the app use it here


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, validate_assignment=True)


class LLMSettings(_Section):
    """The chat model and how it samples."""

    model: str = "smollm2"
    """A [models.NAME] entry of config.toml, a model name from `glassbox models list` (e.g. smollm2),
    or a path to a .gguf file."""
    context_size: int = Field(4096, ge=256, le=131072)
    """Context window in tokens to allocate (capped by the model's own trained length)."""
    threads: int = Field(0, ge=0, le=256)
    """CPU threads for generation; 0 means one per core."""
    temperature: float = Field(0.2, ge=0.0, le=2.0)
    """Sampling temperature; 0 is greedy and repeatable."""
    top_p: float = Field(0.95, gt=0.0, le=1.0)
    """Nucleus sampling: keep the smallest set of tokens whose probability sums to this."""
    top_k: int = Field(40, ge=0)
    """Sample only from the k most likely tokens; 0 disables the cut."""
    repeat_penalty: float = Field(1.1, ge=0.5, le=2.0)
    """Penalty on recently generated tokens, to stop small models looping."""
    max_tokens: int = Field(512, ge=1, le=32768)
    """Most tokens one reply may have; a model that never stops is cut here."""
    seed: int = 42
    """Random seed for sampling, so runs at the same settings repeat."""
    system_prompt: str = "You are Glassbox, a helpful assistant running locally. Answer concisely."
    """System prompt for plain chat (the agent adds its own, short, tool description)."""
    prompt_state: bool = True
    """Save the in-process model's state after the constant start of a prompt to the data
    directory and restore it in a new process, so the first reply does not re-read it."""


class ModelEntry(_Section):
    """A named chat model: a GGUF file run in-process, or a model on an OpenAI-compatible server."""

    backend: Literal["llama", "openai"] = "openai"
    """llama: a GGUF file run in this process; openai: a server speaking the OpenAI chat API."""
    path: str = ""
    """backend llama: the .gguf file (a path, or a name from `glassbox models list`)."""
    base_url: str = ""
    """backend openai: the API root, e.g. http://127.0.0.1:8080/v1 (llama.cpp, vLLM, Ollama, LM Studio)."""
    model: str = ""
    """backend openai: the model name the server knows; empty means the first it lists."""
    api_key_env: str = ""
    """backend openai: name of the environment variable holding the API key; empty sends none."""
    context_size: int = Field(0, ge=0, le=1_048_576)
    """backend openai: context window in tokens; 0 asks the server, else uses llm.context_size."""
    timeout_s: float = Field(600.0, gt=0.0)
    """backend openai: most seconds to wait for the server's next bytes (prompt reading included)."""
    connect_timeout_s: float = Field(5.0, gt=0.0, le=300.0)
    """backend openai: most seconds to wait for the server to accept the connection."""
    llama_cpp_extras: bool = True
    """backend openai: send llama.cpp's extra fields (top_k, repeat_penalty, cache_prompt); turn off
    for a server that rejects unknown fields."""

    @model_validator(mode="after")
    def _has_a_target(self) -> ModelEntry:
        if self.backend == "openai" and not self.base_url.startswith(("http://", "https://")):
            raise ValueError("a model with backend \"openai\" needs base_url = \"http://HOST:PORT/v1\"")
        if self.backend == "llama" and not self.path:
            raise ValueError("a model with backend \"llama\" needs path = \"FILE.gguf\"")
        return self


class StoreSettings(_Section):
    """The SQLite file."""

    path: Path | None = None
    """Database file; empty means glassbox.db in the data directory."""
    flush_interval_s: float = Field(0.1, gt=0.0, le=5.0)
    """How often streamed text is written to the file; a crash loses at most this much."""


class SandboxSettings(_Section):
    """Limits and image for running model-written code in Docker."""

    image: str = "glassbox-sandbox:latest"
    """Docker image that runs the code (built by `glassbox sandbox build`)."""
    base_image: str = "glassbox-base:bookworm"
    """Base image for the build; made offline with debootstrap when it is missing."""
    memory: str = "512m"
    """Memory limit per session container (Docker syntax: 256m, 1g)."""
    cpus: float = Field(1.0, gt=0.0, le=64.0)
    """CPU share per container."""
    pids: int = Field(128, ge=8, le=32768)
    """Most processes and threads inside a container (stops fork bombs)."""
    timeout_s: float = Field(30.0, gt=0.0, le=3600.0)
    """Wall-clock limit of one execution."""
    output_limit_bytes: int = Field(1_000_000, ge=1024)
    """Captured output per execution; the rest is dropped with a 'truncated' marker."""
    workspace_size: str = "256m"
    """Size limit of the writable /workspace."""
    pool_size: int = Field(1, ge=0, le=16)
    """Containers kept started in advance so a new session never waits."""
    max_live_sessions: int = Field(3, ge=1, le=64)
    """Most session containers running at once (besides the pool); to make room, the least
    recently used idle one is retired: its /workspace files are kept, its variables are not."""
    idle_retire_s: float = Field(900.0, ge=0.0)
    """A session container idle this many seconds is retired the same way (0: never)."""
    docker_host: str = ""
    """Docker endpoint: unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST;
    empty uses DOCKER_HOST, else the local engine. Nothing is shared with it but the API."""
    docker_cert_path: str = ""
    """For a tcp endpoint with TLS: the folder with ca.pem, cert.pem and key.pem (empty uses
    DOCKER_CERT_PATH)."""
    docker_tls_verify: bool = True
    """With docker_cert_path: check the engine's certificate against ca.pem."""
    attach_max_bytes: int = Field(20_000_000, ge=1)
    """Largest file a prompt may attach with @path (copied into the session's /workspace);
    a bigger one is refused with an error before the turn starts."""
    checkpoints: int = Field(20, ge=0, le=1000)
    """/workspace checkpoints kept per session (one after each turn that had a sandbox; tar
    files in the data directory's checkpoints folder; the oldest go first); 0 turns them off."""


class AgentSettings(_Section):
    """The think, act, observe loop."""

    approval: Literal["auto", "ask", "never"] = "auto"
    """auto runs code without asking; ask waits for yes/no; never shows code without running it."""
    max_steps: int = Field(6, ge=1, le=100)
    """Most actions in one run."""
    max_wall_s: float = Field(300.0, gt=0.0)
    """Most seconds one run may take."""
    max_tokens_per_run: int = Field(8000, ge=64)
    """Most tokens (prompt plus completion) one run may use across its model calls."""
    max_retries: int = Field(2, ge=0, le=10)
    """Tries to fix a failing action before the run gives up on it."""
    plan_mode: Literal["auto", "always", "never"] = "never"
    """When to plan: never, auto (multi-part tasks), or always. Default never: on the eval
    (bench/agent_eval.py, 28 tasks) auto solved the same 4 as never, 0.9 s slower per task."""
    observation_tokens: int = Field(400, ge=32)
    """Observations longer than this are cut (head and tail kept) before the model sees them."""
    examples: int = Field(3, ge=0, le=8)
    """Worked examples (most similar to the task) shown to the model before it answers; 0: none."""
    adapt_examples: bool = True
    """Before the model drafts code, run the program of a library example whose task asks the same
    thing with other values, those values replaced by the task's (engine/agent/adapt.py); the
    model drafts only when none fits or it fails. Needs examples above 0."""
    adapt_similar: bool = True
    """When no library example asks the same thing, run the program of one that asks a similar
    question (embedding similarity 0.70 or more, or 0.65 with the same steps; the same units in
    order, ordinals, negations, days and months, no opposite words, a step in common;
    engine/agent/adapt_similar.py) with the task's values; the answer says to check it and quotes
    the example's question. On data/dev/tasks_b.jsonl: 30 right and 4 wrong; on the library
    left-one-out (bench/adapt_audit.py) 584 of 935; on the eval 27 -> 35 of 70 solved."""
    code_first: bool = True
    """When the model answers a task that gives values (numbers, quoted text, a date, a table) in
    words, without code, it is asked once for a program that prints the answer. Answers given
    without code were right in 0 of 49 eval tasks (135M model)."""
    candidates: int = Field(1, ge=1, le=7)
    """Candidate programs drafted and run for a task that needs code; the output most agree on wins."""
    vote_temperature: float = Field(0.7, ge=0.0, le=2.0)
    """Sampling temperature of the extra candidate programs (each with its own seed)."""
    retry_mode: Literal["fix", "redraft"] = "redraft"
    """After a program fails: fix shows the model the error and asks for corrected code; redraft
    drops the failed program and drafts a new one from the task (another seed, vote_temperature).
    Default redraft: on data/dev (28 tasks, 135M model) it solved 8 against fix's 7, 5.6 s and 1,930
    prompt tokens per task against 6.5 s and 2,170."""


class MemorySettings(_Section):
    """Embeddings, semantic cache and recall of past solutions."""

    embedding_model: Path | None = None
    """Embedding GGUF; empty means the bundled all-MiniLM-L6-v2."""
    cache_enabled: bool = True
    """Replay a stored answer when a past task matches closely in the same context."""
    cache_threshold: float = Field(0.72, ge=0.0, le=1.0)
    """Cosine similarity a past task needs for a cache hit; the exact guard must agree too.

    0.72 is the highest value keeping every TRAIN paraphrase of bench/cache.py's set."""
    recall_enabled: bool = True
    """Offer your own verified past runs as worked examples (besides the shipped library)."""
    recall_top_k: int = Field(3, ge=0, le=20)
    """Past solutions considered for a new task."""


class UISettings(_Section):
    """The dashboard."""

    theme: str = "textual-dark"
    """Textual theme name (textual-dark, textual-light, ...)."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id to key(s), e.g. {"cancel_run" = "ctrl+c"}; see the help screen for ids."""
    session_token_budget: int = Field(0, ge=0)
    """Tokens one session may use; 0 means no budget."""
    image_mode: Literal["auto", "kitty", "sixel", "halfblock", "none"] = "auto"
    """How the Execution pane shows PNG/JPEG artifacts: auto asks the terminal at start-up
    (kitty graphics, else sixel, else half-blocks); none lists them without a picture."""


class McpServerSettings(_Section):
    """One MCP server: a command started over stdio, or a URL reached over streamable HTTP."""

    command: str | None = None
    """Program to start (stdio transport), e.g. "npx" or "/usr/bin/python3"."""
    args: list[str] = Field(default_factory=list)
    """Arguments for the command."""
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment for the command (only a minimal, safe environment is passed otherwise)."""
    cwd: Path | None = None
    """Working directory for the command; empty means the current one."""
    url: str | None = None
    """Streamable HTTP endpoint, e.g. http://127.0.0.1:8000/mcp (instead of a command)."""
    headers: dict[str, str] = Field(default_factory=dict)
    """HTTP headers for the URL, e.g. an Authorization token."""
    tools: list[str] | None = None
    """Only these tools of the server are offered; empty means all of them."""
    enabled: bool = True
    """false keeps the server in the file without starting it."""

    @model_validator(mode="after")
    def _one_transport(self) -> McpServerSettings:
        if (self.command is None) == (self.url is None):
            raise ValueError("give exactly one of command (stdio) or url (streamable HTTP)")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, not {self.url!r}")
        return self


class McpSettings(_Section):
    """Model Context Protocol servers whose tools the agent may call."""

    servers: dict[str, McpServerSettings] = Field(default_factory=dict)
    """Servers by name, as [mcp.servers.NAME] tables; each starts when first needed."""
    startup_timeout_s: float = Field(20.0, gt=0.0, le=600.0)
    """Seconds a server has to start (or answer) and list its tools before it is given up."""
    call_timeout_s: float = Field(60.0, gt=0.0, le=3600.0)
    """Seconds one tool call may take before it fails as timed out."""


class Settings(BaseSettings):
    """All of Glassbox's settings."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        extra="forbid",
        use_attribute_docstrings=True,
        validate_assignment=True,
    )

    llm: LLMSettings = LLMSettings()
    """The chat model and its sampling."""
    store: StoreSettings = StoreSettings()
    """The SQLite file."""
    sandbox: SandboxSettings = SandboxSettings()
    """The Docker sandbox."""
    agent: AgentSettings = AgentSettings()
    """The agent loop."""
    memory: MemorySettings = MemorySettings()
    """Embeddings and the semantic cache."""
    ui: UISettings = UISettings()
    """The dashboard."""
    mcp: McpSettings = McpSettings()
    """MCP servers and their tools."""
    models: dict[str, ModelEntry] = Field(default_factory=dict)
    """Named chat models ([models.NAME] tables); llm.model = "NAME" picks one."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = config_file()
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )


def database_path(settings: Settings) -> Path:
    """The SQLite file these settings point at (store.path, else the data directory's)."""
    return settings.store.path or app_paths().ensure().database


def load_settings(**overrides: Any) -> Settings:
    """Read settings; a bad value raises ConfigError naming the field and its source."""
    path = config_file()
    try:
        if path.exists():
            with path.open("rb") as handle:
                tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}.") from None
    except OSError as exc:
        raise ConfigError(f"Config file {path} cannot be read: {exc.strerror}.") from None
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path)) from None


def describe_validation_error(exc: ValidationError, path: Path) -> str:
    """A validation error as one line per bad field, each with where its value came from."""
    lines = []
    for error in exc.errors():
        dotted = ".".join(str(part) for part in error["loc"])
        source = describe_source(dotted, path)
        lines.append(f"{dotted}: {error['msg']} (from {source})")
    return "Invalid setting: " + "; ".join(lines)


def _toml_value(dotted: str, path: Path) -> tuple[bool, Any]:
    try:
        with path.open("rb") as handle:
            node: Any = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return False, None
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def describe_source(dotted: str, path: Path | None = None) -> str:
    """Where the value of a dotted field comes from: env variable, config file, or default."""
    path = path or config_file()
    parts = dotted.split(".")
    for depth in range(len(parts), 0, -1):
        name = env_name(".".join(parts[:depth]))
        if name in os.environ:
            return f"env {name}"
    found, _ = _toml_value(dotted, path)
    if found:
        return f"file {path}"
    return "default"
