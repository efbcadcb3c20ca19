#!/usr/bin/env bash
# The README's production recipe in a fresh clone, exactly:
#   npm ci && npm run build && npm prune --omit=dev
#   NODE_ENV=production DATABASE_URL=… SESSION_SECRET=… BASE_URL=… npm run start:web | start:worker
# then two web processes and one worker on the machine's PostgreSQL 15 with an SMTP sink: a registration
# through web process A, the attendee read through the API of web process B, the confirmation received
# at the sink from the worker; finally SIGTERM to each npm process and a check that nothing is left
# running and the ports are free.
# Usage: bash .ci/production.sh REPO_PATH   (the CI checkout, whose devDependencies run the SMTP sink)
set -euo pipefail
repo=$(cd "${1:?usage: production.sh REPO_PATH}" && pwd)
server=${PG_URL:-postgres://postgres@127.0.0.1:5432}
started=$SECONDS
work=$(mktemp -d)
db="tsunagaru_production_$(date +%s)_$$"
pids=()
logs=()

psql_admin() { timeout 30 psql -X -q -v ON_ERROR_STOP=1 "$server/postgres" "$@"; }
fail() {
  echo "production: $*" >&2
  exit 1
}
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    for log in "${logs[@]}"; do
      printf '\n--- %s ---\n' "$log" >&2
      tail -n 60 "$log" >&2 || true
    done
  fi
  psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# 1. The recipe's first line, in a fresh clone.
git clone -q "$repo" "$work/tsunagaru"
cd "$work/tsunagaru"
npm ci --no-audit --no-fund >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "npm ci failed"; }
npm run build >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "npm run build failed"; }
npm prune --omit=dev --no-audit --no-fund >"$work/prune.log" 2>&1 || { cat "$work/prune.log"; fail "npm prune failed"; }
[ ! -e node_modules/tsx ] || fail "tsx is still installed after the prune"
# No devDependency is left, except one that a production dependency names as its (optional) peer:
# typescript for i18next, @types/luxon for ical-generator; npm keeps those, and they hold no code we run.
# shellcheck disable=SC2016 # JavaScript, not shell
left=$(node -e '
  const fs = require("fs");
  const pkg = (p) => JSON.parse(fs.readFileSync(`${p}/package.json`, "utf8"));
  const peers = new Set();
  for (const dep of Object.keys(pkg(".").dependencies)) {
    for (const peer of Object.keys(pkg(`node_modules/${dep}`).peerDependencies ?? {})) peers.add(peer);
  }
  const dev = Object.keys(pkg(".").devDependencies);
  console.log(dev.filter((d) => fs.existsSync(`node_modules/${d}`) && !peers.has(d)).join(" "));')
[ -z "$left" ] || fail "devDependencies still installed after the prune: $left"
echo "production: built and pruned in $((SECONDS - started)) s; no devDependency installed"

# 2. The database and the SMTP sink.
psql_admin -c "CREATE DATABASE \"$db\""
mkdir -p "$work/mail"
NODE_PATH="$repo/node_modules" node "$repo/.ci/smtp-sink.js" "$work/mail" >"$work/smtp.port" 2>"$work/smtp.log" &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/smtp.port" ] && break; sleep 0.1; done
smtp_port=$(cat "$work/smtp.port")

# 3. Two web processes and one worker, each started with npm as the README says.
port_a=$(free_port)
port_b=$(free_port)
run() { # run LOG PORT SCRIPT: starts `npm run SCRIPT` in the background; appends its pid to pids
  logs+=("$work/$1.log")
  env -i PATH="$PATH" HOME="$work" NODE_ENV=production DATABASE_URL="$server/$db" \
    SESSION_SECRET=production-recipe-secret-0123456789abcdef BASE_URL="http://127.0.0.1:$port_a" \
    PORT="$2" SMTP_URL="smtp://127.0.0.1:$smtp_port" MAIL_FROM='Tsunagaru <events@example.org>' \
    DATA_DIR="$work/data" npm run "$3" >"$work/$1.log" 2>&1 &
  pids+=($!)
}
run web-a "$port_a" start:web
web_a=${pids[-1]}
run web-b "$port_b" start:web
web_b=${pids[-1]}
run worker 0 start:worker
worker=${pids[-1]}
for port in "$port_a" "$port_b"; do
  for _ in $(seq 1 300); do
    curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null | grep -q '"status":"ready"' && break
    sleep 0.1
  done
  curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" | grep -q '"status":"ready"' || fail "port $port is not ready"
done
for _ in $(seq 1 300); do grep -q '"msg":"worker started"' "$work/worker.log" && break; sleep 0.1; done
grep -q '"msg":"worker started"' "$work/worker.log" || fail "the worker did not start"
echo "production: web A on $port_a, web B on $port_b and the worker are ready"

# 4. Register through web process A, with the form as a browser does.
jar="$work/cookies"
form=$(curl -fsS -c "$jar" -b "$jar" "http://127.0.0.1:$port_a/events/tsunagaru-demo?lang=ja")
csrf=$(grep -o 'name="_csrf" value="[^"]*"' <<<"$form" | head -1 | sed 's/.*value="//; s/"$//')
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
  --data-urlencode "_csrf=$csrf" --data-urlencode "email=recipe@example.org" \
  --data-urlencode "familyName=山田" --data-urlencode "givenName=花子" --data-urlencode "affiliation=cooperative" \
  --data-urlencode "country=JP" --data-urlencode "locale=ja" --data-urlencode "interpretation=ja" \
  --data-urlencode "consent=yes" "http://127.0.0.1:$port_a/events/tsunagaru-demo/register?lang=ja")
