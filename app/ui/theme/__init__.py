"""The design system: tokens, the style sheet built from them, and putting both on the app."""
