#!/usr/bin/env bash
# Packages the native xsk for hosts without .NET:
#   <out>/xsk-<version>-linux-x64.tar.gz   bin/xsk, lib/xsk/xsk-x86-64-v4, share/{man,completions}
#   <out>/xsk_<version>_amd64.deb          the same under /usr (apt install ./xsk_<version>_amd64.deb)
# Two Native AOT builds: bin/xsk for x86-64-v2 (any x86-64 CPU of the last 15 years), which hands
# over to lib/xsk/xsk-x86-64-v4 on CPUs with AVX-512. Needs the .NET SDK, clang and dpkg-deb.
# Usage: build/package.sh [out dir (default dist)]
# XSK_PUBLISHED=<dir> with xsk and xsk-x86-64-v4 in it skips the two publishes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/XeStreamKit.Cli/XeStreamKit.Cli.csproj)
[ -n "$version" ] || { echo "package.sh: no <Version> in src/XeStreamKit.Cli/XeStreamKit.Cli.csproj" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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
mkdir -p "$usr/share/bash-completion/completions" "$usr/share/zsh/vendor-completions" "$usr/share/fish/vendor_completions.d" \
  "$usr/share/man/man1" "$usr/share/doc/xsk"
"$usr/bin/xsk" completion bash > "$usr/share/bash-completion/completions/xsk"
"$usr/bin/xsk" completion zsh > "$usr/share/zsh/vendor-completions/_xsk"
"$usr/bin/xsk" completion fish > "$usr/share/fish/vendor_completions.d/xsk.fish"
date=$(git log -1 --format=%cd --date=format:%Y-%m-%d 2> /dev/null || date -u +%Y-%m-%d)
build/manpage.sh "$usr/bin/xsk" "$version" "$date" | gzip -9n > "$usr/share/man/man1/xsk.1.gz"
cp README.md "$usr/share/doc/xsk/README.md"

# Tarball: bin/, lib/, share/ (bin/xsk finds ../lib/xsk/xsk-x86-64-v4 like /usr/bin/xsk does).
tarname=xsk-$version-linux-x64
mkdir -p "$work/$tarname"
cp -a "$usr/." "$work/$tarname/"
tar -C "$work" --owner=0 --group=0 --sort=name -czf "$out/$tarname.tar.gz" "$tarname"

# Debian package. Depends: the packages owning the libraries the binaries link (ldd), libc6 at
# least at the newest GLIBC_ symbol version they use.
pkg=$work/deb
mkdir -p "$pkg/DEBIAN"
cp -a "$usr" "$pkg/usr"
glibc=$(objdump -T "$usr/bin/xsk" "$usr/lib/xsk/xsk-x86-64-v4" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
depends="libc6 (>= $glibc)"
for lib in $(ldd "$usr/bin/xsk" "$usr/lib/xsk/xsk-x86-64-v4" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do
  owner=$(dpkg -S "$(readlink -f "$lib")" 2> /dev/null | head -1 | cut -d: -f1) || true
  [ -z "$owner" ] && owner=$(dpkg -S "$lib" 2> /dev/null | head -1 | cut -d: -f1) || true
  [ -n "$owner" ] && [ "$owner" != libc6 ] && case ", $depends," in *", $owner,"*) ;; *) depends="$depends, $owner" ;; esac
done
cat > "$pkg/DEBIAN/control" << CONTROL
Package: xsk
Version: $version
Architecture: amd64
Maintainer: XeStreamKit maintainers <xsk@xestreamkit.invalid>
Installed-Size: $(du -sk "$pkg/usr" | cut -f1)
Depends: $depends
Section: utils
Priority: optional
Description: inspect, validate, save and restore Intel Xe SR-IOV VF migration streams
 xsk checks the live-migration data stream of Intel Xe SR-IOV virtual functions (the xe PF
 driver's stream through xe-vfio-pci or debugfs, and QEMU migration files) against the driver's
 restore rules, predicts whether it restores on a host, and saves and restores VFs.
 A native build: no .NET runtime needed. The rule catalog is built in (xsk rules).
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/xsk_${version}_amd64.deb" > /dev/null
echo "$out/$tarname.tar.gz"
echo "$out/xsk_${version}_amd64.deb"
