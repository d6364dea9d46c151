"""MemoryService: the memory stages of a turn (semantic cache, indexing, worked examples) and search."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator

import numpy as np

from engine.config import MemorySettings, Settings
from engine.events import (
    CacheHit,
    Event,
    MessageDone,
    Notice,
    RunFailed,
    RunFinished,
    TokenDelta,
)
from engine.memory.embedder import Embedder, EmbeddingError, Vectors, resolve_embedding_model
from engine.memory.examples import ExampleLibrary
from engine.memory.guard import context_key, guard_allows, is_nondeterministic
from engine.memory.index import CacheEntry, MemoryIndex, NewCacheEntry, NewDoc
from engine.memory.recall import choose_examples, choose_templates, replay_events, report_examples
from engine.memory.reembed import Progress, execution_text, reembed_sync
from engine.memory.search import hybrid_search
from engine.run import Answer, RunContext, SearchHit, WorkedExample
from engine.store.records import ExecutionRecord
from engine.store.repository import Store
from engine.tasktext.rounding_request import asked_rounding

log = logging.getLogger(__name__)
_VECTOR_MEMO = 32


class MemoryService:
    """The memory stages of every run: cache lookup, worked examples, indexing after completion."""

    def __init__(self, store: Store, settings: MemorySettings, embedder: Embedder) -> None:
        self.store = store
        self.settings = settings
        """The memory settings; Engine.apply_settings replaces them."""
        # The store's connection: a second one would only add a thread. The background
        # re-embed keeps its own (blocking) connection so it never queues behind a run.
        self.index = MemoryIndex(store)
        self.embedder = embedder
        self.library = ExampleLibrary(embedder)
        self.on_progress: Progress | None = None
        """Called (on the event loop) with (done, total) while a re-embed runs."""
        self.progress: tuple[int, int] | None = None
        self.reembed_task: asyncio.Task[int] | None = None
        self._stop = threading.Event()
        self._notices: list[str] = []
        self._task_vectors: OrderedDict[str, Vectors] = OrderedDict()

    @classmethod
    async def open(
        cls, store: Store, settings: Settings, *, on_progress: Progress | None = None
    ) -> MemoryService:
        """Attach to the store; re-embed in the background if the embedding model changed."""
        embedder = Embedder(resolve_embedding_model(settings.memory.embedding_model))
        service = cls(store, settings.memory, embedder)
        service.on_progress = on_progress
        if await service.index.stale_count(embedder.identity) > 0:
            service.start_reembed()
        return service

    async def close(self) -> None:
        """Stop any re-embed and release the model (the store closes the connection)."""
        self._stop.set()
        if self.reembed_task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self.reembed_task), timeout=30)
        await asyncio.to_thread(self.library.close)
        await asyncio.to_thread(self.embedder.close)

    # -- embeddings -------------------------------------------------------------------

    async def _vectors(self, texts: list[str]) -> Vectors | None:
        """Vectors, or None once the model failed (search then uses text only)."""
        if self.embedder.failed is not None:
            return None
        try:
            return await self.embedder.embed(texts)
        except EmbeddingError as exc:
            log.warning("embeddings unavailable: %s", exc)
            self._notices.append(
                f"{exc} Search uses full text only; the semantic cache and recall are off."
            )
            return None

    def start_reembed(self) -> asyncio.Task[int]:
        """Re-embed every doc not made by the configured model, in a background thread."""
        if self.reembed_task is not None and not self.reembed_task.done():
            return self.reembed_task
        loop = asyncio.get_running_loop()

        def report(done: int, total: int) -> None:
            loop.call_soon_threadsafe(self._report, done, total)

        async def run() -> int:
            try:
                return await asyncio.to_thread(
                    reembed_sync, self.store.path, self.embedder, on_progress=report,
                    stop=self._stop,
                )
            except EmbeddingError as exc:
                self._notices.append(f"{exc} Search uses full text only.")
                return 0
            except Exception as exc:
                log.warning("re-embedding failed: %s", exc)
                self._notices.append(f"Re-embedding the history failed: {exc}.")
                return 0

        self.reembed_task = asyncio.create_task(run())
        return self.reembed_task

    def _report(self, done: int, total: int) -> None:
        self.progress = (done, total)
        if self.on_progress is not None:
            self.on_progress(done, total)

    # -- the stages of a turn ----------------------------------------------------------

    async def _task_vector(self, text: str) -> Vectors | None:
        """The task's vector, computed once per text for the stages of a turn."""
        if text in self._task_vectors:
            self._task_vectors.move_to_end(text)
            return self._task_vectors[text]
        vectors = await self._vectors([text])
        if vectors is None:
            return None
        vector: Vectors = vectors[0]
        self._task_vectors[text] = vector
        while len(self._task_vectors) > _VECTOR_MEMO:
            self._task_vectors.popitem(last=False)
        return vector

    def context_key(self, context: RunContext) -> str:
        """Hash of model file, system prompt, mode, sampling and the conversation before the task."""
        settings = context.settings
        options = context.options
        return context_key(
            model_identity=context.model.identity,
            system_prompt=settings.llm.system_prompt,
            mode=f"{options.mode}/{options.approval or settings.agent.approval}/"
            f"{options.plan or settings.agent.plan_mode}",
            sampling=dataclasses.asdict(context.sampling()),
            prefix=[(m.role, m.content) for m in context.history[:-1]],
        )

    async def lookup(self, task: str, key: str, vector: Vectors) -> CacheEntry | None:
        """The best cache entry that is close enough AND passes the exact guard, if any."""
        threshold = self.settings.cache_threshold
        for entry in await self.index.cache_candidates(key, vector, self.embedder.identity):
            if entry.similarity < threshold:
                return None
            if guard_allows(task, entry.task):
                return entry
        return None

    async def cache_stage(self, context: RunContext, answer: Answer) -> AsyncIterator[Event]:
        """A close enough, guard-approved past answer is replayed; otherwise the run goes on."""
        vector = await self._task_vector(context.text)
        for text in self._drain_notices():
            yield Notice(run_id=context.run_id, level="warning", text=text)
        if vector is not None and self.settings.cache_enabled and context.options.use_cache:
            hit = await self.lookup(context.text, self.context_key(context), vector)
            if hit is not None:
                async for event in self._replay(context, hit):
                    yield event
                try:
                    # The replayed answer is the stored one: reuse its vector rather than embed
                    # it again before the run can close.
                    answer_vector = await self.index.answer_vector(hit, self.embedder.identity)
                    await self._index_turn(context, vector, hit.answer, cached=True,
                                           answer_vector=answer_vector)
                except Exception as exc:
                    # As after a solved run: the answer is delivered, so a failed index is logged.
                    log.warning("indexing run %s failed: %s", context.run_id, exc)
                return
        async for event in answer(context):
            yield event

    async def index_stage(self, context: RunContext, answer: Answer) -> AsyncIterator[Event]:
        """Index the finished turn: its messages, executions and (if completed) its cache entry."""
        final: MessageDone | None = None
        outcome: Event | None = None
        async for event in answer(context):
            if isinstance(event, MessageDone):
                final = event
            elif isinstance(event, RunFinished | RunFailed):
                outcome = event
            yield event
        completed = (
            isinstance(outcome, RunFinished) and outcome.status == "completed"
            and final is not None and not final.incomplete and not final.cached
        )
        try:
            await self._index_turn(
                context, await self._task_vector(context.text), final.text if final else "", cached=False,
                key=self.context_key(context), completed=completed,
            )
        except Exception as exc:
            # The user already has the answer; a failed index must not turn it into an error.
            log.warning("indexing run %s failed: %s", context.run_id, exc)

    async def recall_stage(self, context: RunContext, answer: Answer) -> AsyncIterator[Event]:
        """Choose the worked examples for an agent task and hand them to the answer in its context."""
        vector = None
        if context.options.mode != "chat" and context.settings.agent.examples > 0:
            vector = await self._task_vector(context.text)
        if vector is None:
            async for event in answer(context):
                yield event
            return
        started = time.monotonic()
        examples = await choose_examples(context, vector, self.library, self.index, self.embedder.identity)
        templates = await choose_templates(context, vector, self.library)
        apart = await self._templates_apart(context, templates)
        if examples:
            async for event in report_examples(context, examples, started):
                yield event
        async for event in answer(dataclasses.replace(context, examples=tuple(examples),
                                                      templates=tuple(templates), templates_apart=apart)):
            yield event

    async def _templates_apart(self, context: RunContext,
                               templates: list[WorkedExample]) -> tuple[WorkedExample, ...]:
        """The examples nearest the task's question without its rounding request, when it has one."""
        asked = asked_rounding(context.text) if templates else None
        vector = None if asked is None else await self._task_vector(asked.question)
        return () if vector is None else tuple(await choose_templates(context, vector, self.library))

    async def _replay(self, context: RunContext, hit: CacheEntry) -> AsyncIterator[Event]:
        yield CacheHit(
            run_id=context.run_id, source_run_id=hit.run_id, source_session_id=hit.session_id,
            similarity=round(hit.similarity, 4), matched_task=hit.task,
        )
        # The answer is in the cache entry already: only the executions are read.
        executions = await self.store.executions(hit.run_id)
        for event in replay_events(context.run_id, executions):
            yield event
        message_id = context.assistant_message_id
        yield TokenDelta(run_id=context.run_id, message_id=message_id, text=hit.answer)
        yield MessageDone(run_id=context.run_id, message_id=message_id, text=hit.answer, cached=True)
        yield RunFinished(
            run_id=context.run_id, status="completed",
            reason=f"cached answer of {hit.task!r} (similarity {hit.similarity:.2f})",
            final_message_id=message_id,
        )

    async def _index_turn(
        self, context: RunContext, task_vector: Vectors | None, answer_text: str, *, cached: bool,
        key: str = "", completed: bool = False, answer_vector: Vectors | None = None,
    ) -> None:
        """Index the turn's messages, task and executions, plus its cache entry, in ONE transaction."""
        docs = [NewDoc("message", context.text, context.session_id, context.run_id,
                       context.user_message_id)]
        if answer_text:
            docs.append(NewDoc("message", answer_text, context.session_id, context.run_id,
                               context.assistant_message_id))
        executions = [] if cached else await self.store.executions(context.run_id)
        for item in executions:
            docs.append(NewDoc(
                "execution", execution_text(item.code, item.stdout, item.stderr, item.exit_code),
                context.session_id, context.run_id, context.assistant_message_id, item.id,
            ))
        task_index: int | None = None
        if completed:
            task_index = len(docs)
            docs.append(NewDoc("task", context.text, context.session_id, context.run_id,
                               context.user_message_id))
        vectors = None
        if task_vector is not None:
            # The task's vector serves the user message and the task doc; a known answer
            # vector serves the answer doc; only the rest is embedded.
            known: dict[int, Vectors] = {0: task_vector}
            if task_index is not None:
                known[task_index] = task_vector
            if answer_text and answer_vector is not None:
                known[1] = answer_vector
            rest = [d.text for i, d in enumerate(docs) if i not in known]
            extra = await self._vectors(rest) if rest else None
            if extra is not None or not rest:
                rows = list(extra) if extra is not None else []
                vectors = np.stack([known[i] if i in known else rows.pop(0)
                                    for i in range(len(docs))])
        cache = None
        if completed and vectors is not None and self._cacheable(answer_text, executions):
            supersedes = tuple(
                e.run_id for e in await self.index.cache_candidates(
                    key, vectors[0], self.embedder.identity, limit=50)
                if e.similarity >= self.settings.cache_threshold and guard_allows(context.text, e.task)
            )
            cache = NewCacheEntry(context.run_id, context.session_id, key, context.text, answer_text,
                                  context.assistant_message_id, supersedes)
        if context.options.regenerate_of is not None:
            # A regenerated reply answers a prompt indexed with its first reply: index it once.
            docs, vectors = docs[1:], vectors[1:] if vectors is not None else None
            task_index = task_index - 1 if task_index is not None else None
        await self.index.write_turn(docs, vectors, self.embedder.identity, cache, task_index)

    @staticmethod
    def _cacheable(answer_text: str, executions: list[ExecutionRecord]) -> bool:
        if not answer_text.strip():
            return False
        if any(e.timed_out or e.oom_killed or e.cancelled or e.exit_code is None
               for e in executions):
            return False
        return not is_nondeterministic([e.code for e in executions])

    def _drain_notices(self) -> list[str]:
        notices, self._notices = self._notices, []
        return notices

    # -- search -----------------------------------------------------------------------

    async def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Hybrid full-text + vector search over every session, fused by reciprocal rank."""
        vectors = await self._vectors([text]) if text.strip() else None
        return await hybrid_search(
            self.index, text, vectors[0] if vectors is not None else None,
            self.embedder.identity, limit,
        )
