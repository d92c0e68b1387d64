#!/usr/bin/env bash
# BpfSharp's main job: pack the solution, build the sample against the packed .nupkg (not the source tree),
# run it to show the generated helper API, then show what the analyzers report on the deliberate mistakes.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== dotnet pack Generators.sln -> artifacts/packages"
dotnet pack Generators.sln -c Release --nologo -v quiet
ls artifacts/packages/*.nupkg

# The samples restore into samples/.packages; drop any earlier copy so the package just packed is used, and stop the
# compiler server, which would otherwise keep the analyzers it loaded from an earlier package of the same version.
# Restore records a package's files in obj/, and keeps that record while the version stays the same: start afresh.
rm -rf samples/.packages/bpfsharp samples/HelloXdp/obj samples/HelloXdp.Tests/obj samples/Mistakes/obj samples/OpenSnoop/obj samples/RunqLat/obj samples/ExecSnoop/obj
dotnet build-server shutdown >/dev/null 2>&1 || true

# The BPF toolchain: clang turns the C# programs into a BPF object during the build, bpftool (a tool that is not
# ours) loads and runs it below. Installed from the distribution when missing and possible.
if ! command -v clang >/dev/null 2>&1 || ! { command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ]; }; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing clang and bpftool (apt-get)"
    { apt-get update -qq && apt-get install -y -qq clang bpftool; } >/dev/null 2>&1 || echo "(could not install clang/bpftool)"
  fi
fi
export PATH="$PATH:/usr/sbin"

echo
echo "== samples/HelloXdp: an XDP program counting packets per IP protocol (builds with warnings as errors)"
start=$(date +%s%N)
dotnet build samples/HelloXdp -c Release --nologo -v quiet -clp:NoSummary
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "built in ${elapsed_ms} ms"

object=samples/HelloXdp/bin/Release/net10.0/HelloXdp.bpf.o
echo
echo "== $object: what dotnet build compiled from samples/HelloXdp/PacketCounter.cs"
if [ ! -f "$object" ]; then
  echo "(no object: clang was not found, so the build wrote none; see the BPF2000 warning)"
else
  ls -l "$object"
  # readelf comes with clang's binutils: programs are the global functions, maps the objects in .maps.
  declare -A sections
  while read -r index name; do sections[$index]=$name; done < <(readelf -S -W "$object" | sed -nE 's/^ *\[ *([0-9]+)\] ([^ ]+) .*/\1 \2/p')
  readelf -s -W "$object" | while read -r _ _ size type bind _ index name; do
    if [ "$type" = FUNC ] && [ "$bind" = GLOBAL ]; then
      echo "  program $name, section \"${sections[$index]}\", $((size / 8)) instructions"
    elif [ "$type" = OBJECT ] && [ "${sections[$index]:-}" = .maps ]; then
      echo "  map $name"
    fi
  done

  echo
  echo "== Loaded into this kernel with bpftool (not ours) and test-run on crafted frames"
  if [ "$(id -u)" = "0" ] && command -v bpftool >/dev/null 2>&1; then
    mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
    pins=/sys/fs/bpf/bpfsharp-sample-$$
    frames=$(mktemp -d)
    trap 'rm -rf "$pins" "$frames"' EXIT
    mkdir -p "$pins"
    bpftool prog loadall "$object" "$pins/progs" pinmaps "$pins/maps"
    bpftool prog show pinned "$pins/progs/CountPackets"
    bpftool map show pinned "$pins/maps/Protocols"
    # Ethernet (zero MACs) + IPv4 127.0.0.1 -> 127.0.0.1 with protocol $1 + 20 bytes of payload.
    macs='\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
    ipv4() { printf "$macs\x08\x00\x45\x00\x00\x28\x00\x00\x40\x00\x40\x$1\x00\x00\x7f\x00\x00\x01\x7f\x00\x00\x01"; head -c 20 /dev/zero; }
    ipv4 06 > "$frames/tcp"
    ipv4 11 > "$frames/udp"
    { printf "$macs\x08\x06"; head -c 28 /dev/zero; } > "$frames/arp"
    { printf "$macs\x08\x00\x45\x00"; head -c 4 /dev/zero; } > "$frames/short-ipv4"
    for frame in tcp udp udp arp short-ipv4; do
      echo "  $frame: $(bpftool prog run pinned "$pins/progs/CountPackets" data_in "$frames/$frame" | head -1)"
    done
    echo "Protocols, the map the program filled (6 = TCP, 17 = UDP, 256 = not IPv4):"
    bpftool map dump pinned "$pins/maps/Protocols"
    counts=$(bpftool -j map dump pinned "$pins/maps/Protocols")
    for expected in '{"key":6,"value":1}' '{"key":17,"value":2}' '{"key":256,"value":2}'; do
      if ! grep -qF "$expected" <<<"$counts"; then
        echo "expected $expected in the map; it holds: $counts" >&2
        exit 1
      fi
    done
    loaded="its object loads and counts packets in the kernel"
  else
    echo "(not loaded: loading BPF programs needs root and bpftool)"
  fi
fi

echo
echo "== samples/HelloXdp run: BpfObject (BpfSharp's loader, in the package) loads the object, attaches the program to lo,"
echo "   sends real loopback traffic and reads the counts through the typed map view"
dotnet run --project samples/HelloXdp -c Release --no-build

