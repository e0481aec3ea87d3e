#!/bin/sh
# Assembles the service readiness probe and prints its machine code as the Swift byte list that
# Sources/FlowForgeRunner/Docker/DockerProbeImage.swift carries (`x86_64Probe`). Needs binutils.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
as --64 -o "$work/probe.o" "$here/probe-x86_64.s"
objcopy -O binary -j .text "$work/probe.o" "$work/probe.bin"
od -An -v -tx1 "$work/probe.bin" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//' | tr ' ' '\n' |
    awk '{ printf "%s0x%s", (NR % 16 == 1 ? (NR > 1 ? ",\n" : "") : ", "), toupper($0) } END { print "" }'
