# Sourced by the bench scripts (which set $work): measure OUT_JSON COMMAND... runs the command,
# leaves its stdout in OUT_JSON, and prints "seconds peak_rss_mib" (GNU time).
measure() {
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time.log" "$@" >"$out" 2>"$work/stderr.log" || { cat "$work/stderr.log" >&2; exit 1; }
  awk '{printf "%s %.0f", $1, $2/1024}' "$work/time.log"
}
