; Task Assistant's Windows installer: a per-user install (no administrator rights) of the
; PyInstaller one-folder bundle. packaging/windows_installer.py compiles it and passes every
; value below as a define taken from packaging/metadata.py, so nothing about the app is spelled
; here. Needs NSIS >= 3.08 (!uninstfinalize) and only plugins that ship with it.

Unicode true

!macro REQUIRE DEFINE
  !ifndef ${DEFINE}
    !error "${DEFINE} is not defined: build the installer with packaging/windows_installer.py"
  !endif
!macroend
!insertmacro REQUIRE NAME
!insertmacro REQUIRE VERSION
!insertmacro REQUIRE VERSION4
!insertmacro REQUIRE PUBLISHER
!insertmacro REQUIRE HOMEPAGE
!insertmacro REQUIRE COPYRIGHT
!insertmacro REQUIRE GUI_EXE
!insertmacro REQUIRE CLI_EXE
!insertmacro REQUIRE UNINSTALL_KEY
!insertmacro REQUIRE AUTOSTART_VALUE
!insertmacro REQUIRE DATA_FOLDER
!insertmacro REQUIRE BUNDLE_DIR
!insertmacro REQUIRE ICON
!insertmacro REQUIRE OUTFILE

; lzma makes the smallest download; a quick check passes COMPRESSOR=zlib to compile in seconds.
!ifndef COMPRESSOR
  !define COMPRESSOR lzma
!endif
SetCompressor /SOLID /FINAL ${COMPRESSOR}

!ifdef SIGN_COMMAND
  ; makensis replaces %1 with the file it has just written; the uninstaller is signed before it
  ; is packed into the installer, so both carry a signature. A failed signing fails the build.
  !finalize `${SIGN_COMMAND} "%1"` = 0
  !uninstfinalize `${SIGN_COMMAND} "%1"` = 0
!endif

!define UNINSTALLER "Uninstall ${NAME}.exe"
!define UNINSTALL_REG "Software\Microsoft\Windows\CurrentVersion\Uninstall\${UNINSTALL_KEY}"
; Where app/desktop/autostart.py writes its start-on-login value (and where Windows switches it off).
!define RUN_REG "Software\Microsoft\Windows\CurrentVersion\Run"
!define STARTUP_APPROVED_REG \
  "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
!define START_MENU_LINK "$SMPROGRAMS\${NAME}.lnk"
!define DESKTOP_LINK "$DESKTOP\${NAME}.lnk"

!include "MUI2.nsh"
!include "LogicLib.nsh"

