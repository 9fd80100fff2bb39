"""What the user chose: the settings file and the API key in the system keyring (no Qt here)."""
