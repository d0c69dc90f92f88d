# jmh/load/proc.sh - sourced by jmh/compare.sh and jmh/floor.sh: progress and fatal messages, the
# processes they start (ports, start-up waits, cleanup) and what /proc says about them (CPU ticks,
# RSS, a JVM's busiest threads).

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "${0##*/}: $*" >&2; exit 1; }

# cleanup: the EXIT trap. Stops every process this script started, by its PID (NGINX's master
# takes its workers down), and removes the temp dir unless --keep or a failure asks to keep it.
cleanup() {
    local pid alive status=$?
    set +e
    [ -n "$client_pid" ] && kill -TERM "$client_pid" 2>/dev/null
    for pid in "${started_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for _ in $(seq 50); do
        alive=0
        for pid in "${started_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${started_pids[@]}"; do
        kill -0 "$pid" 2>/dev/null && { echo "${0##*/}: process $pid ignored SIGTERM, killing it" >&2; kill -KILL "$pid"; }
    done
    if [ "$keep" = 1 ] || [ $status != 0 ]; then
        echo "${0##*/}: files and logs kept in $tmp" >&2
    else
        rm -rf "$tmp"
    fi
    exit $status
}

# listening_ports -> every local TCP port in LISTEN state, from /proc/net/tcp{,6}
listening_ports() {
    local hex
    awk 'NR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        while read -r hex; do echo $((16#$hex)); done
}

# pick_port -> a port in 20000-29999 (below Linux's ephemeral range) nothing listens on, not picked before
pick_port() {
    local port used
    used=" $(listening_ports | tr '\n' ' ') "
    while true; do
        port=$((20000 + RANDOM % 10000))
        case "$used$taken_ports" in *" $port "*) continue ;; esac
        taken_ports="$taken_ports$port "
        echo "$port"
        return 0
    done
}

# wait_listening PORT PID NAME LOG: until PORT listens, or PID dies, or 30 s pass.
wait_listening() {
    local i
    for i in $(seq 300); do
        listening_ports | grep -qx "$1" && return 0
        kill -0 "$2" 2>/dev/null || { tail -n 20 "$4" >&2; die "$3 exited during start-up (log above: $4)"; }
        sleep 0.1
    done
    tail -n 20 "$4" >&2
    die "$3 did not listen on 127.0.0.1:$1 within 30 s (log above: $4)"
}

# pids_of MASTER -> the master and its children (NGINX workers); a JVM is one process.
pids_of() {
    echo "$1"
    if [ -r "/proc/$1/task/$1/children" ]; then
        tr ' ' '\n' <"/proc/$1/task/$1/children"
    else
        pgrep -P "$1" || true
    fi
}

# cpu_ticks MASTER -> utime + stime of the master and its children, in clock ticks.
cpu_ticks() {
    local pid total=0 t
    for pid in $(pids_of "$1"); do
        t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
        total=$((total + t))
    done
    echo "$total"
}

# rss_kib MASTER -> VmRSS of the master and its children, KiB.
rss_kib() {
    local pid total=0 r
    for pid in $(pids_of "$1"); do
        r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
        total=$((total + ${r:-0}))
    done
    echo "$total"
}

# busy_ticks -> all CPUs' non-idle ticks since boot (user nice system irq softirq steal).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# calc FORMAT EXPRESSION -> the expression computed by awk, printed with FORMAT
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# threads PID -> "NAME<TAB>TICKS" per group of a process's threads (numbers in names folded to #)
threads() {
    cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{
        match($0, /\(.*\)/)
        name = substr($0, RSTART + 1, RLENGTH - 2)
        split(substr($0, RSTART + RLENGTH + 1), f, " ")
        gsub(/[0-9]+/, "#", name)
        ticks[name] += f[12] + f[13]
    } END { for (n in ticks) print n "\t" ticks[n] }'
}

# hot_threads BEFORE AFTER -> the thread groups that used the most CPU between two threads() outputs
hot_threads() {
    awk -F'\t' 'NR == FNR { before[$1] = $2; next }
        { d = $2 - before[$1]; if (d > 0) { used[$1] = d; all += d } }
        END { for (n in used) printf "%d\t%s\n", 100 * used[n] / all, n }' "$1" "$2" |
        sort -rn | head -n 4 | awk -F'\t' '{ printf "%s%s %d%%", (NR > 1 ? ", " : ""), $2, $1 }' |
        sed 's/ForkJoinPool-#-/carriers (ForkJoinPool)/; s/C# CompilerThre/JIT compilers/; s/VM Thread/VM Thread (GC)/'
}

