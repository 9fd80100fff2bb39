"""An imported file's bytes as text: its byte-order mark, UTF-16 without one, UTF-8, and
else the legacy encoding most such files come from, named so the import can say so.

A spreadsheet on Windows saves "CSV" as UTF-16 ("Unicode text") or cp1252, and a text editor
may put a BOM before JSON; none of that should become "needs a title column" or U+FFFD.
"""

import codecs
from collections import namedtuple

from app.common.errors import UserError

MAX_IMPORT_BYTES = 64 * 1024 * 1024
LEGACY = "cp1252"  # Windows' Western European: what Excel and Notepad wrote for years
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))

FileText = namedtuple("FileText", ("text", "legacy_encoding"))


def decode(data: bytes, name: str) -> FileText:
    """The text; `legacy_encoding` names LEGACY when the file was not Unicode (else None)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise UserError(f"{name} is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; "
                        "import it in parts.")
    encoding = next((found for bom, found in _BOMS if data.startswith(bom)), None) \
        or _utf16_without_bom(data)
    try:
        if encoding:
            return FileText(data.decode(encoding), None)
        return FileText(data.decode("utf-8"), None)
    except UnicodeDecodeError:
        if encoding:
            raise UserError(f"{name} is not valid {encoding.upper()} text.") from None
    # cp1252 leaves five bytes undefined; Latin-1 reads those as the controls they are there.
    try:
        return FileText(data.decode(LEGACY), LEGACY)
    except UnicodeDecodeError:
        return FileText(data.decode("latin-1"), LEGACY)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 LE or BE when most of the first bytes' odd or even positions are NUL (ASCII in
    UTF-16), as a file of mostly Latin text is."""
    head = data[:400]
    if len(head) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd > half * 0.7 and even == 0:
        return "utf-16-le"
    if even > half * 0.7 and odd == 0:
        return "utf-16-be"
    return None
