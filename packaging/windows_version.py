"""The version resource of the Windows executables: what Explorer's Properties > Details and
Task Manager show (name, publisher, version, copyright).

PyInstaller's `version=` option reads a text file holding the Python expression of its
`VSVersionInfo` structure (PyInstaller.utils.win32.versioninfo). It is written here as text, not
built from those classes, because that module needs pefile, which PyInstaller only installs on
Windows.
"""

from pathlib import Path

import metadata

# Resource language and code page: US English (0x0409) in Unicode (1200 = 0x04B0).
LANGUAGE, CODEPAGE = 0x0409, 1200
VOS_NT_WINDOWS32 = 0x40004
VFT_APP = 0x1


def text() -> str:
    """The file's text. Both executables share one resource (the spec passes one file), so its
    original file name is the windowed one's: the program shortcuts and login start."""
    numbers = metadata.version_tuple()
    strings = {
        "CompanyName": metadata.PUBLISHER,
        "FileDescription": metadata.NAME,  # Task Manager lists the process by this
        "FileVersion": metadata.VERSION,
        "InternalName": metadata.COMMAND,
        "LegalCopyright": metadata.COPYRIGHT,
        "OriginalFilename": metadata.WINDOWS_GUI_EXE,
        "ProductName": metadata.NAME,
        "ProductVersion": metadata.VERSION,
    }
    # repr() makes each string a valid Python literal whatever characters it holds.
    table = ",\n".join(f"          StringStruct({key!r}, {value!r})"
                        for key, value in strings.items())
    return f"""\
# Written by packaging/windows_version.py from packaging/metadata.py; do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3f,
    flags=0x0,
    OS={VOS_NT_WINDOWS32:#x},
    fileType={VFT_APP:#x},
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '{LANGUAGE:04X}{CODEPAGE:04X}',
        [
{table}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [{LANGUAGE}, {CODEPAGE}])])
  ]
)
"""


def write(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text(), encoding="utf-8")
    return path
