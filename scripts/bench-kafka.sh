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
# queued.max.messages.kbytes bounds kcat's one queue and each of Roost's partition queues (four at
# most, see docs/kafka.md); no partition here holds more than ~4 MB, so it binds neither side.
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
sync "$work/records.jsonl"   # written back now, not while the first producer reads it

"$roost" dev kafka --brokers 1 --partitions "$partitions" --topic bench-roost-1 --topic bench-roost-2 --topic bench-kcat-1 --topic bench-kcat-2 >"$work/dev.out" 2>"$work/dev.log" &
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
best() { python3 -c "import sys; print(min(map(float, sys.argv[1:])))" "$@"; }
peak_mb() { python3 -c "import sys; print(round(max(int(open(f).read()) for f in sys.argv[1:]) / 1024))" "$@"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# One timed run of one side; ROUND names the topics and files (each produce goes to a new topic,
# both sides consume the topic Roost produced in round 1).
# shellcheck disable=SC2046  # kcat_properties prints separate words on purpose
roost_produce() {
  ROOST_KAFKA_PROPERTIES=$(roost_properties "${producer_properties[@]}") run_timed /usr/bin/time -f "%M" -o "$work/roost-$1.rss" \
    "$roost" kafka produce "bench-roost-$1" --file "$work/records.jsonl"
}
# shellcheck disable=SC2046
kcat_produce() {
  run_timed /usr/bin/time -f "%M" -o "$work/kcat-$1.rss" kcat -P -b "$servers" -t "bench-kcat-$1" -l \
    $(kcat_properties "${producer_properties[@]}") "$work/records.jsonl"
}
roost_consume() {
  ROOST_KAFKA_PROPERTIES=$(roost_properties "${consumer_properties[@]}") \
    run_timed "$roost" kafka consume bench-roost-1 --output "$work/roost-out-$1.jsonl"
}
# shellcheck disable=SC2016,SC2046
kcat_consume() {
  run_timed sh -c 'out=$1; shift; kcat "$@" > "$out" && sync "$out"' sh "$work/kcat-out-$1.jsonl" \
    -C -b "$servers" -t bench-roost-1 -o beginning -e -q -J $(kcat_properties "${consumer_properties[@]}")
}

# Each side runs twice, in the order Roost, kcat, kcat, Roost, and its faster run counts: neither
# side always goes first, and a burst of the machine's other load spoils one run, not the figure.
load_before=$(load)
rp1=$(roost_produce 1); kp1=$(kcat_produce 1); kp2=$(kcat_produce 2); rp2=$(roost_produce 2)
rc1=$(roost_consume 1); kc1=$(kcat_consume 1); kc2=$(kcat_consume 2); rc2=$(roost_consume 2)
load_after=$(load)
for file in "$work"/roost-out-*.jsonl "$work"/kcat-out-*.jsonl; do
  consumed=$(wc -l < "$file")
  [ "$consumed" -eq "$records" ] || { echo "$(basename "$file"): $consumed of $records records" >&2; exit 1; }
done
roost_produce=$(best "$rp1" "$rp2") kcat_produce=$(best "$kp1" "$kp2")
roost_consume=$(best "$rc1" "$rc2") kcat_consume=$(best "$kc1" "$kc2")
roost_rss=$(peak_mb "$work"/roost-*.rss) kcat_rss=$(peak_mb "$work"/kcat-*.rss)

out_mb() { python3 -c "import os; print(round(os.path.getsize('$work/$1-out-1.jsonl') / 1e6))"; }
printf 'load average %s before, %s after\n' "$load_before" "$load_after"
printf 'produce %d records of 1 KiB (%.0f MB), %d partitions (best of 2 runs; the runs: roost %.2f, %.2f s; kcat %.2f, %.2f s)\n' \
  "$records" "$mb" "$partitions" "$rp1" "$rp2" "$kp1" "$kp2"
printf '  roost: %8.2f s  %9d records/s  %7.1f MB/s  peak RSS %d MB\n' "$roost_produce" "$(rate "$records" "$roost_produce")" \
  "$(python3 -c "print($mb / $roost_produce)")" "$roost_rss"
printf '  kcat:  %8.2f s  %9d records/s  %7.1f MB/s  peak RSS %d MB\n' "$kcat_produce" "$(rate "$records" "$kcat_produce")" \
  "$(python3 -c "print($mb / $kcat_produce)")" "$kcat_rss"
printf 'consume them into a JSON-lines file, fsynced (roost %s MB, kcat -J %s MB; the runs: roost %.2f, %.2f s; kcat %.2f, %.2f s)\n' \
  "$(out_mb roost)" "$(out_mb kcat)" "$rc1" "$rc2" "$kc1" "$kc2"
printf '  roost: %8.2f s  %9d records/s  %7.1f MB/s\n' "$roost_consume" "$(rate "$records" "$roost_consume")" "$(python3 -c "print($mb / $roost_consume)")"
printf '  kcat:  %8.2f s  %9d records/s  %7.1f MB/s\n' "$kcat_consume" "$(rate "$records" "$kcat_consume")" "$(python3 -c "print($mb / $kcat_consume)")"
echo "BENCH kafka.produce.records_per_s $(rate "$records" "$roost_produce") records/s"
echo "BENCH kafka.produce.ratio_vs_kcat $(ratio "$kcat_produce" "$roost_produce") x"
echo "BENCH kafka.produce.peak_rss_mb $roost_rss MB"
echo "BENCH kafka.consume.records_per_s $(rate "$records" "$roost_consume") records/s"
echo "BENCH kafka.consume.ratio_vs_kcat $(ratio "$kcat_consume" "$roost_consume") x"
