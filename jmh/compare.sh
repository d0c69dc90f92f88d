#!/usr/bin/env bash
# jmh/compare.sh - loomproxy side by side with NGINX's stream proxy, in one command, on 127.0.0.1.
#
#   jmh/compare.sh [--quick] [--reps N] [--only M,M] [--warmup S] [--idle-conns N] [--fresh-conns N,N]
#                  [--protocols "P ..."] [--nginx-workers N|auto] [--keep] [--help]
#
# What it sets up (all on 127.0.0.1, ports picked free in 20000-29999, files in a temp dir):
#
#   LoadClient ──plain──> NGINX stream proxy ──TLS 1.3, mTLS──> upstream NGINX ──plain──> EchoServer
#   LoadClient ──plain──> loomproxy (java -jar)     ──TLS 1.3, mTLS──> upstream NGINX ──plain──> EchoServer
#   LoadClient ──plain──> loomproxy (bin/loomproxy) ──TLS 1.3, mTLS──> upstream NGINX ──plain──> EchoServer
#
#   - an EC P-256 CA, an upstream certificate for localhost/127.0.0.1 and a client certificate,
#     made with openssl;
#   - the upstream: one NGINX (stream, worker_processes auto) with a TLS listener per proxy:
#     ssl_protocols TLSv1.2 TLSv1.3, (TLS 1.3) Ciphersuites TLS_AES_256_GCM_SHA384, ssl_verify_client on,
#     ssl_session_cache shared + ssl_session_tickets on, and an access log per listener with
#     $ssl_session_reused, so resumption is counted where it happens: at the upstream;
#   - the NGINX proxy: proxy_ssl on with the client certificate, proxy_ssl_verify on, depth 2,
#     proxy_ssl_session_reuse on, proxy_ssl_name localhost, proxy_ssl_server_name on, proxy_ssl_protocols TLSv1.3 (--protocols),
#     no access log. worker_processes auto (2 here) by default: loomproxy runs its sessions on a
#     carrier pool as wide as the machine, so the equal setting lets NGINX use every core too
#     (with 1 worker NGINX could never use more than one core); --nginx-workers 1 to compare that;
#   - loomproxy twice, as users start it: with README.md's `java OPTIONS -jar target/loomproxy.jar`
#     line (its options read from README.md, run with the java bin/loomproxy picks) and with
#     bin/loomproxy (its JDK, JVM options and class-data archive); the same directives in their
#     properties files and access_log off;
#   - jmh/load/EchoServer.java; the load comes from jmh/load/LoadClient.java (JDK only). Both are
#     compiled once into the temp dir with the javac of the JDK found (>= 21, like bin/loomproxy:
#     $LOOMPROXY_JAVA, $JAVA_HOME, PATH, /usr/lib/jvm, /opt, SDKMAN!; this one needs javac).
#
# Measures, each run against one proxy at a time (the client warms up ~1 s inside each run):
#   throughput  8 connections streaming 64 KiB writes, echoed: MB/s (10^6 B/s) of echo, and proxy
#               CPU seconds per GB (10^9 B) moved through the proxy, both directions counted;
#   connrate    16 concurrent clients: connect, 32 B each way, close: new connections/s, proxy CPU
#               ms per connection, and the upstream-seen resumption rate;
#   resume64    the same with 64 clients: upstream-seen resumption rate ($ssl_session_reused = r);
#   latency     one connection, 64 B ping-pong: p50 µs, and proxy CPU µs per round trip;
#   idle        N connections opened (one round trip each), held: proxy RSS growth per session;
#   fresh       the same on a proxy started just for it (heap not grown, code not compiled; NGINX
#               too gets a fresh master and workers), for each of --fresh-conns, then stopped.
# Proxy CPU is utime+stime from /proc/PID/stat of every process of that proxy (NGINX master and
# workers; loomproxy's one JVM, GC and JIT threads included: bin/loomproxy execs java), sampled right before and after each
# run; RSS is VmRSS from /proc/PID/status, summed the same way.
#
# Order: one warm-up per proxy (throughput 3 s, connrate --warmup S, latency 3 s: loomproxy's JIT
# needs tens of CPU seconds before its handshake path stops compiling; NGINX gets the same, for its
# session caches), then for each repetition, for each measure,
# the three proxies one after the other, the order rotated by one each repetition, so drift over the
# run falls on all. The table shows the medians of the repetitions, the
# ratio loomproxy/NGINX (>1 means loomproxy has more of it: good for MB/s and conn/s, bad for CPU,
# latency and memory), and each repetition's raw figures with how busy every process was.
#
# Time: about 17 minutes with the defaults (3 repetitions, 60 s warm-up per proxy), about 3 with --quick (2 s runs, 4 s of
# connection warm-up, 300 idle connections, fresh proxies at 300). Every client run is bounded with timeout(1); every process started here
# is stopped on exit. Needs: bash, openssl, coreutils, a JDK >= 21, Maven (only if
# target/loomproxy.jar is missing), nginx with the stream module: as root, Debian's nginx and
# libnginx-mod-stream are installed with apt-get if missing (on a machine with an init system the
# package also starts NGINX's default site on port 80; this script does not use it).
#
# Files: this script reads jmh/load/{proc,setup,runs,report}.sh (process helpers, set-up, one
# measured run, the report); jmh/load/README.md has a measured table and what limits each figure.
#
# Options:
#   --quick              short runs (~3 minutes in all)
#   --reps N             repetitions (default 3)
#   --only M,M           run only these measures (throughput, connrate, resume64, latency, idle, fresh), e.g.
#                        --only latency to iterate on one figure; the warm-up is unchanged
#   --warmup S           seconds of connection-rate warm-up per proxy before the first repetition
#                        (default 60, as "after a minute of load", quick 4; loomproxy's remaining JIT
#                        work shows in its thread line)
#   --idle-conns N       connections held open for the memory figure (default 1000, quick 300)
#   --fresh-conns N,N    the same on freshly started proxies, once per number (default 1000,10000;
#                        quick 300); needs about 3 open files per connection (raised as root)
#   --protocols "P ..."  both proxies' proxy_ssl_protocols (default TLSv1.3); "TLSv1 TLSv1.1 TLSv1.2" is what
#                        conf/loomproxy.properties asks for, TLS 1.2 in practice: a resumed session then
#                        needs no key exchange at all
#   --nginx-workers N    worker_processes of the NGINX proxy (default auto)
#   LOOMPROXY_JAR_OPTIONS="..."  JVM options for the java -jar column instead of README.md's (to try others)
#   --keep               keep the temp dir (configurations, certificates, logs) and print its path;
#                        it is kept anyway when the script fails or is interrupted
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