echo
echo "== samples/HelloXdp.Tests: xunit tests of the sample's BPF logic, run by the kernel on crafted frames (the README's pattern)"
dotnet test samples/HelloXdp.Tests -c Release --nologo -v quiet

# The tracing samples build clean against the package and, as root, run and check the events they provoke themselves.
run_tracing_sample() {
  dotnet build "samples/$1" -c Release --nologo -v quiet -clp:NoSummary
  if [ "$(id -u)" = "0" ]; then
    dotnet run --project "samples/$1" -c Release --no-build
  else
    echo "(not run: attaching tracepoint programs needs root)"
  fi
}

echo
echo "== samples/OpenSnoop: opensnoop in C#: openat's entry and exit tracepoints with typed contexts, events through a ring"
echo "   buffer as the struct both halves share; it opens a file of its own (write, read, and a missing one) and finds them"
run_tracing_sample OpenSnoop

echo
echo "== samples/ExecSnoop: execsnoop in C#: fork, exec, exit_group and exit tracepoints with typed contexts (the exec path"
echo "   read from the record's variable part); it starts /bin/sh -c 'exit 3' and finds its exec, parent and status"
run_tracing_sample ExecSnoop

echo
echo "== samples/RunqLat: runqlat in C#: scheduler tracepoints with typed contexts, a log2 histogram of run-queue waits in"
echo "   an array map, printed as bcc prints it; it keeps threads sleeping and waking for a second to have waits to count"
run_tracing_sample RunqLat

echo
echo "== samples/Mistakes: what the verifier would say, at compile time"
if output=$(dotnet build samples/Mistakes -c Release --nologo -v quiet -clp:NoSummary 2>&1); then
  echo "samples/Mistakes built without errors, but BPF0001 and BPF0002 were expected" >&2
  exit 1
fi
# One line per finding: file(line,col): severity id: message (project path and help link trimmed).
findings=$(echo "$output" | grep -E ': (error|warning) BPF[0-9]{4}: ' | sed -E 's/ \[[^]]*\.csproj\]$//; s/ \(https:[^)]*\)$//; s|^.*/samples/|samples/|' | sort -u)
echo "$findings"
for id in BPF0001 BPF0002 BPF0003 BPF0004 BPF0005 BPF0006 BPF0007 BPF0014 BPF1005; do
  if ! grep -q " $id:" <<<"$findings"; then
    echo "expected $id in the findings; the build said:" >&2
    echo "$output" >&2
    exit 1
  fi
done
if grep -qE 'AD0001|CS8785|CS9057' <<<"$output"; then
  echo "the packaged generator or analyzers failed to load:" >&2
  echo "$output" >&2
  exit 1
fi

echo
echo "== The kernel's own verdicts: 'bpfsharp probe' (the packed .NET tool) asks this machine's verifier, and"
echo "   samples/Mistakes is built again with that kernel profile (BpfKernelProfile) instead of BpfTargetKernel 4.19"
rm -rf samples/.tools samples/.packages/bpfsharp.tool
dotnet tool install --tool-path samples/.tools --configfile samples/nuget.config BpfSharp.Tool --version 0.1.0 >/dev/null
mkdir -p samples/.fixed
if samples/.tools/bpfsharp probe --quiet --output samples/.fixed/kernel-profile.json; then
  profiled=$(dotnet build samples/Mistakes -c Release --nologo -v quiet -clp:NoSummary "-p:BpfKernelProfile=$PWD/samples/.fixed/kernel-profile.json" 2>&1 || true)
  echo "$profiled" | grep -E ': (error|warning) BPF00(01|02|03|04|11): ' | sed -E 's/ \[[^]]*\.csproj\]$//; s/ \(https:[^)]*\)$//; s|^.*/samples/|samples/|' | sort -u
  if grep -q 'BPF0011' <<<"$profiled" || ! grep -q ' BPF0001: .*on Linux ' <<<"$profiled"; then
    echo "the build did not take the kernel profile:" >&2
    echo "$profiled" >&2
    exit 1
  fi
else
  echo "(skipped: bpf(2) cannot be used here, as the probe says above; the spec's per-version facts still apply)"
fi

echo
echo "== The code fixes, applied by 'dotnet format analyzers' to a copy of samples/Mistakes (BPF0002, BPF0004, BPF0006, BPF0007)"
rm -rf samples/.fixed && mkdir -p samples/.fixed/Mistakes
cp -r samples/Mistakes/Mistakes.cs samples/Mistakes/Mistakes.csproj samples/Mistakes/pages samples/.fixed/Mistakes/
# One pass per fix: dotnet format does not combine fixes of different providers on one file in one pass.
for ids in "BPF0002 BPF0006" "BPF0004" "BPF0007"; do
  # shellcheck disable=SC2086
  dotnet format analyzers samples/.fixed/Mistakes/Mistakes.csproj --diagnostics $ids --severity info -v q >/dev/null 2>&1 || true
done
if diff -u samples/Mistakes/Mistakes.cs samples/.fixed/Mistakes/Mistakes.cs; then
  echo "the code fixes changed nothing" >&2
  exit 1
fi

echo
echo "OK: the sample builds clean against the package${loaded:+ and $loaded}; the .NET side loads it and reads the map; every rule fires"
echo "    on samples/Mistakes; the kernel profile gives that kernel's verdicts; the fixes apply."
