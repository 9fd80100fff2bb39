"""Streaming markdown: finished blocks render as they complete, and the end result is the same
as rendering the whole answer at once, however the text was cut into deltas."""

import random

import pytest

from app.ui.chat.markdown_blocks import FinishedBlocks

SAMPLE = """# Your week

You have **three** things due:

1. Renew passport — *Friday*
2. Pay rent

```python
tasks = store.list_tasks()

print(len(tasks))
```

| Task | Due |
|------|-----|
| Rent | Mon |

See [the docs](https://example.com) for more.
"""


def finished_part(chunks: list[str]) -> str:
    blocks = FinishedBlocks()
    for chunk in chunks:
        blocks.append(chunk)
    return blocks.text[:blocks.finished]


def test_a_block_is_finished_once_a_blank_line_follows_it():
    assert finished_part(["# Title\n", "\nPara"]) == "# Title\n\n"
    assert finished_part(["# Title\n", "Para"]) == ""


def test_blank_lines_inside_a_code_fence_do_not_finish_it():
    text = "```\nx = 1\n\ny = 2\n"
    assert finished_part([text]) == ""
    assert finished_part([text, "```\nafter"]) == text + "```\n"


def test_a_tilde_fence_is_only_closed_by_a_tilde_fence():
    assert finished_part(["~~~\na\n```\n\nb\n"]) == ""


@pytest.fixture
def view(qapp):
    from app.ui.chat.markdown_view import MarkdownView

    shown = MarkdownView()
    shown.resize(600, 100)
    shown.show()
    yield shown
    shown.deleteLater()


def structure(document) -> list[tuple]:
    """What a reader sees, block by block: text, heading level, list, code block, table cell,
    the gap below it (outside tables: Qt pads a cell as it likes).
    (toMarkdown() is no referee: Qt writes a code block followed by a table wrongly.)"""
    from PySide6.QtGui import QTextCursor, QTextFormat

    shown, block = [], document.firstBlock()
    while block.isValid():
        if block.text():
            fence = block.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence)
            in_table = QTextCursor(block).currentTable() is not None
            shown.append((block.text(), block.blockFormat().headingLevel(),
                          block.textList() is not None, fence, in_table,
                          None if in_table else block.blockFormat().bottomMargin()))
        block = block.next()
    return shown


def rendered(markdown: str) -> list[tuple]:
    from app.ui.chat.markdown_view import MarkdownView

    whole = MarkdownView()
    whole.set_markdown(markdown)
    result = structure(whole.document())
    whole.deleteLater()
    return result


@pytest.mark.parametrize("seed", range(5))
def test_streamed_in_random_pieces_it_renders_like_the_whole(view, seed):
    pieces, rest = [], SAMPLE
    generator = random.Random(seed)
    while rest:
        size = generator.randint(1, 12)
        pieces.append(rest[:size])
        rest = rest[size:]
    for number, piece in enumerate(pieces):
        view.append(piece)
        if number % 3 == 0:
            view.flush()
    view.finish()
    assert structure(view.document()) == rendered(SAMPLE)
    assert view.markdown == SAMPLE


def test_mid_stream_finished_blocks_are_formatted_and_the_tail_is_plain(view):
    view.append("# Heading\n\nstill **typing")
    view.flush()
    document = view.document()
    assert document.firstBlock().blockFormat().headingLevel() == 1
    assert view.toPlainText().endswith("still **typing")  # raw until its block completes
    view.append("** done")
    view.finish()
    assert view.toPlainText().endswith("still typing done")


def test_paragraphs_and_lists_are_spaced_and_a_list_is_indented_one_step(view):
    from app.ui.chat.markdown_view import LIST_INDENT, PARAGRAPH_GAP

    view.set_markdown("Done. I added both tasks:\n\n- **Renew passport**, next Friday\n"
                      "- **Book dentist**\n\nTo list what is due this week:")
    document, layout = view.document(), view.document().documentLayout()
    blocks = [document.findBlockByNumber(number) for number in range(document.blockCount())]
    [intro, first, second, after] = [layout.blockBoundingRect(block) for block in blocks]
    assert first.top() - intro.bottom() >= PARAGRAPH_GAP  # the list is not glued to its text
    assert after.top() - second.bottom() >= PARAGRAPH_GAP
    assert second.top() - first.bottom() < PARAGRAPH_GAP   # its items stay together
    assert document.indentWidth() == LIST_INDENT < 40  # Qt's default indent reads as a hole


def test_code_left_in_the_prose_keeps_its_lines_together(view):
    """Indented code, and a fence inside a list item (Gemini indents those), stay in the
    prose: its lines get no paragraph gap between them."""
    from app.ui.chat.markdown_view import PARAGRAPH_GAP

    view.set_markdown("Install:\n\n    pip install foo\n    foo --init\n\nThen run it.")
    document = view.document()
    margins = {document.findBlockByNumber(n).text(): document.findBlockByNumber(n)
               .blockFormat().bottomMargin() for n in range(document.blockCount())}
    assert margins == {"Install:": PARAGRAPH_GAP, "pip install foo": 0,
                       "foo --init": PARAGRAPH_GAP, "Then run it.": 0}


def test_the_view_grows_with_its_text(view):
    view.set_markdown("one line")
    short = view.height()
    view.set_markdown("\n\n".join(f"paragraph {n}" for n in range(30)))
    assert view.height() > short * 10


def test_a_ten_thousand_word_answer_is_never_re_rendered_whole(view, monkeypatch):
    from PySide6.QtGui import QTextDocument

    parsed = []
    original = QTextDocument.setMarkdown

    def counting(document, text, *args):
        parsed.append(len(text))
        return original(document, text, *args)

    monkeypatch.setattr(QTextDocument, "setMarkdown", counting)
    paragraph = " ".join(["word"] * 100) + "\n\n"
    for _ in range(100):  # 10,000 words, flushed after every paragraph
        for word in paragraph.split(" "):
            view.append(word + " ")
        view.flush()
    view.finish()
    # Each paragraph was parsed once, on its own: no parse ever saw the whole answer.
    assert max(parsed) < len(paragraph) * 2
    assert view.toPlainText().count("word") == 10_000


def _split(pieces: list[str]) -> list[tuple[str, str]]:
    """FenceSplitter's events for these pieces, adjacent text of one kind joined."""
    from app.ui.chat.markdown_blocks import FenceSplitter

    splitter, events = FenceSplitter(), []
    for piece in pieces:
        events += splitter.feed(piece)
    events += splitter.end()
    joined: list[tuple[str, str]] = []
    for kind, value in events:
        if joined and kind in ("prose", "code") and joined[-1][0] == kind:
            joined[-1] = (kind, joined[-1][1] + value)
        else:
            joined.append((kind, value))
    return joined


FENCED = "Intro\n\n```python\nx = 1\n\n``not a fence\n```\nAfter\n~~~\nopen to the end"


@pytest.mark.parametrize("seed", range(20))
def test_code_fences_are_split_out_the_same_however_the_text_arrives(seed):
    rng = random.Random(seed)
    pieces, rest = [], FENCED
    while rest:
        size = rng.randint(1, 6)
        pieces.append(rest[:size])
        rest = rest[size:]
    assert _split(pieces) == _split([FENCED]) == [
        ("prose", "Intro\n\n"), ("code_start", "python"), ("code", "x = 1\n\n``not a fence\n"),
        ("code_end", ""), ("prose", "After\n"), ("code_start", ""),
        ("code", "open to the end"), ("code_end", "")]
