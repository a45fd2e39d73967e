#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer driver (AddressSanitizer, coverage over every module) and runs
# each target for FUZZ_SECONDS (default 60), seeded from Tests/FuzzTargetsTests/Corpus. A crash,
# leak, out-of-memory (-rss_limit_mb=2048) or timeout stops the run: the input is saved under
# .build-fuzz/crashes/TARGET/ — copy it into the corpus as crash-NAME so `make test` replays it.
# FUZZ_TARGETS="voc coco" runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
swift build --scratch-path .build-fuzz --product synthstudio-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link,address
driver=.build-fuzz/x86_64-unknown-linux-gnu/debug/synthstudio-fuzz
targets=${FUZZ_TARGETS:-$(ls Tests/FuzzTargetsTests/Corpus)}
failed=()
for target in $targets; do
    corpus=.build-fuzz/corpus/$target
    crashes=.build-fuzz/crashes/$target
    mkdir -p "$corpus" "$crashes"
    cp -n Tests/FuzzTargetsTests/Corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    # Asset formats are seeded from Debian's assimp-testmodels too (installed by `make deps`;
    # not copied into the repository, whose own seeds are small files we wrote).
    case $target in
        ply) models=PLY ;; stl) models=STL ;; dae) models=Collada ;; fbx) models=FBX ;; *) models= ;;
    esac
    if [ -n "$models" ] && [ -d /usr/share/assimp/models/$models ]; then
        find /usr/share/assimp/models/$models -maxdepth 1 -type f -size -1M -exec cp -n {} "$corpus"/ \;
    fi
    echo "== $target: $seconds s"
    if FUZZ_TARGET=$target LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp" "$driver" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -max_len=1048576 \
        -artifact_prefix="$crashes/" -print_final_stats=1 > ".build-fuzz/$target.log" 2>&1; then
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" ".build-fuzz/$target.log" | sed "s/^/   /"
    else
        echo "   FAILED: see .build-fuzz/$target.log and $crashes/"
        tail -20 ".build-fuzz/$target.log" | sed "s/^/   /"
        failed+=("$target")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]}"
    exit 1
fi
echo "fuzz: no crash in $targets"
