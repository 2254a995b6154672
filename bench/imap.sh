#!/usr/bin/env bash
# IMAP benchmark (not a test): one mailbox of N messages (default 10,000, generated the same for
# both), served by (1) our engine node and (2) a private Dovecot (Debian dovecot-imapd) on a copy of
# the same Maildir. Both over implicit TLS, both verifying the same bcrypt hash at cost 5 (~2 ms): our
# engine caches verified logins, Dovecot's passwd-file passdb does not, and with the product's
# Argon2id (64 MiB per verification) Dovecot would spend the mixed workload hashing and we would show
# 64 MiB of peak memory that is the hash, not IMAP. One client (bench/ImapLoad, raw IMAP) measures, for each server:
#   cold   LOGIN, SELECT INBOX, FETCH 1:* (FLAGS ENVELOPE) with no index yet (the first open; the
#          messages are in new/ as an MTA left them, and both servers move them to cur/)
#   warm   the same again (median of 5)
#   search SEARCH FROM, SUBJECT, UNSEEN, BODY (median of 3 each)
#   mixed  20 concurrent sessions x 20 rounds of connect, login, SELECT, FETCH 10 bodies,
#          STORE \Seen, SEARCH UNSEEN, NOOP, LOGOUT
# after a warm-up on a second mailbox (so that the .NET JIT is not counted as "cold"),
# and the peak resident memory (sum over the server's processes, sampled every 100 ms).
# Then the ratios (ours / Dovecot: below 1 is faster or smaller).
#   bench/imap.sh [MESSAGES]
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
MESSAGES="${1:-10000}"
BASE="$LOCAL/bench-imap"
PEERS="$ROOT/../shared/bench-peers"
NODE_IMAPS=2994; NODE_CONTROL=8028; DOVECOT_IMAPS=2995
PASSWORD=bench-password-1

echo "dovecot-core dovecot-core/create-ssl-cert boolean false" | as_root debconf-set-selections
ensure_packages dovecot-imapd openssl curl
ensure_dotnet
id benchmail >/dev/null 2>&1 || as_root useradd -r -M -d /nonexistent -s /usr/sbin/nologin benchmail
BUID="$(id -u benchmail)"; BGID="$(id -g benchmail)"

