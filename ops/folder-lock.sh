# Sourced by ops/backup and ops/restore. The lock city-ops itself takes on a data folder (core/folder-lock.ts):
# flock(1) on "<folder>.lock" beside the folder, held by the kernel until this script and the programs it starts
# have ended (however they end), so a server cannot open the folder while a backup reads it or a restore fills it.

LOCKED_FILES=()
trap 'for f in "${LOCKED_FILES[@]}"; do : >"$f"; done' EXIT  # the files stay; they no longer name us

# lock_folder FOLDER WHAT: takes the folder's lock, or exits 1 naming the process that holds it.
lock_folder() {
  local folder lockfile fd holder pid
  folder=$(realpath -m -- "$1")
  lockfile="$folder.lock"
  mkdir -p -- "$(dirname -- "$folder")"
  exec {fd}>>"$lockfile"
  if ! flock --nonblock --exclusive "$fd"; then
    holder=$(cat -- "$lockfile" 2>/dev/null || true)
    pid=$(sed -nE 's/.*"pid":([0-9]+).*/\1/p' <<<"$holder")
    echo "$2 $folder is in use by pid ${pid:-?} (${holder:-it has not said who it is}). Stop that process first," \
      "or, while city-ops runs, take an online backup through it (POST /api/system/backup, or the button on the 系统 page)." \
      "The lock ($lockfile) ends with its holder, even a crashed one: there is nothing to delete by hand." >&2
    exit 1
  fi
  printf '{"pid":%d,"command":"%s","host":"%s","since":"%s"}\n' "$$" "$0" "$(hostname)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$lockfile"
  LOCKED_FILES+=("$lockfile")
}
