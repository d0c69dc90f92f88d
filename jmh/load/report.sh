# jmh/load/report.sh - sourced by jmh/compare.sh: the table of medians, each repetition's raw
# figures, and what the logs said. Reads V and NOTE (see runs.sh) and compare.sh's settings.
# Columns: NGINX, loomproxy started with README.md's java -jar line, and with bin/loomproxy; the
# ratios are each loomproxy column over NGINX's.

# values PROXY KEY -> the figure of every repetition, space separated (n/a where a run failed)
values() { local r out=; for r in $(seq "$reps"); do out+="${V["$1 $2 $r"]:-n/a} "; done; echo "${out% }"; }
median() {
    tr ' ' '\n' | { grep -E '^-?[0-9.]+$' || true; } | sort -g |
        awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
fmt() { if [ "$2" = n/a ]; then echo n/a; else calc "$1" "$2"; fi; }

# ratio A B -> A / B with two decimals, or n/a
ratio() {
    if [ "$1" != n/a ] && [ "$2" != n/a ] && awk "BEGIN { exit !($2 != 0) }"; then calc %.2f "$1 / $2"; else echo n/a; fi
}

row() { # LABEL KEY FORMAT [UNIT]
    local n j l
    n=$(values nginx "$2" | median)
    j=$(values jar "$2" | median)
    l=$(values loomproxy "$2" | median)
    if [ "$n$j$l" = n/an/an/a ]; then return 0; fi # a measure left out with --only
    printf '%-54s %10s %10s %13s %6s %6s\n' "$1" "$(fmt "$3" "$n")${4:-}" "$(fmt "$3" "$j")${4:-}" "$(fmt "$3" "$l")${4:-}" \
        "$(ratio "$j" "$n")" "$(ratio "$l" "$n")"
}

# log_summary NAME FILE: how many lines, and the most frequent messages with numbers folded
log_summary() {
    local lines
    lines=$({ wc -l <"$2"; } 2>/dev/null || echo 0)
    echo "  $1 (${2#"$tmp"/}): $lines lines"
    [ "$lines" = 0 ] && return 0
    sed -E 's|^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} ||; s/[#*][0-9]+/#N/g; s/:[0-9]{2,5}/:P/g; s/[0-9]+ bytes/N bytes/g' "$2" |
        sort | uniq -c | sort -rn | head -n 6 | sed 's/^/    /'
}

# header: the machine, the versions and the settings the figures come from
header() {
    local proxy
    echo "loomproxy vs NGINX stream proxy: median of $reps interleaved repetitions; everything on 127.0.0.1"
    echo "machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Linux $(uname -r),"
    echo "  shared by the load client, the proxy, the upstream and the echo server (and whatever else runs: 'others' below;"
    echo "  $background of $(nproc) cores were busy in the second before the start)"
    echo "NGINX: $(nginx -v 2>&1 | sed 's/^nginx version: //'), proxy worker_processes $nginx_workers; $(openssl version | cut -d' ' -f1-2)"
    echo "loomproxy, java -jar (README.md's line): $(tr '\0' ' ' </proc/"$pid_jar"/cmdline | sed "s|$tmp/||; s|$root/||")"
    echo "loomproxy, bin/loomproxy: $(tr '\0' ' ' </proc/"$pid_loomproxy"/cmdline | sed "s|$tmp/||; s|$root/||")"
    echo "proxy_ssl_protocols $protocols (both proxies)"
    echo "runs: throughput ${tp_secs}s, connrate ${cr_secs}s, resume64 ${res_secs}s, latency ${lat_secs}s (each after ${warm}s of client warm-up), idle $idle_conns connections;"
    echo "  warm-up before the first repetition: connrate ${warmup_secs}s per proxy"
    echo "TLS as the upstream saw it (count, protocol, cipher, client certificate verification):"
    for proxy in $proxies; do
        awk '{ print $3, $4, $5 }' "$tmp/upstream/from-$proxy.log" | sort | uniq -c | sed "s/^/  $proxy: /"
    done
}

table() {
    printf '%-54s %10s %10s %13s %6s %6s\n' measure NGINX "java -jar" bin/loomproxy jar/N bin/N
    row "echoed MB/s, 8 conns streaming 64 KiB writes" tp.mbs %.1f
    row "proxy CPU s per GB moved (both directions)" tp.cpu_gb %.2f
    row "new connections/s (16 clients, 32 B each way)" connrate.rate %.0f
    row "proxy CPU ms per new connection" connrate.cpu_ms %.2f
    row "upstream-seen resumption, 64 concurrent clients" resume64.resumed %.1f " %"
    row "64 B ping-pong latency p50 (µs)" lat.p50 %.0f
    row "proxy CPU µs per round trip" lat.cpu_us %.0f
    row "proxy RSS per idle session (KiB, $idle_conns open)" idle.kib %.1f
    for n in $fresh_conns; do
        row "  same, freshly started proxy (KiB, $n open)" "fresh$n.kib" %.1f
    done
    row "  more: 64 B ping-pong latency p99 (µs)" lat.p99 %.0f
    row "  more: connect+echo+close p50 (ms), 16 clients" connrate.p50 %.2f
    row "  more: upstream-seen resumption, 16 clients" connrate.resumed %.1f " %"
    row "  more: new connections/s, 64 clients" resume64.rate %.0f
    row "  more: proxy CPU ms per new connection, 64 clients" resume64.cpu_ms %.2f
}

repetitions() {
    local rep proxy
    echo "each repetition (MB/s | s/GB | conn/s | ms/conn | resumed@64 | p50 µs | µs/rt | KiB/idle session); jar = java -jar:"
    for rep in $(seq "$reps"); do
        for proxy in $proxies; do
            printf '  rep %d %-9s %s | %s | %s | %s | %s %% | %s | %s | %s\n' "$rep" "$proxy" \
                "${V["$proxy tp.mbs $rep"]:-n/a}" "${V["$proxy tp.cpu_gb $rep"]:-n/a}" "${V["$proxy connrate.rate $rep"]:-n/a}" \
                "${V["$proxy connrate.cpu_ms $rep"]:-n/a}" "${V["$proxy resume64.resumed $rep"]:-n/a}" "${V["$proxy lat.p50 $rep"]:-n/a}" \
                "${V["$proxy lat.cpu_us $rep"]:-n/a}" "${V["$proxy idle.kib $rep"]:-n/a}"
            printf '%s' "${NOTE["$proxy $rep"]:-}"
        done
    done
}

logs() {
    echo "logs:"
    log_summary "loomproxy (bin/loomproxy) error_log (warn)" "$tmp/loomproxy/error.log"
    log_summary "loomproxy (bin/loomproxy) stderr" "$tmp/loomproxy/stderr.log"
    log_summary "loomproxy (java -jar) error_log (warn)" "$tmp/jar/error.log"
    log_summary "loomproxy (java -jar) stderr" "$tmp/jar/stderr.log"
    log_summary "NGINX proxy error_log (warn)" "$tmp/nginx/error.log"
    log_summary "upstream NGINX error_log (warn)" "$tmp/upstream/error.log"
}

report() {
    echo
    header
    echo
    table
    echo
    repetitions
    echo
    logs
}
