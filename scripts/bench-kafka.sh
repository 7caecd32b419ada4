#!/usr/bin/env bash
# Kafka benchmark: Roost against kcat on the embedded cluster, in one invocation so the figures read
# as ratios. Both produce the same file with the same librdkafka properties, and both read the same
# topic with the same fetch properties into a JSON-lines file on the same disk, flushed to it (fsync)
# before the clock stops: Roost with `roost kafka consume` (which fsyncs before renaming its output
# into place), kcat with `-J` envelopes redirected to a file, then `sync FILE`.
# Usage: scripts/bench-kafka.sh [--records N] [--partitions P]   (ROOST=path/to/roost to choose the binary)
# Prints a summary and BENCH lines: kafka.produce.records_per_s, kafka.produce.ratio_vs_kcat,
# kafka.produce.peak_rss_mb, kafka.consume.records_per_s, kafka.consume.ratio_vs_kcat.
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

# The librdkafka properties of each side, given to Roost as kafka.properties and to kcat as -X.
# Producing: idempotent, acks=all, no compression, librdkafka's default queue bounds; keyless
# records spread evenly (no sticky partitioning), so no partition outgrows the mock's ~5 MB.
producer_properties=(enable.idempotence=true acks=all compression.type=none sticky.partitioning.linger.ms=0
                     queue.buffering.max.messages=100000 queue.buffering.max.kbytes=1048576 linger.ms=5)
# Consuming: librdkafka's default fetch sizes and prefetch bounds, and Roost's short fetch wait.
consumer_properties=(fetch.max.bytes=52428800 max.partition.fetch.bytes=1048576 fetch.wait.max.ms=10
                     queued.min.messages=100000 queued.max.messages.kbytes=65536)
roost_properties() { local IFS=,; echo "$*"; }
kcat_properties() { for property in "$@"; do printf -- '-X %s ' "$property"; done; }

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

# Elapsed seconds of a command (stdout discarded, errors kept in errors.log).
run_timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>>"$work/errors.log" || { echo "failed: $*" >&2; cat "$work/errors.log" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
ratio() { python3 -c "print(round($1 / $2, 3))"; }
rate() { python3 -c "print(round($1 / $2))"; }
peak_mb() { python3 -c "print(round($(cat "$1") / 1024))"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

load_before=$(load)
# shellcheck disable=SC2046  # kcat_properties prints separate words on purpose
roost_produce=$(ROOST_KAFKA_PROPERTIES=$(roost_properties "${producer_properties[@]}") \
  run_timed /usr/bin/time -f "%M" -o "$work/roost.rss" "$roost" kafka produce bench-roost --file "$work/records.jsonl")
# shellcheck disable=SC2046
kcat_produce=$(run_timed /usr/bin/time -f "%M" -o "$work/kcat.rss" kcat -P -b "$servers" -t bench-kcat -l \
  $(kcat_properties "${producer_properties[@]}") "$work/records.jsonl")
roost_consume=$(ROOST_KAFKA_PROPERTIES=$(roost_properties "${consumer_properties[@]}") \
  run_timed "$roost" kafka consume bench-roost --output "$work/roost-out.jsonl")
# shellcheck disable=SC2016
kcat_consume=$(run_timed sh -c 'out=$1; shift; kcat "$@" > "$out" && sync "$out"' sh "$work/kcat-out.jsonl" \
  -C -b "$servers" -t bench-roost -o beginning -e -q -J $(kcat_properties "${consumer_properties[@]}"))
for side in roost kcat; do
  consumed=$(wc -l < "$work/$side-out.jsonl")
  [ "$consumed" -eq "$records" ] || { echo "$side consumed $consumed of $records records" >&2; exit 1; }
done
load_after=$(load)

out_mb() { python3 -c "import os; print(round(os.path.getsize('$work/$1-out.jsonl') / 1e6))"; }
printf 'load average %s before, %s after\n' "$load_before" "$load_after"
printf 'produce %d records of 1 KiB (%.0f MB), %d partitions\n' "$records" "$mb" "$partitions"
printf '  roost: %8.2f s  %9d records/s  %7.1f MB/s  peak RSS %d MB\n' "$roost_produce" "$(rate "$records" "$roost_produce")" \
  "$(python3 -c "print($mb / $roost_produce)")" "$(peak_mb "$work/roost.rss")"
printf '  kcat:  %8.2f s  %9d records/s  %7.1f MB/s  peak RSS %d MB\n' "$kcat_produce" "$(rate "$records" "$kcat_produce")" \
  "$(python3 -c "print($mb / $kcat_produce)")" "$(peak_mb "$work/kcat.rss")"
printf 'consume them into a JSON-lines file, fsynced (roost %s MB, kcat -J %s MB)\n' "$(out_mb roost)" "$(out_mb kcat)"
printf '  roost: %8.2f s  %9d records/s  %7.1f MB/s\n' "$roost_consume" "$(rate "$records" "$roost_consume")" "$(python3 -c "print($mb / $roost_consume)")"
printf '  kcat:  %8.2f s  %9d records/s  %7.1f MB/s\n' "$kcat_consume" "$(rate "$records" "$kcat_consume")" "$(python3 -c "print($mb / $kcat_consume)")"
echo "BENCH kafka.produce.records_per_s $(rate "$records" "$roost_produce") records/s"
echo "BENCH kafka.produce.ratio_vs_kcat $(ratio "$kcat_produce" "$roost_produce") x"
echo "BENCH kafka.produce.peak_rss_mb $(peak_mb "$work/roost.rss") MB"
echo "BENCH kafka.consume.records_per_s $(rate "$records" "$roost_consume") records/s"
echo "BENCH kafka.consume.ratio_vs_kcat $(ratio "$kcat_consume" "$roost_consume") x"
