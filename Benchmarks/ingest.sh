#!/usr/bin/env bash
# Ingest figures for the README, measured in one run on this machine:
#   - rows/s of one `yonke jobs run --here` (PostgreSQL → Parquet → blocks on a local
#     4-node cluster → one catalog commit) next to `psql -c "\copy (SELECT …) TO STDOUT"` of the
#     same rows into /dev/null;
#   - the ingesting process's peak RSS (GNU time's "Maximum resident set size").
#   Benchmarks/ingest.sh [millions of rows, default 1; the README's RSS figure uses 10]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh postgresql time
swift build -c release --product yonke
yonke="$PWD/.build/release/yonke"
millions="${1:-1}"
rows=$((millions * 1000000))
work="$(mktemp -d /tmp/yonke-ingest-bench.XXXXXX)"
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
base=$((2000 + RANDOM % 4000))   # nodes on ${base}1…${base}4, PostgreSQL on ${base}5
port="${base}5"
export PGPASSWORD=bench-only
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    "$yonke" cluster down --data "$work/data" >/dev/null 2>&1 || true
    as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/pg"
echo "$PGPASSWORD" > "$work/pg/pw"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg/data" -U postgres --pwfile "$work/pg/pw" --auth-host=scram-sha-256 --auth-local=trust --no-sync >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
psql=(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -X -q)
"${psql[@]}" -c "CREATE TABLE random_data (id serial PRIMARY KEY, valor text, fecha timestamp DEFAULT now());
  INSERT INTO random_data (valor, fecha) SELECT substr(md5(g::text), 1, 10), now() - g * interval '1 second' FROM generate_series(1, $rows) g;
  VACUUM ANALYZE random_data;"

select="SELECT id, valor, fecha FROM random_data WHERE id IS NOT NULL"
start=$(date +%s.%N)
"${psql[@]}" -c "\\copy ($select) TO STDOUT" > /dev/null
psql_seconds=$(echo "$(date +%s.%N) - $start" | bc)

# local-4 on ports of its own (others may run a cluster on 7401…), no metrics listeners.

sed -e "s#data/#$work/disks/#" -e '/metricsAddress/d' topology/local-4.yaml \
  | sed -E "s/127\.0\.0\.1:740([1-4])/127.0.0.1:$base\1/" > "$work/topology.yaml"
"$yonke" cluster up "$work/topology.yaml" --data "$work/data" --detach --timeout 60 >/dev/null
export YONKE_CLUSTER=$(grep -Eo 'address: [0-9.:]+' "$work/topology.yaml" | awk '{print $2}' | paste -sd, -)
export YONKE_SECRETS="$work/data/cluster.secrets"
"$yonke" ingest postgres --url "postgres://postgres@127.0.0.1:$port/postgres" --table random_data --bookmark id --name bench >/dev/null
/usr/bin/time -v -o "$work/time.txt" "$yonke" jobs run bench --here --json > "$work/run.json"
ingest_seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$work/time.txt")
rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
ingested=$(python3 -c "import json,sys; print(json.load(open('$work/run.json'))['rows'])")
python3 - "$rows" "$ingested" "$psql_seconds" "$ingest_seconds" "$rss_kib" <<'PY'
import sys
rows, ingested, psql_s, ingest_s, rss = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
assert ingested == rows, f"ingested {ingested} of {rows} rows"
print(f"rows: {rows:,}")
print(f"psql \\copy TO STDOUT > /dev/null: {psql_s:.2f} s, {rows / psql_s:,.0f} rows/s")
print(f"yonke jobs run --here:            {ingest_s:.2f} s, {rows / ingest_s:,.0f} rows/s  ({psql_s / ingest_s:.2f}x psql)")
print(f"ingesting process peak RSS:       {rss / 1024:.0f} MiB")
PY
