#!/usr/bin/env bash
# Runs its arguments inside the current D-Bus session with an unlocked gnome-keyring,
# so the keyring integration test meets a real Secret Service. Without gnome-keyring the
# command still runs; that test then skips with the reason.
if command -v gnome-keyring-daemon >/dev/null 2>&1 && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  eval "$(printf 'curator-test\n' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
  export GNOME_KEYRING_CONTROL CURATOR_TEST_SECRET_SERVICE=1
fi
exec "$@"
