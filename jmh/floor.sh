#!/usr/bin/env bash
# jmh/floor.sh - how much of a proxy's round-trip latency is the thread kind, in one command.
#
#   jmh/floor.sh [--reps N] [--duration S] [--keep] [--help]
#
# jmh/compare.sh finds loomproxy's 64 B ping-pong p50 above NGINX's. This script splits that gap:
# plain TCP only (no TLS, so no JSSE either), the same 64 B ping-pong (jmh/load/LoadClient.java
# latency) against an echo server, through each of
#
#   direct        no proxy: the client, the echo server and loopback alone;
#   nginx         an NGINX stream proxy (worker_processes auto), plain proxy_pass;
#   loomproxy     loomproxy, plain proxy_pass, started by bin/loomproxy (its JDK and JVM options);
#   jdk-platform  jmh/load/ThreadProxy.java: accept, connect, copy both ways, one PLATFORM thread
#                 per direction, 2 KiB reads, nothing else;
#   jdk-virtual   the same 40 lines on VIRTUAL threads.
#
# Both ThreadProxy runs use bin/loomproxy's JVM options (-XX:+UseSerialGC -Xmn8m) and the poller mode
# loomproxy's main sets itself (-Djdk.pollerMode=1; ThreadProxy has no such main). When
# loomproxy ~ jdk-virtual and jdk-platform ~ nginx, the gap is what a blocking read on a virtual
# thread costs on this machine (the JDK's poller thread wakes, then wakes a carrier thread: two
# thread wake-ups per arriving message where NGINX's event loop has one), not loomproxy's code.
#
# Each repetition runs every target once (order rotated per repetition) after one warm-up run each;
# the table shows medians: p50 and p90 in µs, the p50 added over direct, and the proxy process's CPU
# (utime + stime from /proc, NGINX's workers included) per round trip. About 1.5 minutes with the
# defaults. Everything on 127.0.0.1, ports picked free in 20000-29999, every process stopped on exit.
# Needs what jmh/compare.sh needs (bash, coreutils, a JDK >= 21 with javac, nginx with the stream
# module: installed with apt-get when run as root and missing).
#
# Options:
#   --reps N        repetitions (default 3)
#   --duration S    seconds measured per run, after 1 s of client warm-up (default 4)
#   --keep          keep the temp dir (configurations, logs, raw results) and print its path
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

reps=3 duration=4 keep=0
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=${2:?--reps needs a number}; shift ;;
        --duration) duration=${2:?--duration needs seconds}; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "floor.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case $reps in ''|*[!0-9]*|0) echo "floor.sh: --reps $reps: give a whole number >= 1" >&2; exit 2 ;; esac
case $duration in ''|*[!0-9]*|0) echo "floor.sh: --duration $duration: give a whole number of seconds >= 1" >&2; exit 2 ;; esac

# shellcheck source=load/proc.sh
. "$here/load/proc.sh"
# shellcheck source=load/setup.sh
. "$here/load/setup.sh"

command -v timeout >/dev/null || die "needs timeout(1) from coreutils"
ensure_nginx
ensure_jar
java=$(find_jdk) || die "needs a JDK 21 or later with javac (e.g. apt-get install openjdk-21-jdk-headless), or set LOOMPROXY_JAVA to its bin/java"
javac=$(dirname "$java")/javac
hz=$(getconf CLK_TCK)
jvm_opts=(-XX:+UseSerialGC -Xmn8m -Djdk.pollerMode=1) # bin/loomproxy's options + what loomproxy's main sets
client_opts=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -Xmx256m)

tmp=$(mktemp -d /tmp/loomproxy-floor.XXXXXX)
started_pids=() client_pid= taken_ports=" "
trap cleanup EXIT
trap 'exit 130' INT TERM

targets="direct nginx loomproxy jdk-platform jdk-virtual"
declare -A PORT PID V
for t in echo $targets; do PORT[$t]=$(pick_port); done

start() { # NAME LOG COMMAND... : in the background, waits until its port listens
    local name=$1 log=$2
    shift 2
    "$@" >"$log" 2>&1 &
    started_pids+=($!)
    PID[$name]=$!
    wait_listening "${PORT[$name]}" "$!" "$name" "$log"
}

