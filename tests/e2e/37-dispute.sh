#!/bin/bash
# A pending claim disputed by another signed-in user, through the real
# nginx: the form on the pending profile, POST .../claim with
# action=dispute (CSRF, Post/Redirect/Get, JSON), the refusals with their
# status and the store unchanged, both claims shown together by
# `bzpeer-admin claims list` and decided together, the users' index of
# claims agreeing after each step.
. "$(dirname "$0")/lib.sh"
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 100000'
stack_up

P=/researchers/sanjeev-arora
post() { # post PATH JAR BODY [curl args]
	local p=$1 jar=$2 data=$3; shift 3
	http POST "$p" -b "$jar" -c "$jar" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$data" "$@"
}
admin() { "$BUILD/bzpeer-admin" --store "$STORE" "$@"; }
EV='email=arora%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F&note=It+is+me'

signin demo; J1=$JAR; C1=$CSRF
signin demo2; J2=$JAR; C2=$CSRF
# A third user, with a session the app signs as it signs its own.
session_key; S3=$(cookie_1h demo3); C3=$(csrf_of "$S3")

# ---- nothing to dispute yet -----------------------------------------------------
dump >"$T_DIR/dump.0"
post "$P/claim" "$J2" "csrf=$C2&action=dispute&$EV"
check "disputing an unclaimed profile: 409 in words" \
	bash -c "[ $STATUS = 409 ] && grep -q 'no claim waiting for review' '$BODY'"
check "... and nothing written" same_dump "$T_DIR/dump.0"

post "$P/claim" "$J1" "csrf=$C1&$EV"
check "demo claims the profile: 303" [ "$STATUS" = 303 ]
CID=$(admin claims list --state pending | awk 'NR==1 {print $1}')

# ---- the form, for others only --------------------------------------------------
http GET "$P" -b "$J2"
check "another signed-in user sees the dispute form on the pending profile" bash -c "
	grep -q '<summary>Is this your profile? Dispute this claim</summary>' '$BODY' &&
	grep -q 'name=\"action\" value=\"dispute\"' '$BODY' && grep -q '>Dispute this claim</button>' '$BODY'"
http GET "$P" -b "$J1"
check "the claimant does not" bash -c "! grep -q 'Dispute this claim' '$BODY'"
http GET "$P" -H 'Cookie: bzf=x'
check "nor a visitor signed out" bash -c "[ $STATUS = 200 ] && ! grep -q 'Dispute this claim' '$BODY'"

# ---- refusals that change nothing -------------------------------------------------
dump >"$T_DIR/dump.1"
post "$P/claim" "$J2" "csrf=x&action=dispute&$EV"
check "a dispute with a bad CSRF token: 403" [ "$STATUS" = 403 ]
post "$P/claim" "$J2" "csrf=$C2&action=disputes&$EV"
check "an unknown action: 400 in words" \
	bash -c "[ $STATUS = 400 ] && grep -q 'must be claim or dispute' '$BODY'"
post "$P/claim" "$J2" "csrf=$C2&action=dispute&email=nope&evidence_url=http%3A%2F%2Fx.edu%2F"
check "a dispute with bad evidence: 400, the form again, open, its problems at their fields" bash -c "
	[ $STATUS = 400 ] && grep -q '<details class=\"claim-dispute\" open>' '$BODY' &&
	grep -q 'id=\"claim-email-error\"' '$BODY' && grep -q 'name=\"action\" value=\"dispute\"' '$BODY'"
post "$P/claim" "$J1" "csrf=$C1&action=dispute&$EV"
check "the claimant disputing their own claim: 409 (their claim is open)" [ "$STATUS" = 409 ]
post "$P/claim" "$J2" "csrf=$C2&$EV"
check "a plain claim of the pending profile is still 409" [ "$STATUS" = 409 ]
http POST "$P/claim" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "action=dispute&$EV"
check "signed out: 303 to sign in first" bash -c "[ $STATUS = 303 ] && [ '$(header Location)' = '/login?next=%2Fresearchers%2Fsanjeev-arora' ]"
check "store unchanged after every refused dispute" same_dump "$T_DIR/dump.1"

# ---- the dispute ----------------------------------------------------------------------
post "$P/claim" "$J2" "csrf=$C2&action=dispute&$EV"
check "demo2 disputes it: 303 back to the profile with a flash" bash -c "
	[ $STATUS = 303 ] && [ '$(header Location)' = '$P' ] && grep -qi '^Set-Cookie: bzf=disputed' '$HEADERS'"
