"""Settings → Tools: the user's MCP servers (add, remove, turn on and off) and what each of their
tools may do: ask first, always allowed, or off. Read-only tools run without asking.

Everything is saved at once in mcp_servers.json (app.config.mcp_servers), the file the CLI's
`mcp` commands change too; the agent reads it at each question, so a change counts from the
next one. The tools listed are those each server offered when it last ran.
"""

import asyncio
import shlex

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.common.errors import UserError
from app.config.mcp_servers import ALWAYS, ASK, OFF, McpServerConfig, McpServers

PERMISSION_LABELS = {ASK: "Ask first", ALWAYS: "Always allow", OFF: "Off"}
READ_ONLY_LABELS = {ASK: "Runs without asking (read-only)", OFF: "Off"}


class ToolsPage(QWidget):
    _changed_elsewhere = Signal()  # the servers file changed (maybe on another thread)

    def __init__(self, servers: McpServers, runner=None, preload=None, parent=None) -> None:
        """`runner` and `preload` (the agent stack's import, on its worker thread) make Check
        work; without them the page only edits the file."""
        super().__init__(parent)
        self.servers = servers
        self._runner, self._preload = runner, preload
        self._states: dict[str, str] = {}  # what the last Check found, per server
        self.setAccessibleName("Tools")
        intro = QLabel("Other programs' tools for the assistant, from MCP servers. Tools that "
                       "change things ask first, like deleting a task does.")
        intro.setWordWrap(True)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Server or tool", "Permission"])
        self.tree.setAccessibleName("MCP servers and their tools")
        self.tree.setColumnWidth(0, 300)
        self.tree.itemChanged.connect(self._toggled)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())

        self.name_field = QLineEdit()
        # Short placeholders that fit the fields; the example is the caption under them (a long
        # placeholder was cut to "Name, e.…").
        self.name_field.setPlaceholderText("Name")
        self.name_field.setAccessibleName("New server name")
        self.target_field = QLineEdit()
        self.target_field.setPlaceholderText("Command or URL")
        self.target_field.setAccessibleName("New server command or URL")
        self.add_example = QLabel("For example, the name “files” and the command “npx -y "
                                  "@modelcontextprotocol/server-filesystem ~/Documents”; or a "
                                  "URL such as http://127.0.0.1:8000/mcp.")
        self.add_example.setProperty("role", "caption")
        self.add_example.setWordWrap(True)
        self.add_example.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for field in (self.name_field, self.target_field):
            field.setAccessibleDescription(self.add_example.text())
        self.target_field.returnPressed.connect(self.add_server)
        self.add_button = QPushButton("Add server")
        self.add_button.clicked.connect(self.add_server)
        add_row = QHBoxLayout()
        add_row.addWidget(self.name_field, 1)
        add_row.addWidget(self.target_field, 3)
        add_row.addWidget(self.add_button)

        self.remove_button = QPushButton("Remove server")
        self.remove_button.clicked.connect(self.ask_remove)
        self.confirm_remove = QWidget()
        self.confirm_question = QLabel()
        self.confirm_remove_button = QPushButton("Remove")
        self.confirm_remove_button.clicked.connect(self.remove_server)
        keep = self.keep_button = QPushButton("Keep it")
        keep.clicked.connect(self.confirm_remove.hide)
        confirm_row = QHBoxLayout(self.confirm_remove)
        confirm_row.setContentsMargins(0, 0, 0, 0)
        confirm_row.addWidget(self.confirm_question, 1)
        confirm_row.addWidget(self.confirm_remove_button)
        confirm_row.addWidget(keep)
        self.confirm_remove.hide()
        self.check_button = QPushButton("Check servers")
        self.check_button.setToolTip("Start each server that is on and list its tools, as "
                                     "`task-assistant mcp list` does")
        self.check_button.clicked.connect(self.check_servers)
        self.check_button.setVisible(runner is not None and preload is not None)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.check_button)
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName("Tools message")
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addLayout(remove_row)
        layout.addWidget(self.confirm_remove)
        layout.addLayout(add_row)
        layout.addWidget(self.add_example)
        layout.addWidget(self.message)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        # The inline question's default is shown: "Keep it" is bold and takes the focus, and
        # Enter presses it (not the dialog's own default, which the question does not show).
        keep.setAutoDefault(True)
        bold = keep.font()
        bold.setBold(True)
        keep.setFont(bold)

        self._changed_elsewhere.connect(self.reload, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = servers.subscribe(lambda _name: self._changed_elsewhere.emit())
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.reload()

    # -- showing ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Show what the file holds now (the CLI or the agent may have changed it)."""
        current = self._selected_server()
        self.tree.blockSignals(True)
        self.tree.clear()
        configs = self.servers.all()
        for config in configs:
            self.tree.addTopLevelItem(self._server_item(config))
        if not configs:
            empty = QTreeWidgetItem(["No MCP servers yet: add one below."])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tree.addTopLevelItem(empty)
        self.tree.expandAll()
        for config in configs:
            self._add_permission_boxes(config)
        self.tree.blockSignals(False)
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == current:
                self.tree.setCurrentItem(item)
        self._update_buttons()

    def _server_item(self, config: McpServerConfig) -> QTreeWidgetItem:
        # The Permission column holds permissions and what Check found; the command line
        # (long, maybe with paths a person would not show) is in the tooltip.
        item = QTreeWidgetItem([config.name, self._states.get(config.name, "")])
        item.setData(0, Qt.ItemDataRole.UserRole, config.name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked if config.enabled
                           else Qt.CheckState.Unchecked)
        item.setToolTip(0, f"{config.target}\nUntick to stop using this server's tools (its "
                           "settings are kept).")
        if not config.tools:
            hint = QTreeWidgetItem(["(its tools show here once it has run: Check servers)"])
            hint.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.addChild(hint)
        for tool in config.tools:
            child = QTreeWidgetItem([tool.name])
            child.setToolTip(0, tool.description)
            child.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.addChild(child)
        return item

    def _add_permission_boxes(self, config: McpServerConfig) -> None:
        item = self._item_of(config.name)
        if item is None:
            return
        tools = {tool.name: tool for tool in config.tools}
        for index in range(item.childCount()):
            child = item.child(index)
            tool = tools.get(child.text(0)) if child is not None else None
            if child is None or tool is None:
                continue
            labels = READ_ONLY_LABELS if tool.read_only else PERMISSION_LABELS
            box = QComboBox()
            box.setAccessibleName(f"Permission of {tool.name}")
            for permission, label in labels.items():
                box.addItem(label, permission)
            current = config.permission(tool.name)
            box.setCurrentIndex(max(0, box.findData(current if current in labels else ASK)))
            box.currentIndexChanged.connect(
                lambda _i, box=box, server=config.name, name=tool.name:
                self._set_permission(server, name, box.currentData()))
            self.tree.setItemWidget(child, 1, box)

    def _item_of(self, name: str) -> QTreeWidgetItem | None:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == name:
                return item
        return None

    def permission_box(self, server: str, tool: str) -> QComboBox | None:
        item = self._item_of(server)
        if item is None:
            return None
        for index in range(item.childCount()):
            child = item.child(index)
            if child is not None and child.text(0) == tool:
                box = self.tree.itemWidget(child, 1)
                return box if isinstance(box, QComboBox) else None
        return None

    def _selected_server(self) -> str | None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self._selected_server() is not None)

    def _say(self, sentence: str) -> None:
        self.message.setText(sentence)
        self.message.setVisible(bool(sentence))

    # -- checking --------------------------------------------------------------------------

    def check_servers(self) -> None:
        if self._runner is not None and self._preload is not None:
            self._runner.start(self._check())

    async def _check(self) -> None:
        """Start every server that is on, once, as `mcp list` does: each says whether it runs,
        and the tools it offers are remembered and listed (each start is bounded in time)."""
        self.check_button.setEnabled(False)
        self._say("Starting the servers…")
        try:
            await asyncio.shield(self._preload())
            from app.assistant.mcp_tools import McpTools

            probe = McpTools(self.servers)
            try:
                await probe.tools()
                failures = probe.failures()
            finally:
                await probe.close()
        except Exception as error:  # the agent stack failed to load: a sentence, not a trace
            from app.common.crash_log import something_went_wrong

            failures, sentence = None, something_went_wrong(error)
        if not isValid(self):
            return
        self.check_button.setEnabled(True)
        if failures is None:
            self._say(sentence)
            return
        self._states = {}
        for config in self.servers.all():
            if not config.enabled:
                self._states[config.name] = "off"
            elif failures.get(config.name):
                self._states[config.name] = "could not start"
            else:
                count = len(config.tools)
                self._states[config.name] = f"running, {count} tool{'s' if count != 1 else ''}"
        self.reload()
        problems = [f"'{name}' could not start ({why})" for name, why in failures.items() if why]
        self._say("; ".join(problems) + "." if problems else "Every server that is on started.")

    # -- changing --------------------------------------------------------------------------

    def _apply(self, change) -> bool:
        try:
            change()
        except UserError as error:
            self._say(str(error))
            self.reload()  # show what is really saved
            return False
        return True

    def _toggled(self, item: QTreeWidgetItem, column: int) -> None:
        name = item.data(0, Qt.ItemDataRole.UserRole)
        if column == 0 and name and item.parent() is None:
            enabled = item.checkState(0) == Qt.CheckState.Checked
            if self._apply(lambda: self.servers.set_enabled(name, enabled)):
                self._say(f"'{name}' is {'on' if enabled else 'off'} from the next question.")

    def _set_permission(self, server: str, tool: str, permission: str) -> None:
        if self._apply(lambda: self.servers.set_permission(server, tool, permission)):
            self._say(f"{tool}: {PERMISSION_LABELS[permission].lower()}.")

    def add_server(self) -> None:
        name = self.name_field.text().strip()
        target = self.target_field.text().strip()
        if not target:
            self._say("Give the command that starts the server, or its http:// address.")
            return
        if target.startswith(("http://", "https://")):
            change = lambda: self.servers.add(name, url=target)  # noqa: E731
        else:
            try:
                words = shlex.split(target)
            except ValueError as error:
                self._say(f"The command can't be read ({error}): check its quotes.")
                return
            change = lambda: self.servers.add(name, command=words[0], args=words[1:])  # noqa: E731
        if self._apply(change):
            self.name_field.clear()
            self.target_field.clear()
            self._say(f"Added '{name}': its tools reach the assistant from the next question.")
            self.reload()

    def ask_remove(self) -> None:
        name = self._selected_server()
        if name:
            self.confirm_question.setText(f"Remove the MCP server '{name}' and its permissions?")
            self.confirm_remove.setProperty("server", name)
            self.confirm_remove.show()
            self.keep_button.setFocus()

    def remove_server(self) -> None:
        name = self.confirm_remove.property("server")
        self.confirm_remove.hide()
        if name and self._apply(lambda: self.servers.remove(name)):
            self._say(f"Removed '{name}'.")
            self.reload()
