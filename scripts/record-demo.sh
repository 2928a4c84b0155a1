#!/usr/bin/env bash
# Records the README's pictures from the real binary, so they can be made
# again after a screen changes:
#
#   scripts/record-demo.sh              # docs/demo.cast and docs/*.svg
#   scripts/record-demo.sh --cast-only DIR   # only the casts, into DIR
#
# It writes three asciinema v2 casts and, unless --cast-only, renders each
# to SVG with svg-term (npm package svg-term-cli, version below):
#
#   demo.cast    -> demo.svg     `nixboard --demo` from the welcome to Done (animated)
#   doctor.cast  -> doctor.svg   `nixboard doctor` on the fixture machine
#                                detect/testdata/machines/wsl2-ubuntu-nosystemd (its last frame)
#   switch.cast  -> switch.svg   `nixboard replay` of the recorded failing switch
#                                nixlog/testdata/logs/nix-2.26/switch-clobber.log (its last frame)
#
# Each program runs under `asciinema rec --stdin` (so the keys are in the
# cast too) in a tmux pane of its own size on a tmux server of this script's
# own. Every key is sent only once the screen shows the text it belongs to
# (wait_for, wait_focus: tmux capture-pane polled until the text is there,
# failing after 60 s), never after a fixed time. The sleeps between keys
# are only there so a reader can follow the animation; PACE=0 (as the test
# docs/demo_test.go uses) leaves them out, PACE=2 doubles them. Idle time
# in the casts is cut to 3 s by asciinema (-i), the longest pause here.
#
# Needs tmux and asciinema (Debian: apt-get install -y tmux asciinema), Go
# to build nixboard (or NIXBOARD=path of a built binary), and, for the SVGs,
# svg-term: SVG_TERM=path, else svg-term on PATH; to install it:
#   npm install --prefix /tmp/svg-term svg-term-cli@2.1.1 && export SVG_TERM=/tmp/svg-term/node_modules/.bin/svg-term
# The demo shows its directory under TMPDIR=/tmp, as a reader's would be.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

svg_term_version=2.1.1
cast_only=false
if [ "${1:-}" = --cast-only ]; then
  cast_only=true
  shift
fi
out=${1:-docs}
mkdir -p "$out"
out=$(cd "$out" && pwd)
pace=${PACE:-1}

for tool in tmux asciinema python3; do
  command -v "$tool" >/dev/null || { echo "record-demo: $tool is not installed (apt-get install -y $tool)" >&2; exit 1; }
done
svg_term=${SVG_TERM:-svg-term}
if ! $cast_only && ! command -v "$svg_term" >/dev/null; then
  echo "record-demo: svg-term is not installed; npm install --prefix /tmp/svg-term svg-term-cli@$svg_term_version, then SVG_TERM=/tmp/svg-term/node_modules/.bin/svg-term $0 (or --cast-only)" >&2
  exit 1
fi

