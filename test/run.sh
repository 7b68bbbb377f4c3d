#!/usr/bin/env bash
# `npm test`: typecheck, lint, build, then unit + integration + end-to-end tests.
# Integration tests use the real OS keychain: a private gnome-keyring inside a
# private D-Bus session that this script starts, with HOME and XDG_* pointed at
# a temp dir so the developer's own keychain is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

missing=()
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null || missing+=(chromium)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
command -v dbus-run-session >/dev/null || missing+=(dbus-x11)
{ ldconfig -p 2>/dev/null | grep -q 'libsecret-1\.so'; } || missing+=(libsecret-1-0)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "npm test: installing ${missing[*]} (Debian, running as root)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "npm test: missing ${missing[*]}. Install them first, e.g. on Debian/Ubuntu: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== build"; npm run --silent build >/dev/null

mkdir -p test-results
tmp=$(mktemp -d -t latchkey-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/run" "$tmp/data" "$tmp/config" "$tmp/cache"
chmod 700 "$tmp/run"
export LATCHKEY_TEST_TMP="$tmp" LATCHKEY_REPO="$root"
export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"

echo "== tests (private D-Bus session + gnome-keyring)"
status=0
dbus-run-session -- bash -c '
  echo -n latchkey-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  "$LATCHKEY_REPO/node_modules/.bin/vitest" run --reporter=default --reporter=json --outputFile.json="$LATCHKEY_REPO/test-results/vitest.json" "$@"
' bash "$@" 2> >(grep -v "Failed to set fd limit" >&2) || status=$?

# One plain closing line, whatever the runner printed above.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  // A file that fails to load has no failed tests of its own; count it as a failure all the same.
  const brokenFiles = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped`);
' "$root/test-results/vitest.json" || true
exit $status
