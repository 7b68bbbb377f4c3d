# Sourced by test/run.sh (`npm test`) and test/screenshots.sh (`npm run screenshots`):
# what they need installed, and a private D-Bus session with an unlocked
# gnome-keyring, HOME and XDG_* pointed at a temp dir, so the developer's own
# keychain and workspace are never touched.

# Names (or, as root on Debian, installs) what the private session and Chromium need.
# $1: the command to name in messages ("npm test").
require_session_deps() {
  local label=$1
  local missing=()
  [ -x /usr/bin/chromium ] || command -v chromium >/dev/null || missing+=(chromium)
  command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
  command -v dbus-run-session >/dev/null || missing+=(dbus-x11)
  { ldconfig -p 2>/dev/null | grep -q 'libsecret-1\.so'; } || missing+=(libsecret-1-0)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "$label: installing ${missing[*]} (Debian, running as root)"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "$label: missing ${missing[*]}. Install them first, e.g. on Debian/Ubuntu: sudo apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
}

# Runs "$@" in the private session and returns its status. The temp dir
# (LATCHKEY_TEST_TMP, named after LATCHKEY_SESSION_PREFIX, default
# latchkey-test) is removed when the calling script exits; LATCHKEY_REPO is the
# repository root. (Explicit returns: callers use `|| status=$?`, which
# turns `set -e` off in here.)
run_in_private_session() {
  local repo
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
  tmp=$(mktemp -d -t "${LATCHKEY_SESSION_PREFIX:-latchkey-test}-XXXXXX") || return 1
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/home" "$tmp/run" "$tmp/data" "$tmp/config" "$tmp/cache" && chmod 700 "$tmp/run" || return 1
  export LATCHKEY_TEST_TMP="$tmp" LATCHKEY_REPO="$repo"
  export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
  dbus-run-session -- bash -c '
    echo -n latchkey-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    "$@"
  ' bash "$@" 2> >(grep -v "Failed to set fd limit" >&2)
}
