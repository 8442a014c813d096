#!/bin/bash
# The pages and exports end to end, through nginx -> bzpeer-fcgi
# -> LMDB: the research-graph explorer and graph.json, search (accents,
# pages), the paged works list with its links and sorting, {slug}.json,
# works.atom, works.bib, the profile's JSON-LD / OpenGraph / alternates;
# 301, 404 and 405 on each; hostile data escaped for where it lands.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || "$ROOT/tests/deps.sh" python3 >/dev/null

stack_up "${CATALOG_PAGES[@]}"

# py SCRIPT [ARGS...]: runs python3 on the last body; exit status is the check.
py() { local s=$1; shift; python3 -c "$s" "$BODY" "$@"; }

# visible (lib.sh): the text with entities decoded.
# all 'A && B': every part of a compound check is asserted (check runs one command).
all() { eval "$1"; }
no_raw() { ! grep -qF -- "$1" "$BODY"; }

# ---- the research-graph explorer ---------------------------------------------
http GET /researchers/sanjeev-arora/graph
check "graph page answers 200" [ "$STATUS" = 200 ]
check "graph page is HTML in UTF-8" [ "$(header Content-Type)" = "text/html; charset=utf-8" ]
check "graph page sends the CSP without unsafe-inline" \
	bash -c "grep -qi '^Content-Security-Policy: default-src .none.' '$HEADERS' && ! grep -qi unsafe-inline '$HEADERS'"
check "graph page has an inline SVG drawing with a title" \
	py 'import sys,re; s=open(sys.argv[1]).read(); sys.exit(0 if re.search(r"<svg class=\"graph-svg\"[^>]*role=\"img\"[^>]*>\s*<title[^>]*>Research graph of Sanjeev Arora</title>", s) else 1)'
check "the SVG is well-formed XML with a viewBox" py '
import sys, re, xml.dom.minidom as m
s = open(sys.argv[1]).read()
svg = re.search(r"<svg .*?</svg>", s, re.S).group(0)
d = m.parseString(svg)
e = d.documentElement
assert e.getAttribute("viewBox").startswith("0 0 "), e.getAttribute("viewBox")
'
check "no inline script or style, no event handler in the explorer" \
	bash -c "! grep -v '^<script src=\"/static/bzpeer\.[0-9a-f]\{16\}\.js\" defer></script>\$' '$BODY' | grep -qiE '<script|<style| style=| on[a-z]+='"
check "the drawing has a legend" bash -c "grep -q 'class=\"g-legend\"' '$BODY' && grep -q '>Close collaborator (2+ shared works)<' '$BODY'"
check "the drawing shows works, co-authors, topics, institutions" bash -c "
	[ \$(grep -c 'class=\"node node-work\"' '$BODY') = 14 ] &&
	[ \$(grep -c 'class=\"node node-close\"' '$BODY') = 5 ] &&
	[ \$(grep -c 'class=\"node node-coauthor\"' '$BODY') = 19 ] &&
	[ \$(grep -c 'class=\"node node-topic\"' '$BODY') = 7 ] &&
	[ \$(grep -c 'class=\"node node-institution\"' '$BODY') = 3 ]"
TEXT=$(visible)
for s in "Nikunj Umesh Saunshi · 3 shared" "Stochastic Gradient Optimization Techniques · 7" \
	"Princeton University · 2" "Works · 13" "Co-authors · 22"; do
	check "drawing labels: $s" grep -qF -- "$s" <<<"$TEXT"
done
check "the same content as lists" bash -c "grep -qF 'Everything in the graph' <<<\"\$0\" &&
	grep -qF 'Close collaborators 4' <<<\"\$0\" && grep -qF 'Other co-authors 18' <<<\"\$0\" &&
	grep -qF 'Princeton University Zhiyuan Li, Jason Lee' <<<\"\$0\"" "$TEXT"
