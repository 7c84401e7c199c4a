#!/usr/bin/env bash
# Runs the token benchmarks and prints the tables reported in docs/benchmarks.md: our signing
# paths against a bare C_Sign, and `firmante sign` as a process on a token with 25 key pairs
# against one with 1 (issue 11 §6, goal ≤ 1.3×). Repetitions are interleaved at random so a change
# of the machine's load during the run falls on both tokens alike; the load is printed with them.
set -euo pipefail
BIN=${1:-build/tests/bench/firmante_bench}
REPETITIONS=${REPETITIONS:-9}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$BIN" --benchmark_repetitions="$REPETITIONS" --benchmark_report_aggregates_only=true \
       --benchmark_enable_random_interleaving=true --benchmark_format=json >"$OUT"
python3 - "$OUT" "$REPETITIONS" <<'PY'
import json, os, sys
data = json.load(open(sys.argv[1]))
med = {b["run_name"]: b["real_time"] for b in data["benchmarks"] if b.get("aggregate_name") == "median"}
unit = {b["run_name"]: b["time_unit"] for b in data["benchmarks"]}
ctx = data["context"]
load = ctx.get("load_avg", [])
end = os.getloadavg()
print(f"{ctx['date']}, {ctx['num_cpus']} CPUs, load average (1, 5, 15 min) at the start "
      f"{', '.join(f'{l:.2f}' for l in load)}, at the end {', '.join(f'{l:.2f}' for l in end)}; "
      f"median of {sys.argv[2]} repetitions, interleaved")
print()
print("| key | raw C_Sign | auth.sign_challenge path | ratio | CMS letter (100 KiB) | ratio |")
print("| --- | --- | --- | --- | --- | --- |")
for key in ("Rsa2048", "EcP256"):
    raw = med[f"rawSign/{key}"]; ch = med[f"challenge/{key}"]; cm = med[f"cms/{key}"]
    u = unit[f"rawSign/{key}"]
    print(f"| {key} | {raw:.0f} {u} | {ch:.0f} {u} | {ch/raw:.2f}× | {cm:.0f} {u} | {cm/raw:.2f}× |")
print()
rows = [("cliSign", "`firmante sign` (whole process, 100 KiB letter)"),
        ("toolSign", "`pkcs11-tool --sign` (whole process, same letter)"),
        ("tokenLogin", "SoftHSM `C_Login` + `C_Logout` (in process)"),
        ("pairsRawSign", "bare `C_SignInit` + `C_Sign` (in process)")]
print("| what | 1 key pair | 25 key pairs | 25 / 1 |")
print("| --- | --- | --- | --- |")
for name, what in rows:
    one = f"{name}/pairs:1" + ("/real_time" if name in ("cliSign", "toolSign") else "")
    many = one.replace("pairs:1", "pairs:25")
    if one not in med:
        continue
    u = unit[one]
    print(f"| {what} | {med[one]:.1f} {u} | {med[many]:.1f} {u} | {med[many]/med[one]:.2f}× |")
PY
