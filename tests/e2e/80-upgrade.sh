#!/bin/bash
# Upgrading a store made by the previous schema (tests/fixtures/store-v1,
# written by the schema-1 code: a catalog with follows, claims in every
# state and ended sessions): refused for use until migrated, by every
# program, naming the command; `bzpeer-admin migrate` backs it up, raises
# the schema, keeps every record; the site then serves it, follows and
# claims included; a store newer than the programs is refused.
. "$(dirname "$0")/lib.sh"

FX="$ROOT/tests/fixtures/store-v1"
V=$(sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\)$/\1/p' "$ROOT/store/store.h")
ADMIN="$BUILD/bzpeer-admin"
rm -rf "$T_DIR"; mkdir -p "$T_DIR/store"
command -v mdb_load >/dev/null || "$ROOT/tests/deps.sh" lmdb-utils >/dev/null 2>&1
mdb_load -f "$FX/store.mdb.txt" "$T_DIR/store" 2>/dev/null
check "the schema-1 fixture loads (mdb_load)" test -s "$T_DIR/store/data.mdb"

# ---- before: refused, with the command that upgrades it -----------------------------
"$ADMIN" --store "$T_DIR/store" dump >"$T_DIR/out" 2>"$T_DIR/err"; rc=$?
check "bzpeer-admin dump refuses a schema-1 store (exit $rc), naming bzpeer-admin migrate" \
	bash -c "[ $rc = 1 ] && grep -q 'schema version 1 is older than this program.s $V: upgrade the store with .bzpeer-admin --store .* migrate' '$T_DIR/err'"
printf 'store = %s\nviews = %s\nsecret_file = %s\n' "$T_DIR/store" "$ROOT/views" "$T_DIR/secret" >"$T_DIR/fcgi.conf"
"$BUILD/bzpeer-fcgi" --config "$T_DIR/fcgi.conf" --check-config >"$T_DIR/out" 2>&1; rc=$?
check "bzpeer-fcgi --check-config refuses it too" \
	bash -c "[ $rc = 1 ] && grep -q 'older than this program' '$T_DIR/out'"
"$BUILD/bzpeer-import" --store "$T_DIR/store" --works "$ROOT/tests/fixtures/import/works-v2.jsonl" >"$T_DIR/out" 2>&1; rc=$?
check "and bzpeer-import, writing nothing" \
	bash -c "[ $rc = 1 ] && grep -q 'older than this program' '$T_DIR/out'"

# ---- migrate ---------------------------------------------------------------------------
"$ADMIN" --store "$T_DIR/store" migrate >"$T_DIR/migrate.out" 2>&1; rc=$?
check "bzpeer-admin migrate: exit 0, schema 1 -> $V" \
	bash -c "[ $rc = 0 ] && grep -qx 'schema 1 -> $V: done' '$T_DIR/migrate.out'" || cat "$T_DIR/migrate.out"
bk=$(sed -n 's/^backup of .* in \(.*\): schema 1, .*/\1/p' "$T_DIR/migrate.out")
check "it backed the store up first, beside it (${bk#$T_DIR/})" \
	bash -c "[ -n '$bk' ] && [ '$(dirname "$bk")' = '$T_DIR/backups' ] && grep -qx 'schema 1' '$bk/BACKUP'"
"$ADMIN" --store "$T_DIR/store" dump >"$T_DIR/after.dump"
check "the catalog and user data are two environments now, nothing left of the old layout" \
	bash -c "[ -s '$T_DIR/store/catalog/data.mdb' ] && [ -s '$T_DIR/store/user/data.mdb' ] && [ ! -e '$T_DIR/store/data.mdb' ] && grep -qx 'rstate A101 claim 2 verified 1 bumps 0' '$T_DIR/after.dump'"
