#!/usr/bin/env bash
# Spam scanner benchmark (not a test, issue #7), over the SpamAssassin public corpus (6,046 messages):
#  1. messages/s and MB/s per tier (native, SSSE3 baseline, managed), one thread = one core: "full" is
#     parse + analysis + every rule target, as at DATA; "rules only" scans analyses made beforehand;
#  2. the P/Invoke loop against a tiny C loop (gcc + libhyperscan-dev) on the same serialized
#     Hyperscan database (the body rules) and the same buffers;
#  3. rspamd 3.4 (Debian, private config on 127.0.0.1, network checks off) on the same messages with
#     rspamc: messages per CPU-second of its workers;
#  4. accuracy on the same held-out split (70/30 by a hash of the file name): ours (rules + Bayes
#     trained on the 70%) against SpamAssassin 4 (Debian spamassassin + sa-learn on the same 70%,
#     spamd/spamc, network tests off), both at the threshold 5.
#   bench/spam.sh [PASSES]   (default 3)
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
PASSES="${1:-3}"
BASE="$LOCAL/bench/spam"
RSPAMD_PORT=11433; SPAMD_PORT=17830

ensure_base
ensure_packages gcc libhyperscan-dev spamassassin spamd spamc rspamd bc
CORPUS="$(ensure_spam_corpus)"
rm -rf "$BASE"; mkdir -p "$BASE"/{dump,eval,sa/site,rs/db,rs/log,rs/run}
cleanup() {
  [ -f "$BASE/sa/spamd.pid" ] && kill "$(cat "$BASE/sa/spamd.pid")" 2>/dev/null
  # rspamd retitles its processes ("rspamd: main process"), so they are stopped by the pid recorded at
  # start: setsid made it the leader of its own process group, which its workers share.
  [ -n "${RSPAMD_PID:-}" ] && kill -- "-$RSPAMD_PID" 2>/dev/null
  true
}
trap '[ "$BASHPID" = "$$" ] && cleanup' EXIT
BENCH=(dotnet run --project "$ROOT/bench/ScannerBench" -c Release --)

log "1. throughput per tier ($PASSES passes)"
"${BENCH[@]}" throughput "$CORPUS" "$PASSES" | tee "$BASE/throughput.txt"

log "2. P/Invoke against a C loop on the same database"
"${BENCH[@]}" dump "$CORPUS" "$BASE/dump" 20 | tee "$BASE/pinvoke.txt"
gcc -O2 -o "$BASE/hsloop" "$ROOT/bench/ScannerBench/hsloop.c" -lhs
"$BASE/hsloop" "$BASE/dump/body.hsdb" "$BASE/dump/body.buffers" 20 | tee -a "$BASE/pinvoke.txt"
csharp=$(grep -o 'in [0-9.]* s' "$BASE/pinvoke.txt" | sed -n 1p | tr -dc '0-9.'); c=$(grep -o 'in [0-9.]* s' "$BASE/pinvoke.txt" | sed -n 2p | tr -dc '0-9.')
echo "P/Invoke time / C time: $(echo "scale=3; $csharp / $c" | bc)"

log "3. rspamd on the same messages"
cp -r /etc/rspamd "$BASE/rs/etc"
L="$BASE/rs/etc/local.d"
echo "bind_socket = \"127.0.0.1:$RSPAMD_PORT\"; count = 2;" > "$L/worker-normal.inc"
echo 'bind_socket = "127.0.0.1:11434";' > "$L/worker-controller.inc"
echo 'bind_socket = "127.0.0.1:11432";' > "$L/worker-proxy.inc"
echo 'enabled = false;' > "$L/worker-fuzzy.inc"
printf 'dns { nameserver = ["127.0.0.1:1"]; timeout = 0.05s; retransmits = 1; }\n' > "$L/options.inc"
printf 'type = "file"; filename = "%s/rs/log/rspamd.log"; level = "warning";\n' "$BASE" > "$L/logging.inc"
# No network here: the DNS- and Redis-based modules are off, as they would only time out.
for m in rbl surbl emails spf dkim dmarc arc asn fuzzy_check phishing dcc replies neural ratelimit greylist history_redis url_redirector; do
  echo 'enabled = false;' > "$L/$m.conf"
