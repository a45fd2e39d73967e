#!/bin/sh
# An external job for tests and as an example of the protocol (docs/JOBS.md): it "generates"
# unit i by copying digit.png and labelling it with a box whose size depends on i and the seed.
# Honours SYNTHSTUDIO_DONE (skip committed units) and SYNTHSTUDIO_SHARD (k/n). SLOW=seconds
# sleeps before each unit, so tests can kill it halfway.
set -eu
here=$(dirname "$0")
shard_k=${SYNTHSTUDIO_SHARD%/*}
shard_n=${SYNTHSTUDIO_SHARD#*/}
count=$SYNTHSTUDIO_COUNT
seed=$SYNTHSTUDIO_SEED
echo '{"event":"started","total":'"$count"'}'
i=$shard_k
done_count=0
while [ "$i" -lt "$count" ]; do
    if ! grep -qx "$i" "$SYNTHSTUDIO_DONE" 2>/dev/null; then
        [ -n "${SLOW:-}" ] && sleep "$SLOW"
        unit="$SYNTHSTUDIO_STAGING/$i"
        mkdir -p "$unit"
        cp "$here/digit.png" "$unit/image.png"
        w=$(( (i * 7 + seed) % 6 + 2 ))
        name=$(printf 's%s-%06d.png' "$seed" "$i")
        printf '{"index":%d,"name":"%s","width":8,"height":8,"attributes":{"weather":"snow"},"annotations":[{"category":"digit","bbox":[0.0,0.0,%d.0,%d.0],"iscrowd":0}],"provenance":"{\\"seed\\":%s,\\"index\\":%d}"}\n' \
            "$i" "$name" "$w" "$w" "$seed" "$i" > "$unit/unit.json.tmp"
        mv "$unit/unit.json.tmp" "$unit/unit.json"
        echo '{"event":"artifact","index":'"$i"',"unit":"'"$i"'"}'
        echo "made unit $i" >&2
    fi
    done_count=$((done_count + 1))
    echo '{"event":"progress","done":'"$done_count"',"total":'"$count"',"rate":10}'
    i=$((i + shard_n))
done
echo '{"event":"finished"}'
