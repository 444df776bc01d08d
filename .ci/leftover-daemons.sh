#!/usr/bin/env bash
# Servers the test run left behind: the project's daemons whose command line names a temporary
# folder or this checkout (the machine's own PostgreSQL, MariaDB and Redis name neither). Each is
# printed and ended; the list is empty when every test stopped what it started.
here="$(cd "$(dirname "$0")/.." && pwd)"
ps -eo pid=,args= |
  grep -E '(nginx|php-fpm|mariadbd|mysqld|postgres|named|pdns_server|sshd|pebble|prometheus|alertmanager|restic|chrom)' |
  grep -E "(/tmp/|${here}/)" | grep -v -E 'grep|leftover-daemons' |
  while read -r pid args; do
    echo "left running: ${pid} ${args}"
    kill -KILL "${pid}" 2>/dev/null || true
  done
[ -e "${here}/.hostplane" ] && echo "a test wrote ${here}/.hostplane: $(ls "${here}/.hostplane" | tr '\n' ' ')"
exit 0
