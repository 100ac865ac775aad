#!/usr/bin/env bash
# Make sure a Redis answers on REDIS_URL's default address: start a local one, installing
# Debian's redis-server first when it is missing.
set -u
if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then exit 0; fi
if ! command -v redis-server >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "Redis is not installed: installing Debian's redis-server"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
fi
if command -v redis-server >/dev/null 2>&1; then
  echo "Redis is not running: starting a local redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && exit 0; sleep 0.1; done
fi
echo "Lectern needs Redis on 127.0.0.1:6379 (or set REDIS_URL)." >&2
echo "Install it with your package manager, e.g. 'apt-get install redis-server', then run 'make run' again." >&2
exit 1
