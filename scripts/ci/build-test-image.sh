#!/usr/bin/env bash
# Builds the tiny image FlowForge's tests run steps in, from Debian's busybox-static, without any
# registry (tests must never pull from the network). Safe to run again: skips an existing image.
set -euo pipefail

IMAGE="${FLOWFORGE_TEST_IMAGE:-flowforge-test/busybox:latest}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "Image $IMAGE already exists"
    exit 0
fi

# Only the static build works inside an image with no libc, so check for that package by name.
if ! dpkg -s busybox-static >/dev/null 2>&1; then
    echo "busybox-static not found: installing it"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq busybox-static
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/workspace" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in sh echo sleep cat ls env true false printf test mkdir rm cp mv touch grep sed wc head \
    tail id pwd date kill ps seq tr cut sort uniq dd yes nc wget hostname basename dirname chmod; do
    ln -s busybox "$rootfs/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
echo "root:x:0:" >"$rootfs/etc/group"

tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/bin' \
    --change 'CMD ["/bin/sh"]' \
    - "$IMAGE" >/dev/null
echo "Built $IMAGE"