check "lists link co-authors' profiles and explorers" bash -c "grep -q 'href=\"/researchers/zhiyuan-li\"' '$BODY' && grep -q 'href=\"/researchers/zhiyuan-li/graph\"' '$BODY'"
check "explorer links graph.json and the profile" bash -c "grep -q 'href=\"/researchers/sanjeev-arora/graph.json\"' '$BODY' && grep -q 'href=\"/researchers/sanjeev-arora\"' '$BODY'"
check "explorer names its canonical address" grep -q '<link rel="canonical" href="/researchers/sanjeev-arora/graph">' "$BODY"
http GET /researchers/sanjeev-arora/graph
cp "$BODY" "$T_DIR/graph1.html"
http GET /researchers/sanjeev-arora/graph
check "the layout is deterministic (same page twice)" cmp -s "$T_DIR/graph1.html" "$BODY"

http GET /researchers/sanjeev-arora/graph.json
check "graph.json answers 200 as application/json" all '[ "$STATUS" = 200 ] && [ "$(header Content-Type)" = application/json ]'
check "graph.json is CORS-readable" [ "$(header Access-Control-Allow-Origin)" = "*" ]
check "graph.json: 44 nodes, 92 edges, ids unique, edges between nodes" py '
import sys, json
d = json.load(open(sys.argv[1]))
ids = [n["id"] for n in d["nodes"]]
assert len(ids) == 44 and len(set(ids)) == 44, len(ids)
assert len(d["edges"]) == 92, len(d["edges"])
assert all(e["source"] in ids and e["target"] in ids for e in d["edges"])
kinds = {}
for n in d["nodes"]: kinds[n["kind"]] = kinds.get(n["kind"], 0) + 1
assert kinds == {"researcher": 1, "work": 13, "close_collaborator": 4, "coauthor": 18, "topic": 6, "institution": 2}, kinds
assert d["researcher"] == {"id": "A5000000001", "slug": "sanjeev-arora", "name": "Sanjeev Arora"}
assert all(isinstance(n["weight"], int) and n["label"] for n in d["nodes"])
sa = [e for e in d["edges"] if e["kind"] == "collaborates" and e["target"] == "A5000000005"]
assert sa and sa[0]["weight"] == 3
'

http GET /researchers/gregoire-levy/graph
check "hostile graph page answers 200" [ "$STATUS" = 200 ]
check "hostile title escaped in the drawing and lists" bash -c "[ \$(grep -c '&lt;script&gt;alert(1)&lt;/script&gt;' '$BODY') -ge 3 ]"
check "no raw hostile markup in the explorer" bash -c "! grep -qE '<script>alert|<img src=x|</li><script>|\"><img' '$BODY'"
check "hostile SVG still well-formed" py '
import sys, re, xml.dom.minidom as m
m.parseString(re.search(r"<svg .*?</svg>", open(sys.argv[1]).read(), re.S).group(0))'
http GET /researchers/gregoire-levy/graph.json
check "hostile graph.json keeps the strings exactly, with no raw < > &" py '
import sys, json
raw = open(sys.argv[1]).read()
assert "<" not in raw and ">" not in raw and "&" not in raw
d = json.loads(raw)
labels = {n["label"] for n in d["nodes"]}
assert "<script>alert(1)</script> & \"quotes\" '"'"'single'"'"'" in labels, labels
assert "Mallory \"><img src=x onerror=alert(3)>" in labels
'

http GET /researchers/A5000000001/graph
check "OpenAlex id on /graph answers 301 to the slug" all '[ "$STATUS" = 301 ] && [ "$(header Location)" = /researchers/sanjeev-arora/graph ]'
http GET /researchers/A5000000001.json
check "OpenAlex id on .json answers 301 to the slug" all '[ "$STATUS" = 301 ] && [ "$(header Location)" = /researchers/sanjeev-arora.json ]'
http HEAD /researchers/sanjeev-arora/graph -I
check "HEAD on the explorer: 200, no body" all '[ "$STATUS" = 200 ] && ! grep -qi "<svg" "$BODY"'