# Schema 3 adds the search index (nameparts, rnames); the fixture's slugs
# all come out the same with the new folding, so none changes. Schema 4
# adds each user's claims (userclaims, meta claims_indexed). Schema 7
# puts user data in an environment of its own, the claim states with it
# (rstate), and begins the catalog's journal of merges (catalog_id,
# mergelog, where user data stands in it: meta merge_*).
grep -v '^meta schema \|^meta program ' "$FX/store.dump" >"$T_DIR/want"
grep -v '^meta schema \|^meta program \|^nameparts \|^rnames \|^userclaims \|^meta claims_indexed \|^rstate \|^meta catalog_id \|^meta merge_' "$T_DIR/after.dump" >"$T_DIR/got"
check "every record of the schema-1 store is kept ($(wc -l <"$T_DIR/want") lines of its dump)" \
	bash -c "[ $(wc -l <"$T_DIR/want") -ge 80 ] && cmp -s '$T_DIR/want' '$T_DIR/got'"
check "each user's claims are indexed, and the index agrees with the claims" \
	bash -c "grep -qx 'userclaims alice 1' '$T_DIR/after.dump' && grep -qx 'userclaims carol 3' '$T_DIR/after.dump' && grep -qx 'meta claims_indexed 3' '$T_DIR/after.dump' && '$ADMIN' --store '$T_DIR/store' claims verify >/dev/null"
check "the new schema and the program that raised it are recorded" \
	bash -c "grep -qx 'meta schema $V' '$T_DIR/after.dump' && grep -qx 'nameparts \"smith\" A102 \"john smith\"' '$T_DIR/after.dump' && grep -q '^meta program \"bzpeer-admin [0-9.]*\"$' '$T_DIR/after.dump'"
"$ADMIN" --store "$T_DIR/store" migrate >"$T_DIR/out" 2>&1; rc=$?
check "migrate again: nothing to do, no backup" \
	bash -c "[ $rc = 0 ] && grep -q 'current, nothing to do' '$T_DIR/out' && [ \$(ls '$T_DIR/backups' | wc -l) = 1 ]"
"$ADMIN" --store "$T_DIR/store" follows gregoire-le >"$T_DIR/out" 2>&1; rc=$?
check "bzpeer-admin follows: both followers, the count agrees" \
	bash -c "[ $rc = 0 ] && grep -qx 'follower: alice' '$T_DIR/out' && grep -qx 'follower: bob' '$T_DIR/out' && grep -qx 'count: 2' '$T_DIR/out'"

# ---- the site serves the migrated store -------------------------------------------------
stack_start
http GET /researchers/gregoire-le
check "the migrated store's profile answers 200" [ "$STATUS" = 200 ]
check "with its claim (approved) and its two followers" \
	bash -c "grep -q 'Claimed' '$BODY' && grep -Eq '>2<|2 followers' '$BODY'"
http GET '/researchers?q=smith'
check "its search index was made: \"smith\" finds the three John Smiths" \
	bash -c "[ $STATUS = 200 ] && [ \$(grep -c 'href=\"/researchers/john-smith' '$BODY') = 3 ]"
http GET /researchers/john-smith.json
check "a pending claim is kept: the JSON says so" grep -q '"claim":"pending"' "$BODY"

# ---- a store newer than the programs -------------------------------------------------------
stack_down; trap - EXIT
cp -r "$T_DIR/store" "$T_DIR/newer"
rm -f "$T_DIR/newer"/*/lock.mdb "$T_DIR/newer"/*/write.queue
printf 'schema\n\\09\\00\\00\\00\n' >"$T_DIR/schema9.txt"
mdb_load -T -s meta -f "$T_DIR/schema9.txt" "$T_DIR/newer/catalog"
"$ADMIN" --store "$T_DIR/newer" stats >"$T_DIR/out" 2>&1; rc=$?
check "a store of schema 9 is refused, naming both versions and what to do" \
	bash -c "[ $rc = 1 ] && grep -q 'schema version 9 (written by bzpeer-admin [0-9.]*) is newer than this program.s $V: upgrade bzpeer to the version that wrote it, or restore a backup' '$T_DIR/out'"
"$ADMIN" --store "$T_DIR/newer" migrate >"$T_DIR/out" 2>&1; rc=$?
check "and not migrated back" bash -c "[ $rc = 1 ] && grep -q 'newer than this program' '$T_DIR/out'"
finish
