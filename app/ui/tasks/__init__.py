"""The task panel: sidebar, rows, the add box and the editor."""
