"""How the desktop app starts and ends: one instance, the loop, quitting cleanly, a lost display,
the self-test's window check."""
