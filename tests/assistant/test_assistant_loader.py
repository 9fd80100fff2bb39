"""The agent stack's background import: a failed import is tried again when the first question
needs it, and a failure nobody waited for (the app quitting meanwhile) prints nothing."""

import asyncio
import gc
import os

import pytest
from conftest import TEST_KEY
from fake_gemini import text

from app.assistant import loader as loader_module
from app.assistant.events import TextDelta
from app.assistant.loader import AssistantLoader
from app.config.keystore import KeyStore
from app.config.settings import Settings

HALF_IMPORTED = ImportError("cannot import name 'import_string' from partially initialized "
                            "module 'pydantic._internal._validators'")
# The same race, met as an attribute read from the half-imported module (Python's own wording).
HALF_IMPORTED_ATTRIBUTE = AttributeError(
    "partially initialized module 'openai' has no attribute 'types' (most likely due to a "
    "circular import)")


def failing_once(monkeypatch, error: Exception = HALF_IMPORTED) -> list[str]:
    """The first import of the agent stack fails the way two threads importing one package at
    once make it fail (seen when the window imported on the event loop meanwhile)."""
    calls, real = [], loader_module._import_agent_stack

    def import_agent_stack() -> None:
        calls.append("import")
        if len(calls) == 1:
            raise error
        real()

    monkeypatch.setattr(loader_module, "_import_agent_stack", import_agent_stack)
    return calls


@pytest.mark.parametrize("error", [HALF_IMPORTED, HALF_IMPORTED_ATTRIBUTE])
def test_the_first_answer_comes_although_the_background_import_failed(store, gemini, chat_for,
                                                                     monkeypatch, error):
    calls = failing_once(monkeypatch, error)
    monkeypatch.setenv("GEMINI_API_KEY", TEST_KEY)
    settings = Settings()
    settings.set("base_url", gemini.base_url)
    gemini.enqueue(text("Here I am."))

    async def first_question() -> str:
        agent = AssistantLoader(store, settings, KeyStore())
        agent.preload()  # at the first paint
        try:
            assistant = await agent.get()  # the user's first question
            return "".join([event.text async for event in chat_for(assistant).send("hello")
                            if isinstance(event, TextDelta)])
        finally:
            await agent.close()

    assert asyncio.run(first_question()) == "Here I am."
    assert calls == ["import", "import"]


def test_a_failed_import_nobody_waited_for_prints_nothing(store, monkeypatch):
    failing_once(monkeypatch)
    unretrieved = []

    async def quit_during_the_import() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: unretrieved.append(context))
        loading = AssistantLoader(store, Settings(), KeyStore()).preload()
        await asyncio.wait([loading])  # the app quits without asking for the assistant
        del loading
        gc.collect()  # where asyncio reports "Task exception was never retrieved"

    asyncio.run(quit_during_the_import())
    assert unretrieved == []


def test_another_attribute_error_is_a_bug_and_is_not_tried_again(store, monkeypatch):
    calls = failing_once(monkeypatch, AttributeError("'NoneType' object has no attribute 'x'"))

    async def first_question() -> None:
        await AssistantLoader(store, Settings(), KeyStore()).get()

    with pytest.raises(AttributeError, match="NoneType"):
        asyncio.run(first_question())
    assert calls == ["import"]


FIRST_ANSWER_MODELS_BUILT = """
from app.assistant.loader import _import_agent_stack
_import_agent_stack()
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import ResponseCompletedEvent, ResponseTextDeltaEvent
unbuilt = [model.__name__ for model in (ChatCompletionChunk, ResponseTextDeltaEvent,
                                        ResponseCompletedEvent)
           if not model.__pydantic_complete__]
print(",".join(unbuilt))
"""


def test_the_background_import_builds_what_the_first_answer_needs():
    """openai builds its models on first use; built by the first streamed answer, on the event
    loop, they froze the window for tens of ms. A fresh process, so no other test built them."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", FIRST_ANSWER_MODELS_BUILT], cwd=repo,
                          env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"left for the first answer to build: {done.stdout}"


def test_once_loaded_the_stack_is_left_out_of_later_collections(store):
    """A full collection walking the whole agent stack stalls the window ~80 ms each time
    (bench/window_bench.py); frozen after the load, later ones walk only what came after."""
    async def load() -> int:
        agent = AssistantLoader(store, Settings(), KeyStore())
        await agent.preload()
        await asyncio.sleep(0)  # the loop runs the load's done callbacks
        return gc.get_freeze_count()

    gc.unfreeze()  # as a fresh process starts (an earlier test here may have loaded it)
    try:
        assert asyncio.run(load()) > 100_000  # the SDK's objects, at least
    finally:
        gc.unfreeze()