# ---- 404 and 405 on every new address --------------------------------------------
for p in /researchers/nobody-here.json /researchers/nobody-here/graph /researchers/nobody-here/graph.json \
	/researchers/nobody-here/works /researchers/nobody-here/works.atom /researchers/nobody-here/works.bib \
	/researchers/nobody-here/works.ris /researchers/nobody-here/works.csl.json \
	/researchers/A9999999999/graph; do
	http GET "$p"
	check "unknown researcher: 404 on $p" [ "$STATUS" = 404 ]
done
http GET /researchers/nobody-here.json
check "404 of a JSON address is JSON" py '
import sys, json; d = json.load(open(sys.argv[1])); assert d["error"] == "not_found"'
check "404 of a JSON address is CORS-readable" [ "$(header Access-Control-Allow-Origin)" = "*" ]
http GET /researchers/sanjeev-arora
check "the profile links the RIS and CSL-JSON exports" all \
	'grep -q "href=\"/researchers/sanjeev-arora/works.ris\" type=\"application/x-research-info-systems\"" "$BODY"' \
	'grep -q "href=\"/researchers/sanjeev-arora/works.csl.json\" type=\"application/vnd.citationstyles.csl+json\"" "$BODY"'
http GET /researchers/nobody-here/graph
check "404 of a page is in the site's layout" grep -q 'href="/static/bzpeer\.[0-9a-f]\{16\}\.css"' "$BODY"
for p in /researchers/sanjeev-arora.json /researchers/sanjeev-arora/graph /researchers/sanjeev-arora/graph.json \
	/researchers/sanjeev-arora/works /researchers/sanjeev-arora/works.atom /researchers/sanjeev-arora/works.bib \
	/researchers/sanjeev-arora/works.ris /researchers/sanjeev-arora/works.csl.json; do
	http POST "$p" -d x=1
	check "POST $p: 405 with Allow: GET, HEAD" all '[ "$STATUS" = 405 ] && [ "$(header Allow)" = "GET, HEAD" ]'
done
http DELETE /researchers/sanjeev-arora/works.bib
check "DELETE on works.bib: 405" [ "$STATUS" = 405 ]

# ---- search: accents, case, prefix of any name, pages --------------------------------
http GET '/researchers?q=gregoire'
check "\"gregoire\" finds Grégoire Lévy" bash -c "grep -q 'href=\"/researchers/gregoire-levy\"' '$BODY' && grep -qF 'Grégoire Lévy' '$BODY'"
http GET '/researchers?q=GR%C3%89GOIRE'
check "\"GRÉGOIRE\" finds Grégoire Lévy" grep -q 'href="/researchers/gregoire-levy"' "$BODY"
http GET '/researchers?q=zoe'
check "\"zoe\" finds Zoë Çelik" grep -q 'href="/researchers/zoe-celik"' "$BODY"
http GET '/researchers?q=%20%20Sanj'
check "search ignores leading spaces" grep -q 'href="/researchers/sanjeev-arora"' "$BODY"
http GET '/researchers?q=%3Cb%3Ex'
check "a hostile query is escaped in the page" bash -c "! grep -q '<b>x' '$BODY' && grep -q '&lt;b&gt;x' '$BODY'"
http GET /
n1=$(grep -c '<li class="result">' "$BODY")
total=$(visible | grep -oE '1–50 of [0-9]+' | head -n1 | sed 's/.* of //')
check "front page: 50 names on page 1 of $total" [ "$n1" = 50 ]
check "front page links page 2" grep -q 'href="/researchers?page=2"' "$BODY"
http GET '/researchers?page=2'
n2=$(grep -c '<li class="result">' "$BODY")
check "page 2 holds the rest ($n2 = $total - 50)" all '[ -n "$total" ] && [ "$n2" = $((total - 50)) ]'
check "page 2 links back to page 1" grep -q 'href="/researchers?page=1"' "$BODY"
grep -o 'href="/researchers/[^"?]*"' "$T_DIR/last.body" | sort >"$T_DIR/p2.names"
http GET /
grep -o 'href="/researchers/[^"?]*"' "$BODY" | sort >"$T_DIR/p1.names"
check "pages 1 and 2 share no name" bash -c "[ -z \"\$(comm -12 '$T_DIR/p1.names' '$T_DIR/p2.names')\" ]"
http GET '/researchers?page=99'
check "a page past the end says so and links back" bash -c "grep -qF 'on page 99' '$BODY' && grep -q 'href=\"/researchers?page=2\"' '$BODY'"
http GET '/researchers?page=x'
check "a bad page number answers 400" [ "$STATUS" = 400 ]