rm -rf "$BASE"; mkdir -p "$BASE"/{logs,node,credentials,dovecot/run,dovecot/state,seed}
log "publishing the engine node and the load client"
# ReadyToRun, as a production build would be: the first SELECT of a folder runs precompiled code, not tier-0 JIT.
(cd "$ROOT" && dotnet publish src/MailEngine.Server -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$BASE/bin" --nologo -v quiet >/dev/null)
(cd "$ROOT" && dotnet publish bench/ImapLoad -c Release -o "$BASE/load" --nologo -v quiet >/dev/null)
LOAD="$BASE/load/ImapLoad"

log "generating $MESSAGES messages"
"$LOAD" generate "$BASE/seed/Maildir" "$MESSAGES"
"$LOAD" generate "$BASE/seed-warmup/Maildir" 300
du -sh "$BASE/seed/Maildir" | awk '{print "mailbox size: " $1}' >&2
HASH="$(doveadm pw -s BLF-CRYPT -r 5 -p "$PASSWORD")"

# --- our engine node ---------------------------------------------------------------------------
mkdir -p "$BASE/node/mail/bench.test/user0" "$BASE/node/mail/bench.test/warmup"
cp -a "$BASE/seed/Maildir" "$BASE/node/mail/bench.test/user0/Maildir"
cp -a "$BASE/seed-warmup/Maildir" "$BASE/node/mail/bench.test/warmup/Maildir"
(umask 077; head -c 24 /dev/urandom | base64 -w0 > "$BASE/credentials/engine-control-token"
 head -c 32 /dev/urandom | base64 -w0 > "$BASE/credentials/engine-state-key")
Engine__StateDirectory="$BASE/node/state" Engine__MaildirRoot="$BASE/node/mail" Engine__HostName=mx.bench.test \
Engine__Mx__Enabled=false Engine__Submission__Enabled=false Engine__Submissions__Enabled=false \
Engine__Imap__Listener__Enabled=false Engine__Imap__ImplicitTls__Port=$NODE_IMAPS \
Engine__Imap__MaxConnectionsPerUserAndAddress=100 \
Engine__Control__Url="http://127.0.0.1:$NODE_CONTROL" Credentials__Directory="$BASE/credentials" \
Logging__LogLevel__Default=Warning DOTNET_gcServer=0 \
  setsid "$BASE/bin/mailengine-node" --contentRoot "$BASE/node" >"$BASE/logs/node.log" 2>&1 &
NODE_PID=$!

# --- Dovecot -------------------------------------------------------------------------------------
mkdir -p "$BASE/dovecot-mail" "$BASE/dovecot-warmup"
cp -a "$BASE/seed/Maildir" "$BASE/dovecot-mail/Maildir"
cp -a "$BASE/seed-warmup/Maildir" "$BASE/dovecot-warmup/Maildir"
chown -R benchmail:benchmail "$BASE/dovecot-warmup"
chown -R benchmail:benchmail "$BASE/dovecot-mail"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -keyout "$BASE/dovecot/key.pem" -out "$BASE/dovecot/cert.pem" 2>/dev/null
{ echo "user0@bench.test:$HASH:$BUID:$BGID::$BASE/dovecot-mail::userdb_mail=maildir:$BASE/dovecot-mail/Maildir"
  echo "warmup@bench.test:$HASH:$BUID:$BGID::$BASE/dovecot-warmup::userdb_mail=maildir:$BASE/dovecot-warmup/Maildir"; } > "$BASE/dovecot/users"
# Self-contained (not Debian's conf.d), after ../shared/bench-peers/dovecot.conf, with TLS and an auth cache.
cat > "$BASE/dovecot/dovecot.conf" <<CONF
instance_name = dovecot-bench-imap
base_dir = $BASE/dovecot/run
state_dir = $BASE/dovecot/state
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$BASE/dovecot/cert.pem
ssl_key = <$BASE/dovecot/key.pem
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
log_path = $BASE/logs/dovecot.log
info_log_path = $BASE/logs/dovecot-info.log
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 100
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = username_format=%u $BASE/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $BASE/dovecot/users
}
protocol imap {
  mail_max_userip_connections = 100  # as the engine's MaxConnectionsPerUserAndAddress above: 20 sessions of one user
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DOVECOT_IMAPS
    ssl = yes
  }
}
CONF
dovecot -c "$BASE/dovecot/dovecot.conf"

cleanup() { kill "$NODE_PID" 2>/dev/null; [ -f "$BASE/dovecot/run/master.pid" ] && kill "$(cat "$BASE/dovecot/run/master.pid")" 2>/dev/null; kill "$SAMPLER" 2>/dev/null; true; }
trap '[ "$BASHPID" = "$$" ] && cleanup' EXIT

for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NODE_CONTROL/healthz" >/dev/null && break; sleep 0.1; done
json_escape() { sed 's/\\/\\\\/g; s/"/\\"/g'; }
curl -sf -X PUT "http://127.0.0.1:$NODE_CONTROL/control/snapshot" -H "Authorization: Bearer $(cat "$BASE/credentials/engine-control-token")" \
  -H 'Content-Type: application/json' -d "{\"version\":1,\"compiledAt\":\"2026-01-01T00:00:00Z\",
  \"domains\":[{\"name\":\"bench.test\",\"maxMessageBytes\":26214400}],
  \"mailboxes\":[{\"address\":\"user0@bench.test\",\"passwordHash\":\"$(printf '%s' "$HASH" | json_escape)\",\"quotaBytes\":1099511627776,\"enabled\":true},
                 {\"address\":\"warmup@bench.test\",\"passwordHash\":\"$(printf '%s' "$HASH" | json_escape)\",\"quotaBytes\":1099511627776,\"enabled\":true}],
  \"policy\":{\"trustedNetworks\":[],\"maxMessageBytes\":26214400,\"maxRecipientsPerMessage\":100}}" >/dev/null
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$DOVECOT_IMAPS) 2>/dev/null && break; sleep 0.1; done