http GET "$P" -b "$J2"
check "the flash says so, and the profile tells demo2 the dispute waits" bash -c "
	grep -q 'Your dispute was sent for review' '$BODY' &&
	grep -q 'Your dispute of this claim is waiting for review' '$BODY' && ! grep -q 'Dispute this claim' '$BODY'"
admin claims list >"$T_DIR/list"
DID=$(awk -v c="$CID" '$1 != c && / pending / {print $1}' "$T_DIR/list")
check "claims list shows both pending, each disputed with the other" bash -c "
	grep -q '^$CID pending .* user=\"demo\" .* disputed_with=$DID ' '$T_DIR/list' &&
	grep -q '^$DID pending .* user=\"demo2\" .* disputed_with=$CID ' '$T_DIR/list'"
check "the users' index of claims agrees" admin claims verify
# Past the micro-cache (a visitor's copy may live a second longer).
http GET "$P.json" -H 'Cookie: bzf=x'
check "the profile stays Claim pending" grep -q '"claim":"pending"' "$BODY"

# Once only: a third user, as JSON.
post "$P/claim" /dev/null "csrf=$C3&action=dispute&$EV" -H "Cookie: bzs=$S3" -H 'Accept: application/json'
check "a second dispute: 409 as JSON, in words" bash -c "
	[ $STATUS = 409 ] && grep -q 'already disputed' '$BODY' && grep -q '^{' '$BODY'"
http GET "$P" -H "Cookie: bzs=$S3"
check "... and the form is not offered to the third user" bash -c "[ $STATUS = 200 ] && ! grep -q 'Dispute this claim' '$BODY'"

# ---- decided together ---------------------------------------------------------------
admin claims approve "$DID" >"$T_DIR/out" 2>&1
check "the reviewer approves the dispute" [ $? = 0 ]
admin claims list >"$T_DIR/list"
check "the disputed claim is rejected with it, the note naming the approved one" bash -c "
	grep -q '^$CID rejected .*reviewer_note=\"Claim $DID, disputed with this one, was approved.\"' '$T_DIR/list' &&
	grep -q '^$DID approved ' '$T_DIR/list'"
http GET /me -b "$J1"
check "demo's /me shows the rejection and why" bash -c "
	[ $STATUS = 200 ] && grep -q 'disputed with this one, was approved' '$BODY'"
http GET "$P.json" -H 'Cookie: bzf=x'
check "the profile is claimed" grep -q '"claim":"claimed"' "$BODY"
post "$P/claim" /dev/null "csrf=$C3&action=dispute&$EV" -H "Cookie: bzs=$S3" -H 'Accept: application/json'
check "an approved claim cannot be disputed: 409" \
	bash -c "[ $STATUS = 409 ] && grep -q 'was approved' '$BODY'"
check "the users' index of claims still agrees" admin claims verify

# ---- JSON, and the disputed claim rejected first --------------------------------
Q=/researchers/zhiyuan-li
post "$Q/claim" "$J1" "csrf=$C1&$EV"
check "demo claims another profile" [ "$STATUS" = 303 ]
post "$Q/claim" /dev/null "csrf=$C3&action=dispute&$EV" -H "Cookie: bzs=$S3" -H 'Accept: application/json'
check "demo3 disputes it as JSON: the new claim and the one it disputes" bash -c "
	[ $STATUS = 200 ] && grep -Eq '^\\{\"claim\":[0-9]+,\"state\":\"pending\",\"disputes\":[0-9]+\\}\$' '$BODY'"
X=$(sed 's/.*"disputes":\([0-9]*\).*/\1/' "$BODY"); Y=$(sed 's/.*"claim":\([0-9]*\),.*/\1/' "$BODY")
admin claims reject "$X" --note "not the same person" >/dev/null
check "the disputed claim rejected: the dispute stays pending, the profile too" bash -c "
	'$BUILD/bzpeer-admin' --store '$STORE' claims list --state pending | grep -q '^$Y pending ' &&
	curl -sS -H 'Cookie: bzf=x' '$BASE$Q.json' | grep -q '\"claim\":\"pending\"'"
http GET "$Q" -H "Cookie: bzs=$S3"
check "... and it is demo3's current claim now" grep -q 'Your claim is waiting for review.' "$BODY"
check "the users' index of claims agrees at the end" admin claims verify
finish
