# Shared by the benchmark scripts: `source Benchmarks/lib.sh`, then
# `start_local4 NAME` builds the release `yonke`, starts topology/local-4.yaml
# from a fresh folder under .yonke-data/ and stops it (and removes the folder)
# when the script exits. Sets: yonke (the binary), work (scratch folder),
# data (the cluster's data folder), and exports YONKE_CLUSTER / YONKE_SECRETS.
# Extra cleanup: put commands in `on_exit` (a string run before the cluster stops).
on_exit=""
start_local4() {
    local name=$1
    swift build -c release --product yonke >/dev/null
    yonke="$PWD/.build/release/yonke"
    mkdir -p "$PWD/.yonke-data"
    work=$(mktemp -d "$PWD/.yonke-data/$name.XXXXXX")
    data="$work/data"
    trap 'eval "$on_exit"; "$yonke" cluster down --data "$data" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    "$yonke" cluster up topology/local-4.yaml --data "$data" --detach >/dev/null
    export YONKE_CLUSTER=127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403,127.0.0.1:7404
    export YONKE_SECRETS="$data/cluster.secrets"
}