# ---- published work: pages, links, sorting ---------------------------------------------
http GET /researchers/ada-prolific
check "a long profile shows 20 works" [ "$(grep -c '<li class="work">' "$BODY")" = 20 ]
check "a long profile offers Show more (works page 2)" grep -q 'href="/researchers/ada-prolific/works?page=2">Show more<' "$BODY"
check "profile links the oldest-first list" grep -q 'href="/researchers/ada-prolific/works?sort=oldest"' "$BODY"
http GET /researchers/ada-prolific/works
check "works page answers 200" [ "$STATUS" = 200 ]
check "works page 1: 20 works, 1–20 of 45, newest first" bash -c "
	[ \$(grep -c '<li class=\"work\">' '$BODY') = 20 ] && grep -qF '1–20 of 45' '$BODY'"
check "works page 1 starts with 2024" bash -c "grep -o '<span class=\"tag\">[0-9]*</span>' '$BODY' | head -n1 | grep -q 2024"
check "works page links the next page" grep -q 'href="/researchers/ada-prolific/works?page=2"' "$BODY"
check "a work links to its DOI" grep -q '<a href="https://doi.org/10.1234/abc_def" rel="noopener">Linked by DOI: a study</a>' "$BODY"
check "a work links to its http landing page, & escaped" grep -q '<a href="http://example.org/paper?id=1&amp;x=2" rel="noopener">Linked by landing page</a>' "$BODY"
check "a DOI that is not a web address gives way to the landing page" grep -q '<a href="https://example.org/landing" rel="noopener">' "$BODY"
check "never a javascript:, data: or ftp: link" bash -c "! grep -qiE 'href=\" *(javascript|data|ftp):' '$BODY' && ! grep -q 'bad.example' '$BODY'"
check "unlinked titles stay text" grep -q '<h3 class="work-title">Never a javascript link</h3>' "$BODY"
http GET '/researchers/ada-prolific/works?page=3'
check "works page 3: the last 5, undated last" bash -c "
	[ \$(grep -c '<li class=\"work\">' '$BODY') = 5 ] && grep -qF '41–45 of 45' '$BODY' &&
	grep -o 'class=\"work-title\">[^<]*' '$BODY' | tail -n1 | grep -q 'Undated note two'"
check "works page 3 has no next link" bash -c "! grep -q 'rel=\"next\"' '$BODY'"
http GET '/researchers/ada-prolific/works?sort=oldest'
check "oldest first: starts with 1990" bash -c "grep -o '<span class=\"tag\">[0-9]*</span>' '$BODY' | head -n1 | grep -q 1990"
check "oldest first: years never go down on the page" bash -c "grep -o '<span class=\"tag\">[0-9]*</span>' '$BODY' | grep -o '[0-9]*' | sort -n -c"
check "oldest first: pages keep the order" grep -q 'href="/researchers/ada-prolific/works?sort=oldest&amp;page=2"' "$BODY"
check "oldest first marks the current order" grep -q 'aria-current="true">Oldest first<' "$BODY"
http GET '/researchers/ada-prolific/works?sort=oldest&page=3'
check "oldest first, page 3: undated works last" bash -c "
	grep -o 'class=\"work-title\">[^<]*' '$BODY' | tail -n2 | head -n1 | grep -q 'Undated note one' &&
	grep -o 'class=\"work-title\">[^<]*' '$BODY' | tail -n1 | grep -q 'Undated note two'"
