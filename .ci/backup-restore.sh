#!/usr/bin/env bash
# Backs up a real Tsunagaru database with pg_dump and restores it with pg_restore, as README's
# "Running in production" says, on the machine's PostgreSQL 15 (the embedded package ships no pg_dump):
#   1. a fresh source database, migrated by the built command line (`node dist/cli/main.js migrate`);
#   2. real data: an admin and an API token from the command line, the demo event seeded by the web role
#      (`node dist/main.js web`), two registrations through the public API, each with its mail row and
#      pg-boss job;
#   3. `pg_dump -Fc`, then `pg_restore` into a second fresh database;
#   4. the web role on the restored database: /healthz and /readyz answer, the API lists both
#      registrations with the token made before the backup, every table of the public and pgboss schemas
#      has as many rows as in the source, and every migration is recorded;
#   5. both databases dropped and every process stopped, whatever happened (trap).
# Usage: bash .ci/backup-restore.sh REPO_PATH   (after `npm run build`; PG_URL overrides the server)
set -euo pipefail
repo=$(cd "${1:?usage: backup-restore.sh REPO_PATH}" && pwd)
server=${PG_URL:-postgres://postgres@127.0.0.1:5432}
started=$SECONDS

# Debian's PostgreSQL 15 client programs, the same major version as the server.
pgbin=/usr/lib/postgresql/15/bin
[ -x "$pgbin/pg_dump" ] || pgbin=$(dirname "$(command -v pg_dump)")
main_js="$repo/dist/main.js"
cli_js="$repo/dist/cli/main.js"
for f in "$main_js" "$cli_js"; do
  [ -f "$f" ] || { echo "backup-restore: $f is missing; run npm run build first" >&2; exit 1; }
done

suffix="$(date +%s)_$$_$RANDOM"
source_db="tsunagaru_backup_src_$suffix"
restored_db="tsunagaru_backup_dst_$suffix"
work=$(mktemp -d)
pids=()
logs=()

psql_admin() { timeout 30 "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$server/postgres" "$@"; }

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$status" != 0 ]; then
    for log in "${logs[@]}"; do
      printf '\n--- %s ---\n' "$log" >&2
      tail -n 60 "$log" >&2 || true
    done
  fi
  for db in "$source_db" "$restored_db"; do
    psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "backup-restore: $*" >&2
  exit 1
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# The environment of a production process on database $1, port $2, for `env -i` (nothing of the
# caller's environment leaks in): sets the array app_vars.
app_env() {
  app_vars=(PATH="$PATH" HOME="$work" NODE_ENV=production DATABASE_URL="$server/$1" PORT="$2"
    BASE_URL="http://127.0.0.1:$2" SESSION_SECRET="backup-restore-test-secret-0123456789abcdef"
    DATA_DIR="$work/data" LOG_LEVEL=info SEED_DEMO=true TRUST_PROXY=false)
}

cli() {
  app_env "$1" 0
  shift
  env -i "${app_vars[@]}" timeout 60 node "$cli_js" "$@"
}

# Starts `node dist/main.js web` on database $1, port $2; sets $web_pid. Waits until /healthz says ok.
start_web() {
  local db=$1 port=$2 log="$work/web-$1.log"
  logs+=("$log")
  app_env "$db" "$port"
  # A simple command, so that $! is node itself (env and node exec in turn) and SIGTERM reaches it.
  env -i "${app_vars[@]}" node "$main_js" web >"$log" 2>&1 &
  web_pid=$!
  pids+=("$web_pid")
  for _ in $(seq 1 150); do
    kill -0 "$web_pid" 2>/dev/null || fail "the web role on $db exited during start"
    curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"status":"ok"' && return 0
    sleep 0.2
  done
  fail "the web role on $db was not healthy within 30 s"
}

# /readyz: 200 {"status":"ready"} once every migration is applied.
check_ready() {
  local port=$1 code
  code=$(curl -sS --max-time 5 -o "$work/readyz" -w '%{http_code}' "http://127.0.0.1:$port/readyz")
  if [ "$code" != 200 ] || ! grep -q '"status":"ready"' "$work/readyz"; then
    fail "/readyz answered $code: $(cat "$work/readyz")"
  fi
}

# SIGTERM, then wait for a clean exit (code 0) within 35 s, as a service manager would.
stop_web() {
  local pid=$1 code=0
  kill -TERM "$pid"
  for _ in $(seq 1 350); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "the web role (pid $pid) did not stop within 35 s of SIGTERM"
  wait "$pid" || code=$?
  [ "$code" = 0 ] || fail "the web role (pid $pid) exited with code $code after SIGTERM"
}

# Row counts of every table (and partition) in the public and pgboss schemas, one "schema.table count" a line.
row_counts() {
  timeout 30 "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -At -F ' ' "$server/$1" -c "
    SELECT n.nspname || '.' || c.relname,
           (xpath('/row/n/text()',
                  query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('public', 'pgboss') AND c.relkind IN ('r', 'p')
     ORDER BY 1"
}

registrations_in_api() {
  local port=$1 token=$2
  curl -fsS --max-time 10 -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/events/tsunagaru-demo/registrations?limit=500"
}

echo "backup-restore: source $source_db, restored $restored_db; client $("$pgbin/pg_dump" --version)"
psql_admin -c "CREATE DATABASE \"$source_db\"" -c "CREATE DATABASE \"$restored_db\""

# 1. Migrate with the built command line.
cli "$source_db" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; fail "migrate failed"; }

# 2. Real data: an admin and a token (command line), the demo event (web role), two registrations (API).
printf 'backup-restore-password-0123\n' | cli "$source_db" user create --email backup-admin@example.org --role admin \
  >"$work/user.log" 2>&1 || { cat "$work/user.log" >&2; fail "user create failed"; }
token=$(cli "$source_db" token create --name backup-restore 2>"$work/token.log") ||
  { cat "$work/token.log" >&2; fail "token create failed"; }
[ -n "$token" ] || fail "token create printed no token"

port=$(free_port)
start_web "$source_db" "$port"
check_ready "$port"
register() {
  local body=$1 code
  code=$(curl -sS --max-time 10 -o "$work/register.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "$body" "http://127.0.0.1:$port/api/v1/events/tsunagaru-demo/registrations")
  [ "$code" = 202 ] || fail "registration answered $code: $(cat "$work/register.json")"
}
register '{"email":"backup-ja@example.org","familyName":"山田","givenName":"花子","affiliation":"cooperative",
  "country":"JP","locale":"ja","interpretation":"ja","consent":true}'
register '{"email":"backup-en@example.org","familyName":"Smith","givenName":"Jane","affiliation":"academia",
  "country":"CH","locale":"en","interpretation":"en","consent":true}'
registrations_in_api "$port" "$token" | grep -q 'backup-ja@example.org' || fail "the source API does not list the registration"
stop_web "$web_pid"

# 3. Back up and restore.
timeout 60 "$pgbin/pg_dump" -Fc --no-owner -f "$work/tsunagaru.dump" "$server/$source_db"
timeout 60 "$pgbin/pg_restore" --no-owner --exit-on-error -d "$server/$restored_db" "$work/tsunagaru.dump"
echo "backup-restore: dump $(stat -c %s "$work/tsunagaru.dump") bytes"

# 4. The restored database: the same rows, and a web role that serves them.
row_counts "$source_db" >"$work/source.counts"
row_counts "$restored_db" >"$work/restored.counts"
diff -u "$work/source.counts" "$work/restored.counts" || fail "row counts differ between source and restore"
grep -qx 'public.registrations 2' "$work/restored.counts" || fail "the restore does not hold the 2 registrations"
grep -q '^public.outgoing_mails [1-9]' "$work/restored.counts" || fail "the restore holds no mail rows"
grep -q '^public.audit_log [1-9]' "$work/restored.counts" || fail "the restore holds no audit entries"
grep -q '^pgboss.version 1$' "$work/restored.counts" || fail "the restore has no pgboss schema"
migrations=$(find "$repo/migrations" -name '*.sql' | wc -l)
grep -qx "public.schema_migrations $migrations" "$work/restored.counts" ||
  fail "the restore does not record all $migrations migrations"

port=$(free_port)
start_web "$restored_db" "$port"
check_ready "$port"
listed=$(registrations_in_api "$port" "$token")
for email in backup-ja@example.org backup-en@example.org; do
  grep -q "$email" <<<"$listed" || fail "the restored API does not list $email: $listed"
done
stop_web "$web_pid"

echo "backup-restore: non-empty tables: $(awk '$2 > 0 { printf "%s=%s ", $1, $2 }' "$work/restored.counts")"
echo "backup-restore: $(wc -l <"$work/source.counts") tables equal, registrations served from the restore; ok in $((SECONDS - started)) s"