done
chmod -R a+rwX "$BASE"
setsid rspamd -f -c "$BASE/rs/etc/rspamd.conf" -u nobody -g nogroup --var=CONFDIR="$BASE/rs/etc" --var=LOCAL_CONFDIR="$BASE/rs/etc" \
  --var=DBDIR="$BASE/rs/db" --var=RUNDIR="$BASE/rs/run" --var=LOGDIR="$BASE/rs/log" >"$BASE/rs/out.log" 2>&1 &
RSPAMD_PID=$!
for _ in $(seq 600); do ss -ltn | grep -q "127.0.0.1:$RSPAMD_PORT " && break; sleep 0.5; done
find "$CORPUS"/{spam-1,spam-2,easy-ham-1,easy-ham-2,hard-ham-1} -name '*.txt' | sort > "$BASE/all.list"
workers() { pgrep -g "$RSPAMD_PID" -f "rspamd: normal process" | tr '\n' ' '; }
cpu() { local t=0; for p in $(workers); do set -- $(cut -d' ' -f14,15 "/proc/$p/stat"); t=$((t + $1 + $2)); done; echo "$t"; }
head -200 "$BASE/all.list" | xargs rspamc -h "127.0.0.1:$RSPAMD_PORT" -n 4 >/dev/null 2>&1  # warm-up
before=$(cpu); start=$(date +%s.%N)
xargs rspamc -h "127.0.0.1:$RSPAMD_PORT" -n 8 < "$BASE/all.list" > "$BASE/rs/results.txt" 2>&1
end=$(date +%s.%N); after=$(cpu); ticks=$(getconf CLK_TCK)
n=$(grep -c '^Action:' "$BASE/rs/results.txt")
echo "rspamd: $n messages in $(echo "$end - $start" | bc) s wall, $(echo "scale=2; ($after - $before) / $ticks" | bc) CPU-s in its workers = $(echo "scale=0; $n * $ticks / ($after - $before)" | bc) messages per CPU-second" | tee "$BASE/rspamd.txt"

log "4. accuracy: ours and SpamAssassin on the same split"
"${BENCH[@]}" eval "$CORPUS" "$BASE/eval" | tee "$BASE/accuracy.txt"
S="$BASE/sa"
printf 'bayes_path %s/bayes\nuse_bayes 1\nbayes_auto_learn 0\nskip_rbl_checks 1\nuse_razor2 0\nuse_pyzor 0\n' "$S" > "$S/site/local.cf"
cp /etc/spamassassin/*.pre "$S/site/"
sa-learn --siteconfigpath="$S/site" --dbpath "$S/bayes" --spam -f "$BASE/eval/train-spam.list" | tee -a "$BASE/accuracy.txt"
sa-learn --siteconfigpath="$S/site" --dbpath "$S/bayes" --ham -f "$BASE/eval/train-ham.list" | tee -a "$BASE/accuracy.txt"
chmod -R a+rwX "$S"
spamd -L --siteconfigpath="$S/site" -i 127.0.0.1 -p "$SPAMD_PORT" -A 127.0.0.1 --nouser-config -m 2 -u nobody -r "$S/spamd.pid" -s "$S/spamd.log" -d
for _ in $(seq 100); do ss -ltn | grep -q "127.0.0.1:$SPAMD_PORT " && break; sleep 0.3; done
verdicts() { while read -r f; do spamc -d 127.0.0.1 -p "$SPAMD_PORT" -c < "$f" >/dev/null; echo $?; done < "$1"; }
tp=$(verdicts "$BASE/eval/test-spam.list" | grep -c '^1$'); fn=$(grep -c . "$BASE/eval/test-spam.list"); fn=$((fn - tp))
fp=$(verdicts "$BASE/eval/test-ham.list" | grep -c '^1$'); tn=$(grep -c . "$BASE/eval/test-ham.list"); tn=$((tn - fp))
awk -v tp="$tp" -v fp="$fp" -v tn="$tn" -v fn="$fn" 'BEGIN {
  p = tp / (tp + fp); r = tp / (tp + fn); f = 2 * p * r / (p + r);
  printf "spamassassin   precision %.4f  recall %.4f  F1 %.4f  FPR %.4f  accuracy %.4f  (TP %d FP %d TN %d FN %d)\n", p, r, f, fp / (fp + tn), (tp + tn) / (tp + fp + tn + fn), tp, fp, tn, fn }' | tee -a "$BASE/accuracy.txt"
log "figures in $BASE/*.txt"