http GET '/researchers/ada-prolific/works?page=4'
check "a works page past the end answers 200 and says so" bash -c "[ '$STATUS' = 200 ] && grep -qF 'There is no page 4.' '$BODY'"
http GET '/researchers/ada-prolific/works?sort=random'
check "an unknown sort order answers 400" [ "$STATUS" = 400 ]
http GET '/researchers/ada-prolific/works?page=1x'
check "a bad works page number answers 400" [ "$STATUS" = 400 ]
http GET /researchers/sanjeev-arora/works
check "works of the sample profile: 13, no pager" bash -c "[ \$(grep -c '<li class=\"work\">' '$BODY') = 13 ] && ! grep -q 'class=\"pager\"' '$BODY'"

# ---- {slug}.json ------------------------------------------------------------------------
http GET /researchers/sanjeev-arora.json
check "profile JSON answers 200 as application/json" all '[ "$STATUS" = 200 ] && [ "$(header Content-Type)" = application/json ]'
check "profile JSON is CORS-readable" [ "$(header Access-Control-Allow-Origin)" = "*" ]
check "profile JSON has the profile's figures and states" py '
import sys, json
d = json.load(open(sys.argv[1]))
assert d["id"] == "A5000000001" and d["slug"] == "sanjeev-arora" and d["name"] == "Sanjeev Arora"
assert d["orcid"] is None and d["institution"] is None
assert d["figures"] == {"works": 13, "followers": 0, "topics": 6, "close_collaborators": 4, "coauthors": 22,
                       "citations": 0, "h_index": 0, "i10_index": 0}, d["figures"]
assert d["openalex_figures"] is None and d["institutions"] == [] and d["counts_by_year"] == []
assert d["trust"] == {"score": 21, "band": "Emerging"}
assert d["verification_level"] == 1 and d["claim"] == "unclaimed"
assert len(d["works"]) == 13 and len(d["coauthors"]) == 22 and len(d["topics"]) == 6
w = [w for w in d["works"] if w["id"] == "W9000000003"][0]
assert w["year"] == 2022 and w["type"] == "preprint" and w["venue"] == "arXiv"
assert [a["name"] for a in w["authors"]] == ["Zhiyuan Li", "Tianhao Wang", "Jason Lee", "Sanjeev Arora"]
assert w["authors"][0]["slug"] == "zhiyuan-li" and w["abstract"].startswith("As part of the effort")
assert [x["year"] for x in d["works"]] == sorted([x["year"] for x in d["works"]], reverse=True)
assert sum(1 for c in d["coauthors"] if c["close"]) == 4
'
etag=$(header ETag)
http GET /researchers/sanjeev-arora.json -H "If-None-Match: $etag"
check "profile JSON answers 304 to its ETag" all '[ "$STATUS" = 304 ] && [ -n "$etag" ]'
http HEAD /researchers/sanjeev-arora.json -I
check "HEAD on the JSON: 200, no body" all '[ "$STATUS" = 200 ] && ! grep -q works "$BODY"'
http GET /researchers/gregoire-levy.json
check "hostile JSON parses and keeps the strings" py '
import sys, json
raw = open(sys.argv[1]).read()
assert "<" not in raw and ">" not in raw
d = json.loads(raw)
t = [w["title"] for w in d["works"]]
assert "<script>alert(1)</script> & \"quotes\" '"'"'single'"'"'" in t, t
assert d["works"][0]["landing_url"] == "javascript:alert(2)" and d["works"][0]["url"] is None
'
http GET /researchers/ada-prolific.json
check "JSON gives ORCID, institution, DOI and undated works" py '
import sys, json
d = json.load(open(sys.argv[1]))
assert d["orcid"] == "0000-0002-1825-0097"
assert d["institution"] == "Institute of <Hostile> & \"Quoted\" Studies"
w = [w for w in d["works"] if w["title"] == "Linked by DOI: a study"][0]
assert w["doi"] == "https://doi.org/10.1234/abc_def" and w["url"] == w["doi"]
assert [w["year"] for w in d["works"]][-2:] == [None, None]
assert len(d["works"]) == 45
'

