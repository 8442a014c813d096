#!/bin/bash
# The owner of a claimed profile fixes it, through the real nginx: the edit
# page (owner only), the bio line, open to collaborate and the homepage;
# "not my paper" and its undo; a duplicate profile merged after review
# (301s, works and followers joined, each follower once). Every change is
# a POST with CSRF, Post/Redirect/Get with a flash or JSON; refused input
# (bad, hostile, someone else's, signed out) leaves the store as it was;
# every change retires the cached pages; a re-import keeps it all.
. "$(dirname "$0")/lib.sh"
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 100000'
stack_up

P=/researchers/sanjeev-arora
E=$P/edit
post() { # post PATH JAR BODY [curl args]
	local p=$1 jar=$2 data=$3; shift 3
	http POST "$p" -b "$jar" -c "$jar" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$data" "$@"
}
admin() { "$BUILD/bzpeer-admin" --store "$STORE" "$@"; }
# A visitor's GET past nginx's micro-cache (the cookie makes it skip it).
visit() { http GET "$1" -H 'Cookie: bzf=x'; }
EV='email=arora%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F'

signin demo; J1=$JAR; C1=$CSRF
signin demo2; J2=$JAR; C2=$CSRF

# ---- nobody owns it yet ----------------------------------------------------------------
http GET "$E" -b "$J1"
check "an unclaimed profile's edit page: 403 even for a signed-in user" [ "$STATUS" = 403 ]
post "$P/settings" "$J1" "csrf=$C1&bio=Hi"
check "... and its settings: 403" [ "$STATUS" = 403 ]
post "$P/claim" "$J1" "csrf=$C1&$EV"
CID=$(admin claims list --state pending | awk 'NR==1 {print $1}')
post "$P/settings" "$J1" "csrf=$C1&bio=Hi"
check "a pending claim owns nothing: 403" [ "$STATUS" = 403 ]
admin claims approve "$CID" >/dev/null
check "the reviewer approves demo's claim" [ $? = 0 ]

# ---- the edit page: owner only --------------------------------------------------------
http GET "$P" -b "$J1"
check "the owner's profile offers 'Edit your profile'" \
	grep -q "href=\"$E\">Edit your profile</a>" "$BODY"
http GET "$P" -b "$J2"
check "another user's does not" bash -c "! grep -q 'Edit your profile' '$BODY'"
http GET "$E" -b "$J1"
check "the owner's edit page: 200, private, the three forms with CSRF" bash -c "
	[ $STATUS = 200 ] && grep -qi '^Cache-Control: private' '$HEADERS' &&
	grep -q 'action=\"$P/settings\"' '$BODY' && grep -q 'action=\"$P/hide\"' '$BODY' &&
	grep -q 'action=\"$P/merge\"' '$BODY' && grep -q 'maxlength=\"300\"' '$BODY' &&
	grep -q 'maxlength=\"500\"' '$BODY'"
C1=$(csrf_in <"$BODY")
http GET "$E" -b "$J2"
check "another signed-in user: 403, in words" bash -c "[ $STATUS = 403 ] && grep -q 'Only the researcher whose claim' '$BODY'"
http GET "$E"
check "signed out: 303 to sign in, and back to the edit page" bash -c "
	[ $STATUS = 303 ] && [ '$(header Location)' = '/login?next=%2Fresearchers%2Fsanjeev-arora%2Fedit' ]"

# ---- settings: refused input changes nothing ---------------------------------------
visit "$P"; visit "$P"; visit "$P"
check "a visitor's third GET: a hit in this machine's cache (kept from the second)" [ "$(header X-Bzpeer-Cache)" = hit ]
check "unset: the seed's words about collaboration" bash -c "
	grep -q '<li class=\"badge badge-good\">Open to collaborate</li>' '$BODY' &&
	grep -q 'accepts direct collaboration invitations' '$BODY'"