[ "$code" = 303 ] || fail "registration through web A answered $code"

# 5. Read the attendee through the API of web process B, with a token from the built command line.
cli() {
  env -i PATH="$PATH" HOME="$work" NODE_ENV=production DATABASE_URL="$server/$db" \
    SESSION_SECRET=production-recipe-secret-0123456789abcdef BASE_URL="http://127.0.0.1:$port_a" \
    DATA_DIR="$work/data" npm run --silent cli -- "$@"
}
printf 'production-recipe-password-0123\n' | cli user create --email recipe-admin@example.org --role admin >/dev/null
token=$(cli token create --name recipe --user recipe-admin@example.org 2>"$work/token.log")
listed=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port_b/api/v1/events/tsunagaru-demo/registrations")
grep -q '"recipe@example.org"' <<<"$listed" || fail "web B's API does not list the registrant: $listed"
echo "production: registered through web A, listed by web B's API"

# 6. The confirmation, sent by the worker, at the SMTP sink.
for _ in $(seq 1 300); do grep -l 'X-Envelope-To: recipe@example.org' "$work"/mail/*.eml >/dev/null 2>&1 && break; sleep 0.1; done
mail=$(grep -l 'X-Envelope-To: recipe@example.org' "$work"/mail/*.eml 2>/dev/null | head -1)
[ -n "$mail" ] || fail "no confirmation reached the SMTP sink"
grep -q 'method=REQUEST' "$mail" || fail "the confirmation carries no calendar invite"
grep -q "http://127.0.0.1:$port_a/join/" "$mail" || fail "the confirmation carries no join link"
echo "production: the worker delivered the confirmation with its invite to the SMTP sink"

# 7. SIGTERM to each npm process: each exits 0, and no node process of this clone is left.
for pid in "$web_a" "$web_b" "$worker"; do kill -TERM "$pid"; done
for pid in "$web_a" "$web_b" "$worker"; do
  code=0
  wait "$pid" || code=$?
  [ "$code" = 0 ] || fail "npm process $pid exited with $code after SIGTERM"
done
for p in $(pgrep -f 'dist/main.js' || true); do
  [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" != "$work/tsunagaru" ] || fail "node process $p is still running"
done
for port in "$port_a" "$port_b"; do
  ! curl -s --max-time 1 "http://127.0.0.1:$port/healthz" >/dev/null || fail "port $port still answers"
done
for log in web-a web-b worker; do grep -q '"msg":"stopped"' "$work/$log.log" || fail "$log logged no clean stop"; done
echo "production: SIGTERM to each npm process stopped it cleanly; ok in $((SECONDS - started)) s"