# ---- works.atom --------------------------------------------------------------------------
http GET /researchers/sanjeev-arora/works.atom
check "Atom feed answers 200 as application/atom+xml" all '[ "$STATUS" = 200 ] && [ "$(header Content-Type)" = "application/atom+xml; charset=utf-8" ]'
check "Atom feed is valid Atom 1.0 (RFC 4287 required elements), newest first" py '
import sys, re, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
f = ET.parse(sys.argv[1]).getroot()
assert f.tag == A + "feed"
for t in ("id", "title", "updated"):
    assert len(f.findall(A + t)) == 1, t
assert f.find(A + "author/" + A + "name").text == "Sanjeev Arora"
assert rfc3339.match(f.find(A + "updated").text)
self = [l for l in f.findall(A + "link") if l.get("rel") == "self"]
assert self and self[0].get("href").endswith("/researchers/sanjeev-arora/works.atom")
assert self[0].get("href").startswith("http://127.0.0.1:" + sys.argv[2] + "/"), self[0].get("href")
es = f.findall(A + "entry")
assert len(es) == 13, len(es)
ids = [e.find(A + "id").text for e in es]
assert len(set(ids)) == 13 and all(re.match(r"^https://openalex\.org/W\d+$", i) for i in ids)
years = []
for e in es:
    assert e.find(A + "title").text
    assert e.find(A + "updated").text == f.find(A + "updated").text
    assert any(l.get("rel") == "alternate" and l.get("href", "").startswith("https://") for l in e.findall(A + "link"))
    assert e.findall(A + "author")
    years.append(int(e.find(A + "published").text[:4]))
assert years == sorted(years, reverse=True), years
assert ids[2] == "https://openalex.org/W9000000003"
' "$PORT"
http GET /researchers/gregoire-levy/works.atom
check "hostile Atom feed is well-formed and keeps the strings" py '
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
f = ET.parse(sys.argv[1]).getroot()
t = [e.find(A + "title").text for e in f.findall(A + "entry")]
assert "<script>alert(1)</script> & \"quotes\" '"'"'single'"'"'" in t, t
links = [l.get("href") for e in f.findall(A + "entry") for l in e.findall(A + "link")]
assert not any(h.startswith("javascript:") for h in links), links
'
http GET /researchers/ada-prolific/works.atom
check "Atom links a work to its DOI or landing page" bash -c "grep -qF 'href=\"https://doi.org/10.1234/abc_def\"' '$BODY' && grep -qF 'href=\"http://example.org/paper?id=1&amp;x=2\"' '$BODY'"

# ---- works.bib ---------------------------------------------------------------------------
# bib_entries: the entries of a .bib as (type, key, fields text), braces counted
# the way BibTeX counts them (every brace, escaped or not).
BIBPY='
import sys, re
def entries(s):
    out, i = [], 0
    while True:
        i = s.find("@", i)
        if i < 0: return out
        m = re.compile(r"@([a-z]+)\{([^,\s{}]+),").match(s, i)
        assert m, s[i:i+60]
        d, j = 1, m.end()
        while d:
            assert j < len(s), "unbalanced entry " + m.group(2)
            d += {"{": 1, "}": -1}.get(s[j], 0)
            j += 1
        out.append((m.group(1), m.group(2), s[m.end():j-1]))
        i = j