dump >"$T_DIR/dump.0"
LONG=$(printf '%.0sé' $(seq 301))
post "$P/settings" "$J1" "csrf=$C1&bio=$LONG&open=yes&homepage="
check "a bio of 301 accented characters: 400, the limit at its field, the text kept" bash -c "
	[ $STATUS = 400 ] && grep -q 'id=\"owner-bio-error\"' '$BODY' &&
	grep -q 'at most 300 characters' '$BODY' && grep -q 'aria-invalid=\"true\"' '$BODY' &&
	grep -q 'id=\"settings-errors\"' '$BODY'"
OK300=$(printf '%.0sé' $(seq 300))
for bad in 'homepage=javascript%3Aalert(1)' 'homepage=http%3A%2F%2Fexample.org%2F' \
	'homepage=https%3A%2F%2Fexa%20mple.org' 'homepage=https%3A%2F%2Fex.org%2F%22onmouseover%3D1' \
	'homepage=data%3Atext%2Fhtml%2C%3Cscript%3E' 'homepage=%2F%2Fevil.example%2F' \
	'bio=line%0Abreak' 'bio=tab%09and%01control' 'bio=next%C2%85line' 'bio=sep%E2%80%A8' \
	'open=maybe'; do
	post "$P/settings" "$J1" "csrf=$C1&$bad"
	[ "$STATUS" = 400 ] || not_ok "settings $bad: 400 (got $STATUS)"
done
ok "hostile settings (javascript:, http:, spaces, quotes, data:, scheme-relative, line breaks, controls, NEL, U+2028, a bad choice): 400 each"
post "$P/settings" "$J1" "csrf=$C1&bio=x%00y"
check "a NUL in the bio: 400" [ "$STATUS" = 400 ]
post "$P/settings" "$J1" "csrf=$C1&bio=%FF%FE"
check "a bio that is not UTF-8: 400" [ "$STATUS" = 400 ]
post "$P/settings" "$J1" "csrf=x&bio=Mine"
check "a bad CSRF token: 403" [ "$STATUS" = 403 ]
post "$P/settings" "$J2" "csrf=$C2&bio=Mine"
check "another user's settings post: 403" [ "$STATUS" = 403 ]
http POST "$P/settings" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "bio=Mine"
check "signed out: 303 to sign in" [ "$STATUS" = 303 ]
post "$P/settings" "$J1" "csrf=$C1&homepage=javascript%3Aalert(1)" -H 'Accept: application/json'
check "refused as JSON: 400 with the error shape" bash -c "
	[ $STATUS = 400 ] && grep -q '\"error\":\"bad_request\"' '$BODY' && grep -q 'https://' '$BODY'"
check "the store is unchanged after every refused settings post" same_dump "$T_DIR/dump.0"

# ---- settings saved --------------------------------------------------------------------
post "$P/settings" "$J1" "csrf=$C1&bio=$OK300&open=yes&homepage="
check "a bio of exactly 300 accented characters is taken: 303" [ "$STATUS" = 303 ]
post "$P/settings" "$J1" "csrf=$C1&bio=Works+on+%3Cb%3Eproofs%3C%2Fb%3E+%26+complexity&open=no&homepage=https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F%3Fa%3D1%26b%3D2"
check "saved: 303 to the edit page with a flash" bash -c "
	[ $STATUS = 303 ] && [ '$(header Location)' = '$E' ] && grep -qi '^Set-Cookie: bzf=owner_saved' '$HEADERS'"
http GET "$E" -b "$J1"
check "the flash says so; the form shows what is stored" bash -c "
	grep -q 'Saved: your profile shows it now.' '$BODY' &&
	grep -q 'value=\"Works on &lt;b&gt;proofs&lt;/b&gt; &amp; complexity\"' '$BODY' &&
	grep -q 'id=\"owner-open-no\" type=\"radio\" name=\"open\" value=\"no\" checked' '$BODY'"
visit "$P"
check "the cached page retired: the next GET is rendered (not a hit)" bash -c "[ '$(header X-Bzpeer-Cache)' != hit ]"
check "the bio line, escaped, in place of the seed's" bash -c "
	grep -q '<p class=\"lede bio\" dir=\"auto\">Works on &lt;b&gt;proofs&lt;/b&gt; &amp; complexity</p>' '$BODY' &&
	! grep -q 'contributes to research discovery' '$BODY'"
