#!/bin/bash
# Direct collaboration through the real nginx: a signed-in visitor invites
# the owner of a claimed profile open to collaborate (POST .../invite), the
# owner answers on /me (POST /me/invitations); CSRF, Post/Redirect/Get
# with a flash, JSON, errors at their fields, the limits in characters,
# one open invitation per sender and researcher, blocks told in neutral
# words, contacts only after acceptance, the rate of invitations, and
# every refusal leaving the store as it was. Users: demo owns the profile,
# demo2 sends, demo3 is a stranger (a session signed here), and nobody.
. "$(dirname "$0")/lib.sh"
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 100000\ninvite_rate = 8'
stack_up

P=/researchers/sanjeev-arora
post() { # post PATH JAR_OR_COOKIE BODY [curl args]
	local p=$1 who=$2 data=$3; shift 3
	http POST "$p" -b "$who" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$data" "$@"
}
admin() { "$BUILD/bzpeer-admin" --store "$STORE" "$@"; }
unchanged() { same_dump "$T_DIR/dump.ref"; }
ref() { dump >"$T_DIR/dump.ref"; }
has() { grep -q -- "$1" "$BODY"; }
hasF() { grep -qF -- "$1" "$BODY"; }
# An invitation body: subject, message (both already form-encoded).
inv() { printf 'csrf=%s&subject=%s&message=%s' "$1" "$2" "$3"; }
OK_S='A+joint+workshop+on+lattices'
OK_M='Dear+Sanjeev%2C%0D%0AWould+you+join+a+workshop+in+June%3F'
EV='email=arora%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F'

signin demo; J1=$JAR; C1=$CSRF
signin demo2; J2=$JAR; C2=$CSRF
session_key; S3="bzs=$(cookie_1h demo3)"; C3=$(csrf_of "${S3#bzs=}")
S5="bzs=$(cookie_1h demo5)"; C5=$(csrf_of "${S5#bzs=}")

# ---- locked: unclaimed, then pending ------------------------------------------------
http GET "$P" -b "$J2"
check "unclaimed: the seed's locked words, no form" bash -c "
	grep -q 'Open a focused conversation when the fit is right' '$BODY' &&
	grep -q 'Claim this author entity first to unlock direct invitations.' '$BODY' &&
	! grep -q 'invite-form' '$BODY' && ! grep -q 'accepts direct collaboration invitations' '$BODY'"
ref
post "$P/invite" "$J2" "$(inv "$C2" "$OK_S" "$OK_M")"
check "an invitation to an unclaimed profile: 409 in words" \
	bash -c "[ $STATUS = 409 ] && grep -q 'does not take direct invitations' '$BODY'"
check "... and nothing written" unchanged
post "$P/claim" "$J1" "csrf=$C1&$EV"
check "demo claims the profile" [ "$STATUS" = 303 ]
http GET "$P" -b "$J2"
check "pending: still locked" bash -c "grep -q 'Claim this author entity first' '$BODY' && ! grep -q 'invite-form' '$BODY'"
ref
post "$P/invite" "$J2" "$(inv "$C2" "$OK_S" "$OK_M")" -H 'Accept: application/json'
check "an invitation to a pending profile: 409 JSON" \
	bash -c "[ $STATUS = 409 ] && grep -q '\"error\"' '$BODY'"
check "... nothing written" unchanged
CID=$(admin claims list --state pending | awk 'NR==1 {print $1}')
admin claims approve "$CID" >/dev/null
check "the reviewer approves demo's claim" [ $? = 0 ]

# ---- unlocked: who sees what -----------------------------------------------------------
http GET "$P" -H 'Cookie: bzf=x'
check "claimed and open, signed out: the seed's words and a way to sign in" bash -c "
	grep -q 'Sanjeev Arora has claimed this author record and accepts direct collaboration invitations.' '$BODY' &&
	grep -q 'Log in to send an invitation' '$BODY' && ! grep -q 'invite-form' '$BODY' &&
	! grep -q 'Claim this author entity first' '$BODY'"
