# shellcheck shell=bash
# Source me: points podman at the project's containers.conf where the host needs it.
# On hybrid cgroup v1+v2 hosts crun refuses to run ("cgroups in hybrid mode not supported") and the
# default rlimits exceed the hard limits; runc and lower limits fix both. On pure cgroup v2 the
# defaults are fine and nothing is changed.
_etcdtls_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${CONTAINERS_CONF:-}" ]; then
  if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" != "cgroup2fs" ]; then
    export CONTAINERS_CONF="$_etcdtls_here/containers.conf"
  fi
fi
