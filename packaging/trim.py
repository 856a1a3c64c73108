"""What the packaged console leaves out: Qt modules it does not use, and their files.

The console uses QtCore, QtGui, QtWidgets and QtCharts (which needs QtOpenGL/QtOpenGLWidgets).
QtSvg (the SVG icon plug-in) and QtDBus (the xcb platform plug-in, desktop portals) stay as
libraries. Everything else (WebEngine, Qml/Quick, 3D, Multimedia, ...) is excluded by module and,
in case a hook still drags a file in, dropped by name.
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

USED_QT = {"QtCore", "QtGui", "QtWidgets", "QtCharts", "QtOpenGL", "QtOpenGLWidgets", "QtSvg", "QtDBus"}

# never part of the product, even when installed in the build environment
EXCLUDED_MODULES = ["tkinter", "_tkinter", "matplotlib", "numpy", "PIL", "IPython", "pytest", "_pytest",
                    "hypothesis", "pytestqt", "PyInstaller", "setuptools", "pip",
                    # PyInstaller's lxml hook takes every submodule; the product uses lxml.etree only
                    "lxml.objectify", "lxml.isoschematron", "lxml.html"]

# Qt file names (libraries, plug-in folders, translations) of modules the console does not use
_UNUSED = ("Qml", "Quick", "3D", "Multimedia", "SpatialAudio", "WebEngine", "WebChannel", "WebSockets",
           "WebView", "Pdf", "VirtualKeyboard", "Designer", "Help", "Location", "Positioning", "Sensors",
           "Bluetooth", "Nfc", "SerialPort", "SerialBus", "Scxml", "StateMachine", "RemoteObjects",
           "TextToSpeech", "Graphs", "DataVisualization", "Lottie", "ShaderTools", "Labs", "Test",
           "HttpServer", "NetworkAuth", "Sql", "Concurrent", "UiTools", "CanvasPainter", "FFmpeg")
_UNUSED_RE = re.compile(r"Qt6?(" + "|".join(_UNUSED) + r"|EglFS|EglFs)", re.IGNORECASE)
_UNUSED_PLUGIN_DIRS = {"qmltooling", "multimedia", "sceneparsers", "geometryloaders", "renderers",
                       "renderplugins", "assetimporters", "geoservices", "position", "sensors", "canbus",
                       "texttospeech", "webview", "sqldrivers", "designer", "scxmldatamodel", "qmllint",
                       "virtualkeyboard", "printsupport"}
# plug-ins for embedded displays (eglfs, linuxfb, vnc, evdev input) and the GTK theme (it drags in
# cairo, pango and friends); the console runs on xcb, wayland, offscreen, or Windows/macOS natives
_UNUSED_PLUGINS_RE = re.compile(r"plugins[/\\](egldeviceintegrations|generic)[/\\]|"
                                r"libq(eglfs|linuxfb|minimalegl|vkkhrdisplay|vnc|gtk3|tiff|webp|wbmp|tga)\.")
# Qt's own translations: only qtbase (standard dialogs and buttons) is used; the console's own
# (resources/translations/crmsync_*.qm) stay
_TRANSLATION_RE = re.compile(r"(?<!resources[/\\])translations[/\\](?!qtbase_)[^/\\]+\.qm$")


def unused_qt_modules() -> list[str]:
    """Every PySide6 module installed here that the console does not use."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations)))
    names = {p.stem for p in folder.glob("Qt*.pyi")}  # each binding module ships its type stub
    return sorted(f"PySide6.{n}" for n in names - USED_QT)


def _unused(dest: str) -> bool:
    parts = Path(dest).parts
    if "plugins" in parts and any(p in _UNUSED_PLUGIN_DIRS for p in parts):
        return True
    if _TRANSLATION_RE.search(dest) or _UNUSED_PLUGINS_RE.search(dest):
        return True
    return bool(_UNUSED_RE.search(Path(dest).name))


def trim_analysis(analysis) -> None:
    """Drop from an Analysis the Qt files the console never loads, and links left pointing at them."""
    analysis.binaries = drop_unused_qt_files(analysis.binaries)
    analysis.datas = drop_unused_qt_files(analysis.datas)
    present = {e[0] for e in analysis.binaries + analysis.datas if e[2] != "SYMLINK"}

    def dangling(entry) -> bool:
        target = os.path.normpath(os.path.join(os.path.dirname(entry[0]), entry[1]))
        return entry[2] == "SYMLINK" and target not in present

    analysis.binaries = [e for e in analysis.binaries if not dangling(e)]
    analysis.datas = [e for e in analysis.datas if not dangling(e)]


def drop_unused_qt_files(toc):
    """Filter an Analysis TOC (dest, source, kind) of Qt files the console never loads.

    The libraries that only those files needed go too (the GTK theme plug-in alone drags in
    cairo, pango, gdk-pixbuf and more); a library anything kept still links to stays.
    """
    kept = [entry for entry in toc if not (_is_qt(entry[0]) and _unused(entry[0]))]
    dropped = [entry for entry in toc if entry not in kept]
    return _without_orphans(kept, dropped)


def _without_orphans(kept: list, dropped: list) -> list:
    from PyInstaller.depend.bindepend import get_imports

    cache: dict[str, set[str]] = {}

    def needs(entry) -> set[str]:
        if entry[2] != "BINARY":
            return set()
        if entry[1] not in cache:
            cache[entry[1]] = {Path(name).name for name, _ in get_imports(entry[1])}
        return cache[entry[1]]

    candidates = set().union(set(), *(needs(e) for e in dropped))
    while True:
        required = set().union(set(), *(needs(e) for e in kept))
        orphans = [e for e in kept if e[2] == "BINARY" and Path(e[0]).name in candidates - required]
        if not orphans:
            return kept
        for entry in orphans:
            kept.remove(entry)
            candidates |= needs(entry)


def _is_qt(dest: str) -> bool:
    # PySide6/... files, and the links to its Qt libraries PyInstaller puts at the top of the folder
    return "PySide6" in dest or Path(dest).name.startswith(("libQt6", "Qt6"))


def platform_icon(icons: Path) -> str | None:
    """The executable's icon: .ico on Windows, .icns on macOS (see docs/packaging.md); none on Linux."""
    suffix = {"win32": ".ico", "darwin": ".icns"}.get(sys.platform)
    path = icons / f"crmsync{suffix}" if suffix else None
    return str(path) if path and path.exists() else None
