"""The desktop bundle: built from this checkout with packaging/build.sh, then run with an
empty environment (no Python, no PATH beyond /usr/bin) by packaging/smoke_test.sh."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support import bundle as bundle_build

ROOT = Path(__file__).resolve().parents[2]


def test_the_bundle_builds_and_runs_without_python():
    code, printed = bundle_build.finished()  # (started when the tests were collected)
    assert code == 0, printed[-6000:]
    bundle = ROOT / "dist" / "workbench"
    assert (bundle / "workbench").exists()
    for shipped in ("housing-advice-workbench.desktop", "install-desktop-entry.sh",
                    "icons/workbench.svg", "icons/workbench-256.png",
                    "_internal/workbench/resources/fonts/NotoSans-Regular.ttf",
                    "_internal/workbench/resources/clauses/SE/sv.json",
                    "_internal/workbench/resources/reference_budgets/DK.json",
                    "_internal/workbench/translations/da/LC_MESSAGES/workbench.po",
                    "_internal/PySide6/Qt/translations/qtbase_fi.qm"):
        assert (bundle / shipped).exists(), shipped
    smoke = subprocess.run(["bash", "packaging/smoke_test.sh", str(bundle)], cwd=ROOT,
                           capture_output=True, text=True, timeout=600, check=False)
    assert smoke.returncode == 0, smoke.stdout[-3000:] + smoke.stderr[-3000:]
    assert "Smoke test passed" in smoke.stdout
    version = subprocess.run([str(bundle / "workbench"), "--version"], env={"PATH": "/usr/bin"},
                             capture_output=True, text=True, check=True).stdout
    assert version.startswith("workbench ") and "+source" not in version


def test_the_desktop_entry_is_valid():
    result = subprocess.run(["desktop-file-validate",
                             str(ROOT / "packaging" / "housing-advice-workbench.desktop")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
