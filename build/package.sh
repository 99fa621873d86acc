#!/usr/bin/env bash
# Packages the native xsk for hosts without .NET:
#   <out>/xsk-<version>-linux-x64.tar.gz   bin/xsk, lib/xsk/xsk-x86-64-v4, share/{man,completions}
#   <out>/xsk_<version>_amd64.deb          the same under /usr (apt install ./xsk_<version>_amd64.deb)
#   <out>/xsk-<version>-linux-arm64.tar.gz bin/xsk, share/{man,completions}     (--arch arm64)
#   <out>/xsk_<version>_arm64.deb          the same under /usr
# x64: two Native AOT builds: bin/xsk for x86-64-v2 (any x86-64 CPU of the last 15 years), which
# hands over to lib/xsk/xsk-x86-64-v4 on CPUs with AVX-512. Needs the .NET SDK, clang and dpkg-deb.
# arm64: one Native AOT build for ARMv8.0-A + CRC32 (XeStreamKit.Cli.csproj), no hand-over. On an
# x86-64 host it is cross-compiled (clang, Debian's libc6-dev-arm64-cross and
# binutils-aarch64-linux-gnu) and run under qemu-aarch64 (qemu-user) to write the man page and
# completions.
# Usage: build/package.sh [--arch x64|arm64|all] [out dir (default dist)]   (default: x64)
# XSK_PUBLISHED=<dir> skips the publishes: with xsk and xsk-x86-64-v4 in it for x64; for arm64
# the aarch64 xsk in <dir>/xsk (or <dir>/arm64/xsk with --arch all, x64 then in <dir>).
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."
arch=x64
if [ "${1:-}" = --arch ]; then
  arch=${2:-}
  shift 2 || { echo "package.sh: --arch takes x64, arm64 or all" >&2; exit 1; }
fi
case $arch in
  x64 | arm64) ;;
  all)
    "$self" --arch x64 "$@"
    XSK_PUBLISHED=${XSK_PUBLISHED:+$XSK_PUBLISHED/arm64} "$self" --arch arm64 "$@"
    exit
    ;;
  *) echo "package.sh: --arch takes x64, arm64 or all, not '$arch'" >&2; exit 1 ;;
