# Sourced by scripts/profile.sh and scripts/syscalls.sh: installs Debian's linux-perf when perf is missing.
ensure_perf() {
  if ! perf --version > /dev/null 2>&1; then
    echo "perf is missing: installing Debian's linux-perf"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-perf > /dev/null
  fi
}
