#!/usr/bin/env bash
# npm run package:deb — builds the Debian package koi-ha_VERSION_ARCH.deb with
# dpkg-deb (no debhelper), from `npm pack` output plus the production
# dependencies of package-lock.json. Needs: npm (registry or its cache),
# dpkg-deb, and python3, make and a C++ compiler for the syslog addon.
#
#   KOI_DEB_OUT       folder for the .deb (default: the repository's dist-deb/)
#   KOI_DEB_NO_BUILD  1: package dist/ as it is (the tests, whose pretest built it,
#                     must not rewrite dist/ under koinode processes of other tests)
#
# Prints the path of the package on the last line.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${KOI_DEB_OUT:-$root/dist-deb}"

die() { echo "package:deb: $*" >&2; exit 1; }
for tool in dpkg-deb dpkg npm node; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install dpkg-dev / nodejs)"
done

version="$(node -p "require('$root/package.json').version")"
name="$(node -p "require('$root/package.json').name")"
arch="$(dpkg --print-architecture)"
maintainer="${KOI_DEB_MAINTAINER:-koi developers <koi-ha@packages.invalid>}"

work="$(mktemp -d "${TMPDIR:-/tmp}/koi-deb.XXXXXX")"
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
app="$stage/usr/lib/$name"
mkdir -p "$app"

if [ "${KOI_DEB_NO_BUILD:-}" = 1 ]; then
    [ -f "$root/dist/bin/koinode.js" ] || die "KOI_DEB_NO_BUILD=1 but dist/ is not built (npm run build)"
    echo "package:deb: npm pack (dist/ as built)" >&2
    (cd "$root" && npm pack --silent --ignore-scripts --pack-destination "$work" >/dev/null)
else
    echo "package:deb: npm pack (builds dist/)" >&2
    (cd "$root" && npm pack --silent --pack-destination "$work" >/dev/null)
fi
tar -xzf "$work/$name-$version.tgz" -C "$app" --strip-components=1 --no-same-owner

echo "package:deb: production dependencies from package-lock.json" >&2
cp "$root/package-lock.json" "$app/"
(cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >&2)
# typescript (24 MB) is only an optional peer of cosmiconfig, for TypeScript config files koi never
# loads, and a devDependency of ours: the lockfile marks it devOptional, so --omit=dev keeps it.
rm -rf "$app/node_modules/typescript" "$app/node_modules/.bin"
# The syslog addon is compiled for this machine's Node.js ABI (hence Architecture: $arch).
if ! (cd "$app" && npm rebuild unix-dgram --no-audit --no-fund --loglevel=error >&2) \
   || [ ! -f "$app/node_modules/unix-dgram/build/Release/unix_dgram.node" ]; then
    die "the native syslog addon unix-dgram did not build: install python3, make and g++ (apt-get install python3 make g++) and run again"
