#!/usr/bin/env bash
# Clones the repository into a new temporary folder, runs exactly the README's `npm install && npm start`
# with no DATABASE_URL (so the embedded PostgreSQL starts), checks /healthz and the demo event page in
# Japanese, registers, creates the first admin through the setup link the server logs and reads the
# confirmation in the workspace's outbox viewer, then stops it with SIGTERM and checks that the process
# and its database stopped cleanly.
set -euo pipefail
src=${1:?repository path}
work=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
trap 'kill -TERM "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

git clone -q "$src" "$work/tsunagaru"
cd "$work/tsunagaru"
npm install --no-audit --no-fund >/dev/null
# Starts `npm start` in the background and waits until /healthz answers; sets $pid and $healthy_ms.
start_and_wait() {
  local t0
  t0=$(date +%s%N)
  PORT=$port setsid npm start >>"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"status":"ok"' && break
    sleep 0.1
  done
  healthy_ms=$((($(date +%s%N) - t0) / 1000000))
  curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' || { cat "$work/server.log"; exit 1; }
}
start_and_wait
echo "smoke: healthy ${healthy_ms} ms after npm start on a fresh clone (at most 15000)"
[ "$healthy_ms" -le 15000 ] || { echo "too slow"; exit 1; }
page=$(curl -fsS "http://127.0.0.1:$port/events/tsunagaru-demo?lang=ja")
grep -q '<html lang="ja">' <<<"$page"
grep -Eq '15:00–17:15 JST / (07:00–09:15 CET|08:00–10:15 CEST)' <<<"$page"
grep -q '申込締切' <<<"$page"
test -f data/postgres/PG_VERSION
test -f data/secrets.json
echo "smoke: healthz ok, Japanese demo page ok"

# Register through the form as a browser does; with no SMTP_URL the in-process worker writes the
# confirmation, with its calendar invite, as an .eml file that the admin outbox viewer lists.
jar="$work/cookies"
form=$(curl -fsS -c "$jar" -b "$jar" "http://127.0.0.1:$port/events/tsunagaru-demo?lang=ja")
csrf=$(grep -o 'name="_csrf" value="[^"]*"' <<<"$form" | head -1 | sed 's/.*value="//; s/"$//')
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
  --data-urlencode "_csrf=$csrf" --data-urlencode "email=smoke@example.org" \
  --data-urlencode "familyName=山田" --data-urlencode "givenName=花子" --data-urlencode "affiliation=cooperative" \
  --data-urlencode "country=JP" --data-urlencode "locale=ja" --data-urlencode "interpretation=ja" \
  --data-urlencode "consent=yes" "http://127.0.0.1:$port/events/tsunagaru-demo/register?lang=ja")
[ "$code" = 303 ] || { echo "registration answered $code"; cat "$work/server.log"; exit 1; }
for _ in $(seq 1 30); do ls data/outbox/*.eml >/dev/null 2>&1 && break; sleep 1; done
eml=$(ls data/outbox/*.eml 2>/dev/null | head -1)
[ -n "$eml" ] || { echo "no confirmation mail in data/outbox"; cat "$work/server.log"; exit 1; }
name=$(basename "$eml")

# The outbox viewer is in the workspace, for admins. With no account yet, the server logs a one-time
# setup link (a `setupUrl` field in its JSON log); create the first admin through it as a person does.
for _ in $(seq 1 30); do grep -q '"setupUrl":"' "$work/server.log" && break; sleep 1; done
setup_url=$(grep -o '"setupUrl":"[^"]*"' "$work/server.log" | head -1 | sed 's/^"setupUrl":"//; s/"$//')
[ -n "$setup_url" ] || { echo "no setup link in the server log"; cat "$work/server.log"; exit 1; }
grep -q "Open this link once to create the first admin: $setup_url" "$work/server.log"
base=${setup_url%%/admin/setup/*}
admin_jar="$work/admin-cookies"
setup_page=$(curl -fsS -c "$admin_jar" -b "$admin_jar" "$setup_url")
admin_csrf=$(grep -o 'name="_csrf" value="[^"]*"' <<<"$setup_page" | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$admin_csrf" ] || { echo "no CSRF token on the setup page"; exit 1; }
setup_form=(--data-urlencode "_csrf=$admin_csrf" --data-urlencode "email=smoke-admin@example.org"
  --data-urlencode "name=Smoke Admin" --data-urlencode "password=smoke-password-0123"
  --data-urlencode "passwordRepeat=smoke-password-0123")
code=$(curl -sS -o /dev/null -D "$work/setup-headers" -w '%{http_code}' -c "$admin_jar" -b "$admin_jar" \
  "${setup_form[@]}" "$setup_url")
[ "$code" = 303 ] || { echo "setup answered $code"; cat "$work/server.log"; exit 1; }
tr -d '\r' <"$work/setup-headers" | grep -qix 'location: /admin' || { echo "setup did not lead to /admin"; cat "$work/setup-headers"; exit 1; }
curl -fsS -c "$admin_jar" -b "$admin_jar" "$base/admin/outbox" | grep -q "$name"
detail=$(curl -fsS -c "$admin_jar" -b "$admin_jar" "$base/admin/outbox/$name")
grep -q 'smoke@example.org' <<<"$detail"
grep -q "http://localhost:$port/join/" <<<"$detail"
grep -q 'REQUEST' <<<"$detail"
# The setup link works once: afterwards it is gone, whether opened or posted again.
code=$(curl -sS -o /dev/null -w '%{http_code}' "$setup_url")
[ "$code" = 404 ] || { echo "used setup link answered $code to GET"; exit 1; }
# Signed in now: the workspace's form token is the one bound to this session.
fresh_csrf=$(curl -fsS -c "$admin_jar" -b "$admin_jar" "$base/admin/tokens" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
replay_form=(--data-urlencode "_csrf=$fresh_csrf" "${setup_form[@]:2}")
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$admin_jar" -b "$admin_jar" "${replay_form[@]}" "$setup_url")
[ "$code" = 404 ] || { echo "used setup link answered $code to POST"; exit 1; }
echo "smoke: first admin created; registration mailed to data/outbox with its invite, shown in /admin/outbox"

# A node process of this clone (npm start runs `node dist/main.js` in the clone's folder).
ours_running() {
  for p in $(pgrep -f 'dist/main.js' || true); do
    [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$work/tsunagaru" ] && return 0
  done
  return 1
}
# As a service manager does: signal the npm process alone; it passes the signal on to node.
kill -TERM "$pid"
for _ in $(seq 1 60); do
  if ! kill -0 "$pid" 2>/dev/null && ! ours_running && grep -q '"msg":"stopped"' "$work/server.log"; then
    break
  fi
  sleep 0.5
done
if kill -0 "$pid" 2>/dev/null || ours_running; then echo "npm start did not stop on SIGTERM"; cat "$work/server.log"; exit 1; fi
grep -q '"msg":"embedded PostgreSQL stopped"' "$work/server.log" || { echo "embedded PostgreSQL was not stopped"; cat "$work/server.log"; exit 1; }
if [ -f data/postgres/postmaster.pid ]; then echo "embedded PostgreSQL still running"; exit 1; fi
echo "smoke: stopped cleanly"

# A warm start on the same data folder is quick, and stops cleanly again.
start_and_wait
echo "smoke: healthy ${healthy_ms} ms after npm start on a warm data folder (at most 3000)"
kill -TERM "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || ours_running || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null || ours_running || [ -f data/postgres/postmaster.pid ]; then echo "second start did not stop cleanly"; exit 1; fi
[ "$healthy_ms" -le 3000 ] || { echo "too slow"; exit 1; }