check "the homepage, with rel=nofollow ugc noopener, its & escaped" \
	grep -q 'href="https://www.cs.princeton.edu/~arora/?a=1&amp;b=2" rel="nofollow ugc noopener"' "$BODY"
check "not open to collaborate: said on the badge and in the direct section" bash -c "
	grep -q 'Not open to collaboration now' '$BODY' && grep -q 'is not taking collaboration invitations now' '$BODY' &&
	! grep -q 'accepts direct collaboration invitations' '$BODY'"
visit "$P.json"
check "the .json has the owner's words" bash -c "
	grep -qF '\"owner\":{\"bio\":\"Works on \\u003cb\\u003eproofs\\u003c/b\\u003e \\u0026 complexity\",\"homepage\":\"https://www.cs.princeton.edu/~arora/?a=1\\u0026b=2\",\"open_to_collaborate\":false}' '$BODY'"
post "$P/settings" "$J1" "csrf=$C1&open=yes" -H 'Accept: application/json'
check "one field alone, as JSON: the others kept" bash -c "
	[ $STATUS = 200 ] && grep -qF '\"bio\":\"Works on \\u003cb\\u003eproofs\\u003c/b\\u003e \\u0026 complexity\",\"open_to_collaborate\":true,\"homepage\":\"https://www.cs.princeton.edu/~arora/?a=1\\u0026b=2\"' '$BODY'"

# ---- not my paper ------------------------------------------------------------------------
visit "$P.json"
W=$(grep -o '"works":\[{"id":"W[0-9]*"' "$BODY" | grep -o 'W[0-9]*')
N0=$(grep -o '"figures":{"works":[0-9]*' "$BODY" | grep -o '[0-9]*$')
visit "$P/works.bib"; grep -c '^@' "$BODY" >"$T_DIR/bib.0"
check "a work to remove: $W, of $N0" [ -n "$W" ] && [ "$N0" -gt 1 ]
dump >"$T_DIR/dump.1"
for bad in "work=W0" "work=A5000000001" "work=W1%27%20OR%201%3D1" "work=" "work=W$(printf '9%.0s' $(seq 25))"; do
	post "$P/hide" "$J1" "csrf=$C1&action=hide&$bad"
	[ "$STATUS" = 400 ] || not_ok "hide $bad: 400 (got $STATUS)"
done
ok "hostile work ids (zero, an author, SQL, empty, too long): 400 each"
post "$P/hide" "$J1" "csrf=$C1&action=hide&work=W999999999"
check "a work not on the profile: 404 in words" bash -c "[ $STATUS = 404 ] && grep -q 'not one of the works listed' '$BODY'"
post "$P/hide" "$J1" "csrf=$C1&action=show&work=$W"
check "putting back a work not removed: 404" [ "$STATUS" = 404 ]
post "$P/hide" "$J1" "csrf=$C1&action=remove&work=$W"
check "an unknown action: 400" [ "$STATUS" = 400 ]
post "$P/hide" "$J2" "csrf=$C2&action=hide&work=$W"
check "another user: 403" [ "$STATUS" = 403 ]
check "the store is unchanged after every refused removal" same_dump "$T_DIR/dump.1"
visit "$P"; visit "$P"
post "$P/hide" "$J1" "csrf=$C1&action=hide&work=https%3A%2F%2Fopenalex.org%2F$W"
check "removed (by its openalex.org address): 303 with a flash" bash -c "
	[ $STATUS = 303 ] && grep -qi '^Set-Cookie: bzf=owner_hidden' '$HEADERS'"
visit "$P"
check "the profile page retired and no longer lists it" bash -c "
	[ '$(header X-Bzpeer-Cache)' != hit ] && ! grep -q '$W' '$BODY'"
visit "$P.json"
check "the .json: not listed, and counted one work less" bash -c "
	! grep -q '\"id\":\"$W\"' '$BODY' && grep -q '\"figures\":{\"works\":$((N0 - 1)),' '$BODY'"
