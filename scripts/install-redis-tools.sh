#!/usr/bin/env bash
# Installs redis-cli, redis-benchmark (Debian's redis-tools) and redis-server when missing, for the
# RESP tests and `npm run bench:compare`. Needs apt-get and root; says so and fails otherwise.
set -euo pipefail
if command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null && command -v redis-server >/dev/null; then exit 0; fi
if ! command -v apt-get >/dev/null; then echo "install-redis-tools: no apt-get here; install redis-tools and redis-server yourself" >&2; exit 1; fi
if [ "$(id -u)" != 0 ]; then echo "install-redis-tools: run as root (apt-get install redis-tools redis-server)" >&2; exit 1; fi
apt-get install -y redis-tools redis-server >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y redis-tools redis-server >/dev/null 2>&1; }
command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null
