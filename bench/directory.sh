#!/usr/bin/env bash
# Directory benchmark (not a test): 100,000 mailboxes in one domain, then
#   * the mailbox list's server time for one page (GET /api/v1/mailboxes runs the same MailboxDirectory
#     query as the console's grid): first page, a deep page with another sort, and two searches;
#   * the time to compile, publish and apply an engine snapshot of all of them (EnginePushJob's own
#     measure, /api/v1/engine/status lastPushMilliseconds) after a change;
#   * the console process's resident memory (VmRSS now, VmHWM peak).
# Goals from the issue: a page under 100 ms, a snapshot under 1 s.
#   bench/directory.sh [MAILBOXES]      (default 100000; the seed is kept between runs)
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
COUNT="${1:-100000}"
BASE="$LOCAL/bench-directory"
PORT=5090
ensure_base
ensure_packages curl jq
ensure_database adminconsole_bench
export_app_env
export Database__Name=adminconsole_bench

mkdir -p "$BASE"
log "publishing"
(cd "$ROOT" && dotnet publish src/AdminCtl -c Release -o "$BASE/adminctl" --nologo -v quiet >/dev/null)
(cd "$ROOT" && dotnet publish src/AdminConsole.Web -c Release -o "$BASE/app" --nologo -v quiet >/dev/null)
"$BASE/adminctl/adminctl" migrate >/dev/null

# Each mailbox gets its own hash of the real shape and length (random salt and digest, as Argon2id
# gives them): identical hashes would compress away and flatter the snapshot figures.
have="$(psql_super -d adminconsole_bench -At -c "SELECT count(DISTINCT password_hash) FROM mailboxes")"
if [ "$have" -lt "$COUNT" ]; then
  log "seeding $COUNT mailboxes"
  psql_super -d adminconsole_bench <<SQL
DELETE FROM mailboxes; DELETE FROM mail_domains WHERE name = 'bench.test';
INSERT INTO mail_domains (id, name, default_quota_bytes, max_message_bytes, created_at, updated_at)
  VALUES (gen_random_uuid(), 'bench.test', 10737418240, 26214400, now(), now());
INSERT INTO mailboxes (id, domain_id, local_part, address, display_name, password_hash, quota_bytes, enabled, created_at, updated_at)
  SELECT gen_random_uuid(), d.id, 'user' || n, 'user' || n || '@bench.test', 'Bench User ' || n,
         '{ARGON2ID}\$argon2id\$v=19\$m=65536,t=3,p=1\$' || translate(encode(decode(md5(random()::text), 'hex'), 'base64'), '=', '')
           || '\$' || translate(encode(sha256(random()::text::bytea), 'base64'), '=', ''),
         10737418240, true, now() - (n || ' seconds')::interval, now()
  FROM mail_domains d, generate_series(1, $COUNT) n WHERE d.name = 'bench.test';
ANALYZE mailboxes;
SQL
fi

log "starting the console on 127.0.0.1:$PORT"
env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$PORT" Logging__LogLevel__Default=Warning "Logging__LogLevel__AdminConsole.Core.Engine=Information" \
  Engine__StateDirectory="$BASE/engine" Engine__MaildirRoot="$BASE/mail" \
  Engine__Mx__Port=2535 Engine__Submission__Port=2597 Engine__Submissions__Port=2475 \
  Engine__Imap__Listener__Port=2153 Engine__Imap__ImplicitTls__Port=3003 \
  "$BASE/app/AdminConsole.Web" --contentRoot "$BASE/app" >"$BASE/console.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
TOKEN="$("$BASE/adminctl/adminctl" token create "bench-$(date +%s%N)" | tail -1)"
api() { curl -sf -H "Authorization: Bearer $TOKEN" "$@"; }

# Wait for the start-up push of all mailboxes to be applied.
for _ in $(seq 300); do [ "$(api "http://127.0.0.1:$PORT/api/v1/engine/status" | jq -r .inSync)" = true ] && break; sleep 0.5; done

# time_page LABEL QUERY: median and 95th percentile of 30 requests, after 5 warm-up requests.
time_page() {
  local label="$1" query="$2" times
  for _ in $(seq 5); do api -o /dev/null "http://127.0.0.1:$PORT/api/v1/mailboxes?$query"; done
  times="$(for _ in $(seq 30); do api -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/v1/mailboxes?$query"; done | sort -n)"
  printf '  %-44s median %6.1f ms   p95 %6.1f ms   (total %s)\n' "$label" \
    "$(echo "$times" | sed -n 15p | awk '{print $1*1000}')" "$(echo "$times" | sed -n 29p | awk '{print $1*1000}')" \
    "$(api "http://127.0.0.1:$PORT/api/v1/mailboxes?${query/limit=25/limit=1}" | jq .total)"
}

echo "mailbox list, 25 per page, $COUNT mailboxes (curl over loopback, token auth included):"
time_page "first page, by address" "limit=25"
time_page "page 2001, newest first" "offset=50000&limit=25&sort=-createdAt"
time_page "search 'user4242', by display name" "q=user4242&limit=25&sort=displayName"
time_page "search 'bench user 9', by quota" "q=bench%20user%209&limit=25&sort=-quotaBytes"

echo "snapshot compile + publish + apply after a change ($COUNT mailboxes):"
pushes=()
for i in $(seq 8); do
  before="$(api "http://127.0.0.1:$PORT/api/v1/engine/status" | jq -r .lastPushAt)"
  api -o /dev/null -X PATCH -H 'Content-Type: application/json' -d "{\"displayName\":\"Bench run $i $(date +%s%N)\"}" "http://127.0.0.1:$PORT/api/v1/mailboxes/user1@bench.test"
  for _ in $(seq 600); do
    status="$(api "http://127.0.0.1:$PORT/api/v1/engine/status")"
    [ "$(echo "$status" | jq -r .lastPushAt)" != "$before" ] && break; sleep 0.1
  done
  ms="$(echo "$status" | jq -r .lastPushMilliseconds)"; pushes+=("$ms")
  printf '  push %d: %s ms (version %s applied: %s)\n' "$i" "$ms" "$(echo "$status" | jq -r .desiredVersion)" "$(echo "$status" | jq -r .inSync)"
done
printf '  median %s ms, slowest %s ms\n' "$(printf '%s\n' "${pushes[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}')" \
  "$(printf '%s\n' "${pushes[@]}" | sort -n | tail -1)"


echo "phases of the last pushes (console log):"
grep -o 'Push of version [0-9]*: compiled by .*' "$BASE/console.log" | tail -5 | sed 's/^/  /'

printf 'console resident memory: now %s MiB, peak %s MiB\n' \
  "$(awk '/^VmRSS/{printf "%.0f", $2/1024}' /proc/$PID/status)" "$(awk '/^VmHWM/{printf "%.0f", $2/1024}' /proc/$PID/status)"
