#!/usr/bin/env bash
# Installs the Debian packages given as arguments when any is missing.
# As root: apt-get directly. Otherwise: sudo when it works without a password. Otherwise: print
# the exact command and fail, so nothing half-configured is built.
set -euo pipefail

missing=()
for package in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "synthstudio needs these Debian packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get update && sudo $command" >&2
    exit 1
fi
echo "Installing ${missing[*]} …" >&2
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when an install from the current ones fails.
$sudo $command >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo $command; }
