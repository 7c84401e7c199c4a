#!/usr/bin/env bash
# Runs the token benchmarks and prints the ratios reported in docs/benchmarks.md.
set -euo pipefail
BIN=${1:-build/tests/bench/firmante_bench}
OUT=$(mktemp)
"$BIN" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
       --benchmark_format=json >"$OUT"
python3 - "$OUT" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
med = {b["run_name"]: b["real_time"] for b in data["benchmarks"] if b.get("aggregate_name") == "median"}
unit = {b["run_name"]: b["time_unit"] for b in data["benchmarks"]}
print("| key | raw C_Sign | auth.sign_challenge path | ratio | CMS letter (100 KiB) | ratio |")
print("| --- | --- | --- | --- | --- | --- |")
for key in ("Rsa2048", "EcP256"):
    raw = med[f"rawSign/{key}"]; ch = med[f"challenge/{key}"]; cm = med[f"cms/{key}"]
    u = unit[f"rawSign/{key}"]
    print(f"| {key} | {raw:.0f} {u} | {ch:.0f} {u} | {ch/raw:.2f}× | {cm:.0f} {u} | {cm/raw:.2f}× |")
PY
rm -f "$OUT"
