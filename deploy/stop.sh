#!/usr/bin/env bash
# Stops the project-local PostgreSQL cluster. The data stays in .local/; remove .local/ to start over.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pg_paths
if [ -s "$PGDATA/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  log "PostgreSQL stopped"
else
  log "PostgreSQL is not running"
fi