measures="throughput connrate resume64 latency idle fresh"
protocols=TLSv1.3 reps=3 quick=0 idle_conns= fresh_conns= warmup_secs= nginx_workers=auto keep=0
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --reps) reps=${2:?--reps needs a number}; shift ;;
        --only) only=${2:?--only needs measures, e.g. latency,idle}; shift
            for m in ${only//,/ }; do
                case " throughput connrate resume64 latency idle fresh " in *" $m "*) ;;
                    *) echo "compare.sh: --only $m: not a measure (throughput, connrate, resume64, latency, idle, fresh)" >&2; exit 2 ;;
                esac
            done
            measures=${only//,/ } ;;
        --warmup) warmup_secs=${2:?--warmup needs a number of seconds}; shift ;;
        --idle-conns) idle_conns=${2:?--idle-conns needs a number}; shift ;;
        --fresh-conns) fresh_conns=${2:?--fresh-conns needs numbers, e.g. 1000,10000}; fresh_conns=${fresh_conns//,/ }; shift ;;
        --nginx-workers) nginx_workers=${2:?--nginx-workers needs a number or auto}; shift ;;
        --protocols) protocols=${2:?--protocols needs protocols, e.g. TLSv1.2}; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case $reps in ''|*[!0-9]*|0) echo "compare.sh: --reps $reps: give a whole number >= 1" >&2; exit 2 ;; esac

# Seconds per run: the client's warm-up, then the measured window.
if [ "$quick" = 1 ]; then
    warm=0.5 tp_secs=2 cr_secs=2 res_secs=1.5 lat_secs=2 hold=1 warmup_other=1
    idle_conns=${idle_conns:-300} fresh_conns=${fresh_conns:-300} warmup_secs=${warmup_secs:-4}
else
    warm=1 tp_secs=7 cr_secs=6 res_secs=4 lat_secs=5 hold=2 warmup_other=3
    idle_conns=${idle_conns:-1000} fresh_conns=${fresh_conns:-1000 10000} warmup_secs=${warmup_secs:-60}
fi
for n in $idle_conns $fresh_conns; do
    case $n in ''|*[!0-9]*|0) echo "compare.sh: --idle-conns/--fresh-conns $n: give whole numbers >= 1" >&2; exit 2 ;; esac
done
case $warmup_secs in ''|*[!0-9]*) echo "compare.sh: --warmup $warmup_secs: give a whole number of seconds" >&2; exit 2 ;; esac

