#!/bin/sh
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring, so the keychain
# tests use a real Secret Service without touching the user's own keyring. Where there is no
# D-Bus/gnome-keyring (macOS, Windows), the command runs as is, against the OS keychain.
if [ -n "$S3SYNC_TEST_KEYRING" ] || ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  exec "$@"
fi
export S3SYNC_TEST_KEYRING=1
exec dbus-run-session -- sh -c '
  XDG_DATA_HOME=$(mktemp -d) && export XDG_DATA_HOME
  printf %s test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
  "$@"; status=$?
  rm -rf "$XDG_DATA_HOME"
  exit $status' sh "$@"
