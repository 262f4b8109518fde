#!/bin/sh
# meson install script: put the example config at its place unless a file is already there.
# Usage: install-config.sh SOURCE DEST (DEST absolute; $DESTDIR, if any, is prepended).
set -eu
src=$1
dest=${DESTDIR:-}$2
if [ -e "$dest" ] || [ -L "$dest" ]; then
        [ -n "${MESON_INSTALL_QUIET:-}" ] || echo "Keeping existing $dest"
        exit 0
fi
mkdir -p "$(dirname "$dest")"
tmp=$(mktemp "$dest.XXXXXX")
cp "$src" "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$dest"
[ -n "${MESON_INSTALL_QUIET:-}" ] || echo "Installing $src to $dest"
