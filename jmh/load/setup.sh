# jmh/load/setup.sh - sourced by jmh/compare.sh: what the comparison needs (nginx, a JDK, the jar),
# the PKI, the configurations, and starting the echo server, NGINX and loomproxy (both ways).
# Uses compare.sh's variables: root, here, tmp, nginx_workers, the port_* variables.

# ------------------------------------------------------------------ prerequisites

# The java bin/loomproxy would run (its search: $LOOMPROXY_JAVA, $JAVA_HOME, PATH, /usr/lib/jvm ...),
# which must have a javac beside it: the load tools are compiled.
find_jdk() {
    local java
    java=$(LOOMPROXY_PRINT_JAVA=1 "$root/bin/loomproxy") || return 1
    java=$(readlink -f "$java")
    [ -x "$(dirname "$java")/javac" ] || return 1
    echo "$java"
}

ensure_nginx() {
    stream_module=$(ls /usr/lib/nginx/modules/ngx_stream_module.so /usr/lib64/nginx/modules/ngx_stream_module.so 2>/dev/null | head -n 1 || true)
    if command -v nginx >/dev/null && [ -n "$stream_module" ]; then
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "needs nginx with the stream module: run as root once, or apt-get install nginx libnginx-mod-stream"
    command -v apt-get >/dev/null || die "needs nginx with the stream module (ngx_stream_module.so); install it with your package manager"
    say "installing nginx and libnginx-mod-stream with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx libnginx-mod-stream >&2 ||
        die "apt-get install nginx libnginx-mod-stream failed (try apt-get update first)"
    stream_module=$(ls /usr/lib/nginx/modules/ngx_stream_module.so 2>/dev/null || true)
    [ -n "$stream_module" ] || die "libnginx-mod-stream installed but /usr/lib/nginx/modules/ngx_stream_module.so is missing"
}

