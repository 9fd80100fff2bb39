"""The Gemini adapter: the only files that know Gemini's wire quirks and the Agents SDK's
model internals (the model, its stream handler, and its error bodies)."""
