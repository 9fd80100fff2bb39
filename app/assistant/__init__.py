"""The Gemini agent over the task store: one conversation API for every front end (no Qt here).

Importing this package pulls in the agent stack (openai-agents, ~1.7 s): front ends import it
after their first paint or only when a chat starts.
"""
