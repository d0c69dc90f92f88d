# jmh/load/runs.sh - sourced by jmh/compare.sh: one LoadClient run against one proxy with the
# proxy's CPU (and the rest of the machine's) sampled around it, and the figures derived from it.
# Figures go to V["PROXY KEY REP"], the raw lines of a repetition to NOTE["PROXY REP"].

declare -A V
declare -A NOTE
# The client is plain TCP and system-call bound: C1 only and a small serial heap keep its CPU low.
client_opts=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -Xmx256m)

# field KEY FILE -> the value of KEY in the client's result line
field() { sed -n "s/^result .* $1=\([^ ]*\).*/\1/p" "$2" | head -n 1; }

# The proxies: nginx, loomproxy (started with bin/loomproxy) and jar (README.md's java -jar line).
port_of() { local v=port_$1; echo "${!v}"; }
pid_of() { local v=pid_$1; echo "${!v}"; }
upstream_port_of() { local v=port_up_$1; echo "${!v}"; }
is_jvm() { [ "$1" != nginx ]; }
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
    if is_jvm "$1"; then threads "$(pid_of "$1")" >"$tmp/runs/threads.before"; fi
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
    if is_jvm "$proxy"; then
        threads "$(pid_of "$proxy")" >"$tmp/runs/threads.after"
        hot="; JVM threads: $(hot_threads "$tmp/runs/threads.before" "$tmp/runs/threads.after")"
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

# run_idle PROXY REP: RSS growth per session of the long-running proxy (warmed by every run before)
run_idle() {
    idle_growth "$1" "$2" idle "$(pid_of "$1")" "$(port_of "$1")" "$idle_conns"
}

# run_fresh PROXY REP CONNS: the same on a proxy started for it and stopped after, as a user's proxy
# is measured: its heap not yet grown, its code not yet compiled (NGINX: a fresh master and workers).
run_fresh() {
    local proxy=$1 rep=$2 conns=$3 dir=$tmp/fresh/$1-$3-$2 port
    port=$(pick_port)
    mkdir -p "$dir"
    if [ "$proxy" = nginx ]; then
        write_nginx_proxy_conf "$dir" "$port"
        start_nginx fresh "$dir" "$port"
    else
        write_loomproxy_conf "$dir" "$port" "$(upstream_port_of "$proxy")"
        start_loomproxy "$proxy" "$dir" "$port" fresh
    fi
    idle_growth "$proxy" "$rep" "fresh$conns" "$pid_fresh" "$port" "$conns"
    stop_started "$pid_fresh"
}

# idle_growth PROXY REP KEY PID PORT CONNS: RSS before, and once all connections are open (half the
# hold later), into V["PROXY KEY.kib REP"]
idle_growth() {
    local out=$tmp/runs/$2-$1-$3.out pid=$4 port=$5 conns=$6 rss0 rss1 open
    rss0=$(rss_kib "$pid")
    timeout --kill-after=5 300 "$java" "${client_opts[@]}" -cp "$tmp/classes" LoadClient idle \
        --target "127.0.0.1:$port" --conns "$conns" --size 32 --hold "$hold" >"$out" 2>"$out.err" &
    client_pid=$!
    for _ in $(seq 2400); do
        grep -q '^ready' "$out" 2>/dev/null && break
        kill -0 "$client_pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep "$(calc %.2f "$hold / 2")"
    rss1=$(rss_kib "$pid")
    wait "$client_pid" || true
    client_pid=
    open=$(sed -n 's/^ready open=\([0-9]*\).*/\1/p' "$out")
    V["$1 $3.rss $2"]=$((rss1 - rss0))
    per "$1" "$3.kib" "$2" "$3.rss" 1 "$open"
    note "$1" "$2" "$(printf '    %-10s RSS %d -> %d KiB with %s of %d connections open (%s alive after the hold)%s' \
        "$3" "$rss0" "$rss1" "${open:-0}" "$conns" "$(field alive_after_hold "$out")" "$(errors_of "$out")")"
}