http GET "$P" -b "$J2"
check "a signed-in visitor: the form, limits in characters as the server counts" bash -c "
	grep -q '<form class=\"invite-form\" method=\"post\" action=\"/researchers/sanjeev-arora/invite\"' '$BODY' &&
	grep -q 'id=\"invite-subject\" name=\"subject\" type=\"text\" autocomplete=\"off\" maxlength=\"150\"' '$BODY' &&
	grep -q 'name=\"message\" rows=\"5\" maxlength=\"2000\"' '$BODY'"
C2=$(csrf_in <"$BODY")
http GET "$P" -b "$J1"
check "the owner: no form, a way to what they receive" bash -c "
	grep -q 'This is your profile: the invitations you receive are on' '$BODY' && ! grep -q 'invite-form' '$BODY'"
ref
post "$P/invite" "$J1" "$(inv "$C1" "$OK_S" "$OK_M")"
check "the owner inviting themselves: 409" bash -c "[ $STATUS = 409 ] && grep -q 'cannot send yourself' '$BODY'"
check "... nothing written" unchanged

# ---- bad input: the form again, errors at their fields, nothing written -------------------
post "$P/invite" "$J2" "$(inv "$C2" '' 'Hello+%3Cb%3Ethere%3C%2Fb%3E')"
check "no subject: 400, the form again with the error at the field and in the summary" bash -c "
	[ $STATUS = 400 ] && grep -q 'id=\"invite-errors\" tabindex=\"-1\" autofocus role=\"alert\"' '$BODY' &&
	grep -q '<li><a href=\"#invite-subject\">Enter a subject' '$BODY' &&
	grep -q 'id=\"invite-subject-error\"' '$BODY' &&
	grep -q 'aria-describedby=\"invite-subject-hint invite-subject-error\" aria-invalid=\"true\"' '$BODY'"
check "... what was typed kept, escaped" hasF '>Hello &lt;b&gt;there&lt;/b&gt;</textarea>'
check "... private, not cached" bash -c "grep -qi '^Cache-Control: private, no-cache' '$HEADERS'"
check "... nothing written" unchanged
E151=$(python3 -c 'print("%C3%A9"*151)'); E150=$(python3 -c 'print("%C3%A9"*150)')
post "$P/invite" "$J2" "$(inv "$C2" "$E151" "$OK_M")"
check "a subject of 151 characters (302 bytes): 400, in characters" \
	bash -c "[ $STATUS = 400 ] && grep -q 'The subject can be at most 150 characters' '$BODY'"
check "... nothing written" unchanged
M2001=$(python3 -c 'print("a"*2001)')
post "$P/invite" "$J2" "$(inv "$C2" "$OK_S" "$M2001")" -H 'Accept: application/json'
check "a message of 2001 characters, JSON: 400 in words" \
	bash -c "[ $STATUS = 400 ] && grep -q 'The message can be at most 2000 characters' '$BODY'"
post "$P/invite" "$J2" "$(inv "$C2" "$OK_S" "")"
check "no message: 400 at its field" bash -c "[ $STATUS = 400 ] && grep -q 'id=\"invite-message-error\"' '$BODY'"
post "$P/invite" "$J2" "$(inv "$C2" '+++' "$OK_M")"
check "a subject of spaces only: 400" [ "$STATUS" = 400 ]
post "$P/invite" "$J2" "$(inv x "$OK_S" "$OK_M")"
check "a bad CSRF token: 403" [ "$STATUS" = 403 ]
post "$P/invite" "bzf=x" "$(inv "$C2" "$OK_S" "$OK_M")"
check "signed out: 303 to sign in" bash -c "[ $STATUS = 303 ] && grep -qi '^Location: /login?next=' '$HEADERS'"
check "... nothing of it written" unchanged

# ---- sent --------------------------------------------------------------------------------
SCRIPT='%3Cscript%3Ealert(1)%3C%2Fscript%3E'
post "$P/invite" "$J2" "$(inv "$C2" "$E150" "$OK_M+$SCRIPT")" -c "$J2"
check "150 characters (300 bytes) of subject: sent, 303 with a flash" bash -c "
	[ $STATUS = 303 ] && grep -qi '^Location: /researchers/sanjeev-arora' '$HEADERS' &&
	grep -qi '^Set-Cookie: bzf=invited' '$HEADERS'"
http GET "$P" -b "$J2" -c "$J2"
check "the flash, once, and the invitation waiting instead of the form" bash -c "
	grep -q 'Your invitation was sent.' '$BODY' && grep -q 'is waiting for an answer' '$BODY' &&
	! grep -q 'invite-form' '$BODY'"
