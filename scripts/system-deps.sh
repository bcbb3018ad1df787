#!/bin/sh
# Make sure the system libraries the kiosk needs are present (Debian/Ubuntu).
#   system-deps.sh test   what the test suite and the offscreen demo need
#   system-deps.sh run    the same, plus the X11/xcb libraries a real window needs
# As root, missing packages are installed; otherwise the one apt command is printed.
set -eu
mode=${1:-test}
missing=""

need_lib() {  # $1 = shared library, $2 = Debian package that ships it
    if ! ldconfig -p 2>/dev/null | grep -q "$1"; then missing="$missing $2"; fi
}

need_lib libGL.so.1 libgl1
need_lib libEGL.so.1 libegl1
need_lib libxkbcommon.so.0 libxkbcommon0
need_lib libfontconfig.so.1 libfontconfig1
need_lib libglib-2.0.so.0 libglib2.0-0
need_lib libdbus-1.so.3 libdbus-1-3
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing="$missing fonts-noto-cjk"
python3 -c 'import ensurepip, venv' 2>/dev/null || missing="$missing python3-venv"
if [ "$mode" = test ]; then
    # The printer tests run a private cupsd (browsing off, loopback only) with a PDF queue.
    command -v cupsd >/dev/null 2>&1 || [ -x /usr/sbin/cupsd ] || missing="$missing cups"
    [ -e /usr/lib/cups/backend/cups-pdf ] || missing="$missing printer-driver-cups-pdf"
    # The hub tests run against a private PostgreSQL cluster on 127.0.0.1 as well as SQLite.
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
    # The hub console is tested in a real browser: Debian's Chromium and its WebDriver.
    [ -x /usr/bin/chromium ] || missing="$missing chromium"
    [ -x /usr/bin/chromedriver ] || missing="$missing chromium-driver"
fi

if [ "$mode" = run ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    need_lib libxcb-cursor.so.0 libxcb-cursor0
    need_lib libxcb-icccm.so.4 libxcb-icccm4
    need_lib libxcb-keysyms.so.1 libxcb-keysyms1
    need_lib libxcb-image.so.0 libxcb-image0
    need_lib libxcb-render-util.so.0 libxcb-render-util0
    need_lib libxcb-shape.so.0 libxcb-shape0
    need_lib libxcb-randr.so.0 libxcb-randr0
    need_lib libxkbcommon-x11.so.0 libxkbcommon-x11-0
fi

[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "Lobby Kiosk needs these system packages. Install them with:"
    echo "    sudo apt-get install -y$missing"
    exit 1
fi
