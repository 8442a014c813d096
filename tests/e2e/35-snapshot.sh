#!/bin/bash
# bzpeer-import --snapshot on snapshot folders laid out as OpenAlex
# publishes them, built here from the real records of tests/fixtures/openalex:
# first the legacy layout (data/{authors,works}/ with Redshift manifests),
# then bad manifests (a part missing, a part cut short, a record count that
# disagrees: refused, the store unchanged), then a newer snapshot in the
# current layout (data/jsonl/) whose new partitions move records, with a
# merged author (followed, claimed) and a deleted work; checked through
# nginx: profiles, 301s from the old id and slugs, follower counts, the
# claim back in review; and a second run of it applies nothing.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || "$ROOT/tests/deps.sh" python3 >/dev/null
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 100000\nredis_timeout_ms = 1000'
F="$ROOT/tests/fixtures/openalex"
rm -rf "$T_DIR"; mkdir -p "$T_DIR"

# part DIR FILE...: the records of FILEs, gzipped, as one part file DIR/NAME.
part() {
	local out=$1; shift
	mkdir -p "$(dirname "$out")"
	cat "$@" | gzip -n >"$out"
}
# manifest SNAPSHOT ENTITYDIR FILE: a Redshift-style manifest of every part
# under SNAPSHOT/data/ENTITYDIR (url, content_length, record_count, totals).
manifest() {
	python3 - "$1" "$2" "$3" <<'EOF'
import glob, gzip, json, os, sys
snap, ent, out = sys.argv[1:]
entries = []
for p in sorted(glob.glob(os.path.join(snap, "data", ent, "updated_date=*", "*.gz"))):
    with gzip.open(p, "rt", encoding="utf-8") as f:
        n = sum(1 for line in f if line.strip())
    rel = os.path.relpath(p, os.path.join(snap, "data"))
    entries.append({"url": "s3://openalex/data/" + rel,
                    "meta": {"content_length": os.path.getsize(p), "record_count": n}})
json.dump({"entries": entries,
           "meta": {"content_length": sum(e["meta"]["content_length"] for e in entries),
                    "record_count": sum(e["meta"]["record_count"] for e in entries)}},
          open(out, "w"), indent=1)
EOF
}
imp() { "$BUILD/bzpeer-import" --store "$T_DIR/store" --snapshot "$@"; }

# ---- the first snapshot: the legacy layout -------------------------------------
S1="$T_DIR/snap1"
part "$S1/data/authors/updated_date=2023-01-01/0000_part_00.gz" "$F/authors-2022.jsonl"
part "$S1/data/authors/updated_date=2023-01-01/0001_part_00.gz" "$F/authors-2023.jsonl"
part "$S1/data/works/updated_date=2022-06-01/0000_part_00.gz" "$F/works-2021.jsonl" "$F/works-2022.jsonl"
part "$S1/data/works/updated_date=2023-01-01/0000_part_00.gz" "$F/works-2023.jsonl"
manifest "$S1" authors "$S1/data/authors/manifest"
manifest "$S1" works "$S1/data/works/manifest"
# A merge of an author this catalog never had: nothing to do.
mkdir -p "$S1/data/merged_ids/authors"
printf 'merge_date,id,merge_into_id\n2022-06-07,A2257618939,A2208157607\n' | gzip -n \
	>"$S1/data/merged_ids/authors/2022-06-07.csv.gz"

mkdir -p "$T_DIR/store"
imp "$S1" >"$T_DIR/imp1.out" 2>"$T_DIR/imp1.err"
check "legacy snapshot imports" [ $? = 0 ]
check "its summary names the layout and the partitions read" \
	grep -q 'snapshot (legacy layout): 4 partition files read, 0 applied before; 0 researchers merged' "$T_DIR/imp1.out"
check "not a terminal: no progress line, one summary line" \
	bash -c "! grep -q records/s '$T_DIR/imp1.err' && [ \$(wc -l <'$T_DIR/imp1.out') = 1 ] &&
	grep -q '^bzpeer-import: [0-9]* authors, [0-9]* works, [0-9]* bad lines, generation 1 ' '$T_DIR/imp1.out'"