say "compiling jmh/load with $javac"
"$javac" -d "$tmp/classes" "$here/load/LoadClient.java" "$here/load/EchoServer.java" "$here/load/ThreadProxy.java" ||
    die "jmh/load does not compile with $javac"
start echo "$tmp/echo.log" "$java" -XX:+UseSerialGC -cp "$tmp/classes" EchoServer --port "${PORT[echo]}"
PORT[direct]=${PORT[echo]} PID[direct]=

mkdir -p "$tmp/nginx"
cat > "$tmp/nginx/nginx.conf" <<EOF
load_module $stream_module;
daemon off;
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
stream {
    server {
        listen 127.0.0.1:${PORT[nginx]};
        proxy_pass 127.0.0.1:${PORT[echo]};
    }
}
EOF
start nginx "$tmp/nginx/stdout.log" nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log"

cat > "$tmp/loomproxy.properties" <<EOF
server.main.listen = 127.0.0.1:${PORT[loomproxy]}
server.main.proxy_pass = 127.0.0.1:${PORT[echo]}
access_log = off
error_log = $tmp/loomproxy-error.log warn
EOF
start loomproxy "$tmp/loomproxy.log" "$root/bin/loomproxy" "$tmp/loomproxy.properties"
for kind in platform virtual; do
    start "jdk-$kind" "$tmp/jdk-$kind.log" "$java" "${jvm_opts[@]}" -cp "$tmp/classes" ThreadProxy \
        --port "${PORT[jdk-$kind]}" --target "${PORT[echo]}" --threads "$kind"
done

# run TARGET OUT SECONDS: one latency run, the target's CPU ticks sampled around it
run() {
    local before=0 after=0
    [ -n "${PID[$1]}" ] && before=$(cpu_ticks "${PID[$1]}")
    timeout --kill-after=5 $(($3 + 60)) "$java" "${client_opts[@]}" -cp "$tmp/classes" LoadClient latency \
        --target "127.0.0.1:${PORT[$1]}" --size 64 --warmup 1 --duration "$3" >"$2" 2>"$2.err" &
    client_pid=$!
    wait "$client_pid" || die "the client failed against $1: $(tail -n 1 "$2.err")"
    client_pid=
    [ -n "${PID[$1]}" ] && after=$(cpu_ticks "${PID[$1]}")
    echo "cpu_ticks=$((after - before))" >>"$2"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2" | head -n 1; }
median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

say "warm-up: one ${duration} s run per target, not counted"
for t in $targets; do run "$t" "$tmp/warmup-$t.out" "$duration"; done
set -- $targets
for rep in $(seq "$reps"); do
    for t in "$@"; do
        say "rep $rep/$reps: $t"
        out=$tmp/$rep-$t.out
        run "$t" "$out" "$duration"
        V["$t p50 $rep"]=$(field p50_us "$out")
        V["$t p90 $rep"]=$(field p90_us "$out")
        V["$t cpu $rep"]=$(calc %.1f "$(sed -n 's/^cpu_ticks=//p' "$out") / $hz * 1e6 / $(field round_trips "$out")")
    done
    set -- "${@:2}" "$1" # rotate, so that no target always runs first
done

med() { local r out=; for r in $(seq "$reps"); do out+="${V["$1 $2 $r"]} "; done; echo "$out" | median; }
base=$(med direct p50)
echo
echo "64 B ping-pong, plain TCP, median of $reps repetitions of ${duration} s; $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Linux $(uname -r)"
echo "JDK: $java ${jvm_opts[*]}; NGINX: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
printf '%-14s %8s %8s %14s %14s\n' target "p50 µs" "p90 µs" "p50 added µs" "proxy CPU µs/rt"
for t in $targets; do
    p50=$(med "$t" p50)
    if [ "$t" = direct ]; then added=- cpu=-; else added=$(calc %.1f "$p50 - $base"); cpu=$(med "$t" cpu); fi
    printf '%-14s %8s %8s %14s %14s\n' "$t" "$p50" "$(med "$t" p90)" "$added" "$cpu"
done
