#!/usr/bin/env bash
# Install the Debian packages the tests need (real servers on loopback, Qt's runtime libraries).
# Runs only as root with apt-get; elsewhere the tests that need a package skip and say why.
set -euo pipefail
PACKAGES=(
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core  # Qt offscreen
  desktop-file-utils  # validates packaging/crmsync-gui.desktop
  dovecot-imapd dovecot-pop3d  # real IMAP and POP3 servers on loopback for the connector tests
  postgresql  # a private PostgreSQL cluster on loopback for the store and several-workers tests
)
# Qt's xcb platform plug-in (a window on an X11 desktop); without libxcb-cursor0 Qt names the plug-in, not it
XCB=(libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
     libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1)
if [ "${RUN:-}" = 1 ]; then  # make run: only what the window needs, nothing for the tests
  PACKAGES=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core "${XCB[@]}")
fi
if [ "${SCREENSHOTS:-}" = 1 ]; then  # make screenshots: Qt's xcb plugin on Xvfb
  PACKAGES+=(xvfb openbox "${XCB[@]}"  # openbox: the window manager the console's windows are shot under
             fonts-wqy-microhei)  # CJK glyphs: a demo subject is in Japanese; without it it shows as boxes
fi
if [ "${RUN:-}" = 1 ] && [ "$(id -u)" != 0 ] && command -v dpkg-query >/dev/null; then
  missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "make run: the console's window needs these Debian packages: sudo apt-get install ${missing[*]}"
  fi
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-deps: not root or no apt-get; tests needing ${PACKAGES[*]} will skip if they are missing"
  exit 0
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "system-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