check "the partitions applied are in the store" bash -c "
	'$BUILD/bzpeer-admin' --store '$T_DIR/store' dump | grep -q '^meta \"part works 2023-01-01\" 28\$' &&
	'$BUILD/bzpeer-admin' --store '$T_DIR/store' dump | grep -q '^meta \"part authors 2023-01-01\" 54\$'"

stack_start
# The old and the new id of one person, as the older catalog has them.
http GET /researchers/jason-priem.json
check "before: jason-priem is A2208157607 (the pre-2023 id)" grep -q '"id":"A2208157607"' "$BODY"
http GET /researchers/jason-priem-2.json
check "before: jason-priem-2 is A5023888391" grep -q '"id":"A5023888391"' "$BODY"
# A work of Heather A. Piwowar's (24 works), deleted by the newer snapshot.
WID_DEL=W3084168212

# Followers and a claim on the old id.
login() { # login USER: JAR and CSRF for USER
	JAR="$T_DIR/jar.$1"; rm -f "$JAR"
	curl -sS -o /dev/null -c "$JAR" -u "$1:$1" "$BASE/login?next=/" &&
	CSRF=$(curl -sS -b "$JAR" "$BASE/researchers/jason-priem" | csrf_in) && [ -n "$CSRF" ]
}
follow() { # follow JAR CSRF SLUG
	http POST "/researchers/$3/follow" -b "$1" -H 'Accept: application/json' \
		-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "csrf=$2&action=follow"
	grep -q '"following":true' "$BODY"
}
login demo; J1=$JAR; C1=$CSRF
login demo2; J2=$JAR; C2=$CSRF
follow "$J1" "$C1" jason-priem && follow "$J1" "$C1" jason-priem-2 && follow "$J2" "$C2" jason-priem
check "the follows are recorded" [ $? = 0 ]
http POST /researchers/jason-priem/claim -b "$J1" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$C1&email=jason%40ourresearch.org&evidence_url=https%3A%2F%2Fourresearch.org%2F&note=me"
check "a claim on the old id is filed" [ "$STATUS" = 303 ]
CID=$("$BUILD/bzpeer-admin" --store "$STORE" claims list --state pending | awk 'NR==1 {print $1}' | tr -dc 0-9)
"$BUILD/bzpeer-admin" --store "$STORE" claims approve "$CID" >/dev/null
check "and approved" [ $? = 0 ]
dump >"$T_DIR/dump.1"
check "before: the work to be deleted is one of hers" grep -q "^rworks A1969205032 [0-9]* $WID_DEL\$" "$T_DIR/dump.1"

