# Shared by the benchmark scripts: `source Benchmarks/lib.sh`, then
# `start_local4 NAME` builds the release `yonke`, starts topology/local-4.yaml
# from a fresh folder under .yonke-data/ and stops it (and removes the folder)
# when the script exits. Sets: yonke (the binary), work (scratch folder),
# data (the cluster's data folder), ports (the four node ports), and exports
# YONKE_CLUSTER / YONKE_CREDENTIAL.
# Extra cleanup: put commands in `on_exit` (a string run before the cluster stops).
# PORT_BASE=17400 moves the cluster to 17401-17404 (metrics 18401-18404), for a
# machine where local-4's own ports are taken.
# BUILD=debug uses a debug build (quicker to make; figures not comparable to release ones).
on_exit=""
start_local4() {
    local name=$1 build=${BUILD:-release}
    swift build -c "$build" --product yonke >/dev/null
    yonke="$PWD/.build/$build/yonke"
    mkdir -p "$PWD/.yonke-data"
    work=$(mktemp -d "$PWD/.yonke-data/$name.XXXXXX")
    data="$work/data"
    trap 'eval "$on_exit"; "$yonke" cluster down --data "$data" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    local base=${PORT_BASE:-7400} topology=topology/local-4.yaml
    if [ "$base" != 7400 ]; then
        topology="$work/local-4.yaml"
        sed -e "s/127.0.0.1:740\([0-9]\)/127.0.0.1:$((base / 10))\1/" \
            -e "s/127.0.0.1:840\([0-9]\)/127.0.0.1:$((base / 10 + 100))\1/" topology/local-4.yaml > "$topology"
    fi
    ports=($((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)))
    "$yonke" cluster up "$topology" --data "$data" --detach >/dev/null
    export YONKE_CLUSTER=127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]},127.0.0.1:${ports[3]}
    export YONKE_CREDENTIAL="$data/admin.credential"
}
