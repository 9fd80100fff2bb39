"""Settings and its pages."""