# ---- bad snapshots: refused, nothing changes -----------------------------------
S2="$T_DIR/snap2"
J="$S2/data/jsonl"
for ent in authors works; do   # the old partitions, as they were
	for d in "$S1/data/$ent"/updated_date=*; do
		mkdir -p "$J/$ent/$(basename "$d")"
		i=0
		for p in "$d"/*.gz; do cp "$p" "$J/$ent/$(basename "$d")/part_$(printf %04d $i).gz"; i=$((i + 1)); done
	done
done
part "$J/authors/updated_date=2025-06-01/part_0000.gz" "$F/authors-2025.jsonl" "$F/authors-2026.jsonl"
part "$J/works/updated_date=2025-06-01/part_0000.gz" "$F/works-2025.jsonl"
part "$J/works/updated_date=2026-01-01/part_0000.gz" "$F/works-2026.jsonl"
manifest "$S2" jsonl/authors "$J/authors/manifest.json"
manifest "$S2" jsonl/works "$J/works/manifest.json"
mkdir -p "$S2/legacy-data/merged_ids/authors"
# Two merges: Jason Priem's old id, and the id Juan Pablo Alperín had on
# W2741809807 before its newest version (left with no works otherwise).
printf 'merge_date,id,merge_into_id\n2025-06-01,https://openalex.org/A2208157607,https://openalex.org/A5023888391\n2025-06-01,A5045110184,A5085171399\n' |
	gzip -n >"$S2/legacy-data/merged_ids/authors/2025-06-01.csv.gz"
printf 'work_id,deleted_date\n%s,2025-06-02\n' "$WID_DEL" >"$J/works/deleted_ids.csv"

NEW="$J/works/updated_date=2026-01-01/part_0000.gz"
mv "$NEW" "$T_DIR/part.keep"
imp "$S2" >/dev/null 2>"$T_DIR/bad.err"
check "a part missing: refused" [ $? = 1 ]
check "a part missing: the file named" grep -q "updated_date=2026-01-01/part_0000.gz: missing" "$T_DIR/bad.err"
head -c 1000 "$T_DIR/part.keep" >"$NEW"
imp "$S2" >/dev/null 2>"$T_DIR/bad.err"
check "a part cut short: refused, the file and sizes named" \
	grep -q "updated_date=2026-01-01/part_0000.gz: 1000 bytes, the manifest says" "$T_DIR/bad.err"
cp "$T_DIR/part.keep" "$NEW"
cp "$J/works/manifest.json" "$T_DIR/manifest.keep"
python3 - "$J/works/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["entries"][-1]["meta"]["record_count"] += 1
m["meta"]["record_count"] += 1
json.dump(m, open(sys.argv[1], "w"))
EOF
imp "$S2" >/dev/null 2>"$T_DIR/bad.err"
check "a record count that disagrees: refused" [ $? = 1 ]
check "a record count that disagrees: the file and both counts named" \
	grep -q "updated_date=2026-01-01/part_0000.gz: 9 records, the manifest says 10" "$T_DIR/bad.err"
cp "$T_DIR/manifest.keep" "$J/works/manifest.json"
rm "$J/authors/manifest.json"
imp "$S2" >/dev/null 2>"$T_DIR/bad.err"
check "a manifest missing: refused, named" grep -q "authors/manifest.json: missing" "$T_DIR/bad.err"
manifest "$S2" jsonl/authors "$J/authors/manifest.json"
check "after every refusal the store is unchanged" same_dump "$T_DIR/dump.1"

# ---- the newer snapshot, current layout ----------------------------------------
# (Every GET from here on bypasses nginx's one-second micro-cache.)
NC=(-H 'Cookie: bzf=x')
imp "$S2" >"$T_DIR/imp2.out" 2>"$T_DIR/imp2.err"
check "the newer snapshot imports" [ $? = 0 ]
check "only the new partitions are read; one merge, one deletion" \
	grep -q 'snapshot (current layout): 3 partition files read, 4 applied before; 2 researchers merged, 1 works deleted' "$T_DIR/imp2.out"

http GET /researchers/A2208157607 "${NC[@]}"
check "the merged id answers 301" [ "$STATUS" = 301 ]
check "to the survivor's slug" [ "$(header Location)" = /researchers/jason-priem ]
http GET /researchers/jason-priem.json "${NC[@]}"
check "the main slug is the survivor now" grep -q '"id":"A5023888391"' "$BODY"
http GET /researchers/jason-priem-2/works "${NC[@]}"
check "the survivor's old slug answers 301" [ "$STATUS" = 301 ]
check "to the same page on the main slug" [ "$(header Location)" = /researchers/jason-priem/works ]
http GET '/researchers/A2208157607/works?page=1' "${NC[@]}"
check "the merged id's subpages too, query kept" [ "$(header Location)" = '/researchers/jason-priem/works?page=1' ]
dump >"$T_DIR/dump.2"
check "the merged researcher's record, lists and name are gone" bash -c "
	! grep -qE '^(researchers|rworks|coauthors|rtopics|followers|follows) A2208157607 ' '$T_DIR/dump.2' &&
	! grep -q ' A2208157607\$' <(grep '^names ' '$T_DIR/dump.2')"
check "and its names in the search index (there before)" bash -c "
	grep -q '^rnames A2208157607 ' '$T_DIR/dump.1' &&
	grep -q '^nameparts \"priem\" A2208157607 ' '$T_DIR/dump.1' &&
	! grep -q '^rnames A2208157607 ' '$T_DIR/dump.2' &&
	! grep -q '^nameparts \"[^\"]*\" A2208157607 ' '$T_DIR/dump.2'"
check "no work names the merged id any more" bash -c "! grep '^works ' '$T_DIR/dump.2' | grep -q A2208157607"
check "its works joined the survivor" bash -c "
	[ \$(grep -c '^rworks A2208157607 ' '$T_DIR/dump.1') -gt 10 ] &&
	for w in \$(grep '^rworks A2208157607 ' '$T_DIR/dump.1' | cut -d' ' -f4); do
		grep -q \"^works \$w \" '$T_DIR/dump.2' || continue
		grep -q \"^rworks A5023888391 [0-9]* \$w\\\$\" '$T_DIR/dump.2' || exit 1
	done"
check "the survivor's figure counts them" bash -c "
	grep -q '^researchers A5023888391 .* slug=\"jason-priem\" .* works=$(grep -c '^rworks A5023888391 ' "$T_DIR/dump.2") ' '$T_DIR/dump.2'"
check "the store says where the merged id went" grep -q '^merged A2208157607 "A5023888391"$' "$T_DIR/dump.2"
check "no ghost: no profile is left with no works and no record of its own" bash -c "
	! grep -q '^researchers A2208157607' '$T_DIR/dump.2'"
check "a survivor new in this run takes the merged one's slug: no -3" bash -c "
	! grep -q '^slugs juan-pablo-alperin-3 ' '$T_DIR/dump.2'"
http GET /researchers/juan-pablo-alperin-2.json "${NC[@]}"
check "-2 is the live profile, with its work" bash -c "grep -q '\"id\":\"A5085171399\"' '$BODY'"
check "no profile lost every work to a moved record" bash -c "
	join <(grep '^researchers ' '$T_DIR/dump.1' | sed -E 's/^researchers (A[0-9]+) .* works=([0-9]+) .*/\1 \2/' | sort) \
	     <(grep '^researchers ' '$T_DIR/dump.2' | sed -E 's/^researchers (A[0-9]+) .* works=([0-9]+) .*/\1 \2/' | sort) |
	awk '\$2 > 0 && \$3 == 0 { bad = 1 } END { exit bad }'"
