#!/usr/bin/env bash
# Build dist/workbench/, a one-folder bundle that runs without Python, from a clean clone.
# It makes its own build environment in build/venv; nothing else on the machine is used.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv build/venv
build/venv/bin/pip install -q --upgrade pip
build/venv/bin/pip install -q . "pyinstaller>=6.5,<7"
rm -rf dist/workbench build/workbench
build/venv/bin/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
    packaging/workbench.spec
# The menu entry, its icons and the script that installs them travel with the bundle.
mkdir -p dist/workbench/icons
cp resources/icons/*.svg resources/icons/*.png dist/workbench/icons/
cp packaging/housing-advice-workbench.desktop packaging/install-desktop-entry.sh dist/workbench/
echo "Built $(du -sh dist/workbench | cut -f1) in dist/workbench/"
