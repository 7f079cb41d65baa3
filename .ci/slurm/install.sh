#!/usr/bin/env bash
# Install a single-node Slurm (slurmctld + slurmd) and munge from Debian packages.
# Idempotent: returns at once when every tool is already on PATH.
set -euo pipefail

need=(slurmctld slurmd munged sbatch sinfo squeue scancel)
missing=0
for tool in "${need[@]}"; do
    # daemons live in /usr/sbin, which a non-login shell may lack on PATH
    PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 || missing=1
done
if [[ $missing -eq 0 ]]; then
    echo "slurm: already installed ($(dpkg-query -W -f '${Version}' slurm-wlm 2>/dev/null || echo '?'))"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    SUDO=sudo
else
    SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
pkgs=(slurm-wlm munge)
# only refresh the package lists when apt does not know the package yet
if ! apt-cache show slurm-wlm >/dev/null 2>&1 || ! $SUDO apt-get install -y --no-install-recommends "${pkgs[@]}"; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y --no-install-recommends "${pkgs[@]}"
fi
echo "slurm: installed ($(dpkg-query -W -f '${Version}' slurm-wlm))"
