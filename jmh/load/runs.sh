# jmh/load/runs.sh - sourced by jmh/compare.sh: one LoadClient run against one proxy with the
# proxy's CPU (and the rest of the machine's) sampled around it, and the figures derived from it.
# Figures go to V["PROXY KEY REP"], the raw lines of a repetition to NOTE["PROXY REP"].

declare -A V
declare -A NOTE
# The client is plain TCP and system-call bound: C1 only and a small serial heap keep its CPU low.
client_opts=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -Xmx256m)

# field KEY FILE -> the value of KEY in the client's result line
field() { sed -n "s/^result .* $1=\([^ ]*\).*/\1/p" "$2" | head -n 1; }

port_of() { if [ "$1" = nginx ]; then echo "$port_nginx"; else echo "$port_loomproxy"; fi; }
pid_of() { if [ "$1" = nginx ]; then echo "$pid_nginx"; else echo "$pid_loomproxy"; fi; }
note() { NOTE["$1 $2"]+="$3"$'\n'; }

# client OUT LIMIT MODE PROXY ARGS... -> runs LoadClient against PROXY for at most LIMIT seconds.
# In the background with a wait, so that SIGINT/SIGTERM reach the trap at once, not after the run.
client() {
    local out=$1 limit=$2 mode=$3 proxy=$4 status=0
    shift 4
    timeout --kill-after=5 "$limit" "$java" "${client_opts[@]}" -cp "$tmp/classes" LoadClient "$mode" \
        --target "127.0.0.1:$(port_of "$proxy")" "$@" >"$out" 2>"$out.err" &
    client_pid=$!
    wait "$client_pid" || status=$?
    client_pid=
    return $status
}

# errors_of OUT -> ", N ERRORS: first" when the client saw errors or gave no result
errors_of() {
    if ! grep -q '^result ' "$1"; then
        echo ", NO RESULT: $(tail -n 1 "$1.err" 2>/dev/null)"
    elif [ "$(field errors "$1")" != 0 ]; then
        echo ", $(field errors "$1") ERRORS: $(sed -n 's/.* first_error=//p' "$1")"
    fi
}

# totals PROXY -> "proxy upstream echo machine nanotime": CPU ticks so far, and the time
totals() { echo "$(cpu_ticks "$(pid_of "$1")") $(cpu_ticks "$pid_upstream") $(cpu_ticks "$pid_echo") $(busy_ticks) $(date +%s%N)"; }

# sample PROXY -> totals PROXY, and loomproxy's ticks per thread into threads.before
sample() {
    if [ "$1" = loomproxy ]; then threads "$pid_loomproxy" >"$tmp/runs/threads.before"; fi
    totals "$1"
}

# measured PROXY REP MODE OUT BEFORE: the proxy's CPU seconds for the run into V, and a raw line
# saying how busy each process was ("others" is everything else on the machine, e.g. other jobs)
measured() {
    local proxy=$1 rep=$2 mode=$3 out=$4 p0 u0 e0 b0 t0 p1 u1 e1 b1 t1 secs client_cpu hot=
    read -r p0 u0 e0 b0 t0 <<<"$5"
    read -r p1 u1 e1 b1 t1 <<<"$(totals "$proxy")"
    V["$proxy $mode.cpu $rep"]=$(calc %.3f "($p1 - $p0) / $hz")
    secs=$(calc %.3f "($t1 - $t0) / 1e9")
    client_cpu=$(field client_cpu_s "$out")
    client_cpu=${client_cpu:-0}
    if [ "$proxy" = loomproxy ]; then
        threads "$pid_loomproxy" >"$tmp/runs/threads.after"
        hot="; loomproxy threads: $(hot_threads "$tmp/runs/threads.before" "$tmp/runs/threads.after")"
    fi
    note "$proxy" "$rep" "$(printf '    %-10s cores busy over %4.1f s: proxy %.2f, upstream %.2f, echo %.2f, client %.2f, others %.2f (of %d)%s%s' \
        "$mode" "$secs" "$(calc %.3f "($p1 - $p0) / $hz / $secs")" "$(calc %.3f "($u1 - $u0) / $hz / $secs")" \
        "$(calc %.3f "($e1 - $e0) / $hz / $secs")" "$(calc %.3f "$client_cpu / $secs")" \
        "$(calc %.3f "(($b1 - $b0) - ($p1 - $p0) - ($u1 - $u0) - ($e1 - $e0)) / $hz / $secs - $client_cpu / $secs")" \
        "$(nproc)" "$hot" "$(errors_of "$out")")"
}

