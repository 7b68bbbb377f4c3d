#!/usr/bin/env bash
# `npm test`: typecheck, lint, build, then unit + integration + end-to-end tests.
# Integration tests use the real OS keychain: a private gnome-keyring inside a
# private D-Bus session that this script starts, with HOME and XDG_* pointed at
# a temp dir so the developer's own keychain is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

source test/private-session.sh
require_session_deps "npm test"

echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== build"; npm run --silent build >/dev/null

mkdir -p test-results
echo "== tests (private D-Bus session + gnome-keyring)"
status=0
run_in_private_session "$root/node_modules/.bin/vitest" run --reporter=default --reporter=json --outputFile.json="$root/test-results/vitest.json" "$@" || status=$?

# One plain closing line, whatever the runner printed above.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  // A file that fails to load has no failed tests of its own; count it as a failure all the same.
  const brokenFiles = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped`);
' "$root/test-results/vitest.json" || true
exit $status
