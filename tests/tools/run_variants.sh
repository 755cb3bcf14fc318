#!/usr/bin/env bash
# Run `python -m pytest` under the numerical variants a learner's machine brings, one factor at a time,
# so that stored notebook outputs stay portable (see ../shared/GUIDE.md, section 3, and the README).
#
#     tests/tools/run_variants.sh                      # the whole suite, every variant below
#     tests/tools/run_variants.sh notebooks/           # only the notebooks (any pytest arguments work)
#     VARIANT_PYTHONS="/tmp/venv312/bin/python /tmp/venv313/bin/python" tests/tools/run_variants.sh notebooks/
#
# Variants, each against the stored outputs:
#   one-thread   OPENBLAS_NUM_THREADS=1          another thread count (a laptop has 4-16 cores)
#   sandybridge  OPENBLAS_CORETYPE=Sandybridge   another BLAS kernel (other CPUs, other BLAS libraries)
#   simd-low     NPY_DISABLE_CPU_FEATURES=...    NumPy's own loops (exp, sums) at the baseline SIMD level
#   <python>     each interpreter in VARIANT_PYTHONS, e.g. a Python 3.12 venv with numpy 2.0.2 (Colab-like)
#                and a Python 3.13 venv with the newest packages; each needs `pip install -r requirements.txt`
#                run from the repository.
# Prints one summary line per variant and exits non-zero if any variant fails. On 2 busy cores the
# notebooks alone take 10-20 minutes per variant; set VARIANTS="sandybridge one-thread" to choose.
set -uo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${DLFS_MNIST_MIRROR:-}" ] && [ -d ../shared/data/mnist ]; then
    export DLFS_MNIST_MIRROR="$(cd ../shared/data/mnist && pwd)"
fi

PYTHON="${PYTHON:-python}"
VARIANTS="${VARIANTS-one-thread sandybridge simd-low}"  # VARIANTS="" runs only VARIANT_PYTHONS
LOG_DIR="${LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dlfs-variants.XXXXXX")}"
mkdir -p "$LOG_DIR"
summary=()
failed=0

# NumPy's dispatched SIMD features that this CPU has (AVX2, AVX-512 ...; their names depend on the
# NumPy version), so that disabling them leaves NumPy at its compiled-in baseline.
simd_features() {
    "$1" -c 'from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f
print(" ".join(k for k in d if f.get(k)))'
}

run_variant() {  # name, python, then env assignments (KEY=VALUE ...) before "--", then pytest arguments
    local name="$1" py="$2"
    shift 2
    local envs=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    local log="$LOG_DIR/$name.log" started=$SECONDS status
    echo "== $name: ${envs[*]:-(environment unchanged)} $py -m pytest $* (log: $log)"
    env "${envs[@]}" "$py" -m pytest -q -p no:randomly "$@" >"$log" 2>&1
    status=$?
    local counts
    counts=$(grep -E "^(=+ )?[0-9]+ (passed|failed|error)" "$log" | tail -n 1 | sed 's/=//g; s/^ *//; s/ *$//')
    local line
    line=$(printf "%-12s %-5s %4d s  %s" "$name" "$([ $status -eq 0 ] && echo PASS || echo FAIL)" \
           $((SECONDS - started)) "${counts:-no pytest summary, see $log}")
    if [ $status -ne 0 ]; then
        failed=1
        grep -E "^FAILED|^ERROR" "$log" | sed 's/^/    /'
    elif grep -qE "[0-9]+ skipped" <<<"$counts"; then
        line+="  (something was skipped: see $log)"
    fi
    summary+=("$line")
    echo "$line"
}

for variant in $VARIANTS; do
    case "$variant" in
        one-thread)  run_variant one-thread "$PYTHON" OPENBLAS_NUM_THREADS=1 -- "$@" ;;
        sandybridge) run_variant sandybridge "$PYTHON" OPENBLAS_CORETYPE=Sandybridge -- "$@" ;;
        simd-low)
            features=$(simd_features "$PYTHON")
            left=$(NPY_DISABLE_CPU_FEATURES="$features" simd_features "$PYTHON")
            if [ -z "$features" ] || [ -n "$left" ]; then
                summary+=("$(printf "%-12s %-5s could not lower NumPy's SIMD level (available: '%s', left: '%s')" \
                    simd-low FAIL "$features" "$left")")
                failed=1
            else
                run_variant simd-low "$PYTHON" NPY_DISABLE_CPU_FEATURES="$features" -- "$@"
            fi ;;
        *) echo "unknown variant: $variant" >&2; exit 2 ;;
    esac
done

for py in ${VARIANT_PYTHONS:-}; do
    name=$("$py" -c 'import sys, numpy; print(f"py{sys.version_info[0]}.{sys.version_info[1]}-np{numpy.__version__}")')
    run_variant "$name" "$py" -- "$@"
done

echo
echo "variant      result  time  pytest summary"
printf '%s\n' "${summary[@]}"
exit $failed
