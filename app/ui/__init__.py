"""The desktop window and tray: the only package that imports Qt. It presents the core
(`app.tasks`, `app.conversations`, `app.assistant`, `app.config`) and holds no logic of its own."""