http GET '/researchers?q=jason+priem' "${NC[@]}"
check "search finds the person once" [ "$(grep -c 'href="/researchers/jason-priem"' "$BODY")" = 1 ]

# Followers: demo followed both, demo2 the old one: 2, demo counted once.
check "followers moved over, counted once (LMDB)" \
	[ "$("$BUILD/bzpeer-admin" --store "$STORE" follows jason-priem | sed -n 's/^count: *//p')" = 2 ]
# Redis held the survivor's count from before (demo's follow: 1): stale now.
http GET /researchers/jason-priem "${NC[@]}"
check "the page shows 2 followers, not Redis's copy from before the merge" \
	grep -q '<span class="follow-count"[^>]*>2<' "$BODY"
check "and Redis holds 2 again" [ "$(rcli GET bzpeer:followers:A5023888391 | sed 's/.*://')" = 2 ]
http GET /researchers/jason-priem -b "$J1"
check "demo still follows" grep -q 'name="action" value="unfollow"' "$BODY"
follow "$J2" "$C2" jason-priem
check "a follow after the merge counts once more: 2" grep -q '"followers":2' "$BODY"

# The approved claim on the merged id is back in review, on the survivor.
"$BUILD/bzpeer-admin" --store "$STORE" claims list --state pending >"$T_DIR/claims"
check "the claim is pending again" grep -q "^#$CID\\b\\|^$CID\\b" "$T_DIR/claims"
check "on the survivor" grep -q 'A5023888391' "$T_DIR/claims"
http GET /researchers/jason-priem "${NC[@]}"
check "the profile says Claim pending" grep -q 'Claim pending' "$BODY"
"$BUILD/bzpeer-admin" --store "$STORE" claims approve "$CID" >/dev/null
check "a reviewer can approve it again" [ $? = 0 ]

