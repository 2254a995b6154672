#!/usr/bin/env bash
# Sets up everything this machine needs (Debian packages, .NET tools, a project-local PostgreSQL on
# 127.0.0.1, migrations, the first admin) and runs the console at http://127.0.0.1:5080.
# Safe to run again: it reuses what exists.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_base
ensure_database adminconsole
export_app_env
export Database__Name=adminconsole

log "building"
(cd "$ROOT" && dotnet publish src/AdminCtl -c Release -o "$LOCAL/adminctl" --nologo -v quiet >/dev/null)
(cd "$ROOT" && dotnet publish src/AdminConsole.Web -c Release -o "$LOCAL/app" --nologo -v quiet >/dev/null)

log "applying migrations"
"$LOCAL/adminctl/adminctl" migrate
# Domains made before DKIM existed get their signing keys (a no-op once they have them).
"$LOCAL/adminctl/adminctl" dkim ensure >/dev/null

ensure_first_admin "$LOCAL/adminctl/adminctl" "$SECRETS" "${ADMIN_EMAIL:-admin@mail.localhost}"

log "console at http://127.0.0.1:${CONSOLE_PORT:-5080} and https://127.0.0.1:${CONSOLE_HTTPS_PORT:-5443}, SMTP on 127.0.0.1:2525/2587/2465, IMAP on :2143 (STARTTLS) and :2993 (TLS) (Ctrl-C stops it; deploy/stop.sh stops PostgreSQL)"
# The published appsettings.json is read from the content root; the engine's folders stay under .local/.
cd "$ROOT"
exec env ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}" \
  ASPNETCORE_URLS="http://127.0.0.1:${CONSOLE_PORT:-5080};https://127.0.0.1:${CONSOLE_HTTPS_PORT:-5443}" \
  Engine__StateDirectory="$LOCAL/engine" Engine__MaildirRoot="$LOCAL/mail" \
  "$LOCAL/app/AdminConsole.Web" --contentRoot "$LOCAL/app"
