#!/usr/bin/env bash
# Installs what a fresh machine lacks for running or testing BotSystem, and says what it did.
# Sourced by run.sh and test.sh; idempotent.

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

apt_updated=0
apt_install() { # package... ; installs the Debian packages that are missing
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  if [ $apt_updated -eq 0 ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "Installing ${missing[*]} (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

require_command() { # command package
  if ! command -v "$1" >/dev/null 2>&1; then
    apt_install "$2"
  fi
}

ensure_runtime_prerequisites() {
  command -v dotnet >/dev/null 2>&1 || { say "The .NET 10 SDK (dotnet) is required and not on PATH."; return 1; }
  require_command redis-server redis-server
  require_command prometheus prometheus || true
  require_command prometheus-alertmanager prometheus-alertmanager || true
}

ensure_node_packages() { # directory...
  for directory in "$@"; do
    [ -f "$directory/package.json" ] || continue
    if [ ! -d "$directory/node_modules" ] || [ "$directory/package-lock.json" -nt "$directory/node_modules" ]; then
      say "npm ci in $directory"
      (cd "$directory" && npm ci --no-audit --no-fund --loglevel=error) && touch "$directory/node_modules"
    fi
  done
}
