"""A non-editable install carries the migrations, resources and translations it needs."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_holds_resources_translations_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("workbench/resources/demo/FI.json", "workbench/resources/demo/DK.json",
                     "workbench/translations/fi/LC_MESSAGES/workbench.po",
                     "workbench/translations/da/LC_MESSAGES/workbench.po",
                     "workbench/store/migrations/0001_initial.sql"):
        assert expected in names


def test_the_installed_package_runs_from_anywhere(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    probe = (
        "import workbench, workbench.paths as p, workbench.i18n as i;"
        "from workbench.demo.people import vocabulary;"
        f"assert str(p.resources_dir()).startswith({str(target)!r}), p.resources_dir();"
        "assert vocabulary('SE').surnames;"
        "i.set_language('sv'); print(i._('The passphrase is wrong.'))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() not in ("", "The passphrase is wrong.")