# The deleted work left every profile; the moved record is its newest version.
check "the deleted work is gone from the store and every list" bash -c "
	! grep -q '$WID_DEL' '$T_DIR/dump.2'"
works_of() { grep "^researchers $1 " "$2" | sed 's/.* works=\([0-9]*\) .*/\1/'; }
check "her works figure is one less" \
	[ "$(works_of A1969205032 "$T_DIR/dump.2")" = $(($(works_of A1969205032 "$T_DIR/dump.1") - 1)) ]
http GET /researchers/heather-a-piwowar/works "${NC[@]}"
check "and her works list does not show it" bash -c "! grep -q '$WID_DEL' '$BODY'"
check "W2741809807 once, with its newest authors only" bash -c "
	[ \$(grep -c '^works W2741809807 ' '$T_DIR/dump.2') = 1 ] &&
	[ \$(grep '^rworks ' '$T_DIR/dump.2' | grep -c ' W2741809807\$') = \$(grep '^works W2741809807 ' '$T_DIR/dump.2' | grep -o 'A[0-9][0-9]*' | sort -u | wc -l) ]"
check "every slug still answers" bash -c "
	diff <(grep '^slugs ' '$T_DIR/dump.1' | cut -d' ' -f2) <(grep '^slugs ' '$T_DIR/dump.2' | cut -d' ' -f2 | grep -Fxf <(grep '^slugs ' '$T_DIR/dump.1' | cut -d' ' -f2))"
check "researchers keep their slugs (but the survivor that took the plain one)" bash -c "
	join <(grep '^researchers ' '$T_DIR/dump.1' | sed -E 's/^researchers (A[0-9]+) .* slug=\"([^\"]*)\".*/\1 \2/' | sort) \
	     <(grep '^researchers ' '$T_DIR/dump.2' | sed -E 's/^researchers (A[0-9]+) .* slug=\"([^\"]*)\".*/\1 \2/' | sort) |
	awk '\$2 != \$3 && \$1 != \"A5023888391\" { bad = 1 } END { exit bad }'"

# ---- the same snapshot again: nothing new to apply -----------------------------
dump >"$T_DIR/dump.3"
imp "$S2" >"$T_DIR/imp3.out" 2>&1
check "a second run reads no partition" \
	grep -q '0 partition files read, 7 applied before; 0 researchers merged, 0 works deleted' "$T_DIR/imp3.out"
check "and changes nothing but the generation" bash -c "
	diff <('$BUILD/bzpeer-admin' --store '$STORE' dump | grep -v '^meta generation') \
	     <(grep -v '^meta generation' '$T_DIR/dump.3') >/dev/null"

# ---- a third snapshot: an old line naming the merged id; two claimed merge ------
# demo2 claims Heather A. Piwowar's old id, demo her new one; then OpenAlex
# merges the old into the new: the survivor's claim stays, the other closes.
login demo2; J2=$JAR; C2=$CSRF
CL="email=h%40ourresearch.org&evidence_url=https%3A%2F%2Fourresearch.org%2F&note=me"
http POST /researchers/heather-a-piwowar/claim -b "$J2" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$C2&$CL"
check "demo2 claims the old id" [ "$STATUS" = 303 ]
http POST /researchers/heather-piwowar/claim -b "$J1" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$C1&$CL"
check "demo claims the new one" [ "$STATUS" = 303 ]
cp -a "$S2" "$T_DIR/snap3"; S3="$T_DIR/snap3"; J="$S3/data/jsonl"
sed -n 1p "$F/works-2022.jsonl" >"$T_DIR/stale.jsonl"
check "the stale line names the merged id" grep -q 'openalex.org/A2208157607"' "$T_DIR/stale.jsonl"
# A real 2026 work whose authors OpenAlex could not tell apart, with the
# id about to be merged put first: the names without an id stay as they are.
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["id"].endswith("/W6945048743"):
        r["id"] = "https://openalex.org/W9999999903"
        r["authorships"].insert(0, {"author": {"id": "https://openalex.org/A1969205032",
                                               "display_name": "Heather A. Piwowar"}})
        print(json.dumps(r, ensure_ascii=False))' "$F/works-2026.jsonl" >>"$T_DIR/stale.jsonl"