visit "$P/works.bib"
check "the BibTeX export has one entry less" [ "$(grep -c '^@' "$BODY")" = "$(($(cat "$T_DIR/bib.0") - 1))" ]
for x in works.ris works.csl.json works.atom works; do
	visit "$P/$x"
	grep -q "$W" "$BODY" && not_ok "$x still names $W"
done
ok "RIS, CSL-JSON, Atom and the works pages no longer name it"
admin curation list >"$T_DIR/curation"
check "bzpeer-admin curation list shows it, with its owner" \
	grep -q "^hidden A5000000001 sanjeev-arora $W owner=\"demo\" at=" "$T_DIR/curation"
http GET "$E" -b "$J1"
check "the edit page lists it under 'Removed', with a 'Put back' form" bash -c "
	grep -q 'Removed from your profile (1)' '$BODY' && grep -q 'value=\"show\"' '$BODY'"

# ---- a duplicate profile --------------------------------------------------------------------
D=/researchers/zhiyuan-li
post "$P/follow" "$J2" "csrf=$C2&action=follow"
post "$D/follow" "$J2" "csrf=$C2&action=follow"
post "$D/follow" "$J1" "csrf=$C1&action=follow"
visit "$D.json"; DW=$(grep -o '"figures":{"works":[0-9]*' "$BODY" | grep -o '[0-9]*$')
check "before: demo2 follows both, demo the duplicate" bash -c "
	curl -sS -H 'Cookie: bzf=x' '$BASE$P.json' | grep -q '\"followers\":1,' &&
	curl -sS -H 'Cookie: bzf=x' '$BASE$D.json' | grep -q '\"followers\":2,'"
dump >"$T_DIR/dump.2"
post "$P/merge" "$J1" "csrf=$C1&duplicate=sanjeev-arora"
check "merging into itself: 409, the reason at the field" bash -c "
	[ $STATUS = 409 ] && grep -q 'id=\"owner-duplicate-error\"' '$BODY' && grep -q 'this profile itself' '$BODY'"
post "$P/merge" "$J1" "csrf=$C1&duplicate=A5000000001"
check "... by its id too: 409" [ "$STATUS" = 409 ]
post "$P/merge" "$J1" "csrf=$C1&duplicate=no-such-person"
check "an unknown profile: 400 at the field, what was typed kept" bash -c "
	[ $STATUS = 400 ] && grep -q 'no profile at that address' '$BODY' && grep -q 'value=\"no-such-person\"' '$BODY'"
for bad in 'duplicate=' 'duplicate=javascript%3Aalert(1)' 'duplicate=%3Cscript%3E' 'duplicate=a%2Fb' \
	'duplicate=https%3A%2F%2Fevil.example%2Fother%2Fx' 'duplicate=%01'; do
	post "$P/merge" "$J1" "csrf=$C1&$bad"
	[ "$STATUS" = 400 ] || not_ok "merge $bad: 400 (got $STATUS)"
done
ok "hostile duplicates (empty, javascript:, markup, a slash, another site's path, a control): 400 each"
post "$P/merge" "$J1" "csrf=$C1&duplicate=zhiyuan-li&note=$(printf '%.0sé' $(seq 1001))"
check "a note over 1000 characters: 400 at the note" bash -c "[ $STATUS = 400 ] && grep -q 'id=\"owner-mnote-error\"' '$BODY'"
for bad in 'note=%01' 'note=a%00b' 'note=%C2%9B31m' 'note=%FF'; do
	post "$P/merge" "$J1" "csrf=$C1&duplicate=zhiyuan-li&$bad"
	[ "$STATUS" = 400 ] || not_ok "merge $bad: 400 (got $STATUS)"
done
ok "hostile notes (a control, a NUL, a C1 CSI, not UTF-8): 400 each"
post "$P/merge" "$J2" "csrf=$C2&duplicate=zhiyuan-li"
check "another user asking: 403" [ "$STATUS" = 403 ]
check "the store is unchanged after every refused request" same_dump "$T_DIR/dump.2"
post "$P/merge" "$J1" "csrf=$C1&duplicate=https%3A%2F%2Fbzpeer.example%2Fresearchers%2Fzhiyuan-li%3Fx%3D1&note=Both+are+me" -H 'Accept: application/json'
check "asked by the duplicate's address, as JSON: pending" bash -c "
	[ $STATUS = 200 ] && grep -Eq '^\\{\"request\":[0-9]+,\"state\":\"pending\"\\}\$' '$BODY'"
