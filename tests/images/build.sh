#!/usr/bin/env bash
# Build the local test images with debootstrap (no registry is reachable) and cache them:
# an image is rebuilt only when its recipe (this file) changes.
#   tests/images/build.sh [systemd] [openrc]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/podman-env.sh
. "$here/../podman-env.sh"

recipe=$(sha256sum "$here/build.sh" | cut -c1-12)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
common=python3,openssh-server,iproute2,ca-certificates,curl,procps,openssl

# A foreign architecture (arm64, as a Raspberry Pi) runs under qemu-user-static through binfmt_misc, registered
# with the F flag so that containers use the host's emulator.
emulation() {
  local arch=$1
  [[ -e /proc/sys/fs/binfmt_misc/qemu-$arch ]] && return
  if ! command -v qemu-$arch-static >/dev/null || ! command -v update-binfmts >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static binfmt-support >/dev/null
  fi
  [[ -e /proc/sys/fs/binfmt_misc/register ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable "qemu-$arch" >/dev/null 2>&1 || true
  [[ -e /proc/sys/fs/binfmt_misc/qemu-$arch ]] || {
    echo "qemu-$arch is not registered with binfmt_misc: cannot run $arch images here" >&2
    exit 1
  }
}

build() {
  local name=$1 include=$2 cmd=$3 arch=${4:-}
  local tag="localhost/etcdtls-$name:$recipe"
  if podman image exists "$tag"; then
    echo "image $tag is up to date"
    return
  fi
  local root archopt=() importopt=()
  if [[ -n $arch ]]; then
    emulation aarch64
    archopt=(--arch="$arch")
    importopt=(--arch "$arch")
  fi
  root=$(mktemp -d /var/tmp/etcdtls-rootfs.XXXXXX)
  echo "building $tag (debootstrap bookworm ${arch:-native}: a minute natively, several under emulation)"
  debootstrap "${archopt[@]}" --variant=minbase --include="$common,$include" bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -n 30 "$root.log"
    exit 1
  }
  # Root logs in with a key only; molecule's create step installs the key.
  mkdir -p "$root/root/.ssh"
  chmod 700 "$root/root/.ssh"
  sed -i 's/^#\?PermitRootLogin.*/PermitRootLogin prohibit-password/' "$root/etc/ssh/sshd_config"
  echo 'UseDNS no' >>"$root/etc/ssh/sshd_config"
  rm -f "$root"/etc/ssh/ssh_host_*
  case ${name%-*} in
    systemd)
      ln -sf /lib/systemd/system/ssh.service "$root/etc/systemd/system/multi-user.target.wants/ssh.service"
      cat >"$root/etc/systemd/system/ssh-keygen.service" <<'UNIT'
[Unit]
Description=Generate SSH host keys
Before=ssh.service
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
UNIT
      ln -sf /etc/systemd/system/ssh-keygen.service "$root/etc/systemd/system/multi-user.target.wants/ssh-keygen.service"
      ;;
    openrc)
      echo 'rc_sys="docker"' >>"$root/etc/rc.conf"
      sed -i 's/^#\?rc_cgroup_mode=.*/rc_cgroup_mode="legacy"/' "$root/etc/rc.conf"
      cat >"$root/etc/init.d/sshd-test" <<'INIT'
#!/sbin/openrc-run
description="OpenSSH server for the test harness"
command=/usr/sbin/sshd
command_args="-D"
command_background=true
pidfile=/run/sshd-test.pid
start_pre() {
  mkdir -p /run/sshd
  ssh-keygen -A
}
INIT
      chmod 755 "$root/etc/init.d/sshd-test"
      mkdir -p "$root/etc/runlevels/default"
      ln -sf /etc/init.d/sshd-test "$root/etc/runlevels/default/sshd-test"
      ;;
  esac
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | podman import "${importopt[@]}" --change "CMD [\"$cmd\"]" - "$tag" >/dev/null
  podman tag "$tag" "localhost/etcdtls-$name:latest"
  rm -rf "$root" "$root.log"
  echo "built $tag"
}

for kind in "${@:-systemd openrc}"; do
  for k in $kind; do
    case $k in
      systemd) build systemd systemd,systemd-sysv,dbus /sbin/init ;;
      openrc) build openrc openrc,sysvinit-utils /sbin/openrc-init ;;
      systemd-arm64) build systemd-arm64 systemd,systemd-sysv,dbus /sbin/init arm64 ;;
      openrc-arm64) build openrc-arm64 openrc,sysvinit-utils /sbin/openrc-init arm64 ;;
      *) echo "unknown image $k" >&2; exit 2 ;;
    esac
  done
done
