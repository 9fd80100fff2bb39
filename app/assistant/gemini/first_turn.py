"""Builds, ahead of time, the openai models the first streamed answer needs.

openai declares its models with pydantic's `defer_build`: each one builds its validator the first
time it is instantiated. A streamed turn through the SDK's chat-completions handler makes the
classes below; built then, on the event loop, they stalled the window's first answer for tens
of ms (later answers: none). The agent stack's loader calls this on its worker thread instead.
"""

import importlib

# (module, classes) in openai.types: the chunks the stream is read as, and the Responses events
# the SDK's ChatCmplStreamHandler turns them into.
FIRST_TURN_MODELS = (
    ("chat.chat_completion_chunk", ("ChatCompletionChunk", "Choice", "ChoiceDelta")),
    ("responses.response", ("Response",)),
    ("responses.response_usage", ("ResponseUsage", "InputTokensDetails",
                                  "OutputTokensDetails")),
    ("responses.response_created_event", ("ResponseCreatedEvent",)),
    ("responses.response_output_text", ("ResponseOutputText",)),
    ("responses.response_output_message", ("ResponseOutputMessage",)),
    ("responses.response_output_item_added_event", ("ResponseOutputItemAddedEvent",)),
    ("responses.response_content_part_added_event", ("ResponseContentPartAddedEvent",)),
    ("responses.response_text_delta_event", ("ResponseTextDeltaEvent",)),
    ("responses.response_content_part_done_event", ("ResponseContentPartDoneEvent",)),
    ("responses.response_output_item_done_event", ("ResponseOutputItemDoneEvent",)),
    ("responses.response_completed_event", ("ResponseCompletedEvent",)),
    ("responses.response_function_tool_call", ("ResponseFunctionToolCall",)),
)


def build_first_turn_models() -> None:
    """Builds each validator now; a class a future openai renames or drops is skipped (it then
    builds on first use, as before)."""
    for module_name, class_names in FIRST_TURN_MODELS:
        try:
            module = importlib.import_module(f"openai.types.{module_name}")
        except ImportError:
            continue
        for name in class_names:
            model = getattr(module, name, None)
            if model is not None and hasattr(model, "model_rebuild"):
                model.model_rebuild()  # a no-op when already built