dump >"$T_DIR/dump.sent"
check "the store holds it, open, without contacts" \
	grep -q '^invites 1 .*sender="demo2" owner="demo" state=1 .*sender_contact="" owner_contact=""' "$T_DIR/dump.sent"
I1=1
ref
post "$P/invite" "$J2" "$(inv "$C2" "$OK_S" "$OK_M")"
check "a second open invitation of the pair: 409 in words" \
	bash -c "[ $STATUS = 409 ] && grep -q 'still waiting for an answer' '$BODY'"
post "$P/invite" "$J2" "$(inv "$C2" "$OK_S" "$OK_M")" -H 'Accept: application/json'
check "... and as JSON" bash -c "[ $STATUS = 409 ] && grep -q '\"error\"' '$BODY'"
check "... nothing written" unchanged

# ---- the lists on /me ---------------------------------------------------------------------
http GET /me -b "$J1"
check "the owner's /me: the invitation, escaped, waiting, with the answers" bash -c "
	grep -q 'Invitations you received' '$BODY' && grep -q 'id=\"invitation-$I1\"' '$BODY' &&
	grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' '$BODY' && ! grep -q '<script>alert' '$BODY' &&
	grep -q 'Waiting for your answer' '$BODY' && grep -q 'value=\"accept\">Accept</button>' '$BODY'"
check "... the sender's contact not shown yet" bash -c "! grep -q 'The sender’s contact' '$BODY' && ! grep -q 'demo2' '$BODY'"
CM=$(csrf_in <"$BODY")
http GET /me -b "$J2"
check "the sender's /me: sent, waiting, no contact" bash -c "
	grep -q 'Invitations you sent' '$BODY' && grep -q 'Waiting for an answer' '$BODY' &&
	! grep -q 'arora@cs.princeton.edu' '$BODY'"
CM2=$(csrf_in <"$BODY")

# ---- answers: only the owner -----------------------------------------------------------------
ref
post /me/invitations "$S3" "csrf=$C3&invitation=$I1&action=accept"
check "a stranger accepting: 404, as for an unknown one" bash -c "[ $STATUS = 404 ] && grep -q 'no invitation to you' '$BODY'"
post /me/invitations "$J2" "csrf=$CM2&invitation=$I1&action=accept"
check "the sender accepting their own: 404" [ "$STATUS" = 404 ]
post /me/invitations "$J1" "csrf=$CM&invitation=999&action=accept"
check "an unknown invitation: 404" [ "$STATUS" = 404 ]
post /me/invitations "$J1" "csrf=$CM&invitation=$I1&action=welcome"
check "an unknown action: 400 in words" bash -c "[ $STATUS = 400 ] && grep -q 'accept, decline, block or unblock' '$BODY'"
post /me/invitations "$J1" "csrf=$CM&invitation=x1&action=accept"
check "a malformed number: 400" [ "$STATUS" = 400 ]
post /me/invitations "$J1" "csrf=$CM&action=accept"
check "no number: 400" [ "$STATUS" = 400 ]
post /me/invitations "$J1" "csrf=bad&invitation=$I1&action=accept"
check "a bad CSRF token: 403" [ "$STATUS" = 403 ]
post /me/invitations "bzf=x" "csrf=$CM&invitation=$I1&action=accept"
check "signed out: 303 to sign in, then back to /me" bash -c "[ $STATUS = 303 ] && grep -qi '^Location: /login?next=%2Fme\s*$' '$HEADERS'"
check "... none of these changed anything" unchanged

post /me/invitations "$J1" "csrf=$CM&invitation=$I1&action=accept"
check "the owner accepts: 303 to the invitation on /me, with a flash" bash -c "
	[ $STATUS = 303 ] && grep -qi '^Location: /me#invitation-$I1' '$HEADERS' &&
	grep -qi '^Set-Cookie: bzf=invite_accepted' '$HEADERS'"
http GET /me -b "$J1"
check "the owner sees the sender's contact now" bash -c "
	grep -q 'The sender’s contact: <strong class=\"break\">demo2</strong>' '$BODY' && grep -q '>Accepted</span>' '$BODY'"