'
http GET /researchers/sanjeev-arora/works.bib
check "BibTeX answers 200 as application/x-bibtex" all '[ "$STATUS" = 200 ] && [ "$(header Content-Type)" = "application/x-bibtex; charset=utf-8" ]'
check "BibTeX: 13 entries, braces balanced, unique stable keys" py "$BIBPY"'
s = open(sys.argv[1]).read()
e = entries(s)
assert len(e) == 13, len(e)
keys = [k for _, k, _ in e]
assert len(set(keys)) == 13
assert all(re.match(r"^[a-z]+[0-9]{4}[a-z0-9]*(-[a-z]+)?$", k) for k in keys), keys
assert "li2022implicit" in keys and "arora2026errors" in keys, keys
li = [f for _, k, f in e if k == "li2022implicit"][0]
assert "author = {Li, Zhiyuan and Wang, Tianhao and Lee, Jason and Arora, Sanjeev}" in li
assert "title = {{Implicit Bias of Gradient Descent on Reparametrized Models: On Equivalence to Mirror Descent}}" in li
assert "year = {2022}" in li
'
http GET /researchers/ada-prolific/works.bib
check "BibTeX: special characters escaped, braces from data never raw" py "$BIBPY"'
s = open(sys.argv[1]).read()
e = entries(s)
assert len(e) == 45, len(e)
b = [f for _, k, f in e if k == "prolific2021braces"][0]
assert r"Braces \textbraceleft{}unbalanced and 100\% of \$x\_1\$ \# \textasciitilde{} \textasciicircum{} \textbackslash{}end\textbraceleft{}document\textbraceright{} @misc\textbraceleft{}evil," in b, b
assert r"We show \textbraceleft{}\textbackslash{}em that\textbraceright{} 50\% \& \$\textbackslash{}mathcal\textbraceleft{}O\textbraceright{}(1)\$ \textbraceright{} holds." in b
assert "{Smith and Jones Lab}" in b
for _, k, f in e:
    body = re.sub(r"\\(textbraceleft|textbraceright|textasciitilde|textasciicircum|textbackslash)\{\}", "", f)
    body = re.sub(r"(doi|url) = \{[^{}]*\}", "", body)
    for c in "&%$#_":
        assert not re.search(r"(?<!\\)" + re.escape(c), body), (k, c)
    assert "~" not in body and "^" not in body, k
'
check "BibTeX: clashing keys get -a and -b in work-id order" py "$BIBPY"'
e = entries(open(sys.argv[1]).read())
keys = [k for _, k, _ in e]
assert "prolific2020sharp-a" in keys and "prolific2020sharp-b" in keys and "prolific2020sharp" not in keys, keys
a = [f for _, k, f in e if k == "prolific2020sharp-a"][0]
assert "Sharp bounds for prefix search" in a
'
check "BibTeX: entry types, DOI and URL fields" py "$BIBPY"'
e = {k: (t, f) for t, k, f in entries(open(sys.argv[1]).read())}
t, f = e["prolific2024linked"]
assert t == "article" and "doi = {10.1234/abc_def}" in f and "url = {https://doi.org/10.1234/abc_def}" in f, f
assert "journal = {Journal of Tests}" in f
t, f = e["prolific2022landing"]
assert t == "incollection" and "booktitle = {Handbook of Tests}" in f and "url = {https://example.org/landing}" in f
t, f = e["prolific2021braces"]
assert t == "misc" and "howpublished = {arXiv}" in f
assert not any(re.search(r"(url|doi) = \{ *(javascript|data|ftp):", f) for _, f in e.values())
assert not any("bad.example" in f for _, f in e.values())
'
check "BibTeX: a co-author written \"Li, Wei\" stays one name" grep -qF 'author = {Prolific, Ada and {Li, Wei}}' "$BODY"

