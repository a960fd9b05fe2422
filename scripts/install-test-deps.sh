#!/usr/bin/env bash
# Installs the system packages that some end-to-end tests need, when they are missing and we are
# root (CI is): Debian's chromium for the dashboard's browser test (test/e2e/dashboard.test.ts)
# and iproute2 and nftables for the network-namespace test (test/e2e/netns.test.ts: loss through
# nftables where the kernel has no netem). Those tests skip with a
# message naming this script when their tools are not there.
set -uo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nft >/dev/null 2>&1 || need+=(nftables)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-test-deps: missing ${need[*]}; run this script as root (or apt-get install ${need[*]}); the tests that need them will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "install-test-deps: could not install ${need[*]}; the tests that need them will skip" >&2
exit 0