MID=$(grep -o '"request":[0-9]*' "$BODY" | grep -o '[0-9]*$')
post "$P/merge" "$J1" "csrf=$C1&duplicate=A5000000002"
check "asked twice: 409" bash -c "[ $STATUS = 409 ] && grep -q 'waiting for review already' '$BODY'"
admin merges list >"$T_DIR/merges"
check "bzpeer-admin merges list shows it pending, from and into" \
	grep -q "^$MID pending from=A5000000002/zhiyuan-li into=A5000000001/sanjeev-arora user=\"demo\" .*note=\"Both are me\"" "$T_DIR/merges"
visit "$D"; visit "$D"
admin merges approve "$MID" >"$T_DIR/out" 2>&1
check "the reviewer approves it" [ $? = 0 ]
visit "$D"
check "the duplicate's slug answers 301 to the owner's profile" bash -c "
	[ $STATUS = 301 ] && [ '$(header Location)' = '$P' ]"
visit /researchers/A5000000002
check "... and its id" bash -c "[ $STATUS = 301 ] && [ '$(header Location)' = '$P' ]"
visit "$D/works"
check "... and its subpages" bash -c "[ $STATUS = 301 ] && [ '$(header Location)' = '$P/works' ]"
visit "$P.json"
# demo owns the survivor: their follow of the duplicate ends with it
# (nobody follows their own profile).
check "followers joined, demo2 counted once, the owner not at all" grep -q '"followers":1,' "$BODY"
N1=$(grep -o '"figures":{"works":[0-9]*' "$BODY" | grep -o '[0-9]*$')
check "works joined ($((N0 - 1)) and the duplicate's $DW: $N1, the shared ones once)" \
	bash -c "[ $N1 -gt $((N0 - 1)) ] && [ $N1 -le $((N0 - 1 + DW)) ]"
check "the removed work stays removed" bash -c "! grep -q '\"id\":\"$W\"' '$BODY'"
post "$P/merge" "$J1" "csrf=$C1&duplicate=A5000000002"
check "the duplicate again: 409 (merged already)" [ "$STATUS" = 409 ]
admin merges approve "$MID" >/dev/null 2>&1
check "approving twice: refused" [ $? = 1 ]

# ---- a re-import keeps it all ----------------------------------------------------------
"$BUILD/bzpeer-import" --store "$STORE" --authors "$ROOT/store/sample/authors.jsonl" \
	--works "$ROOT/store/sample/works.jsonl" >"$T_DIR/reimport.log" 2>&1
check "the sample catalog imported again" [ $? = 0 ]
visit "$D"
check "after it, the duplicate still answers 301" bash -c "[ $STATUS = 301 ] && [ '$(header Location)' = '$P' ]"
visit "$P.json"
check "... the removed work is still removed, the settings and followers kept" bash -c "
	! grep -q '\"id\":\"$W\"' '$BODY' && grep -q '\"followers\":1,' '$BODY' &&
	grep -qF '\"bio\":\"Works on \\u003cb\\u003eproofs' '$BODY' && grep -q '\"figures\":{\"works\":$N1,' '$BODY'"

# ---- undo ------------------------------------------------------------------------------------
post "$P/hide" "$J1" "csrf=$C1&action=show&work=$W" -H 'Accept: application/json'
check "put back, as JSON" bash -c "[ $STATUS = 200 ] && grep -q '\"hidden\":false' '$BODY'"
visit "$P.json"
check "listed and counted again" bash -c "grep -q '\"id\":\"$W\"' '$BODY' && grep -q '\"figures\":{\"works\":$((N1 + 1)),' '$BODY'"
check "bzpeer-admin curation list is empty again" bash -c "[ -z \"\$('$BUILD/bzpeer-admin' --store '$STORE' curation list)\" ]"
finish
