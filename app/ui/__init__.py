"""The desktop window and tray: the only package that imports Qt. It presents the core
(`app.tasks`, `app.assistant`, `app.settings`, `app.keystore`) and holds no logic of its own."""
