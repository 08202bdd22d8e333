#!/usr/bin/env bash
# Distributed fit against the plain one (docs/distributed.md, "Measured"): on an
# Adult-shaped table of ROWS rows (made as bench/scale.sh makes it, kept in $WORK),
# times `meg fit` with --threads 1 and 2, then `mpirun -np P meg fit` for each P in
# RANKS (--threads 1 a rank: P ranks use P cores), on the file (byte ranges) and on
# SHARDS shards of it; checks every model's bytes against the plain fit's (cmp).
# Prints wall, CPU (user + sys of every process) and peak RSS (the largest process) per
# run, from /usr/bin/time -v, and what travelled (meg's last line: the rows allgathered,
# the counts summed a rank) with the CPU of a rank by phase (the most of the ranks).
#
#   bench/mpi.sh                          # 1M rows, RANKS="2 3", SHARDS=4
#   ROWS=10000000 RANKS=2 bench/mpi.sh    # the issue's 10M-row target
#   MEG=build/meg WORK=/tmp/meg-scale MPIRUN=mpirun bench/mpi.sh
#
# The machine may be shared: compare CPU as well as wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
MEG=${MEG:-build/meg}
WORK=${WORK:-/tmp/meg-scale}
ROWS=${ROWS:-1000000}
RANKS=${RANKS:-"2 3"}
SHARDS=${SHARDS:-4}
MPIRUN=${MPIRUN:-mpirun}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ -x "$MEG" ] || { echo "bench/mpi.sh: $MEG not found; build it (cmake --preset release)" >&2; exit 2; }
command -v "$MPIRUN" >/dev/null || { echo "bench/mpi.sh: $MPIRUN not found (openmpi-bin)" >&2; exit 2; }
mkdir -p "$WORK"
table="$WORK/adult_$ROWS.csv"
if [ ! -f "$table" ]; then  # as bench/scale.sh makes it: Adult's model (seed 0) sampled
  [ -f "$WORK/adult.meg" ] || "$MEG" fit data/adult_train.csv -o "$WORK/adult.meg" --seed 0 --quiet
  "$MEG" sample "$WORK/adult.meg" -n "$ROWS" --seed 1 -o "$table" --quiet
fi
# The shards: the table's data lines cut into SHARDS files, each with the header (the
# generated table has no quoted newline, so lines are rows).
shard_dir="$WORK/shards_${ROWS}_$SHARDS"
if [ ! -d "$shard_dir" ]; then
  mkdir -p "$shard_dir"
  per=$(( (ROWS + SHARDS - 1) / SHARDS ))
  awk -v per="$per" -v dir="$shard_dir" '
    NR == 1 { header = $0; next }
    { f = sprintf("%s/shard-%03d.csv", dir, int((NR - 2) / per)); if (!(f in seen)) { print header > f; seen[f] = 1 } print > f }' "$table"
fi
shards=$(ls "$shard_dir"/shard-*.csv | tr '\n' ' ')

# Runs a command under /usr/bin/time -v; prints "wall_s cpu_s max_rss_mb".
timed() {
  local out="$WORK/mpi_time.txt"
  if ! /usr/bin/time -v "$@" 2>"$out" >/dev/null; then
    cat "$out" >&2
    echo "bench/mpi.sh: failed: $*" >&2
    exit 1
  fi
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
    /allgathered/ { x = $0; sub(/.*ranks; /, "", x); c = x; sub(/, [0-9]+ bytes a rank in collectives.*/, "", x)
                    sub(/.*CPU a rank, the most of the ranks: /, "", c); sub(/\)$/, "", c); g = x "; CPU a rank " c }
    END { printf "%8.2f %8.2f %8.0f  %s\n", w, u + s, r / 1024, g }' "$out"
}

printf '%-34s %8s %8s %8s  %s\n' "run ($ROWS rows)" wall_s cpu_s rss_mb traffic
plain="$WORK/mpi_plain.meg"
for t in 1 2; do
  printf '%-34s ' "meg fit --threads $t"
  timed "$MEG" fit "$table" -o "$plain" --threads "$t" --quiet
done
for p in $RANKS; do
  for input in file shards; do
    model="$WORK/mpi_np${p}_$input.meg"
    args=$table
    [ "$input" = shards ] && args=$shards
    printf '%-34s ' "mpirun -np $p --threads 1 ($input)"
    # Not --quiet: meg's last line says what travelled.
    timed "$MPIRUN" --oversubscribe -np "$p" "$MEG" fit $args -o "$model" --threads 1
    cmp -s "$model" "$plain" || { echo "bench/mpi.sh: $model differs from the plain fit" >&2; exit 1; }
  done
done
echo "every model identical to the plain fit's"