Name "${NAME}"
OutFile "${OUTFILE}"
BrandingText "${NAME} ${VERSION}"
RequestExecutionLevel user
ManifestDPIAware true
; Per user, like the app's data and key: no administrator, and every user upgrades their own.
InstallDir "$LOCALAPPDATA\Programs\${NAME}"
; An upgrade goes where the earlier version is, even if the user chose another folder then.
InstallDirRegKey HKCU "${UNINSTALL_REG}" "InstallLocation"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE EnsureNotRunning
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Run ${NAME}"
; The finish page's second checkbox (meant for a readme) offers the desktop shortcut, off by
; default: the Start menu entry is always made.
!define MUI_FINISHPAGE_SHOWREADME
!define MUI_FINISHPAGE_SHOWREADME_TEXT "Create a desktop shortcut"
!define MUI_FINISHPAGE_SHOWREADME_NOTCHECKED
!define MUI_FINISHPAGE_SHOWREADME_FUNCTION CreateDesktopShortcut
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "${NAME} will be removed from your computer. Your tasks and \
  conversations (in $LOCALAPPDATA\${DATA_FOLDER}) and your Gemini API key (in Windows \
  Credential Manager) are kept; delete them yourself if you no longer want them."
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE un.EnsureNotRunning
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${NAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${NAME} Setup"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "${COPYRIGHT}"

; A running program's .exe cannot be opened for writing, so this finds Task Assistant running
; from this very folder (the window or the console program) without a process-list plugin, and
; never mistakes another user's copy for ours. Installer and uninstaller each get a copy.
!macro ENSURE_NOT_RUNNING PREFIX
  Function ${PREFIX}EnsureNotRunning
    ${Do}
      StrCpy $R0 ""
      ${ForEach} $R1 1 2 + 1
        ${If} $R1 == 1
          StrCpy $R2 "$INSTDIR\${GUI_EXE}"
        ${Else}
          StrCpy $R2 "$INSTDIR\${CLI_EXE}"
        ${EndIf}
        ${If} ${FileExists} $R2
          ClearErrors
          FileOpen $R3 $R2 a
          ${If} ${Errors}
            StrCpy $R0 "running"
          ${Else}
            FileClose $R3
          ${EndIf}
        ${EndIf}
      ${Next}
      ${If} $R0 == ""
        ${Break}
      ${EndIf}
      ; Abort keeps the user on the page, or (silent, from a section) stops the whole run.
      ${IfNot} ${Cmd} `MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${NAME} is running. Quit it \
          first (Quit in the menu of its icon in the notification area), then click Retry." \
          /SD IDCANCEL IDRETRY`
        Abort "${NAME} is running: quit it and try again."
      ${EndIf}
    ${Loop}
  FunctionEnd
!macroend
!insertmacro ENSURE_NOT_RUNNING ""
!insertmacro ENSURE_NOT_RUNNING "un."

Function CreateDesktopShortcut
  CreateShortcut "${DESKTOP_LINK}" "$INSTDIR\${GUI_EXE}"
FunctionEnd

Section "-${NAME}" SEC_APP
  ; Again here: a silent install (/S) shows no directory page.
  Call EnsureNotRunning
  ; An upgrade replaces the libraries wholesale: files the old version had and this one does
  ; not would otherwise stay behind and could be loaded by mistake. Only when our program is
  ; there, so a folder of the same name from something else is never touched.
  ${If} ${FileExists} "$INSTDIR\${GUI_EXE}"
    ClearErrors
    RMDir /r "$INSTDIR\_internal"
    ${If} ${Errors}
      Abort "The old version in $INSTDIR could not be removed: close what uses it and try again."
    ${EndIf}
  ${EndIf}
  SetOutPath "$INSTDIR"
  File "${BUNDLE_DIR}\${GUI_EXE}"
  File "${BUNDLE_DIR}\${CLI_EXE}"
  File /r "${BUNDLE_DIR}\_internal"
SectionEnd

; A section of its own, so SEC_APP's size is known here for the Apps list.
Section "-Shortcuts and uninstaller"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"
  CreateShortcut "${START_MENU_LINK}" "$INSTDIR\${GUI_EXE}"
  ; An upgrade after a desktop shortcut was made points it at the new version too.
  ${If} ${FileExists} "${DESKTOP_LINK}"
    Call CreateDesktopShortcut
  ${EndIf}

  WriteRegStr HKCU "${UNINSTALL_REG}" "DisplayName" "${NAME}"
  WriteRegStr HKCU "${UNINSTALL_REG}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_REG}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_REG}" "DisplayIcon" "$INSTDIR\${GUI_EXE},0"
  WriteRegStr HKCU "${UNINSTALL_REG}" "URLInfoAbout" "${HOMEPAGE}"
  WriteRegStr HKCU "${UNINSTALL_REG}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_REG}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINSTALL_REG}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  SectionGetSize ${SEC_APP} $0  ; in KB, what Apps & features shows
  WriteRegDWORD HKCU "${UNINSTALL_REG}" "EstimatedSize" $0
  WriteRegDWORD HKCU "${UNINSTALL_REG}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_REG}" "NoRepair" 1
SectionEnd

; Removes exactly what the installer put there: the user may have chosen a folder that holds
; other files too, so the folder itself goes only if it is left empty.
Section "Uninstall"
  Call un.EnsureNotRunning
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"

  Delete "${START_MENU_LINK}"
  Delete "${DESKTOP_LINK}"
  DeleteRegKey HKCU "${UNINSTALL_REG}"
  ; The app's "Start on login" entry would otherwise point at a program that is gone.
  DeleteRegValue HKCU "${RUN_REG}" "${AUTOSTART_VALUE}"
  DeleteRegValue HKCU "${STARTUP_APPROVED_REG}" "${AUTOSTART_VALUE}"
SectionEnd
