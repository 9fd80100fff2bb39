"""How a voice message passes through a turn without the audio being kept.

The SDK saves a turn's input to the session (our conversations file) as the turn starts. The
session is handed to it wrapped: a message carrying audio is saved as "Voice message (0:12)"
instead, and once the answer has said what it heard, that line gains the words. Within the turn
the model hears the audio on its first call; later calls (after tool results) get the words it
said it heard in place of the audio, so a long recording is paid for once.
"""

from agents import RunConfig
from agents.run_config import CallModelData, ModelInputData

from app.assistant.voice import VoiceClip, heard_line


def _carries_audio(item: object) -> bool:
    content = item.get("content") if isinstance(item, dict) else None
    return isinstance(content, list) and any(
        isinstance(part, dict) and part.get("type") == "input_audio" for part in content)


class AudioFreeSession:
    """An SDK session that never stores audio: everything else passes through."""

    def __init__(self, session, clip: VoiceClip, text: str) -> None:
        self._session, self._clip, self._text = session, clip, text
        self.session_id = session.session_id
        self.session_settings = getattr(session, "session_settings", None)

    @property
    def kept_now(self) -> str:
        return self._clip.kept_text(None, self._text)

    async def get_items(self, limit: int | None = None) -> list:
        return await self._session.get_items(limit)

    async def add_items(self, items: list) -> None:
        await self._session.add_items([{"role": "user", "content": self.kept_now}
                                       if _carries_audio(item) else item for item in items])

    async def pop_item(self):
        return await self._session.pop_item()

    async def clear_session(self) -> None:
        await self._session.clear_session()


def heard_so_far(items: list) -> str | None:
    """What the model said it heard of this turn's recording: its first answer text after the
    message that carries the audio (earlier turns' "Heard:" lines are about other recordings)."""
    carrying = [index for index, item in enumerate(items) if _carries_audio(item)]
    if not carrying:
        return None
    for item in items[carrying[-1] + 1:]:
        if isinstance(item, dict) and item.get("role") == "assistant":
            content = item.get("content")
            text = content if isinstance(content, str) else "".join(
                part.get("text", "") for part in content or [] if isinstance(part, dict))
            if text.strip():
                return heard_line(text)
    return None


def voice_run_config(clip: VoiceClip, text: str) -> RunConfig:
    """Tracing off, as for every turn, and the audio replaced by its words after the first call
    (kept when the model has not said yet what it heard: the meaning matters more than cost)."""
    def without_audio_once_heard(call: CallModelData) -> ModelInputData:
        items = list(call.model_data.input)
        heard = heard_so_far(items)
        if heard is not None:
            items = [{"role": "user", "content": clip.kept_text(heard, text)}
                     if _carries_audio(item) else item for item in items]
        return ModelInputData(input=items, instructions=call.model_data.instructions)

    return RunConfig(tracing_disabled=True, call_model_input_filter=without_audio_once_heard)