esac
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/XeStreamKit.Cli/XeStreamKit.Cli.csproj)
[ -n "$version" ] || { echo "package.sh: no <Version> in src/XeStreamKit.Cli/XeStreamKit.Cli.csproj" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# share/: completions and the man page, written by running the packaged binary ($1), and README.
write_share() {
  mkdir -p "$usr/share/bash-completion/completions" "$usr/share/zsh/vendor-completions" "$usr/share/fish/vendor_completions.d" \
    "$usr/share/man/man1" "$usr/share/doc/xsk"
  "$1" completion bash > "$usr/share/bash-completion/completions/xsk"
  "$1" completion zsh > "$usr/share/zsh/vendor-completions/_xsk"
  "$1" completion fish > "$usr/share/fish/vendor_completions.d/xsk.fish"
  local date
  date=$(git log -1 --format=%cd --date=format:%Y-%m-%d 2> /dev/null || date -u +%Y-%m-%d)
  build/manpage.sh "$1" "$version" "$date" | gzip -9n > "$usr/share/man/man1/xsk.1.gz"
  cp README.md "$usr/share/doc/xsk/README.md"
}

# Tarball xsk-<version>-$1.tar.gz of the tree under $usr.
make_tarball() {
  tarname=xsk-$version-$1
  mkdir -p "$work/$tarname"
  cp -a "$usr/." "$work/$tarname/"
  tar -C "$work" --owner=0 --group=0 --sort=name -czf "$out/$tarname.tar.gz" "$tarname"
}

# Debian package xsk_<version>_$1.deb of the tree under $usr, Depends: $2 and OpenSSL: .NET's SHA-256
# (corpus checks of conformance run, corpus generate) dlopens libssl.so.3, which ldd and the ELF
# NEEDED entries do not show; without it those commands abort ("No usable version of libssl").
make_deb() {
  local pkg=$work/deb
  mkdir -p "$pkg/DEBIAN"
  cp -a "$usr" "$pkg/usr"
  cat > "$pkg/DEBIAN/control" << CONTROL
Package: xsk
Version: $version
Architecture: $1
Maintainer: XeStreamKit maintainers <xsk@xestreamkit.invalid>
Installed-Size: $(du -sk "$pkg/usr" | cut -f1)
Depends: $2, libssl3 | libssl3t64
Section: utils
Priority: optional
Description: inspect, validate, save and restore Intel Xe SR-IOV VF migration streams
 xsk checks the live-migration data stream of Intel Xe SR-IOV virtual functions (the xe PF
 driver's stream through xe-vfio-pci or debugfs, and QEMU migration files) against the driver's
 restore rules, predicts whether it restores on a host, and saves and restores VFs.
 A native build: no .NET runtime needed. The rule catalog is built in (xsk rules).
CONTROL
  dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/xsk_${version}_$1.deb" > /dev/null
  echo "$out/$tarname.tar.gz"
  echo "$out/xsk_${version}_$1.deb"
}

# Depends of the binaries "$@" (read with objdump $1): libc6 at least at the newest GLIBC_ symbol
# version they use. The owners of their other libraries are added by add_owner.
glibc_depends() {
  local glibc
  glibc=$("$1" -T "${@:2}" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
  depends="libc6 (>= $glibc)"
}

# Adds to $depends the Debian package owning the library at $1 (following links, then as named),
# without the suffix $2 (Debian's aarch64 libraries on x86-64 come from "<package>-arm64-cross").
add_owner() {
  local owner
  owner=$(dpkg -S "$(readlink -f "$1")" 2> /dev/null | head -1 | cut -d: -f1) || true
  [ -z "$owner" ] && owner=$(dpkg -S "$1" 2> /dev/null | head -1 | cut -d: -f1) || true
  [ -z "$owner" ] && { echo "package.sh: no Debian package owns $1 (for Depends)" >&2; exit 1; }
  owner=${owner%"${2:-}"}
  [ "$owner" = libc6 ] || case ", $depends," in *", $owner,"*) ;; *) depends="$depends, $owner" ;; esac
}

if [ "$arch" = arm64 ]; then
  # Running the aarch64 binary here: natively on arm64, else under qemu-aarch64 with Debian's
  # aarch64 libc as its root.
  run=()
  if [ "$(uname -m)" != aarch64 ]; then
    command -v qemu-aarch64 > /dev/null || { echo "package.sh: running the arm64 xsk on $(uname -m) needs qemu-aarch64: apt-get install qemu-user" >&2; exit 1; }
    run=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
  fi
  if [ -n "${XSK_PUBLISHED:-}" ]; then
    binary=$XSK_PUBLISHED/xsk
  else
    command -v clang > /dev/null || { echo "package.sh: Native AOT links with clang: apt-get install clang" >&2; exit 1; }
    if [ "$(uname -m)" != aarch64 ] && { [ ! -e /usr/aarch64-linux-gnu/lib/crt1.o ] || ! command -v aarch64-linux-gnu-ld > /dev/null; }; then
      echo "package.sh: cross-linking for arm64 needs Debian's aarch64 libc and linker: apt-get install libc6-dev-arm64-cross binutils-aarch64-linux-gnu" >&2
      exit 1
    fi
    dotnet publish src/XeStreamKit.Cli -c Release -r linux-arm64 -o "$work/arm64" --nologo -v q
    binary=$work/arm64/xsk
  fi
  file -L "$binary" | grep -q 'ARM aarch64' || { echo "package.sh: $binary is not an aarch64 executable" >&2; exit 1; }
  # The man page generator runs "$xsk": a wrapper when the binary runs under emulation.
  xsk=$work/xsk-run
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${run[*]}" "$binary" > "$xsk"
  chmod +x "$xsk"
  usr=$work/usr
  install -D -m 0755 "$binary" "$usr/bin/xsk"
  "$xsk" --version --verbose > /dev/null
  write_share "$xsk"
  make_tarball linux-arm64
  # Depends: on x86-64 the libraries it links are Debian's aarch64 ones under
  # /usr/aarch64-linux-gnu, from the -arm64-cross packages (libc6-arm64-cross is libc6 on arm64).
  objdump=objdump
  command -v aarch64-linux-gnu-objdump > /dev/null && objdump=aarch64-linux-gnu-objdump
  glibc_depends "$objdump" "$usr/bin/xsk"
  for lib in $(readelf -d "$usr/bin/xsk" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=/usr/aarch64-linux-gnu/lib/$lib
    [ "$(uname -m)" = aarch64 ] && path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
    add_owner "$path" -arm64-cross
  done
  make_deb arm64 "$depends"
  exit
fi

if [ -n "${XSK_PUBLISHED:-}" ]; then
  portable=$XSK_PUBLISHED/xsk
  fast=$XSK_PUBLISHED/xsk-x86-64-v4
else
  command -v clang > /dev/null || { echo "package.sh: Native AOT links with clang: apt-get install clang" >&2; exit 1; }
  dotnet publish src/XeStreamKit.Cli -c Release -r linux-x64 -o "$work/x86-64-v2" --nologo -v q
  dotnet publish src/XeStreamKit.Cli -c Release -r linux-x64 -p:XskCpu=x86-64-v4 -o "$work/x86-64-v4" --nologo -v q
  portable=$work/x86-64-v2/xsk
  fast=$work/x86-64-v4/xsk
fi

# The tree under /usr, shared by the tarball (relative) and the Debian package.
usr=$work/usr
install -D -m 0755 "$portable" "$usr/bin/xsk"
install -D -m 0755 "$fast" "$usr/lib/xsk/xsk-x86-64-v4"
"$usr/bin/xsk" --version --verbose > /dev/null
write_share "$usr/bin/xsk"

# Tarball: bin/, lib/, share/ (bin/xsk finds ../lib/xsk/xsk-x86-64-v4 like /usr/bin/xsk does).
make_tarball linux-x64

# Debian package. Depends: the packages owning the libraries the binaries link (ldd).
glibc_depends objdump "$usr/bin/xsk" "$usr/lib/xsk/xsk-x86-64-v4"
for lib in $(ldd "$usr/bin/xsk" "$usr/lib/xsk/xsk-x86-64-v4" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do
  add_owner "$lib"
done
make_deb amd64 "$depends"