# shellcheck source=load/proc.sh
. "$here/load/proc.sh"
# shellcheck source=load/setup.sh
. "$here/load/setup.sh"
# shellcheck source=load/runs.sh
. "$here/load/runs.sh"
# shellcheck source=load/report.sh
. "$here/load/report.sh"

command -v openssl >/dev/null || die "needs openssl (apt-get install openssl)"
# Open files: a held connection costs the proxy two (client and upstream side), under this shell's
# limit, which every process started here inherits. Raised if allowed; a number of connections the
# limit cannot hold is lowered to what it can, and the report says so.
most=$(printf '%s\n' $idle_conns $fresh_conns | sort -n | tail -n 1)
ulimit -n $((2 * most + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit=$(ulimit -n)
if [ "$fd_limit" != unlimited ]; then
    fits=$(((fd_limit - 512) / 2 / 100 * 100))
    lowered= lowered_list=
    for n in $fresh_conns; do
        if [ "$n" -gt "$fits" ]; then n=$fits lowered=" (lowered to $fits: the open-file limit is $fd_limit)"; fi
        lowered_list+="$n "
    done
    fresh_conns=${lowered_list% }
    [ -n "$lowered" ] && say "fresh connections: $fresh_conns$lowered"
    [ "$idle_conns" -le "$fits" ] || die "--idle-conns $idle_conns needs $((2 * idle_conns + 512)) open files; the limit is $fd_limit (run as root or raise it)"
fi
command -v timeout >/dev/null || die "needs timeout(1) from coreutils"
ensure_nginx
ensure_jar
jar_options=${LOOMPROXY_JAR_OPTIONS-$(readme_jar_options)}
java=$(find_jdk) || die "needs a JDK 21 or later with javac (e.g. apt-get install openjdk-21-jdk-headless), or set LOOMPROXY_JAVA to its bin/java"
javac=$(dirname "$java")/javac
hz=$(getconf CLK_TCK)

# What the machine does before anything starts: figures taken while other jobs run are not comparable.
b0=$(busy_ticks)
sleep 1
background=$(calc %.2f "($(busy_ticks) - $b0) / $hz")

tmp=$(mktemp -d /tmp/loomproxy-compare.XXXXXX)
started_pids=() client_pid= taken_ports=" "
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/runs"

proxies="nginx jar loomproxy"
port_echo=$(pick_port) port_up_nginx=$(pick_port) port_up_loomproxy=$(pick_port) port_up_jar=$(pick_port)
port_nginx=$(pick_port) port_loomproxy=$(pick_port) port_jar=$(pick_port)
make_pki
write_upstream_conf
write_nginx_proxy_conf "$tmp/nginx" "$port_nginx"
write_loomproxy_conf "$tmp/loomproxy" "$port_loomproxy" "$port_up_loomproxy"
write_loomproxy_conf "$tmp/jar" "$port_jar" "$port_up_jar"
start_all
say "echo :$port_echo, upstream NGINX :$port_up_nginx/:$port_up_jar/:$port_up_loomproxy, NGINX proxy :$port_nginx, loomproxy java -jar :$port_jar, bin/loomproxy :$port_loomproxy ($(readlink -f "/proc/$pid_loomproxy/exe"))"

say "warm-up per proxy, not counted: throughput ${warmup_other} s, connrate ${warmup_secs} s, latency ${warmup_other} s"
for proxy in $proxies; do
    client "$tmp/runs/warmup-$proxy-throughput.out" 60 throughput "$proxy" --warmup 0 --duration "$warmup_other" || true
    client "$tmp/runs/warmup-$proxy-connrate.out" $((warmup_secs + 60)) connrate "$proxy" --warmup 0 --duration "$warmup_secs" || true
    client "$tmp/runs/warmup-$proxy-latency.out" 60 latency "$proxy" --warmup 0 --duration "$warmup_other" || true
done

for rep in $(seq "$reps"); do
    case $((rep % 3)) in
        1) order="nginx jar loomproxy" ;;
        2) order="jar loomproxy nginx" ;;
        0) order="loomproxy nginx jar" ;;
    esac
    for measure in $measures; do
        for proxy in $order; do
            say "rep $rep/$reps: $measure against $proxy"
            case $measure in
                throughput) run_throughput "$proxy" "$rep" ;;
                connrate) run_connrate "$proxy" "$rep" connrate 16 "$cr_secs" ;;
                resume64) run_connrate "$proxy" "$rep" resume64 64 "$res_secs" ;;
                latency) run_latency "$proxy" "$rep" ;;
                idle) run_idle "$proxy" "$rep" ;;
                fresh) for n in $fresh_conns; do run_fresh "$proxy" "$rep" "$n"; done ;;
            esac
        done
    done
done
report
