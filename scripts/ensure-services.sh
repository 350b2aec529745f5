#!/usr/bin/env bash
# Make sure the scale-out profile's services are installed from Debian packages: PostgreSQL
# (tracker store, content, staff data), Redis (Rasa's lock store, facts cache) and nginx
# (load balancer in front of the Rasa servers and the web app). Used by `make run-scaled` and
# by the scaled-profile tests (tests/test_scaled*.py).
#
# Only installs; never starts or enables the system-wide services. bot/scaled.py runs private
# instances on loopback with their data under var/, so a machine's own PostgreSQL or Redis
# (if any) is left alone.
#
# Idempotent: does nothing when everything is there. Installs non-interactively otherwise, as
# root or through sudo. bot/scaled.py finds PostgreSQL's server binaries itself
# (/usr/lib/postgresql/<version>/bin on Debian, which is not on PATH).
set -euo pipefail

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

have_postgres() {
  command -v pg_ctl >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing: ${missing[*]}. Install PostgreSQL (15 or newer), Redis and nginx with your" >&2
  echo "package manager; the scaled profile only needs their binaries." >&2
  exit 1
fi

run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
  run_as_root=(sudo)
fi

# Several test sessions may call this at once; apt holds its own lock, but two installs
# racing through `apt-get update` fail rather than wait. One at a time.
lock="${TMPDIR:-/tmp}/newcomer-ensure-services.lock"
exec 9>"$lock"
flock 9

echo "installing ${missing[*]} for the scale-out profile …" >&2
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -q >&2
"${run_as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2

have_postgres || { echo "PostgreSQL's pg_ctl is still missing after the install" >&2; exit 1; }
for binary in redis-server nginx; do
  command -v "$binary" >/dev/null 2>&1 || [ -x "/usr/sbin/$binary" ] || [ -x "/usr/bin/$binary" ] \
    || { echo "$binary is still missing after the install" >&2; exit 1; }
done
