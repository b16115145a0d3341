# DCGAN's representation benchmark, shared by scripts/reproduce-{fashion-mnist,cifar10,svhn}.sh:
# train a DCGAN on the training images, extract the features of its discriminator, of a
# randomly initialised discriminator of the same shape and of the raw pixels, run the L2-SVM
# protocol on each and write a Markdown table. Sourced, not run.
#
# The caller sets: root (repository), work (output folder), train_h5 / test_h5 (imported
# pyramids), protocol, title, paper (a line with the paper's figure), and calls
# parse_benchmark_options "$@" then run_features_benchmark.

bin=${GANKIT_BIN:-$root/build/bin}
steps=3000 width=32 batch=64 threads=0 seed=1 gan_data=""
svm_args=()

benchmark_usage() {
  cat <<USAGE
Options (defaults give the figures of docs/representation.md):
  --steps N             DCGAN generator steps (default 3000)
  --width W             ngf = ndf = W (default 32: 3584 features at 32x32)
  --batch B             training minibatch (default 64)
  --gan-data PATH       train the DCGAN on other images (e.g. an ImageNet-32 pyramid or folder)
  --threads T           CPU threads (default: all cores)
  --seed S              seed of training, the random-init baseline and the SVM draws (default 1)
  --labels-per-class K, --validation V, --draws D, --final-draws F, --C LIST
                        passed to gan-eval svm (defaults: its protocol's)
USAGE
}

parse_benchmark_options() {
  while [[ $# -gt 0 ]]; do
    case $1 in
      --steps) steps=$2; shift 2 ;;
      --width) width=$2; shift 2 ;;
      --batch) batch=$2; shift 2 ;;
      --gan-data) gan_data=$2; shift 2 ;;
      --threads) threads=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --labels-per-class|--validation|--draws|--final-draws|--C) svm_args+=("$1" "$2"); shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) echo "error: unknown option $1 (see --help)" >&2; exit 1 ;;
    esac
  done
}

# The scripts' arguments: [DATA_DIR] [WORK_DIR] [options]. parse_arguments NEEDS_DATA DEFAULT_WORK "$@"
# sets data (when NEEDS_DATA is 1), work and the options.
parse_arguments() {
  local needs_data=$1
  work=$2
  shift 2
  if [[ ${1:-} == -h || ${1:-} == --help ]]; then usage; exit 0; fi
  if [[ $needs_data == 1 ]]; then
    [[ $# -gt 0 && $1 != -* ]] || { usage >&2; exit 1; }
    data=$1
    shift
  fi
  [[ $# -gt 0 && $1 != -* ]] && { work=$1; shift; }
  parse_benchmark_options "$@"
}

require_file() {  # require_file PATH WHAT
  [[ -e $1 ]] || { echo "error: missing $1 ($2)" >&2; exit 1; }
}

field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

run_features_benchmark() {
  [[ -x $bin/gan-eval && -x $bin/gan-train ]] || { echo "error: build first (scripts/build.sh); no $bin/gan-eval" >&2; exit 1; }
  local run=$work/dcgan gan_h5=$train_h5
  if [[ -n $gan_data ]]; then
    gan_h5=$gan_data
    if [[ $gan_data != *.h5 ]]; then
      gan_h5=$work/gan-data.h5
      [[ -f $gan_h5 ]] || "$bin/gan-data" import "$gan_data" "$gan_h5" --resolution 32 --center-crop --quiet >/dev/null
    fi
  fi
  echo "== training a DCGAN on $gan_h5 ($steps steps of $batch, ngf = ndf = $width) -> $run" >&2
  if [[ -f $run/checkpoints/latest.pt ]]; then
    "$bin/gan-train" --out "$run" --resume --steps "$steps" --threads "$threads" --quiet >/dev/null
  else
    "$bin/gan-train" --data "$gan_h5" --out "$run" --loss gan --steps "$steps" --batch "$batch" --ngf "$width" \
      --ndf "$width" --seed "$seed" --threads "$threads" --quiet >/dev/null
  fi
  local table="## $title

| features | dims | C (chosen on validation) | test error % | accuracy % | extraction | SVM |
|---|---:|---:|---:|---:|---:|---:|"
  local kind
  for kind in discriminator random-init raw-pixels; do
    local out=$work/features-$kind.h5 args=()
    case $kind in
      discriminator) args=("$run") ;;
      random-init) args=("$run" --random-init --seed "$seed") ;;
      raw-pixels) args=(--raw-pixels) ;;
    esac
    echo "== gan-eval features ($kind) -> $out" >&2
    local f s
    f=$("$bin/gan-eval" features "${args[@]}" "$train_h5" "$out" --split "test=$test_h5" --threads "$threads" \
      --overwrite --quiet --json)
    echo "== gan-eval svm --protocol $protocol ($kind)" >&2
    s=$("$bin/gan-eval" svm "$out" --protocol "$protocol" --seed "$seed" "${svm_args[@]}" --quiet --json)
    echo "$s" > "$work/svm-$kind.json"
    local err
    if [[ $(echo "$s" | field 'len(d["test_errors"])') -gt 1 ]]; then
      err=$(echo "$s" | field '"%.2f +- %.2f" % (d["test_error"], d["test_error_ci95"])')
    else
      err=$(echo "$s" | field '"%.2f" % d["test_error"]')
    fi
    local name=$kind
    [[ $kind == discriminator ]] && name="trained D (step $steps)"
    [[ $kind == random-init ]] && name="random-init D"
    table+="
| $name | $(echo "$f" | field 'd["dims"]') | $(echo "$s" | field '"%g" % d["best_C"]') | $err | $(echo "$s" | field '"%.2f" % d["test_accuracy"]') | $(echo "$f" | field '"%.0f s" % d["seconds"]') | $(echo "$s" | field '"%.0f s" % d["seconds"]') |"
  done
  table+="

$paper"
  echo "$table" | tee "$work/table.md"
}
