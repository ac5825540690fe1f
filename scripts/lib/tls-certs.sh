#!/usr/bin/env bash
# A private CA and the certificates a local stack's TLS needs, made with openssl:
#   tls-certs.sh <dir> [server names…]   → <dir>/ca.crt, server.crt/key, client.crt/key
# Server names (DNS or IP) go into the server certificate's subjectAltName; default localhost and
# 127.0.0.1. Keys are mode 600. Existing files are kept, so restarts keep their certificates.
set -euo pipefail
dir=$1; shift
names=("${@:-localhost}"); [[ $# -gt 0 ]] || names=(localhost 127.0.0.1)
mkdir -p "$dir"; chmod 700 "$dir"
[[ -s $dir/ca.crt && -s $dir/server.crt && -s $dir/client.crt ]] && exit 0
umask 077
san=""
for n in "${names[@]}"; do
  if [[ $n =~ ^[0-9.]+$ ]]; then san+="IP:$n,"; else san+="DNS:$n,"; fi
done
san=${san%,}
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=Tandem local CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
issue() { # name, CN, extensions
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$dir/$1.key" -out "$dir/$1.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
    -extfile <(printf '%s\n' "$3") -out "$dir/$1.crt" 2>/dev/null
  rm -f "$dir/$1.csr"
}
issue server "${names[0]}" "subjectAltName=$san
extendedKeyUsage=serverAuth,clientAuth"
issue client "tandem" "extendedKeyUsage=clientAuth"
chmod 600 "$dir"/*.key; chmod 644 "$dir"/*.crt
