#!/bin/sh
# Example fence script for koi-plugin-fence-script.
# $1 = name of the silent master, then its addresses. Exit 0 only when the
# node is certainly off or isolated. The plugin passes only valid node names
# (letters, digits, . _ -, never a leading "-"); still quote "$1", and put
# it after "--" when a command takes options. Replace the body with your power switch,
# IPMI or cloud API call, e.g.:
#   ipmitool -H "ipmi-$1" -U admin -E chassis power off
#   aws ec2 stop-instances --force --instance-ids "$(lookup-instance -- "$1")"
echo "would fence $1 (addresses: $KOI_FENCE_ADDRESSES, silent for ${KOI_FENCE_SILENT_MS} ms)"
exit 1