fi
addon="$app/node_modules/unix-dgram/build/Release"
find "$addon" -mindepth 1 -maxdepth 1 ! -name unix_dgram.node -exec rm -rf {} +
strip --strip-unneeded "$addon/unix_dgram.node" 2>/dev/null || true
chmod 0644 "$addon/unix_dgram.node"
rm -f "$app/package-lock.json" "$app/node_modules/.package-lock.json"
# Not needed at run time, and flagged by lintian: packaging leftovers of the
# dependencies, a docs page loading scripts from the web, source maps of
# TypeScript sources that are not shipped, the bins' type declarations.
find "$app/node_modules" \( -name .npmignore -o -name .gitattributes -o -name .gitignore -o -name .github -o -name '*.html' \) -prune -exec rm -rf {} +
find "$app/dist" -name '*.map' -delete
rm -f "$app"/dist/bin/*.d.ts
chmod 0755 "$app/dist/bin/koi.js" "$app/dist/bin/koinode.js"

mkdir -p "$stage/usr/sbin"
ln -s "../lib/$name/dist/bin/koi.js" "$stage/usr/sbin/koi"
ln -s "../lib/$name/dist/bin/koinode.js" "$stage/usr/sbin/koinode"

install -d -m 0755 "$stage/etc/koi" "$stage/etc/koi/services"
install -m 0600 "$here/koi.conf" "$stage/etc/koi/koi.conf"

# One unit for both routes: examples/systemd/koinode.service, with this package's paths.
install -d -m 0755 "$stage/lib/systemd/system"
sed -e "s#/usr/local/bin/koinode#/usr/sbin/koinode#g" \
    -e "s#/usr/local/lib/node_modules/$name#/usr/lib/$name#g" \
    -e '/^# koinode as a systemd service/,/^\[Unit\]/c\# koinode as a systemd service (Debian package koi-ha). Not enabled at install:\n# configure /etc/koi/koi.conf, then systemctl enable --now koinode.\n# Local changes: systemctl edit koinode (a drop-in survives upgrades).\n[Unit]' \
    "$root/examples/systemd/koinode.service" > "$stage/lib/systemd/system/koinode.service"
chmod 0644 "$stage/lib/systemd/system/koinode.service"
grep -q '^ExecStart=/usr/sbin/koinode ' "$stage/lib/systemd/system/koinode.service" \
    || die "examples/systemd/koinode.service: ExecStart no longer names /usr/local/bin/koinode; update build.sh"

# Manual pages from the commands' own --help (one source for both).
man="$stage/usr/share/man/man8"
install -d -m 0755 "$man"
manpage() { # command, one-line summary
    local cmd="$1" summary="$2" upper
    upper="$(echo "$cmd" | tr '[:lower:]' '[:upper:]')"
    {
        echo ".TH $upper 8 \"$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)\" \"$name $version\" \"System Administration\""
        echo ".SH NAME"
        echo "$cmd \\- $summary"
        echo ".SH DESCRIPTION"
        echo ".nf"
        node "$app/dist/bin/$cmd.js" --help | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
        echo ".fi"
        echo ".SH FILES"
        echo "/etc/koi/koi.conf, /etc/koi/cluster.key, /etc/koi/services/"
        echo ".SH SEE ALSO"
        echo "/usr/lib/$name/docs/guide.md, /usr/lib/$name/docs/client.md, /usr/lib/$name/docs/configuration.md"
    } | gzip -9n > "$man/$cmd.8.gz"
    chmod 0644 "$man/$cmd.8.gz"
}
manpage koinode "the koi cluster node daemon"
manpage koi "the koi cluster client"

doc="$stage/usr/share/doc/$name"
install -d -m 0755 "$doc"
install -m 0644 "$here/copyright" "$doc/copyright"
{
    echo "$name ($version) unstable; urgency=medium"
    echo
    echo "  * Release $version (see the project's history for the changes)."
    echo
    echo " -- $maintainer  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")"
} | gzip -9n > "$doc/changelog.gz"

install -d -m 0755 "$stage/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$here/$script" "$stage/DEBIAN/$script"
done
echo /etc/koi/koi.conf > "$stage/DEBIAN/conffiles"
size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
# The libraries the addon links (libc6, libstdc++6), with versions, as dpkg-shlibdeps finds them.
shlibs=""
if command -v dpkg-shlibdeps >/dev/null; then
    mkdir -p "$work/debian"
    printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" > "$work/debian/control"
    shlibs="$(cd "$work" && dpkg-shlibdeps -O -e"${addon#"$work"/}/unix_dgram.node" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
fi
[ -n "$shlibs" ] || shlibs="libc6, libstdc++6"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@MAINTAINER@/$maintainer/" -e "s/@INSTALLED_SIZE@/$size/" \
    -e "s/@SHLIBS@/$shlibs/" "$here/control.in" > "$stage/DEBIAN/control"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

# Directories 0755, files not writable by group or others, whatever the umask of this checkout.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -perm /022 -exec chmod go-w {} +

mkdir -p "$out"
deb="$out/${name}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2
echo "$deb"