# per PROXY KEY REP NUMERATOR_KEY FACTOR COUNT: V[KEY] = FACTOR * V[NUMERATOR_KEY] / COUNT, if COUNT > 0
per() {
    if [ -n "$6" ] && [ "$6" != 0 ] && [ -n "${V["$1 $4 $3"]:-}" ]; then
        V["$1 $2 $3"]=$(calc %.3f "$5 * ${V["$1 $4 $3"]} / $6")
    fi
}

# resumption PROXY LINES_BEFORE -> "reused total" of the upstream's log lines since LINES_BEFORE
resumption() {
    sleep 0.5 # the upstream writes a line when its session ends, just after the client's close
    tail -n "+$(($2 + 1))" "$tmp/upstream/from-$1.log" | awk '{ n++ } $2 == "r" { r++ } END { print r + 0, n + 0 }'
}

run_throughput() { # PROXY REP
    local out=$tmp/runs/$2-$1-throughput.out before
    before=$(sample "$1")
    client "$out" 90 throughput "$1" --conns 8 --size 65536 --warmup "$warm" --duration "$tp_secs" || true
    measured "$1" "$2" throughput "$out" "$before"
    V["$1 tp.mbs $2"]=$(field echoed_mb_per_s "$out")
    per "$1" tp.cpu_gb "$2" throughput.cpu 1e9 "$(field moved_bytes "$out")"
}

run_connrate() { # PROXY REP MODE CLIENTS SECONDS
    local out=$tmp/runs/$2-$1-$3.out before lines reused total
    lines=$(wc -l <"$tmp/upstream/from-$1.log")
    before=$(sample "$1")
    client "$out" 90 connrate "$1" --conns "$4" --size 32 --warmup "$warm" --duration "$5" || true
    measured "$1" "$2" "$3" "$out" "$before"
    read -r reused total <<<"$(resumption "$1" "$lines")"
    V["$1 $3.rate $2"]=$(field conns_per_s "$out")
    V["$1 $3.p50 $2"]=$(field p50_ms "$out")
    if [ "$total" -gt 0 ]; then V["$1 $3.resumed $2"]=$(calc %.2f "100 * $reused / $total"); fi
    per "$1" "$3.cpu_ms" "$2" "$3.cpu" 1000 "$(field total_conns "$out")"
    note "$1" "$2" "$(printf '    %-10s upstream saw %d of %d connections resumed' "$3" "$reused" "$total")"
}

run_latency() { # PROXY REP
    local out=$tmp/runs/$2-$1-latency.out before
    before=$(sample "$1")
    client "$out" 90 latency "$1" --size 64 --warmup "$warm" --duration "$lat_secs" || true
    measured "$1" "$2" latency "$out" "$before"
    V["$1 lat.p50 $2"]=$(field p50_us "$out")
    V["$1 lat.p99 $2"]=$(field p99_us "$out")
    per "$1" lat.cpu_us "$2" latency.cpu 1e6 "$(field round_trips "$out")"
}

# run_idle PROXY REP: RSS before, and once all connections are open (half the hold later)
run_idle() {
    local out=$tmp/runs/$2-$1-idle.out pid rss0 rss1 open
    pid=$(pid_of "$1")
    rss0=$(rss_kib "$pid")
    timeout --kill-after=5 180 "$java" "${client_opts[@]}" -cp "$tmp/classes" LoadClient idle \
        --target "127.0.0.1:$(port_of "$1")" --conns "$idle_conns" --size 32 --hold "$hold" >"$out" 2>"$out.err" &
    client_pid=$!
    for _ in $(seq 1200); do
        grep -q '^ready' "$out" 2>/dev/null && break
        kill -0 "$client_pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep "$(calc %.2f "$hold / 2")"
    rss1=$(rss_kib "$pid")
    wait "$client_pid" || true
    client_pid=
    open=$(sed -n 's/^ready open=\([0-9]*\).*/\1/p' "$out")
    V["$1 idle.rss $2"]=$((rss1 - rss0))
    per "$1" idle.kib "$2" idle.rss 1 "$open"
    note "$1" "$2" "$(printf '    %-10s RSS %d -> %d KiB with %s of %d connections open (%s alive after the hold)%s' \
        idle "$rss0" "$rss1" "${open:-0}" "$idle_conns" "$(field alive_after_hold "$out")" "$(errors_of "$out")")"
}