# ---- the profile: JSON-LD, OpenGraph, canonical, alternates --------------------------------
http GET /researchers/sanjeev-arora
check "profile has a canonical link" grep -q '<link rel="canonical" href="/researchers/sanjeev-arora">' "$BODY"
check "profile has OpenGraph tags" bash -c "grep -q '<meta property=\"og:type\" content=\"profile\">' '$BODY' &&
	grep -q '<meta property=\"og:title\" content=\"Sanjeev Arora · Researcher profile\">' '$BODY' &&
	grep -q '<meta property=\"og:description\" content=\"Sanjeev Arora: researcher profile' '$BODY' &&
	grep -q '<meta property=\"og:site_name\" content=\"BZPEER\">' '$BODY'"
check "profile announces its Atom feed and JSON" bash -c "grep -q '<link rel=\"alternate\" type=\"application/atom+xml\" title=\"New works\" href=\"/researchers/sanjeev-arora/works.atom\">' '$BODY' &&
	grep -q '<link rel=\"alternate\" type=\"application/json\" href=\"/researchers/sanjeev-arora.json\">' '$BODY'"
check "profile JSON-LD: a ProfilePage whose mainEntity is the Person" py '
import sys, re, json
s = open(sys.argv[1]).read()
m = re.findall(r"<script type=\"application/ld\+json\">(.*?)</script>", s, re.S)
assert len(m) == 1
d = json.loads(m[0])
assert d["@context"] == "https://schema.org" and d["@type"] == "ProfilePage"
p = d["mainEntity"]
assert p["@type"] == "Person" and p["name"] == "Sanjeev Arora" and p["identifier"] == "A5000000001"
assert p["url"] == "/researchers/sanjeev-arora" == d["url"]
'
check "profile links its exports" bash -c "grep -q 'href=\"/researchers/sanjeev-arora/works.bib\"' '$BODY' && grep -q 'href=\"/researchers/sanjeev-arora.json\"' '$BODY'"
check "13 works: no Show more" bash -c "! grep -q '>Show more<' '$BODY'"
http GET /researchers/ada-prolific
check "JSON-LD with a hostile institution stays one script, parses, keeps the name" py '
import sys, re, json
s = open(sys.argv[1]).read()
m = re.findall(r"<script type=\"application/ld\+json\">(.*?)</script>", s, re.S)
assert len(m) == 1
d = json.loads(m[0])
assert [a["name"] for a in d["mainEntity"]["affiliation"]] == ["Institute of <Hostile> & \"Quoted\" Studies"]
assert d["mainEntity"]["sameAs"] == ["https://orcid.org/0000-0002-1825-0097"]
'
mslug=$(curl -s "$BASE/researchers?q=mal" | grep -o 'href="/researchers/mallory[^"]*"' | head -n1 | sed 's/href="//; s/"$//')
http GET "$mslug"
check "JSON-LD of a hostile name parses; no </script> or <img inside" py '
import sys, re, json
s = open(sys.argv[1]).read()
m = re.findall(r"<script type=\"application/ld\+json\">(.*?)</script>", s, re.S)
assert len(m) == 1 and "<" not in m[0]
assert json.loads(m[0])["mainEntity"]["name"].startswith("Mallory \"><img")
'
check "OpenGraph title of a hostile name is escaped" bash -c "grep -q '<meta property=\"og:title\" content=\"Mallory &#34;&gt;&lt;img' '$BODY'"

# ---- the optional follow script ---------------------------------------------------------
http GET /static/bzpeer.js
check "bzpeer.js served by nginx as JavaScript" all '[ "$STATUS" = 200 ] && grep -qiE "^Content-Type: (application|text)/javascript" "$HEADERS"'
check "bzpeer.js has no eval and no inline HTML" bash -c "! grep -qE 'eval\(|innerHTML|new Function' '$BODY'"
http GET /researchers/sanjeev-arora
check "pages load the script from /static, deferred" grep -q '^<script src="/static/bzpeer\.[0-9a-f]\{16\}\.js" defer></script>$' "$BODY"

finish