# Peak resident memory: every 100 ms, the summed VmRSS of each server's process tree.
tree_of() { local p=$1; echo "$p"; for c in $(pgrep -P "$p"); do tree_of "$c"; done; }
rss_of() { local t=0 p v; for p in "$@"; do v=$(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null); t=$((t + ${v:-0})); done; echo "$t"; }
DOVECOT_MASTER="$(cat "$BASE/dovecot/run/master.pid")"
(
  node_peak=0; dove_peak=0
  while :; do
    n=$(rss_of $(tree_of "$NODE_PID")); d=$(rss_of $(tree_of "$DOVECOT_MASTER"))
    [ "$n" -gt "$node_peak" ] && node_peak=$n; [ "$d" -gt "$dove_peak" ] && dove_peak=$d
    echo "$node_peak $dove_peak" > "$BASE/peaks"
    sleep 0.1
  done
) &
SAMPLER=$!

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
measure() { # NAME PORT -> prints a line of figures: cold warm from subject unseen body mixed
  local name=$1 port=$2 cold warm q mixed
  "$LOAD" 127.0.0.1 "$port" warmup@bench.test "$PASSWORD" fetch >/dev/null
  "$LOAD" 127.0.0.1 "$port" warmup@bench.test "$PASSWORD" search 'FROM "user1"' 'BODY "ostrich"' UNSEEN >/dev/null
  "$LOAD" 127.0.0.1 "$port" warmup@bench.test "$PASSWORD" mixed 4 5 >/dev/null
  cold=$("$LOAD" 127.0.0.1 "$port" user0@bench.test "$PASSWORD" fetch)
  [ "$(echo "$cold" | cut -d' ' -f2)" = "$MESSAGES" ] || { echo "$name answered $(echo "$cold" | cut -d' ' -f2) FETCH responses, not $MESSAGES" >&2; exit 1; }
  "$LOAD" 127.0.0.1 "$port" user0@bench.test "$PASSWORD" seen
  warm=$(for _ in 1 2 3 4 5; do "$LOAD" 127.0.0.1 "$port" user0@bench.test "$PASSWORD" fetch | cut -d' ' -f1; done | median)
  local searches=()
  for q in 'FROM "user17@"' 'SUBJECT "invoice"' 'UNSEEN' 'BODY "ostrich"'; do
    searches+=("$(for _ in 1 2 3; do "$LOAD" 127.0.0.1 "$port" user0@bench.test "$PASSWORD" search "$q" | cut -d' ' -f1; done | median)")
  done
  mixed=$("$LOAD" 127.0.0.1 "$port" user0@bench.test "$PASSWORD" mixed 20 20 | cut -d' ' -f1)
  echo "$(echo "$cold" | cut -d' ' -f1) $warm ${searches[*]} $mixed"
}

log "measuring our engine"
read -r o_cold o_warm o_from o_subject o_unseen o_body o_mixed < <(measure engine $NODE_IMAPS)
log "measuring Dovecot"
read -r d_cold d_warm d_from d_subject d_unseen d_body d_mixed < <(measure dovecot $DOVECOT_IMAPS)
# Same answers from both: the hit counts of each search.
for q in 'FROM "user17@"' 'BODY "ostrich"' 'UNSEEN'; do
  a=$("$LOAD" 127.0.0.1 $NODE_IMAPS user0@bench.test "$PASSWORD" search "$q" | cut -d' ' -f2)
  b=$("$LOAD" 127.0.0.1 $DOVECOT_IMAPS user0@bench.test "$PASSWORD" search "$q" | cut -d' ' -f2)
  echo "SEARCH $q: engine $a hits, dovecot $b hits" >&2
  [ "$a" = "$b" ] || { echo "the servers disagree" >&2; exit 1; }
done
read -r o_rss d_rss < "$BASE/peaks"

printf '\n%-28s %12s %12s %8s\n' "($MESSAGES messages)" engine dovecot ratio
row() { awk -v n="$1" -v a="$2" -v b="$3" -v u="$4" 'BEGIN { printf "%-28s %10.1f %s %10.1f %s %8.2f\n", n, a, u, b, u, a / b }'; }
row "cold SELECT+FETCH 1:*" "$o_cold" "$d_cold" ms
row "warm SELECT+FETCH 1:*" "$o_warm" "$d_warm" ms
row "SEARCH FROM" "$o_from" "$d_from" ms
row "SEARCH SUBJECT" "$o_subject" "$d_subject" ms
row "SEARCH UNSEEN" "$o_unseen" "$d_unseen" ms
row "SEARCH BODY" "$o_body" "$d_body" ms
row "mixed 20x20 sessions" "$o_mixed" "$d_mixed" ms
row "peak RSS" "$(awk -v k="$o_rss" 'BEGIN{print k/1024}')" "$(awk -v k="$d_rss" 'BEGIN{print k/1024}')" MiB
