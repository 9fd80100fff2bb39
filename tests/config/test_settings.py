"""Settings in a real JSON file: defaults, saving, environment overrides, a damaged file."""

import json
import os

import pytest

from app.common.errors import UserError
from app.config.settings import Setting, Settings, _check_bool

DEFAULT_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"


@pytest.fixture
def path(app_home):
    app_home.mkdir(parents=True, exist_ok=True)
    return app_home / "settings.json"


def test_defaults_without_a_file(path):
    settings = Settings()
    assert settings.path == path
    assert (settings.model, settings.base_url) == ("gemini-2.5-flash", DEFAULT_URL)
    assert settings.source("model") == "default"
    assert settings.warnings == []
    assert not path.exists()  # reading never writes


def test_saved_values_persist_for_the_next_instance(path):
    Settings().set("model", " gemini-2.5-pro ")
    Settings().set("base_url", "http://127.0.0.1:8080/v1/")

    reopened = Settings()
    assert reopened.model == "gemini-2.5-pro"
    assert reopened.base_url == "http://127.0.0.1:8080/v1/"
    assert reopened.source("model") == "saved"
    assert json.loads(path.read_text()) == {"model": "gemini-2.5-pro",
                                            "base_url": "http://127.0.0.1:8080/v1/"}


def test_reset_returns_to_the_default(path):
    settings = Settings()
    settings.set("model", "gemini-2.5-pro")
    assert settings.reset("model") is True
    assert settings.model == "gemini-2.5-flash"
    assert settings.reset("model") is False
    assert json.loads(path.read_text()) == {}


def test_unknown_keys_in_the_file_are_kept(path):
    """A newer version's settings survive this version saving the file."""
    path.write_text(json.dumps({"model": "gemini-2.0", "theme": "dark", "window": {"w": 800}}))
    Settings().set("model", "gemini-2.5-pro")
    assert json.loads(path.read_text()) == {"model": "gemini-2.5-pro", "theme": "dark",
                                            "window": {"w": 800}}


def test_a_change_from_another_instance_is_not_lost(path):
    window, cli = Settings(), Settings()
    cli.set("base_url", "http://localhost:9000/")
    window.set("model", "gemini-2.5-pro")
    assert json.loads(path.read_text()) == {"model": "gemini-2.5-pro",
                                            "base_url": "http://localhost:9000/"}


def test_environment_overrides_without_being_saved(path, monkeypatch):
    Settings().set("model", "gemini-2.5-pro")
    monkeypatch.setenv("TASK_ASSISTANT_MODEL", "gemini-test")
    monkeypatch.setenv("TASK_ASSISTANT_BASE_URL", "http://127.0.0.1:1234/v1/")

    settings = Settings()
    assert (settings.model, settings.base_url) == ("gemini-test", "http://127.0.0.1:1234/v1/")
    assert settings.source("model") == "environment"
    settings.set("base_url", "https://example.test/v1/")
    assert json.loads(path.read_text()) == {"model": "gemini-2.5-pro",
                                            "base_url": "https://example.test/v1/"}


def test_a_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("TASK_ASSISTANT_BASE_URL", "localhost:8080")
    with pytest.raises(UserError, match=r"^TASK_ASSISTANT_BASE_URL must start with http:// or "
                                        r"https:// and name a host \(for example https://"):
        _ = Settings().base_url  # read, the value is checked


def test_writes_go_through_a_temporary_file_and_a_rename(path, monkeypatch):
    """If the rename fails (disk full, crash) the old file is intact and no temp file is left."""
    Settings().set("model", "gemini-2.5-pro")
    before = path.read_bytes()

    def refuse(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(UserError, match=r"^The settings could not be saved to .*settings\.json "
                                        r"\(No space left on device\)\.$"):
        Settings().set("model", "gemini-2.0-flash")
    assert path.read_bytes() == before
    # (the lock file between processes stays: it holds nothing)
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json",
                                                             "settings.json.lock"]