work=$(mktemp -d)
# Each recording has a tmux server of its own (record sets socket): a new
# server on the socket of one that is still shutting down can fail.
socket=
cleanup() {
  local name
  for name in demo doctor switch; do
    tmux -L "nixboard-record-$$-$name" kill-server 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

bin=${NIXBOARD:-}
if [ -z "$bin" ]; then
  bin=$work/nixboard
  go build -o "$bin" ./cmd/nixboard
fi

started=$SECONDS

# pause SECONDS: a reader's pause, scaled by PACE (0 leaves it out).
pause() {
  local s
  s=$(awk -v s="$1" -v p="$pace" 'BEGIN { printf "%.2f", s * p }')
  if [ "$s" != 0.00 ]; then sleep "$s"; fi
}
screen() { tmux -L "$socket" capture-pane -p -t rec; }
keys() { tmux -L "$socket" send-keys -t rec "$@"; }
# typed TEXT: types TEXT one character at a time, as a person would.
typed() {
  local i
  for ((i = 0; i < ${#1}; i++)); do
    tmux -L "$socket" send-keys -t rec -l "${1:i:1}"
    pause 0.06
  done
}
# wait_until DESCRIPTION COMMAND...: polls the screen until COMMAND (reading
# it on stdin) succeeds, for at most WAIT seconds (60).
wait_until() {
  local what=$1 deadline=$((SECONDS + ${WAIT:-60}))
  shift
  until screen | "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "record-demo: the screen never showed $what; it shows:" >&2
      screen >&2
      exit 1
    fi
    sleep 0.05
  done
  # Then until the screen stays the same between two looks, so the key
  # does not go out while a frame is half drawn (a frame can reach the
  # terminal in several writes) and the cast holds the whole screen.
  screen >"$work/settled"
  while sleep 0.05 && ! screen | cmp -s - "$work/settled"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "record-demo: the screen never settled after $what" >&2
      exit 1
    fi
    screen >"$work/settled"
  done
}
wait_for() { wait_until "\"$1\"" grep -qF -- "$1"; }
# wait_focus TITLE: the huh field TITLE has the focus (its title line starts
# with the focus bar), so an enter reaches that field and not the one before.
wait_focus() { wait_until "the field \"$1\" focused" grep -qE "^┃ +$1"; }
# key_then_change KEY: sends KEY and waits until the screen is another than
# before it (a page down whose new page has no text of its own to wait for).
key_then_change() {
  screen >"$work/before"
  keys "$1"
  wait_until "a change after $1" not_before
}
not_before() { ! cmp -s - "$work/before"; }

# record NAME COLS ROWS COMMAND: starts COMMAND under asciinema in a new pane
# (on a new server) recording into $out/NAME.cast. COMMAND's exit
# status goes to $work/NAME.exit; then the recorded shell waits for a line,
# which finish sends: asciinema 2.2 loses the last output of a program that
# exits right after printing it, and so does not end before it is recorded.
record() {
  local name=$1 cols=$2 rows=$3 command=$4
  socket=nixboard-record-$$-$name
  printf '%s\n' "$command; echo \$? >$(printf %q "$work/$name.exit"); read _" >"$work/$name.sh"
  rm -f "$work/$name.exit" "$work/$name.status"
  # A clean environment: only what the programs need, and the same on every
  # machine, so the screens are the same.
  tmux -L "$socket" new-session -d -x "$cols" -y "$rows" -s rec \
    "cd $(printf %q "$repo") && env -i HOME=$(printf %q "$work") TMPDIR=/tmp PATH=/usr/local/bin:/usr/bin:/bin TERM=xterm-256color LANG=C.UTF-8 \
      asciinema rec --stdin --quiet --overwrite -i 3 -c 'sh $(printf %q "$work/$name.sh")' $(printf %q "$out/$name.cast"); \
      echo done >$(printf %q "$work/$name.status"); sleep 600"
}
# wait_file FILE WHAT: waits until FILE has something in it, for at most
# WAIT seconds (60).
wait_file() {
  local deadline=$((SECONDS + ${WAIT:-60}))
  until [ -s "$1" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "record-demo: $2 did not end; the screen shows:" >&2
      screen >&2
      exit 1
    fi
    sleep 0.05
  done
}
# finish NAME LAST [PAUSE]: waits until the program ended and its last line
# LAST is on the screen, leaves it there PAUSE seconds, sends the line the
# recorded shell waits for, waits until asciinema ended and ends the pane's
# server. It sets status to the program's exit status.
finish() {
  wait_file "$work/$1.exit" "$1"
  wait_for "$2"
  pause "${3:-0}"
  keys Enter
  wait_file "$work/$1.status" "asciinema"
  tmux -L "$socket" kill-server
  status=$(cat "$work/$1.exit")
}

# The demo, with the key sequence of tui/testdata/demo.tape.
record demo 100 30 "$(printf %q "$bin") --demo"
wait_for "answer a few questions"
pause 3
keys Enter
wait_for "Who you are"
wait_focus "User name"
pause 1.5
keys Enter
wait_focus "Git name"
pause 0.5
keys Enter
wait_focus "Git e-mail"
pause 0.5
keys Enter
wait_for "Where and which release"
wait_focus "Configuration directory"
pause 1.5
keys Enter
wait_focus "Release"
pause 1
keys Enter
wait_focus "Base layer"
pause 1
keys Enter
wait_for "Shell and editor"
wait_focus "Shell"
pause 1.5
keys Enter
wait_focus "Editor"
pause 1
keys Enter
# Modules: development tools on, then on.
wait_for "Question page 4 of 5: Modules"
wait_for "• Development tools"
pause 1.5
for _ in 1 2 3 4; do
  keys Down
  pause 0.3
done
keys Space
wait_for "✓ Development tools"
pause 1
keys Enter
# Extras: one alias, the rest as they are.
wait_for "Question page 5 of 5: Extras"
wait_focus "Shell aliases"
pause 1
typed "gs=git status"
# The focused field's line, not its description, which has the same example.
wait_until "the alias typed" grep -qE "^┃ +gs=git status"
pause 0.5
keys Enter
wait_focus "Environment variables"
pause 0.5
keys Enter
wait_focus "Additional packages"
pause 0.5
keys Enter
# Review: two pages down into the diffs, then write.
wait_for "enter write files"
pause 2.5
key_then_change PageDown
wait_for "Nothing has been written yet."
pause 1.5
key_then_change PageDown
pause 1.5
keys Enter
# The recorded switch replays at its own pace, to Done.
wait_for "(recorded)"
wait_for "environment is set up"
pause 3
keys q
finish demo "Run nixboard without --demo" 3
[ "$status" = 0 ] || { echo "record-demo: nixboard --demo exited $status" >&2; exit 1; }

# doctor on a fixture machine: its environment, NIXBOARD_ROOT its "/".
fixture=detect/testdata/machines/wsl2-ubuntu-nosystemd
record doctor 100 60 "env -i \$(grep -v '^#' $fixture/machine.env) NIXBOARD_ROOT=$(printf %q "$repo/$fixture/root") TERM=xterm-256color $(printf %q "$bin") doctor"
# Exit 1: a check fails on that machine, which is what the picture shows.
finish doctor "Fix the failed checks first"
[ "$status" = 1 ] || { echo "record-demo: doctor exited $status, want 1" >&2; exit 1; }

# The switch screen: a recorded switch that fails, with the diagnosis.
record switch 100 30 "$(printf %q "$bin") replay --speed max nixlog/testdata/logs/nix-2.26/switch-clobber.log"
wait_for "q quit"
wait_for "full log:"
pause 1
keys q
finish switch "switch failed:"
[ "$status" = 1 ] || { echo "record-demo: the replay exited $status, want 1" >&2; exit 1; }

echo "record-demo: recorded in $((SECONDS - started))s"
if $cast_only; then
  exit 0
fi

# svg_cast CAST OUT.cast [still]: the cast for svg-term, without the key
# presses, which svg-term has no use for. With "still", the output before
# the first key press becomes one event at 1 s: the screen the picture
# shows, whole (svg-term draws the frame nearest to --at, and a frame in
# the middle of a read that asciinema split would be cut).
svg_cast() {
  python3 - "$@" <<'EOF'
import json, sys
src, dst, still = sys.argv[1], sys.argv[2], len(sys.argv) > 3
with open(src) as f:
    lines = f.read().splitlines()
events = [json.loads(l) for l in lines[1:] if l]
with open(dst, "w") as f:
    f.write(lines[0] + "\n")
    if still:
        shown = []
        for e in events:
            if e[1] == "i":
                break
            shown.append(e[2])
        f.write(json.dumps([1.0, "o", "".join(shown)]) + "\n")
    else:
        for e in events:
            if e[1] == "o":
                f.write(json.dumps(e) + "\n")
EOF
}
# lines CAST: how many lines the output before CAST's first key press has.
lines() {
  python3 - "$1" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    lines = f.read().splitlines()
n = 0
for l in lines[1:]:
    e = json.loads(l)
    if e[1] == "i":
        break
    n += e[2].count("\n")
print(n)
EOF
}

svg_cast "$out/demo.cast" "$work/demo.cast"
"$svg_term" --in "$work/demo.cast" --out "$out/demo.svg" --window
svg_cast "$out/doctor.cast" "$work/doctor.cast" still
"$svg_term" --in "$work/doctor.cast" --out "$out/doctor.svg" --padding 8 --at 1000 --height "$(lines "$out/doctor.cast")"
svg_cast "$out/switch.cast" "$work/switch.cast" still
"$svg_term" --in "$work/switch.cast" --out "$out/switch.svg" --padding 8 --at 1000
echo "record-demo: wrote $out/{demo,doctor,switch}.{cast,svg} in $((SECONDS - started))s"