http GET /me -b "$J2"
check "the sender sees the owner's contact (the claim's email) now" bash -c "
	grep -q 'The researcher’s contact: <strong class=\"break\">arora@cs.princeton.edu</strong>' '$BODY' &&
	grep -q '>Accepted</span>' '$BODY'"
http GET /me -b "$S3"
check "a stranger sees neither" bash -c "[ $STATUS = 200 ] && ! grep -q 'arora@cs.princeton.edu' '$BODY' && ! grep -q 'demo2' '$BODY'"
ref
post /me/invitations "$J1" "csrf=$CM&invitation=$I1&action=decline" -H 'Accept: application/json'
check "answering twice: 409 JSON" bash -c "[ $STATUS = 409 ] && grep -q 'already answered' '$BODY'"
check "... nothing changed" unchanged

# ---- again, declined; then blocked --------------------------------------------------------------
post "$P/invite" "$J2" "$(inv "$C2" "Second+idea" "$OK_M")" -H 'Accept: application/json'
check "answered, the pair may invite again: 200 JSON with its number" \
	bash -c "[ $STATUS = 200 ] && grep -q '\"invitation\":2' '$BODY' && grep -q '\"state\":\"open\"' '$BODY'"
post /me/invitations "$J1" "csrf=$CM&invitation=2&action=decline" -H 'Accept: application/json'
check "declined, JSON" bash -c "[ $STATUS = 200 ] && grep -q '\"state\":\"declined\"' '$BODY'"
post "$P/invite" "$J2" "$(inv "$C2" "Third+idea" "$OK_M")"
check "a third" [ "$STATUS" = 303 ]
post /me/invitations "$J1" "csrf=$CM&invitation=3&action=block"
check "the owner blocks the sender: 303 with a flash" bash -c "
	[ $STATUS = 303 ] && grep -qi '^Set-Cookie: bzf=invite_blocked' '$HEADERS'"
http GET /me -b "$J2"
check "the sender's /me says declined, never blocked" bash -c "
	grep -q '>Declined</span>' '$BODY' && ! grep -qi 'block' '$BODY'"
http GET /me -b "$J1"
check "the owner's /me says the sender is blocked, with a way back" bash -c "
	grep -q 'Sender blocked' '$BODY' && grep -q 'value=\"unblock\">Unblock this sender</button>' '$BODY'"
http GET "$P" -b "$J2"
check "the blocked sender still sees the form (not told)" has 'invite-form'
admin invitations list --researcher sanjeev-arora >"$T_DIR/inv.list"
check "bzpeer-admin invitations list: the researcher's, newest first, the block said, no contact" bash -c "
	[ \$(wc -l <'$T_DIR/inv.list') = 3 ] && awk '{print \$1}' '$T_DIR/inv.list' | tr '\n' ' ' | grep -qx '3 2 1 ' &&
	grep -q '^3 declined to=A5000000001/sanjeev-arora from=\"demo2\" owner=\"demo\" sender_blocked sent=2[0-9T:Z-]* decided=2[0-9T:Z-]* subject=\"Third idea\" message=' '$T_DIR/inv.list' &&
	grep -qF 'message=\"Dear Sanjeev,\\x0d\\x0aWould you join a workshop in June?\"' '$T_DIR/inv.list' &&
	grep -q '^2 declined .* sender_blocked .*subject=\"Second idea\"' '$T_DIR/inv.list' &&
	grep -q '^1 accepted .* decided=[0-9]' '$T_DIR/inv.list' && ! grep -q 'arora@' '$T_DIR/inv.list'"
admin invitations list --user demo2 >"$T_DIR/inv.user"
check "... and the sender's, by user: the same lines" cmp -s "$T_DIR/inv.list" "$T_DIR/inv.user"
admin invitations list --researcher A5000000001 >"$T_DIR/inv.id"
check "... and by the researcher's id" cmp -s "$T_DIR/inv.list" "$T_DIR/inv.id"
admin invitations list --user nobody-here >"$T_DIR/inv.none"
check "... a user who sent none: no line, exit 0" bash -c "[ $? = 0 ] && [ ! -s '$T_DIR/inv.none' ]"
admin invitations list --researcher no-such-person >/dev/null 2>"$T_DIR/inv.err"
check "... an unknown researcher: exit 1, said" bash -c "[ $? = 1 ] && grep -q 'no researcher no-such-person' '$T_DIR/inv.err'"
admin invitations list --user "$(printf 'demo\033[2J')" >"$T_DIR/inv.none" 2>"$T_DIR/inv.err"
check "... a user name the site never signs in (an escape): exit 1, said" bash -c "
	[ $? = 1 ] && [ ! -s '$T_DIR/inv.none' ] && grep -q 'not a user name the site signs in' '$T_DIR/inv.err'"
