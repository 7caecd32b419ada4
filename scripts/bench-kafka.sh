#!/usr/bin/env bash
# Kafka benchmark: Roost against kcat on the embedded cluster, same file, same producer settings
# (idempotent, acks=all, no compression), in one invocation so the figures read as ratios.
# Usage: scripts/bench-kafka.sh [--records N] [--partitions P]   (ROOST=path/to/roost to choose the binary)
# Prints a summary and BENCH lines: kafka.produce.records_per_s, kafka.produce.ratio_vs_kcat,
# kafka.consume.ratio_vs_kcat, kafka.produce.peak_rss_mb.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
records=1000000 partitions=256   # the mock keeps ~5 MB per partition: 256 hold 1 GB
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    *) echo "usage: $0 [--records N] [--partitions P]" >&2; exit 2 ;;
  esac
done
roost=${ROOST:-$root/.build/release/roost}
[ -x "$roost" ] || roost=$root/.build/debug/roost
work=$(mktemp -d)
dev_pid=""
cleanup() { [ -n "$dev_pid" ] && kill "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export ROOST_KAFKA_BOOTSTRAP_FILE=$work/bootstrap ROOST_KAFKA_BOOTSTRAP_SERVERS="" ROOST_LOG_LEVEL=warning
# Keyless records spread evenly (no sticky partitioning), so no partition outgrows the mock's ~5 MB.
export ROOST_KAFKA_PROPERTIES=sticky.partitioning.linger.ms=0

# 1 KiB JSON records (1023 bytes and a newline).
python3 - "$records" > "$work/records.jsonl" <<'PY'
import sys
pad = "x" * 990
for i in range(int(sys.argv[1])):
    line = '{"id":%d,"text":"%s' % (i, pad)
    sys.stdout.write(line[:1021] + '"}\n')
PY

"$roost" dev kafka --brokers 1 --partitions "$partitions" --topic bench-roost --topic bench-kcat >"$work/dev.out" 2>"$work/dev.log" &
dev_pid=$!
for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
servers=$(cat "$work/bootstrap")
mb=$(python3 -c "import os; print(os.path.getsize('$work/records.jsonl') / 1e6)")

# Elapsed seconds of a command whose output is discarded (errors kept in errors.log).
run_timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>>"$work/errors.log"
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
ratio() { python3 -c "print(round($1 / $2, 3))"; }
rate() { python3 -c "print(round($1 / $2))"; }

roost_produce=$(run_timed /usr/bin/time -f "%M" -o "$work/rss" "$roost" kafka produce bench-roost --file "$work/records.jsonl")
kcat_produce=$(run_timed kcat -P -b "$servers" -t bench-kcat -l -X enable.idempotence=true -X acks=all \
  -X sticky.partitioning.linger.ms=0 "$work/records.jsonl")
roost_consume=$(run_timed "$roost" kafka consume bench-roost --output "$work/roost-out.jsonl")
kcat_consume=$(run_timed kcat -C -b "$servers" -t bench-roost -o beginning -e -q -J)
consumed=$(wc -l < "$work/roost-out.jsonl")
[ "$consumed" -eq "$records" ] || { echo "roost consumed $consumed of $records records" >&2; exit 1; }

rss_mb=$(python3 -c "print(round($(cat "$work/rss") / 1024))")
printf 'produce %d records of 1 KiB (%.0f MB), %d partitions\n' "$records" "$mb" "$partitions"
printf '  roost: %8.2f s  %9d records/s  %7.1f MB/s  peak RSS %d MB\n' "$roost_produce" "$(rate "$records" "$roost_produce")" \
  "$(python3 -c "print($mb / $roost_produce)")" "$rss_mb"
printf '  kcat:  %8.2f s  %9d records/s  %7.1f MB/s\n' "$kcat_produce" "$(rate "$records" "$kcat_produce")" "$(python3 -c "print($mb / $kcat_produce)")"
printf 'consume the same records (roost: JSON lines to a file; kcat: -J envelopes to /dev/null)\n'
printf '  roost: %8.2f s  %9d records/s\n' "$roost_consume" "$(rate "$records" "$roost_consume")"
printf '  kcat:  %8.2f s  %9d records/s\n' "$kcat_consume" "$(rate "$records" "$kcat_consume")"
echo "BENCH kafka.produce.records_per_s $(rate "$records" "$roost_produce") records/s"
echo "BENCH kafka.produce.ratio_vs_kcat $(ratio "$kcat_produce" "$roost_produce") x"
echo "BENCH kafka.consume.ratio_vs_kcat $(ratio "$kcat_consume" "$roost_consume") x"
echo "BENCH kafka.produce.peak_rss_mb $rss_mb MB"
