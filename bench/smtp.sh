#!/usr/bin/env bash
# SMTP throughput benchmark (not a test): Postfix's smtp-source sends N messages of 10 KB over 20
# sessions to (1) our engine node with durable spooling and Maildir delivery and (2) a private
# Postfix instance delivering to Maildir on the same machine. For each: messages/s from the first
# connection until the last message is in the Maildir, and the peak resident memory (ours: the node
# process; Postfix: the sum over all its processes, sampled every 100 ms; shared library pages count once
# per Postfix process, which favours us somewhat). Then the ratios.
#   bench/smtp.sh [MESSAGES]        (default 3000)
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
MESSAGES="${1:-3000}"
BASE="$LOCAL/bench"
PEERS="$ROOT/../shared/bench-peers"
NODE_PORT=2527; CONTROL_PORT=8027; POSTFIX_PORT=2526

ensure_packages postfix curl
ensure_dotnet
id benchmail >/dev/null 2>&1 || as_root useradd -r -M -d /nonexistent -s /usr/sbin/nologin benchmail
BUID="$(id -u benchmail)"; BGID="$(id -g benchmail)"

rm -rf "$BASE"; mkdir -p "$BASE"/{postfix,pf-queue,pf-data,logs,mail,node,credentials}
log "publishing the engine node"
# SMTP_BENCH_R2R=1 publishes it ReadyToRun (as imap.sh does): what a server that is not JIT-compiling
# its first minutes would do; deploy/run.sh does not publish ReadyToRun (yet).
(cd "$ROOT" && dotnet publish src/MailEngine.Server -c Release ${SMTP_BENCH_R2R:+-r linux-x64 --self-contained false -p:PublishReadyToRun=true} -o "$BASE/bin" --nologo -v quiet >/dev/null)

# --- our engine node ---------------------------------------------------------------------------
(umask 077; head -c 24 /dev/urandom | base64 -w0 > "$BASE/credentials/engine-control-token"
 head -c 32 /dev/urandom | base64 -w0 > "$BASE/credentials/engine-state-key")
Engine__StateDirectory="$BASE/node/state" Engine__MaildirRoot="$BASE/node/mail" Engine__HostName=mx.bench.test \
Engine__Mx__Port=$NODE_PORT Engine__Submission__Enabled=false Engine__Submissions__Enabled=false \
Engine__Control__Url="http://127.0.0.1:$CONTROL_PORT" Credentials__Directory="$BASE/credentials" \
Logging__LogLevel__Default=Warning DOTNET_gcServer=0 \
  setsid "$BASE/bin/mailengine-node" --contentRoot "$BASE/node" >"$BASE/logs/node.log" 2>&1 &
NODE_PID=$!  # its own session (setsid): "postfix start" signals the process group it was started from
cleanup() { kill "$NODE_PID" 2>/dev/null; postfix -c "$BASE/postfix" stop >/dev/null 2>&1 || true; }
# Only the main shell cleans up: subshells (command substitutions) must not stop the servers mid-run.
trap '[ "$BASHPID" = "$$" ] && cleanup' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$CONTROL_PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -X PUT "http://127.0.0.1:$CONTROL_PORT/control/snapshot" -H "Authorization: Bearer $(cat "$BASE/credentials/engine-control-token")" \
  -H 'Content-Type: application/json' -d '{"version":1,"compiledAt":"2026-01-01T00:00:00Z",
  "domains":[{"name":"bench.test","maxMessageBytes":26214400}],
  "mailboxes":[{"address":"user0@bench.test","passwordHash":"{ARGON2ID}x","quotaBytes":1099511627776,"enabled":true}],
  "policy":{"trustedNetworks":["127.0.0.0/8"],"maxMessageBytes":26214400,"maxRecipientsPerMessage":100}}' >/dev/null
# The listeners open before the spam rules compile; the run starts when they are (as a warm server).
for _ in $(seq 1200); do curl -sf "http://127.0.0.1:$CONTROL_PORT/healthz" | grep -q '"scanner":"ready"' && break; sleep 0.1; done

