#!/usr/bin/env bash
# Runs a command as root in a throwaway copy of this machine: a private mount namespace where /etc,
# /opt, /var and /usr/local are overlays whose changes land in $THROWAWAY_ROOT/upper (inspected
# afterwards, then deleted), and a private network namespace with only loopback. Nothing the
# command does reaches the real system or network.
#   THROWAWAY_ROOT=DIR throwaway-root.sh COMMAND [ARGS...]
set -euo pipefail
: "${THROWAWAY_ROOT:?set THROWAWAY_ROOT to an empty directory}"
[ "$(id -u)" = 0 ] || { echo "throwaway-root: needs root (namespaces and overlay mounts)" >&2; exit 1; }
if [ "${THROWAWAY_INSIDE:-}" != 1 ]; then
  exec env THROWAWAY_INSIDE=1 unshare --mount --net --fork --propagation private "$0" "$@"
fi
ip link set lo up
for dir in etc opt var usr/local; do
  mkdir -p "$THROWAWAY_ROOT/upper/$dir" "$THROWAWAY_ROOT/work/$dir"
  mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$THROWAWAY_ROOT/upper/$dir,workdir=$THROWAWAY_ROOT/work/$dir" "/$dir"
done
mount -t tmpfs -o mode=0755 tmpfs /run
exec "$@"
