#!/usr/bin/env bash
# `npm run screenshots`: builds the console, then retakes the README's
# screenshots (test/readme-screenshots.ts) inside the same private D-Bus session
# with a throw-away gnome-keyring and HOME/XDG_* in a temp dir that `npm test`
# uses, so the developer's own keychain and workspace are never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

source test/private-session.sh
require_session_deps "npm run screenshots"

echo "== build"; npm run --silent build >/dev/null
echo "== screenshots (private D-Bus session + gnome-keyring)"
# The workspace path shows in the console's top bar: a name that says what it is.
LATCHKEY_SESSION_PREFIX=latchkey-demo run_in_private_session node --import tsx "$root/test/readme-screenshots.ts"