@pytest.mark.parametrize("damage", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_a_damaged_file_gives_defaults_a_warning_and_is_kept(path, damage):
    path.write_bytes(damage)

    settings = Settings()

    assert settings.model == "gemini-2.5-flash"
    assert len(settings.warnings) == 1
    assert settings.warnings[0].startswith("settings.json was damaged (")
    assert settings.warnings[0].endswith("); it was kept as settings.json.bad and the default "
                                         "settings are used.")
    assert (path.parent / "settings.json.bad").read_bytes() == damage
    settings.set("model", "gemini-2.5-pro")  # saving now starts a fresh file
    assert json.loads(path.read_text()) == {"model": "gemini-2.5-pro"}


def test_an_earlier_damaged_file_is_not_overwritten(path):
    (path.parent / "settings.json.bad").write_text("first")
    path.write_text("second")
    assert "kept as settings.json.bad-2" in Settings().warnings[0]
    assert (path.parent / "settings.json.bad").read_text() == "first"
    assert (path.parent / "settings.json.bad-2").read_text() == "second"


def test_an_unreadable_file_is_neither_used_nor_overwritten(path):
    path.mkdir()  # reading a directory fails like a file we may not read
    settings = Settings()
    assert settings.model == "gemini-2.5-flash"
    assert settings.warnings == [
        "settings.json is not usable (could not read it: Is a directory), so the default "
        "settings are used."]
    with pytest.raises(UserError, match=r"settings\.json is not usable \(could not read it: "
                                        r"Is a directory\), so it was not overwritten: fix or "
                                        r"remove it"):
        settings.set("model", "gemini-2.5-pro")


def test_a_bad_saved_value_falls_back_to_its_default(path):
    path.write_text(json.dumps({"model": "two words", "base_url": "http://ok.test/"}))
    settings = Settings()
    assert (settings.model, settings.base_url) == ("gemini-2.5-flash", "http://ok.test/")
    assert settings.warnings == ["The saved model name in settings.json is not usable, so the "
                                 "default is used."]


@pytest.mark.parametrize("name, value, message", [
    ("model", "", "The model name must not be empty (for example gemini-2.5-flash)."),
    ("model", "gemini 2.5",
     "The model name must not contain spaces (for example gemini-2.5-flash)."),
    ("base_url", "generativelanguage.googleapis.com", "The base URL must start with http:// or "
     f"https:// and name a host (for example {DEFAULT_URL})."),
    ("base_url", "ftp://example.test/", "The base URL must start with http:// or https:// and "
     f"name a host (for example {DEFAULT_URL})."),
    ("base_url", "https://", "The base URL must start with http:// or https:// and name a host "
     f"(for example {DEFAULT_URL})."),
    ("base_url", "https://user:secret@example.test/", "The base URL must not contain a user name "
     "or password (save the API key with `task-assistant key set`)."),
    ("api_key", "anything", "There is no setting called 'api_key': use one of model, base_url, "
     "close_to_tray, reminders, start_on_login, quick_ask_shortcut, theme, text_size, font."),
])
def test_bad_values_are_refused_with_a_sentence(path, name, value, message):
    settings = Settings()
    with pytest.raises(UserError) as raised:
        settings.set(name, value)
    assert str(raised.value) == message
    assert not path.exists()


def test_subscribers_hear_which_setting_changed():
    settings = Settings()
    heard = []
    unsubscribe = settings.subscribe(heard.append)

    settings.set("model", "gemini-2.5-pro")
    settings.set("model", "gemini-2.5-pro")  # unchanged: nobody needs to react
    settings.reset("base_url")  # was not saved: nothing changed either
    settings.set("base_url", "http://localhost:1/")
    unsubscribe()
    settings.reset("model")

    assert heard == ["model", "base_url"]


def test_a_subscriber_sees_the_new_value():
    settings = Settings()
    seen = []
    settings.subscribe(lambda name: seen.append(settings.get(name)))
    settings.set("model", "gemini-2.5-pro")
    assert seen == ["gemini-2.5-pro"]


def test_room_for_boolean_options(path):
    """Later UI options (start minimised, say) are a Setting with a bool default."""
    option = Setting("start_minimized", "start-minimized option", False, _check_bool)
    settings = Settings(known=(option,))
    assert settings.get("start_minimized") is False
    settings.set("start_minimized", option.from_text("yes"))
    assert Settings(known=(option,)).get("start_minimized") is True
    with pytest.raises(UserError, match="^The start-minimized option must be true or false.$"):
        settings.set("start_minimized", option.from_text("maybe"))


# -- `task-assistant settings …` ----------------------------------------------------------------

def settings_command(capsys, *argv):
    from app.cli.main import main

    code = main(["settings", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_show_set_and_reset(capsys, path, monkeypatch):
    assert settings_command(capsys, "show") == (0, (
        "model               gemini-2.5-flash  (default)\n"
        f"base_url            {DEFAULT_URL}  (default)\n"
        "close_to_tray       true  (default)\n"
        "reminders           true  (default)\n"
        "start_on_login      false  (default)\n"
        "quick_ask_shortcut  Ctrl+Alt+Space  (default)\n"
        "theme               system  (default)\n"
        "text_size           normal  (default)\n"
        "font                inter  (default)\n"), "")
    assert settings_command(capsys, "set", "model", "gemini-2.5-pro") == (
        0, "Saved model: gemini-2.5-pro\n", "")
    monkeypatch.setenv("TASK_ASSISTANT_BASE_URL", "http://127.0.0.1:8000/")
    shown = settings_command(capsys, "show")[1].splitlines()
    assert shown[:2] == ["model               gemini-2.5-pro  (saved)",
                         "base_url            http://127.0.0.1:8000/  "
                         "(from TASK_ASSISTANT_BASE_URL)"]
    assert settings_command(capsys, "reset", "model") == (
        0, "Reset model to the default: gemini-2.5-flash\n", "")
    assert settings_command(capsys, "reset", "base_url") == (0, (
        f"base_url already has the default: {DEFAULT_URL}\n"
        "TASK_ASSISTANT_BASE_URL is set in the environment and overrides it while it is set.\n"),
        "")


def test_cli_mistakes_are_one_line(capsys, path):
    assert settings_command(capsys, "set", "model", "two words") == (1, "", (
        "task-assistant: The model name must not contain spaces (for example gemini-2.5-flash).\n"))
    assert settings_command(capsys, "set", "api_key", "x") == (1, "", (
        "task-assistant: There is no setting called 'api_key': use one of model, base_url, "
        "close_to_tray, reminders, start_on_login, quick_ask_shortcut, theme, text_size, "
        "font.\n"))
    assert not path.exists()


def test_cli_warns_about_a_damaged_file(capsys, path):
    path.write_text("{oops")
    code, out, err = settings_command(capsys, "show")
    assert code == 0 and "gemini-2.5-flash  (default)" in out
    assert err.startswith("task-assistant: settings.json was damaged (")


SETTER = """
import sys
from app.config.settings import Settings
sys.stdin.readline()  # all start together
Settings().set(sys.argv[1], sys.argv[2] == "true")
"""


def test_two_processes_saving_different_settings_at_once_lose_neither(app_home):
    import subprocess
    import sys

    from conftest import REPO, cli_env

    env = cli_env(app_home)
    for round_ in range(10):
        (app_home / "settings.json").unlink(missing_ok=True)
        setters = [subprocess.Popen([sys.executable, "-c", SETTER, name, value], cwd=REPO,
                                    env=env, stdin=subprocess.PIPE, text=True)
                   for name, value in (("reminders", "false"), ("close_to_tray", "false"),
                                       ("start_on_login", "true"))]
        for setter in setters:
            setter.stdin.write("go\n")
            setter.stdin.flush()
        assert [setter.wait(timeout=60) for setter in setters] == [0, 0, 0]
        saved = Settings()
        assert (saved.get("reminders"), saved.get("close_to_tray"),
                saved.get("start_on_login")) == (False, False, True), round_
