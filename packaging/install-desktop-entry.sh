#!/usr/bin/env bash
# Put the program in the desktop menu: for this user (default) or, with --system, for all.
# Run from the unpacked bundle (dist/workbench) or give its folder as the first argument.
set -euo pipefail
system=false
if [ "${1:-}" = "--system" ]; then system=true; shift; fi
bundle=$(cd "${1:-$(dirname "$0")}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
if $system; then
  prefix=/usr/local; apps=/usr/share/applications; icons=/usr/share/icons/hicolor
  ln -sf "$bundle/workbench" "$prefix/bin/workbench"
else
  prefix="$HOME/.local"; apps="$prefix/share/applications"; icons="$prefix/share/icons/hicolor"
  mkdir -p "$prefix/bin"; ln -sf "$bundle/workbench" "$prefix/bin/workbench"
fi
mkdir -p "$apps"
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$icons/${size}x${size}/apps"
  install -m 0644 "$here/icons/workbench-$size.png" \
    "$icons/${size}x${size}/apps/housing-advice-workbench.png"
done
mkdir -p "$icons/scalable/apps"
install -m 0644 "$here/icons/workbench.svg" "$icons/scalable/apps/housing-advice-workbench.svg"
install -m 0644 "$here/housing-advice-workbench.desktop" "$apps/"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "Installed the menu entry in $apps"