admin invitations list >/dev/null 2>&1
check "... neither --researcher nor --user: usage, exit 2" [ $? = 2 ]
ref
post "$P/invite" "$J2" "$(inv "$C2" "Fourth+idea" "$OK_M")"
check "a blocked sender's invitation: 403 in neutral words" bash -c "
	[ $STATUS = 403 ] && grep -q 'not taking invitations from this account' '$BODY' && ! grep -qi 'block' '$BODY'"
check "... nothing written" unchanged
post /me/invitations "$J1" "csrf=$CM&invitation=3&action=unblock" -H 'Accept: application/json'
check "unblocked, JSON" bash -c "[ $STATUS = 200 ] && grep -q '\"blocked\":false' '$BODY'"
post "$P/invite" "$J2" "$(inv "$C2" "Fourth+idea" "$OK_M")"
check "unblocked, they may invite again" [ "$STATUS" = 303 ]

# ---- the rate of invitations (invite_rate = 8 an hour) ------------------------------------------
codes=""
for i in $(seq 10); do
	post "$P/invite" "$S5" "$(inv "$C5" "Rate+$i" "$OK_M")"
	codes="$codes $STATUS"
	[ "$STATUS" = 429 ] && { retry=$(header Retry-After); ref; }
done
check "10 attempts with a limit of 8 an hour: the first sent, then 409s, then 429 ($codes)" \
	bash -c "[ '${codes:1:3}' = 303 ] && grep -q 409 <<<'$codes' && [ '${codes: -3}' = 429 ]"
check "429 carries Retry-After up to an hour (${retry:-none})" \
	bash -c "[[ '${retry:-}' =~ ^[0-9]+$ ]] && [ '${retry:-0}' -ge 1 ] && [ '${retry:-0}' -le 3600 ]"
post "$P/invite" "$S5" "$(inv "$C5" "Rate+11" "$OK_M")"
check "... and a refused one changes nothing" eval '[ "$STATUS" = 429 ] && unchanged'

# ---- the owner says they are not open to collaborate, then open again ----------------------------
post "$P/settings" "$J1" "csrf=$C1&open=no"
check "the owner closes the profile to invitations" [ "$STATUS" = 303 ]
http GET "$P" -b "$S3"
check "closed: the owner's words, no form, for anyone" bash -c "
	grep -q 'has claimed this author record and is not taking collaboration invitations now.' '$BODY' &&
	! grep -q 'invite-form' '$BODY' && ! grep -q 'accepts direct collaboration invitations' '$BODY'"
ref
post "$P/invite" "$S3" "$(inv "$C3" "$OK_S" "$OK_M")"
check "an invitation to a closed profile: 409, nothing written" \
	eval '[ "$STATUS" = 409 ] && grep -q "does not take direct invitations" "$BODY" && unchanged'
post "$P/settings" "$J1" "csrf=$C1&open=yes"
http GET "$P" -b "$S3"
check "open again: the form is back" bash -c "[ $STATUS = 200 ] && grep -q 'invite-form' '$BODY'"

