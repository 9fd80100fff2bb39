"""MCP in the window: a real MCP server's tool used from the chat (approval card with "Always
allow this tool"), a failed server told in line, and Settings → Tools."""

import sys
from pathlib import Path

import pytest
from conftest import TESTS
from fake_gemini import text, tool_calls
from PySide6.QtCore import Qt
from ui_helpers import items, type_and_send, wait_for_answer

from app.config.mcp_servers import ALWAYS, OFF
from app.ui.chat.chat_items import ApprovalItem, NoticeItem, ToolItem

pytestmark = pytest.mark.timeout(120)
SERVERS = str(TESTS / "mcp_test_servers.py")


@pytest.fixture
def notes_file(workspace, app_home) -> Path:
    path = app_home / "notes.txt"
    workspace.mcp_servers.add("notes", command=sys.executable, args=[SERVERS, "notes"],
                              env={"NOTES_FILE": str(path)})
    return path


def test_an_mcp_write_tool_asks_and_always_allow_is_remembered(qtbot, window, gemini, workspace,
                                                               notes_file):
    workspace.mcp_servers.add("broken", command=sys.executable, args=[SERVERS, "crash"])
    gemini.enqueue(tool_calls(("notes__write_note", {"text": "Buy stamps", "pinned": False})),
                   text("Saved."))
    type_and_send(qtbot, window, "note: buy stamps")
    qtbot.waitUntil(lambda: bool(items(window, ApprovalItem)), timeout=30_000)
    card = items(window, ApprovalItem)[-1]
    assert "Run 'write_note' from the MCP server 'notes'" in card.question.text()
    assert card.details.text() == 'text: "Buy stamps"\npinned: false'
    assert card.deny_button.hasFocus()  # Deny stays the default
    assert any("'broken' could not start" in n.text() for n in items(window, NoticeItem))
    assert not notes_file.exists()
    qtbot.mouseClick(card.always_button, Qt.MouseButton.LeftButton)
    wait_for_answer(qtbot, window, "Saved.", timeout=20_000)
    assert notes_file.read_text(encoding="utf-8") == "Buy stamps\n"
    assert items(window, ToolItem)[-1].text() == "✓ Ran 'write_note' from notes"
    assert workspace.mcp_servers.get("notes").permission("write_note") == ALWAYS

    gemini.enqueue(tool_calls(("notes__write_note", {"text": "Post them"})), text("Saved too."))
    cards = len(items(window, ApprovalItem))
    type_and_send(qtbot, window, "note: post them")
    wait_for_answer(qtbot, window, "Saved too.", timeout=20_000)
    assert len(items(window, ApprovalItem)) == cards  # not asked again
    assert len([n for n in items(window, NoticeItem) if "broken" in n.text()]) == 1  # told once


def test_the_tools_page_adds_sets_permissions_and_removes(qtbot, window, workspace, notes_file):
    from app.config.mcp_servers import SeenTool

    workspace.mcp_servers.remember_tools("notes", [SeenTool("read_notes", "Read", True),
                                                   SeenTool("write_note", "Write", False)])
    workspace.mcp_servers.set_permission("notes", "write_note", ALWAYS)
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitExposed(dialog)
    dialog.pages.setCurrentWidget(dialog.tools_page)
    page = dialog.tools_page
    qtbot.waitUntil(page.name_field.isVisible)
    for field in (page.name_field, page.target_field):  # read whole, not "Name, e.…"
        assert field.fontMetrics().horizontalAdvance(field.placeholderText()) < field.width()
    assert "server-filesystem" in page.add_example.text() and page.add_example.isVisible()
    box = page.permission_box("notes", "write_note")
    assert box.currentText() == "Always allow"
    assert page.permission_box("notes", "read_notes").currentText() == \
        "Runs without asking (read-only)"

    box.setCurrentIndex(box.findData("ask"))  # revoke "Always allow"
    assert workspace.mcp_servers.get("notes").permission("write_note") == "ask"
    read = page.permission_box("notes", "read_notes")
    read.setCurrentIndex(read.findData(OFF))
    assert workspace.mcp_servers.get("notes").permission("read_notes") == OFF

    page.tree.topLevelItem(0).setCheckState(0, Qt.CheckState.Unchecked)
    assert not workspace.mcp_servers.get("notes").enabled

    before = workspace.mcp_servers.path.read_bytes()
    page.name_field.setText("Bad Name")
    page.target_field.setText("npx some-server")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert "can't name a server" in page.message.text() and page.message.isVisible()
    assert workspace.mcp_servers.path.read_bytes() == before

    page.name_field.setText("web")
    page.target_field.setText("http://localhost:8000/mcp")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert workspace.mcp_servers.get("web").url == "http://localhost:8000/mcp"
    page.name_field.setText("files")
    page.target_field.setText("npx -y '@modelcontextprotocol/server-filesystem' '/my docs'")
    page.target_field.returnPressed.emit()
    files = workspace.mcp_servers.get("files")
    assert (files.command, files.args) == ("npx", ("-y", "@modelcontextprotocol/server-"
                                                   "filesystem", "/my docs"))

    page.tree.setCurrentItem(page._item_of("web"))
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.confirm_remove.isVisible() and "'web'" in page.confirm_question.text()
    assert dialog.focusWidget() is page.keep_button and page.keep_button.font().bold()
    qtbot.keyClick(page.keep_button, Qt.Key.Key_Return)  # Enter does what the bold button says
    assert not page.confirm_remove.isVisible() and workspace.mcp_servers.get("web")
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.confirm_remove_button, Qt.MouseButton.LeftButton)
    assert [s.name for s in workspace.mcp_servers.all()] == ["notes", "files"]

    workspace.mcp_servers.set_enabled("notes", True)  # as the CLI would, meanwhile
    qtbot.waitUntil(lambda: page.tree.topLevelItem(0).checkState(0) == Qt.CheckState.Checked)


def test_check_starts_a_new_server_and_lists_its_tools_without_showing_its_command(
        qtbot, window, workspace, notes_file):
    workspace.mcp_servers.add("broken", command=sys.executable, args=[SERVERS, "crash"])
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitExposed(dialog)
    dialog.pages.setCurrentWidget(dialog.tools_page)
    page = dialog.tools_page
    notes = page._item_of("notes")
    assert notes.childCount() == 1 and "once it has run" in notes.child(0).text(0)
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.check_button.isEnabled() and page.message.text() not in
                    ("", "Starting the servers…"), timeout=60_000)
    assert page.message.text().startswith("'broken' could not start (")
    notes = page._item_of("notes")
    shown = sorted(notes.child(i).text(0) for i in range(notes.childCount()))
    assert notes.text(1) == f"running, {len(shown)} tools"
    assert page._item_of("broken").text(1) == "could not start"
    assert {"read_notes", "write_note"} <= set(shown)
    assert page.permission_box("notes", "write_note").currentText() == "Ask first"
    for index in range(page.tree.topLevelItemCount()):  # never the command line
        assert SERVERS not in page.tree.topLevelItem(index).text(1)
    assert SERVERS in notes.toolTip(0)
