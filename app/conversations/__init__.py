"""Chat conversations: our table of titles, and their history as a person sees it (no Qt here)."""