# ---- hostile fields ---------------------------------------------------------------------------------
# Every new field: overlong, NUL, invalid UTF-8, controls, a line
# separator in the subject, script shown escaped; each refused without a
# write (or, for script, kept as text and escaped where shown).
post /me/invitations "$J1" "csrf=$CM&invitation=4&action=decline"   # close demo2's open one
ref
N=0
hostile() { # hostile DESC WANT BODY [WHO CSRF PATH]
	local d=$1 want=$2 body=$3 who=${4:-$J2} path=${6:-$P/invite}
	post "$path" "$who" "$body"
	N=$((N + 1))
	check "hostile: $d: $want ($STATUS), nothing written" eval '[[ "$STATUS" =~ ^($want)$ ]] && unchanged'
}
BIG=$(head -c 30000 /dev/zero | tr '\0' a)
LONG=$(head -c 3000 /dev/zero | tr '\0' a)
hostile "a 3000-character subject" 400 "$(inv "$C2" "$LONG" "$OK_M")"
hostile "a 3000-character message" 400 "$(inv "$C2" "$OK_S" "$LONG")"
hostile "a 30000-byte body" 413 "$(inv "$C2" "$OK_S" "$BIG")"
hostile "a NUL in the subject" 400 "$(inv "$C2" 'a%00b' "$OK_M")"
hostile "a NUL in the message" 400 "$(inv "$C2" "$OK_S" 'a%00b')"
hostile "invalid UTF-8 in the subject" 400 "$(inv "$C2" 'a%C3%28' "$OK_M")"
hostile "invalid UTF-8 in the message" 400 "$(inv "$C2" "$OK_S" 'a%ED%A0%80')"
hostile "an overlong '/' in the message" 400 "$(inv "$C2" "$OK_S" 'a%C0%AF')"
hostile "an escape in the subject" 400 "$(inv "$C2" 'a%1B%5B2J' "$OK_M")"
hostile "an escape in the message" 400 "$(inv "$C2" "$OK_S" 'a%1B%5B2J')"
hostile "a C1 control in the message" 400 "$(inv "$C2" "$OK_S" 'a%C2%85b')"
hostile "a line feed in the subject" 400 "$(inv "$C2" 'a%0Ab' "$OK_M")"
hostile "U+2028 in the subject" 400 "$(inv "$C2" 'a%E2%80%A8b' "$OK_M")"
hostile "the subject twice" 400 "$(inv "$C2" "$OK_S" "$OK_M")&subject=x"
hostile "bad percent-encoding" 400 "$(inv "$C2" 'a%ZZ' "$OK_M")"
hostile "an answer's number too long" 400 "csrf=$CM&invitation=12345678901234567890123&action=accept" "$J1" "" /me/invitations
hostile "an answer's number of 19 digits (none such): 404" 404 "csrf=$CM&invitation=9999999999999999999&action=accept" "$J1" "" /me/invitations
hostile "an answer's number of 20 digits" 400 "csrf=$CM&invitation=99999999999999999999&action=accept" "$J1" "" /me/invitations
hostile "an answer's number negative" 400 "csrf=$CM&invitation=-1&action=accept" "$J1" "" /me/invitations
hostile "an answer's action with a NUL" 400 "csrf=$CM&invitation=4&action=accept%00" "$J1" "" /me/invitations
hostile "an answer's action in invalid UTF-8" 400 "csrf=$CM&invitation=4&action=%C3%28" "$J1" "" /me/invitations
hostile "an answer given twice" 400 "csrf=$CM&invitation=4&action=accept&action=decline" "$J1" "" /me/invitations
post "$P/invite" "$J2" "$(inv "$C2" "$SCRIPT+%22%27%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E" "$SCRIPT")"
check "hostile: script in both fields is text: sent" [ "$STATUS" = 303 ]
http GET /me -b "$J1"
check "... and shown escaped on the owner's /me" bash -c "
	grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;' '$BODY' ||
	grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &#34;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;' '$BODY'"
check "... never as markup" bash -c "! grep -q '<img src=x' '$BODY' && ! grep -q '<script>alert' '$BODY'"
check "at least 20 hostile cases ran ($N)" [ "$N" -ge 20 ]

# ---- survives a re-import -------------------------------------------------------------------------
dump | grep -E '^(invites|invitekeys) ' >"$T_DIR/inv.before"
"$BUILD/bzpeer-import" --store "$STORE" --authors "$ROOT/store/sample/authors.jsonl" \
	--works "$ROOT/store/sample/works.jsonl" >"$T_DIR/reimport.log" 2>&1
check "a re-import runs" [ $? = 0 ]
dump | grep -E '^(invites|invitekeys) ' >"$T_DIR/inv.after"
check "... and keeps every invitation and index" cmp -s "$T_DIR/inv.before" "$T_DIR/inv.after"
http GET /me -b "$J2"
check "... the sender still sees the owner's contact" grep -q 'arora@cs.princeton.edu' "$BODY"
export BZPEER_CONF_EXTRA=
finish
