# Sourced by scripts/example and scripts/test: the Debian packages mailatlas needs, and installing the missing ones.

# Building: SQLite (the store, through GRDB), zlib (gzip spools, ZIP members; found with pkg-config), and bzip2, xz,
# zstd and LZ4 (spool files compressed with those tools or by Dovecot's compression plugin), c-ares (DNS lookups of
# `mailatlas enrich --dns`). See Package.swift.
BUILD_PACKAGES=(libsqlite3-dev zlib1g-dev libbz2-dev liblzma-dev libzstd-dev liblz4-dev libc-ares-dev pkg-config)

# Testing, on top of building: chromium (the report's browser test opens the example report headless; it skips
# when chromium is absent), strace, GNU time, util-linux (setpriv, unshare, mount), gzip and python3 (the
# adversarial tests and the fuzzers' seeds), nsd (an authoritative DNS server the DNS tests start on 127.0.0.1;
# under CI=true they fail without it).
TEST_PACKAGES=(chromium strace time util-linux gzip python3 nsd)

# install_missing PACKAGE...: installs with apt-get those of the packages that `dpkg -s` does not report as
# installed (nothing, not even `apt-get update`, when none is missing). As root directly; otherwise through sudo
# when there is one; otherwise it says what to run as root and fails.
install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      echo "mailatlas: missing Debian packages: ${missing[*]}" >&2
      echo "mailatlas: not root and no sudo; as root, run: apt-get update && apt-get install -y ${missing[*]}" >&2
      return 1
    fi
  fi
  echo "mailatlas: installing ${missing[*]}" >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# require_swift: stops with a pointer to the set-up instructions when there is no swift to run.
require_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    echo "mailatlas: no swift on PATH; install Swift 6.3 first (README.md, \"Getting Swift\")" >&2
    return 1
  fi
}
