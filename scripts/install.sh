#!/bin/sh
# nixboard's one-line start. Read it before you run it:
#
#   curl -fsSL https://raw.githubusercontent.com/nixboard/nixboard/main/scripts/install.sh | sh
#
# or download it, read it, then run it:
#
#   curl -fsSLO https://raw.githubusercontent.com/nixboard/nixboard/main/scripts/install.sh
#   less install.sh
#   sh install.sh
#
# What it does, top to bottom, without root and without touching anything
# outside a temporary directory and ~/.local/bin:
#
#   1. works out the OS (linux, darwin) and the architecture (amd64, arm64;
#      on a Mac running this shell under Rosetta 2 it takes arm64);
#   2. downloads checksums.txt and the matching release archive into a
#      temporary directory;
#   3. checks the archive's SHA-256 against checksums.txt and stops, with
#      nothing installed, on any mismatch or failed download;
#   4. unpacks the archive in the temporary directory and runs the binary
#      once (nixboard --version) to see that it works on this machine;
#   5. moves it into ~/.local/bin/nixboard in one rename, so there is never
#      a half-written nixboard there;
#   6. says how to put ~/.local/bin on PATH when it is not, and how to start
#      nixboard, or starts it with --run.
#
# Usage: sh install.sh [--run] [-- NIXBOARD ARGS...]
#   curl -fsSL URL | sh -s -- --run     installs, then starts the wizard
#
# Environment:
#   NIXBOARD_DOWNLOAD_URL  where the release files are (default: the latest
#                          GitHub release); a mirror, or a local test server
#   NIXBOARD_BIN_DIR       where nixboard goes (default: ~/.local/bin)
#   NIXBOARD_RUN=1         the same as --run
set -eu

base_url=${NIXBOARD_DOWNLOAD_URL:-https://github.com/nixboard/nixboard/releases/latest/download}
base_url=${base_url%/}
run=${NIXBOARD_RUN:-0}

say() { printf 'nixboard install: %s\n' "$*"; }
die() {
	printf 'nixboard install: error: %s\n' "$*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--run) run=1 ;;
	--help | -h)
		sed -n '2,/^set -eu/p' "$0" 2>/dev/null | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	--)
		shift
		break
		;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
	shift
done

[ -n "${HOME:-}" ] || die "HOME is not set"
bin_dir=${NIXBOARD_BIN_DIR:-$HOME/.local/bin}

# 1. The OS and the architecture.
case $(uname -s) in
Linux) os=linux ;;
Darwin) os=darwin ;;
*) die "unsupported OS: $(uname -s) (nixboard is built for Linux and macOS; on Windows use WSL)" ;;
esac
machine=$(uname -m)
case $machine in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) die "unsupported architecture: $machine (nixboard is built for amd64 and arm64)" ;;
esac
# A shell under Rosetta 2 on Apple Silicon sees x86_64; the native arm64
# build is the one to install there.
if [ "$os" = darwin ] && [ "$arch" = amd64 ] &&
	[ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
	say "this shell runs under Rosetta 2: installing the native arm64 build"
	arch=arm64
fi

if command -v curl >/dev/null 2>&1; then
	fetch() { curl -fsSL -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
	fetch() { wget -q -O "$2" "$1"; }
else
	die "neither curl nor wget is installed"
fi
if command -v sha256sum >/dev/null 2>&1; then
	sha256() { sha256sum "$1" | awk '{ print $1 }'; }
elif command -v shasum >/dev/null 2>&1; then
	sha256() { shasum -a 256 "$1" | awk '{ print $1 }'; }
else
	die "neither sha256sum nor shasum is installed: cannot verify the download"
fi

# 2. Download into a temporary directory that is removed however this ends.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nixboard-install.XXXXXX") || die "cannot make a temporary directory"
staged=""
cleanup() {
	rm -rf "$tmp"
	if [ -n "$staged" ]; then rm -f "$staged"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "downloading $base_url/checksums.txt"
fetch "$base_url/checksums.txt" "$tmp/checksums.txt" || die "download of checksums.txt failed"
# The archive is the one line of checksums.txt whose file name ends in
# _OS_ARCH.tar.gz; its name carries the version, so this needs no version.
suffix="_${os}_${arch}.tar.gz"
lines=$(awk -v s="$suffix" 'length($2) > length(s) && substr($2, length($2) - length(s) + 1) == s' "$tmp/checksums.txt")
[ -n "$lines" ] || die "checksums.txt lists no archive for $os/$arch"
[ "$(printf '%s\n' "$lines" | wc -l)" -eq 1 ] || die "checksums.txt lists more than one archive for $os/$arch"
want=${lines%% *}
archive=${lines##* }
case $archive in
*[!A-Za-z0-9._-]* | .*) die "checksums.txt names an unexpected file: $archive" ;;
esac
case $want in
*[!0-9a-f]*) die "checksums.txt has no SHA-256 for $archive" ;;
esac
[ ${#want} -eq 64 ] || die "checksums.txt has no SHA-256 for $archive"

say "downloading $base_url/$archive"
fetch "$base_url/$archive" "$tmp/$archive" || die "download of $archive failed; nothing was installed"

# 3. Verify.
got=$(sha256 "$tmp/$archive")
[ "$got" = "$want" ] || die "checksum mismatch for $archive: expected $want, got $got; nothing was installed"
say "checksum ok ($want)"

# 4. Unpack and try the binary here, before it goes anywhere.
mkdir "$tmp/unpacked"
tar -xzf "$tmp/$archive" -C "$tmp/unpacked" || die "cannot unpack $archive; nothing was installed"
[ -f "$tmp/unpacked/nixboard" ] || die "$archive holds no nixboard binary; nothing was installed"
chmod 755 "$tmp/unpacked/nixboard"
version=$("$tmp/unpacked/nixboard" --version) || die "the downloaded nixboard does not run on this machine; nothing was installed"

# 5. Install: copy next to the target, then rename over it in one step.
mkdir -p "$bin_dir" || die "cannot create $bin_dir"
[ ! -d "$bin_dir/nixboard" ] || die "$bin_dir/nixboard is a directory; move it away first"
staged="$bin_dir/.nixboard.install.$$"
cp "$tmp/unpacked/nixboard" "$staged" || die "cannot write to $bin_dir"
chmod 755 "$staged"
mv -f "$staged" "$bin_dir/nixboard" || die "cannot move nixboard into $bin_dir"
staged=""
say "installed $version as $bin_dir/nixboard"

# 6. PATH, then start it or say how.
command=nixboard
case ":${PATH:-}:" in
*":$bin_dir:"* | *":$bin_dir/:"*) ;;
*)
	command="$bin_dir/nixboard"
	say "$bin_dir is not on your PATH; to add it:"
	case ${SHELL:-} in
	*/zsh) say "  echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.zshrc && exec zsh" ;;
	*/fish) say "  fish_add_path $bin_dir" ;;
	*) say "  echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.bashrc && exec bash" ;;
	esac
	;;
esac

if [ "$run" = 1 ]; then
	say "starting $command $*"
	cleanup
	trap - EXIT
	# Under curl | sh this shell's stdin is the script: the wizard reads
	# the terminal instead, when there is one.
	if (: </dev/tty) 2>/dev/null; then
		exec "$bin_dir/nixboard" "$@" </dev/tty
	fi
	exec "$bin_dir/nixboard" "$@"
fi
say "start it with: $command"
