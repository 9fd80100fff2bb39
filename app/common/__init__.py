"""The bottom layer: what every other part of the app may use, and nothing above it."""
