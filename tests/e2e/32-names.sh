#!/bin/bash
# Names in every script through nginx: the search page finds a researcher
# by any part of a name or an alternative name, accents, case, dots and
# hyphens aside, ranked; slugs in other scripts are UTF-8, percent-encoded
# in links, and answer whether a client sends them encoded or as raw
# UTF-8; a slug a researcher had before answers 301 to the new one. Over
# the sample, the real OpenAlex records of tests/fixtures/openalex and the
# names of tests/fixtures/names.
. "$(dirname "$0")/lib.sh"

OA="$ROOT/tests/fixtures/openalex"
rm -rf "$T_DIR"; mkdir -p "$T_DIR/store"
args=(--authors "$ROOT/store/sample/authors.jsonl" --works "$ROOT/store/sample/works.jsonl"
	--authors "$ROOT/tests/fixtures/names/authors.jsonl")
for f in "$OA"/authors-*.jsonl; do args+=(--authors "$f"); done
for f in "$OA"/works-*.jsonl; do args+=(--works "$f"); done
"$BUILD/bzpeer-import" --store "$T_DIR/store" "${args[@]}" >"$T_DIR/import.log" 2>&1
check "the catalog imports" [ $? = 0 ]
# A slug Беспалов Дмитрий Николаевич had before (as a store migrated from
# schema 2 keeps them): an alias in the slugs database.
command -v mdb_load >/dev/null || "$ROOT/tests/deps.sh" lmdb-utils >/dev/null 2>&1
printf 'researcher-old\nA5061498750\n' >"$T_DIR/alias.txt"
mdb_load -T -s slugs -f "$T_DIR/alias.txt" "$T_DIR/store/catalog"
check "an old slug added (mdb_load)" [ $? = 0 ]
stack_start

# found: QUERY (URL-encoded) HREF...: the results link to these slugs, in this order.
found() {
	local q=$1; shift
	http GET "/researchers?q=$q"
	[ "$STATUS" = 200 ] || return 1
	local got want
	got=$(grep -o 'class="result-name" href="/researchers/[^"]*"' "$BODY" | sed 's/.*href="\/researchers\///; s/"$//' | head -n $#)
	want=$(printf '%s\n' "$@")
	[ "$got" = "$want" ] || { echo "# q=$q: got $(echo $got), want $*"; return 1; }
}
check "\"arora\" finds Sanjeev Arora" found arora sanjeev-arora
check "\"kakade\" finds Sham Kakade" found kakade sham-kakade
check "\"lee\": Jason Lee (9 works), then Holden Lee" found lee jason-lee holden-lee
check "\"Priem\" finds both Jason Priems (two OpenAlex ids), most works first" found Priem jason-priem-2 jason-priem
check "\"G%C3%B3mez\" (Gómez) finds Ana Gómez" found G%C3%B3mez ana-gomez
check "\"gomez\" too" found gomez ana-gomez
check "\"Kenneth J Livak\" finds Kenneth J. Livak" found 'Kenneth+J+Livak' kenneth-j-livak
check "\"livak kenneth\" (any order)" found 'livak+kenneth' kenneth-j-livak
check "\"Herve Jegou\" finds Hervé Jeǵou" found 'Herve+Jegou' herve-jegou
check "\"nguyen van an\" finds Nguyễn Văn An" found 'nguyen+van+an' nguyen-van-an
check "\"%D0%B8%D0%B2%D0%B0%D0%BD\" (иван) finds Иван Петров, percent-encoded" \
	found '%D0%B8%D0%B2%D0%B0%D0%BD' '%D0%B8%D0%B2%D0%B0%D0%BD-%D0%BF%D0%B5%D1%82%D1%80%D0%BE%D0%B2'
check "\"Chuck Parker\" finds Charles Thomas Parker (an alternative name)" found 'Chuck+Parker' charles-thomas-parker
check "\"Xiaoming Wang\" finds 王小明 (an alternative name)" found 'Xiaoming+Wang' '%E7%8E%8B%E5%B0%8F%E6%98%8E'
check "\"O%E2%80%99Brien\" (U+2019) finds Jean‐Pierre O’Brien" found "O%E2%80%99Brien" jean-pierre-o-brien
check "\"jean-pierre o'brien\" (ASCII) too" found "jean-pierre+o%27brien" jean-pierre-o-brien
check "\"%CE%95%CE%9B%CE%88%CE%9D%CE%97\" (ΕΛΈΝΗ) finds Ελένη Παπαδοπούλου" \
	found '%CE%95%CE%9B%CE%88%CE%9D%CE%97' '%CE%B5%CE%BB%CE%B5%CE%BD%CE%B7-%CF%80%CE%B1%CF%80%CE%B1%CE%B4%CE%BF%CF%80%CE%BF%CF%85%CE%BB%CE%BF%CF%85'
http GET '/researchers?q=nobody+here'
check "no match: the page says so" bash -c "[ $STATUS = 200 ] && grep -q 'No researcher matches' '$BODY'"

# ---- slugs in other scripts -----------------------------------------------------------
P='/researchers/%D0%B8%D0%B2%D0%B0%D0%BD-%D0%BF%D0%B5%D1%82%D1%80%D0%BE%D0%B2'
http GET "$P"
check "a Cyrillic slug, percent-encoded: 200, the profile" bash -c "[ $STATUS = 200 ] && grep -q 'Иван Петров' '$BODY'"
http GET '/researchers/иван-петров'
check "the same slug as raw UTF-8: 200" bash -c "[ $STATUS = 200 ] && grep -q 'Иван Петров' '$BODY'"
http GET "$P.json"
check "its JSON: 200, the slug in it" bash -c "[ $STATUS = 200 ] && grep -q '\"slug\":\"иван-петров\"' '$BODY'"
http GET '/researchers/%E7%8E%8B%E5%B0%8F%E6%98%8E/works'
check "a CJK slug's works page: 200" [ "$STATUS" = 200 ]
http GET '/researchers/A9100000003?x=1'
check "the id answers 301 to the encoded slug, query kept" \
	bash -c "[ $STATUS = 301 ] && [ '$(header Location)' = '$P?x=1' ]"

# ---- an old slug answers 301 -----------------------------------------------------------
B='/researchers/%D0%B1%D0%B5%D1%81%D0%BF%D0%B0%D0%BB%D0%BE%D0%B2-%D0%B4%D0%BC%D0%B8%D1%82%D1%80%D0%B8%D0%B9-%D0%BD%D0%B8%D0%BA%D0%BE%D0%BB%D0%B0%D0%B5%D0%B2%D0%B8%D1%87'
http GET /researchers/researcher-old
check "an old slug: 301 to the researcher's slug" bash -c "[ $STATUS = 301 ] && [ '$(header Location)' = '$B' ]"
http GET /researchers/researcher-old/works.atom
check "and for the pages under it" bash -c "[ $STATUS = 301 ] && [ '$(header Location)' = '$B/works.atom' ]"
http GET "$B"
check "the new slug: 200, Беспалов Дмитрий Николаевич" bash -c "[ $STATUS = 200 ] && grep -q 'Беспалов Дмитрий Николаевич' '$BODY'"
finish