# readme_jar_options -> the JVM options of README.md's `java ... -jar target/loomproxy.jar` line, so
# the java -jar column measures what a user who copies that line runs.
readme_jar_options() {
    local line
    line=$(grep -m 1 -E '^java .*-jar target/loomproxy\.jar ' "$root/README.md") ||
        die "README.md has no 'java ... -jar target/loomproxy.jar CONFIG' line to measure"
    line=${line#java }
    echo "${line%%-jar target/loomproxy.jar *}"
}

ensure_jar() {
    [ -f "$root/target/loomproxy.jar" ] && return 0
    command -v mvn >/dev/null || die "no target/loomproxy.jar and no mvn to build it: install Maven or build the jar first"
    say "building target/loomproxy.jar (mvn -B -q package -DskipTests)"
    (cd "$root" && mvn -B -q package -DskipTests) >&2 || die "mvn package failed; run it in $root to see why"
}

# ------------------------------------------------------------------ PKI, configurations, start-up

# make_pki: an EC P-256 CA, the upstream's certificate (localhost, 127.0.0.1) and a client certificate
make_pki() {
    local pki=$tmp/pki
    mkdir -p "$pki"
    cat > "$pki/ext.cnf" <<EOF
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
EOF
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
    openssl req -x509 "${ec[@]}" -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 -subj /CN=compare-ca \
        -config "$pki/ext.cnf" -extensions ca 2>/dev/null
    local name
    for name in upstream client; do
        local cn=localhost section=server
        [ $name = client ] && cn=compare-client section=client
        openssl req -new "${ec[@]}" -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "/CN=$cn" -config "$pki/ext.cnf" 2>/dev/null
        openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
            -extfile "$pki/ext.cnf" -extensions $section -out "$pki/$name.crt" 2>/dev/null
    done
    chmod 644 "$pki"/*.key # NGINX's master reads them as root; loomproxy as whoever runs this
}

write_upstream_conf() {
    local dir=$tmp/upstream pki=$tmp/pki
    mkdir -p "$dir"
    cat > "$dir/nginx.conf" <<EOF
load_module $stream_module;
daemon off;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 32768; }
stream {
    log_format reuse '\$remote_port \$ssl_session_reused \$ssl_protocol \$ssl_cipher \$ssl_client_verify \$session_time';
    ssl_certificate $pki/upstream.crt;
    ssl_certificate_key $pki/upstream.key;
    ssl_client_certificate $pki/ca.crt;
    ssl_verify_client on;
    ssl_verify_depth 2;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384;
    ssl_session_cache shared:upstream:20m;
    ssl_session_timeout 1h;
    ssl_session_tickets on;
    server { listen 127.0.0.1:$port_up_nginx ssl backlog=4096; access_log $dir/from-nginx.log reuse; proxy_pass 127.0.0.1:$port_echo; }
    server { listen 127.0.0.1:$port_up_loomproxy ssl backlog=4096; access_log $dir/from-loomproxy.log reuse; proxy_pass 127.0.0.1:$port_echo; }
    server { listen 127.0.0.1:$port_up_jar ssl backlog=4096; access_log $dir/from-jar.log reuse; proxy_pass 127.0.0.1:$port_echo; }
}
EOF
}

write_nginx_proxy_conf() { # DIR PORT
    local dir=$1 port=$2 pki=$tmp/pki
    mkdir -p "$dir"
    cat > "$dir/nginx.conf" <<EOF
load_module $stream_module;
daemon off;
worker_processes $nginx_workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 32768; }
stream {
    upstream backend { server 127.0.0.1:$port_up_nginx; }
    server {
        listen 127.0.0.1:$port backlog=1024;
        proxy_pass backend;
        proxy_ssl on;
        proxy_ssl_certificate $pki/client.crt;
        proxy_ssl_certificate_key $pki/client.key;
        proxy_ssl_trusted_certificate $pki/ca.crt;
        proxy_ssl_verify on;
        proxy_ssl_verify_depth 2;
        proxy_ssl_session_reuse on;
        proxy_ssl_name localhost;
        proxy_ssl_server_name on;
        proxy_ssl_protocols $protocols;
    }
}
EOF
}

write_loomproxy_conf() { # DIR PORT UPSTREAM_PORT
    local dir=$1 port=$2 upstream_port=$3 pki=$tmp/pki
    mkdir -p "$dir"
    cat > "$dir/loomproxy.properties" <<EOF
# The NGINX proxy's server block in $tmp/nginx/nginx.conf, key for key.
upstream.backend = 127.0.0.1:$upstream_port
server.main.listen = 127.0.0.1:$port backlog=1024
server.main.proxy_pass = backend
proxy_ssl = on
proxy_ssl_certificate = $pki/client.crt
proxy_ssl_certificate_key = $pki/client.key
proxy_ssl_trusted_certificate = $pki/ca.crt
proxy_ssl_verify = on
proxy_ssl_verify_depth = 2
proxy_ssl_session_reuse = on
proxy_ssl_name = localhost
proxy_ssl_server_name = on
proxy_ssl_protocols = $protocols
# NGINX's stream proxy has no access log here either.
access_log = off
error_log = $dir/error.log warn
EOF
}

start_nginx() { # NAME DIR PORT -> sets pid_NAME
    local name=$1 dir=$2 port=$3
    nginx -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" 2>"$dir/check.log" ||
        { cat "$dir/check.log" >&2; die "the $name NGINX configuration $dir/nginx.conf does not load (above)"; }
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
    started_pids+=($!)
    printf -v "pid_$name" %s "$!"
    wait_listening "$port" "$!" "the $name NGINX" "$dir/error.log"
}

# start_loomproxy HOW DIR PORT [NAME] -> sets pid_NAME (default pid_HOW). HOW is loomproxy
# (bin/loomproxy, its JDK and options) or jar (README.md's `java OPTIONS -jar target/loomproxy.jar`
# line, with the java the launcher would pick, so both run on one JDK).
start_loomproxy() {
    local how=$1 dir=$2 port=$3 name=${4:-$1} pid
    if [ "$how" = jar ]; then
        # shellcheck disable=SC2086 # the options are words
        "$java" $jar_options -jar "$root/target/loomproxy.jar" "$dir/loomproxy.properties" >"$dir/stdout.log" 2>"$dir/stderr.log" &
    else
        "$root/bin/loomproxy" "$dir/loomproxy.properties" >"$dir/stdout.log" 2>"$dir/stderr.log" &
    fi
    pid=$!
    started_pids+=("$pid")
    printf -v "pid_$name" %s "$pid"
    wait_listening "$port" "$pid" "loomproxy ($how)" "$dir/stderr.log"
}

# stop_started PID: SIGTERM, then wait for the exit (a fresh proxy measured and done with)
stop_started() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
}

start_all() {
    local classes=$tmp/classes
    say "compiling jmh/load with $javac"
    "$javac" -d "$classes" "$here/load/LoadClient.java" "$here/load/EchoServer.java" || die "jmh/load does not compile with $javac"
    "$java" -XX:+UseSerialGC -cp "$classes" EchoServer --port "$port_echo" >"$tmp/echo.log" 2>&1 &
    started_pids+=($!)
    pid_echo=$!
    wait_listening "$port_echo" "$pid_echo" "the echo server" "$tmp/echo.log"
    start_nginx upstream "$tmp/upstream" "$port_up_nginx"
    wait_listening "$port_up_loomproxy" "$pid_upstream" "the upstream NGINX" "$tmp/upstream/error.log"
    start_nginx nginx "$tmp/nginx" "$port_nginx"
    "$root/bin/loomproxy" --check "$tmp/loomproxy/loomproxy.properties" >"$tmp/loomproxy/check.log" 2>&1 ||
        { cat "$tmp/loomproxy/check.log" >&2; die "loomproxy --check rejects $tmp/loomproxy/loomproxy.properties (above)"; }
    start_loomproxy loomproxy "$tmp/loomproxy" "$port_loomproxy"
    start_loomproxy jar "$tmp/jar" "$port_jar"
}