# --- Postfix ------------------------------------------------------------------------------------
# The template's ids are replaced in one pass (in sequence, the gid substitution could rewrite the uid just written).
sed "s|@BASE@|$BASE|g; s|static:999|static:@BUID@|; s|static:995|static:@BGID@|" "$PEERS/postfix-main.cf" | sed "s|@BUID@|$BUID|; s|@BGID@|$BGID|" > "$BASE/postfix/main.cf"
sed "s|@BASE@|$BASE|g; s|127.0.0.1:2526|127.0.0.1:$POSTFIX_PORT|" "$PEERS/postfix-master.cf" > "$BASE/postfix/master.cf"
echo "user0@bench.test bench.test/user0/" > "$BASE/postfix/vmailbox"
postmap -c "$BASE/postfix" "hash:$BASE/postfix/vmailbox"
chown postfix:postfix "$BASE/pf-data"; chmod 700 "$BASE/pf-data"
mkdir -p "$BASE/mail/bench.test"; chown -R benchmail:benchmail "$BASE/mail"
postfix -c "$BASE/postfix" check >/dev/null 2>&1 || true
postfix -c "$BASE/postfix" start >/dev/null 2>&1

# rss_of PIDS...: summed VmRSS (kB) of the given processes.
# A process that exits between pgrep and the read counts 0 (awk on a missing file prints nothing).
rss_of() { local t=0 p kb; for p in "$@"; do kb="$(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null)"; t=$((t + ${kb:-0})); done; echo "$t"; }
postfix_pids() { local master; master="$(head -1 "$BASE/pf-queue/pid/master.pid" 2>/dev/null | tr -d ' ')"; [ -n "$master" ] && echo "$master" $(pgrep -P "$master"); }

# run NAME PORT MAILDIR PIDS_COMMAND: prints "msgs/s peak_rss_kB".
run() {
  local name="$1" port="$2" maildir="$3" pids_cmd="$4" peak=0 start end count
  rm -rf "$maildir"
  start=$(date +%s.%N)
  smtp-source -s 20 -l 10240 -m "$MESSAGES" -f s@bench.test -t user0@bench.test "127.0.0.1:$port" &
  local src=$!
  while :; do
    local rss; rss="$(rss_of $($pids_cmd))"; [ "$rss" -gt "$peak" ] && peak=$rss
    count=$( (find "$maildir" -type f 2>/dev/null || true) | wc -l)
    if [ "$count" -ge "$MESSAGES" ] && ! kill -0 $src 2>/dev/null; then break; fi
    sleep 0.1
  done
  end=$(date +%s.%N)
  wait $src || true
  awk -v n="$MESSAGES" -v s="$start" -v e="$end" -v p="$peak" -v name="$name" \
    'BEGIN { printf "%-8s %6d messages in %6.2f s = %7.1f msg/s, peak RSS %7.1f MiB\n", name, n, e - s, n / (e - s), p / 1024 > "/dev/stderr"; printf "%.1f %d\n", n / (e - s), p }'
}

log "warming up both servers (200 messages each, not counted)"
MESSAGES_SAVED=$MESSAGES; MESSAGES=200
run warmup $NODE_PORT "$BASE/node/mail/bench.test/user0/Maildir/new" "echo $NODE_PID" >/dev/null
run warmup $POSTFIX_PORT "$BASE/mail/bench.test/user0/new" postfix_pids >/dev/null
MESSAGES=$MESSAGES_SAVED

log "sending $MESSAGES messages of 10 KB over 20 sessions to each"
read -r ours_rate ours_rss < <(run engine $NODE_PORT "$BASE/node/mail/bench.test/user0/Maildir/new" "echo $NODE_PID")
read -r pf_rate pf_rss < <(run postfix $POSTFIX_PORT "$BASE/mail/bench.test/user0/new" postfix_pids)
awk -v a="$ours_rate" -v b="$pf_rate" -v c="$ours_rss" -v d="$pf_rss" \
  'BEGIN { printf "ratio: throughput engine/postfix = %.2f, peak memory engine/postfix = %.2f\n", a / b, c / d }'
