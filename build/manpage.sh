#!/usr/bin/env bash
# Writes xsk(1) in roff to stdout, generated from the binary's own --help of every command (found
# by walking the "Commands:" sections), so the page says what the installed binary does.
# Usage: build/manpage.sh <path to xsk> <version> [date]
set -euo pipefail
xsk=$1
version=$2
date=${3:-$(date -u +%Y-%m-%d)}

# roff: a backslash is \e; a line starting with . or ' would be a request.
escape() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

subcommands() {
  "$xsk" "$@" --help | awk '/^Commands:/ { inside = 1; next } inside && /^$/ { inside = 0 } inside { print $1 }'
}

section() {
  printf '.SS "xsk %s"\n.nf\n' "$*"
  "$xsk" "$@" --help | escape
  printf '.fi\n'
  local sub
  for sub in $(subcommands "$@"); do section "$@" "$sub"; done
}

cat <<HEAD
.TH XSK 1 "$date" "xsk $version" "User Commands"
.SH NAME
xsk \\- inspect, validate, save and restore Intel Xe SR-IOV VF migration streams
.SH SYNOPSIS
.B xsk
.I command
.RI [ options ]
.br
.B xsk \-\-version
.RB [ \-\-verbose ]
.SH DESCRIPTION
HEAD
"$xsk" --help | awk '/^Description:/ { d = 1; next } d && /^$/ { exit } d { sub(/^ +/, ""); print $0 "." }' | escape
cat <<'TEXT'
.PP
Every command accepts
.B \-
for standard input, prints
.BR \-\-help ,
and has
.B \-\-json
for machines.
.SH COMMANDS
The help of every command, as the binary prints it.
TEXT
for cmd in $(subcommands); do section "$cmd"; done
cat <<'TAIL'
.SH RULES
The validator's rule catalog (every rule's id, severity per profile, the errno the driver returns
and when user space sees it, and its source) is built into the binary:
.B xsk rules
lists it,
.B xsk rules
.I ID
shows one rule.
.SH EXIT STATUS
0 success (valid, compatible, done); 1 bad command line; 2 malformed stream or a profile error;
3 the stream would not restore on the target; 4 a file, pipe or device could not be read or
written, or a device operation failed.
.SH ENVIRONMENT
.TP
.B XSK_CPU=portable
Stay in the portable (x86-64-v2) binary instead of handing over to the AVX-512 one,
.IR /usr/lib/xsk/xsk-x86-64-v4 ,
which the portable one runs on CPUs with AVX-512.
.SH FILES
.TP
.I /usr/lib/xsk/xsk-x86-64-v4
the x86-64-v4 (AVX-512) build.
.TP
.I /usr/share/bash-completion/completions/xsk
bash completion, from
.BR "xsk completion bash" .
.SH SEE ALSO
.B xsk \-\-version \-\-verbose
shows which vector and CRC-32C paths run on this CPU.
TAIL
