"""Measures the window in a fresh process, as a user starting the program would see it.

Run by test_window_benchmarks.py: ``python window_probe.py DATA_DIR USER PASSPHRASE`` with
the queries on standard input; prints one JSON object of timings in milliseconds.
"""

import json
import random
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui.app import application
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.preferences import LANGUAGE, Preferences
from ui.qt_language import apply_language
from workbench.session import StoreLocation, open_session
from workbench.store.access import open_access


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    data_dir, user, passphrase = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    queries = [line for line in sys.stdin.read().splitlines() if line]
    app = application()
    settings_file = data_dir.parent / "probe-settings.ini"
    preferences = Preferences(QSettings(str(settings_file), QSettings.IniFormat))
    preferences.set(LANGUAGE, "fi")
    apply_language("fi")
    location = StoreLocation(data_dir)

    derive_started = time.perf_counter()
    access = open_access(location.slots_path, user, passphrase)
    derived = time.perf_counter()
    ctx = AppContext(location, preferences)
    ctx.open(open_session(location, access))
    window = MainWindow(ctx)
    window.show()
    app.processEvents()
    usable = time.perf_counter()

    # A key pressed in the search box until the list shows its result, painted.
    search, viewport = window.case_list.search, window.case_list.view.viewport()
    keystrokes = []
    for query in queries:
        search.clear()
        app.processEvents()
        for char in query:
            started = time.perf_counter()
            QTest.keyClick(search, char)
            app.processEvents()
            viewport.repaint()
            keystrokes.append((time.perf_counter() - started) * 1000)
    search.clear()
    app.processEvents()

    rng = random.Random(3)
    total = ctx.cases.count_cases()
    opens = []
    for _ in range(200):
        case_id = rng.randint(1, total)
        started = time.perf_counter()
        window.open_case(case_id)
        app.processEvents()
        opens.append((time.perf_counter() - started) * 1000)
    for tab in range(window.editor.sections.count()):
        window.editor.sections.setCurrentIndex(tab)
        app.processEvents()
    for _ in range(20):  # scroll through the list: lazy fetching of further pages
        window.case_list.view.scrollToBottom()
        app.processEvents()
    switches = []
    for language in ("sv", "da", "en", "fi") * 2:  # rebuilt in the new language, painted
        started = time.perf_counter()
        preferences.set(LANGUAGE, language)
        window.change_language(language)
        app.processEvents()
        window.repaint()
        switches.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"key_derivation_ms": (derived - derive_started) * 1000,
                      "usable_after_derivation_ms": (usable - derived) * 1000,
                      "keystroke_ms": keystrokes, "open_case_ms": opens,
                      "language_switch_ms": switches,
                      "rows_fetched": window.case_list.model.rowCount(),
                      "rss_mb": rss_mb()}))
    window.close()
    QApplication.instance().quit()


if __name__ == "__main__":
    main()
