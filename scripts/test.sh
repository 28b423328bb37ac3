#!/usr/bin/env bash
# The whole test suite, as the README and .ci/run run it:
#   unit + database tests (PGlite and PostgreSQL), a production build, HTTP integration tests against
#   the running server on PostgreSQL and on PGlite, and real clients (skopeo, podman, buildah, umoci,
#   docker CLI) against it, and the browser tests (Playwright driving Debian's chromium).
# Installs the Debian packages it needs when they are missing (as root) and starts its own throwaway
# PostgreSQL unless TEST_POSTGRES_URL points at one. Set SKIP_BUILD=1 to skip the explicit build step (the test harness and the Playwright web server
# still rebuild a missing or stale build: scripts/build-freshness.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

need=()
command -v skopeo >/dev/null || need+=(skopeo)
command -v podman >/dev/null || need+=(podman)
command -v buildah >/dev/null || need+=(buildah)
command -v umoci >/dev/null || need+=(umoci)
command -v docker-registry >/dev/null || need+=(docker-registry)
# docker.io: the Docker CLI, and dockerd for e2e/clients/docker-search.test.ts (the CLI alone may come from elsewhere).
{ command -v docker && command -v dockerd; } >/dev/null || need+=(docker.io)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v chromium >/dev/null || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${need[*]} (run as root or: sudo apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  echo "==> installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

results=$(mktemp -d /tmp/registry-test-results.XXXXXX)
pgdir=""
cleanup() { [ -n "$pgdir" ] && scripts/throwaway-postgres.sh stop "$pgdir"; rm -rf "$results"; }
trap cleanup EXIT

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  echo "==> starting a throwaway PostgreSQL"
  eval "$(scripts/throwaway-postgres.sh)"
  pgdir=$PGDIR
fi
export TEST_POSTGRES_URL

run_vitest() { # name config [env...]
  local name=$1 config=$2; shift 2
  echo "==> $name"
  env "$@" npx vitest run --config "$config" --reporter=default --reporter=json --outputFile="$results/$name.json"
}

run_vitest unit vitest.config.ts
if [ -z "${SKIP_BUILD:-}" ]; then echo "==> build"; npm run build; fi
run_vitest integration-postgres vitest.integration.config.ts TEST_DATABASE=postgres
run_vitest integration-pglite vitest.integration.config.ts TEST_DATABASE=pglite
run_vitest clients vitest.clients.config.ts TEST_DATABASE=postgres
echo "==> browser (Playwright, Debian chromium)"
# A free port unless one is given, so suites running side by side on one machine do not collide.
E2E_PORT="${E2E_PORT:-$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })')}" \
  PLAYWRIGHT_JSON_OUTPUT_NAME="$results/browser.playwright.json" npx playwright test

node -e '
  const fs = require("fs"); let passed = 0, failed = 0, skipped = 0
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"))
    if (f.endsWith(".playwright.json")) {
      passed += r.stats.expected + r.stats.flaky; failed += r.stats.unexpected; skipped += r.stats.skipped
    } else {
      passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests
    }
  }
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`)
  process.exit(failed > 0 ? 1 : 0)' "$results"