part "$J/works/updated_date=2026-06-01/part_0000.gz" "$T_DIR/stale.jsonl"
manifest "$S3" jsonl/works "$J/works/manifest.json"
printf 'merge_date,id,merge_into_id\n2026-06-01,A1969205032,A5048491430\n' |
	gzip -n >"$S3/legacy-data/merged_ids/authors/2026-06-01.csv.gz"
script -qec "'$BUILD/bzpeer-import' --store '$T_DIR/store' --snapshot '$S3'" /dev/null >"$T_DIR/imp4.tty"
check "the third snapshot imports" [ $? = 0 ]
check "on a terminal: a progress line (records, bytes, rate, time left)" \
	grep -qE 'bzpeer-import: [0-9]+ records, [0-9]+ KB of [0-9]+ KB, [0-9]+ records/s' "$T_DIR/imp4.tty"
check "one partition and one merge" grep -q '1 partition files read, 7 applied before; 1 researchers merged' "$T_DIR/imp4.tty"
dump >"$T_DIR/dump.4"
check "a line naming the merged id credits the survivor, no ghost comes back" bash -c "
	! grep -q '^researchers A2208157607 ' '$T_DIR/dump.4' &&
	grep '^works W104609242 ' '$T_DIR/dump.4' | grep -q A5023888391 &&
	! grep '^works W104609242 ' '$T_DIR/dump.4' | grep -q A2208157607 &&
	grep -q '^rworks A5023888391 [0-9]* W104609242\$' '$T_DIR/dump.4'"
check "a merge keeps the names without an id on the survivor's work" bash -c "
	grep '^works W9999999903 ' '$T_DIR/dump.4' |
	grep -qF 'authors=[A5048491430:\"Heather A. Piwowar\" :\"G. Fermi\" :\"M.F. Perutz\"]'"
http GET /researchers/heather-a-piwowar "${NC[@]}"
check "a merged slug whose survivor has its own: 301 to the survivor's" \
	[ "$STATUS $(header Location)" = "301 /researchers/heather-piwowar" ]
"$BUILD/bzpeer-admin" --store "$STORE" claims list >"$T_DIR/claims4"
check "the survivor's own claim stays pending" bash -c "
	grep -E 'pending' '$T_DIR/claims4' | grep A5048491430 | grep -q demo"
check "the merged one's claim is closed, the reason kept" bash -c "
	'$BUILD/bzpeer-admin' --store '$STORE' dump | grep '^claims ' | grep 'user=\"demo2\"' |
	grep 'researcher=\"A5048491430\"' | grep 'state=3' | grep -q 'which has a claim of its own'"
check "demo2 has no open claim left (may file another)" bash -c "! grep -q '^uclaim demo2 ' '$T_DIR/dump.4'"
# The claim state is user data (rstate), laid over the catalog's record.
check "the survivor's record: claim pending, its own slug" bash -c "
	grep -q '^researchers A5048491430 .* slug=\"heather-piwowar\" ' '$T_DIR/dump.4' &&
	grep -q '^rstate A5048491430 claim 1 ' '$T_DIR/dump.4'"
check "after the merges each user's index of claims agrees with the claims" \
	"$BUILD/bzpeer-admin" --store "$STORE" claims verify
http GET /me -b "$J2"
check "demo2's /me lists the moved claim, closed, with the reason" bash -c "
	[ $STATUS = 200 ] && grep -q 'which has a claim of its own' '$BODY'"
finish
