#!/usr/bin/env bash
# Installs rsyslog (Debian package `rsyslog`) for the syslog tests
# (tests/syslog.rs), unless `rsyslogd` is on the machine already. The tests
# start their own private rsyslogd; this script never starts or configures
# the system's. Needs root (CI runs as root); without it, or without
# apt-get, it says why and exits 0: the tests then skip with a message.
set -euo pipefail
if command -v rsyslogd >/dev/null 2>&1 || [ -x /usr/sbin/rsyslogd ]; then
  echo "rsyslogd: $(command -v rsyslogd || echo /usr/sbin/rsyslogd)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-rsyslog: rsyslogd is missing and cannot be installed here (needs root and apt-get); the syslog tests will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Keep the package's scripts from starting the system's rsyslog (it would
# take /dev/log): policy-rc.d exit code 101 means "not allowed".
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
# --no-install-recommends: the daemon alone, not logrotate and friends.
apt-get install -y -qq --no-install-recommends rsyslog >/dev/null
echo "rsyslogd installed: $(/usr/sbin/rsyslogd -v | head -1)"
