#!/bin/bash
# The real OpenAlex records of tests/fixtures/openalex, imported as
# published, through nginx -> bzpeer-fcgi: every researcher's profile,
# works list (most cited first) and JSON against what
# tests/fixtures/openalex/expect.py computes from the JSON alone; the
# placeholder author has no profile; ids in every form answer 301.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || "$ROOT/tests/deps.sh" python3 >/dev/null

F="$ROOT/tests/fixtures/openalex"
stack_up \
	--authors "$F/authors-2022.jsonl" --authors "$F/authors-2023.jsonl" \
	--authors "$F/authors-2025.jsonl" --authors "$F/authors-2026.jsonl" \
	--works "$F/works-2021.jsonl" --works "$F/works-2022.jsonl" \
	--works "$F/works-2023.jsonl" --works "$F/works-2025.jsonl" \
	--works "$F/works-2026.jsonl"

check "every real line imported, none refused" grep -q ': 58 authors, 117 works, 0 bad lines,' "$T_DIR/import.log"

for c in author-works authors works; do
	python3 "$F/expect.py" "$c" >"$T_DIR/$c.jsonl"
done

# ---- every profile against expect.py ------------------------------------------------
python3 - "$BASE" "$T_DIR" >"$T_DIR/pages.out" 2>&1 <<'EOF'
import html, json, re, sys, urllib.error, urllib.request

base, tdir = sys.argv[1], sys.argv[2]
rows = lambda c: [json.loads(l) for l in open("%s/%s.jsonl" % (tdir, c))]
short = lambda i: i.rsplit("/", 1)[-1] if i else None
aw = {short(r["id"]): r for r in rows("author-works")}
authors = {short(r["id"]): r for r in rows("authors")}
bad = []

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
opener = urllib.request.build_opener(NoRedirect)

def get(path):
    try:
        r = opener.open(base + path)
        return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()

def cell(page, cls):
    m = re.search(r'<td class="%s">(\d+)</td>' % cls, page)
    return int(m.group(1)) if m else None

def text(page):
    return html.unescape(re.sub(r"<[^>]*>", " ", page))

pages = 0
for aid in sorted(set(aw) | set(authors)):
    st, h, _ = get("/researchers/" + aid)
    if aid == "A5317838346":           # OpenAlex's "Deleted Author"
        if st != 404:
            bad.append("%s: placeholder answers %s, not 404" % (aid, st))
        continue
    if st != 301:
        bad.append("%s: id answers %s" % (aid, st)); continue
    loc = h["Location"]
    st, _, page = get(loc)
    if st != 200:
        bad.append("%s: %s answers %s" % (aid, loc, st)); continue
    pages += 1
    t = re.sub(r"\s+", " ", text(page))
    w = aw.get(aid, {"works_in_fixture": 0, "citations": 0, "h_index": 0,
                     "i10_index": 0, "works": []})
    n = w["works_in_fixture"]
    if "%d published item(s)" % n not in t:
        bad.append("%s: not %d published items" % (aid, n))
    a = authors.get(aid)
    stats = a and a["summary_stats"]
    oa_known = a and (stats or a["cited_by_count"])
    if w["citations"] > 0 or oa_known:
        for cls, want in (("fig-cited", w["citations"]), ("fig-h", w["h_index"]),
                          ("fig-i10", w["i10_index"])):
            if cell(page, cls) != want:
                bad.append("%s: %s %s, want %s" % (aid, cls, cell(page, cls), want))
        if oa_known and cell(page, "fig-oa-cited") != (a["cited_by_count"] or 0):
            bad.append("%s: fig-oa-cited %s" % (aid, cell(page, "fig-oa-cited")))
        if oa_known and "OpenAlex: the author record's own figures" not in t:
            bad.append("%s: the page does not say which figures are OpenAlex's" % aid)
        if stats:
            for cls, want in (("fig-oa-h", stats["h_index"]),
                              ("fig-oa-i10", stats["i10_index"])):
                if cell(page, cls) != want:
                    bad.append("%s: %s %s, want %s" % (aid, cls, cell(page, cls), want))
    elif "fig-cited" in page:
        bad.append("%s: citation figures without citations" % aid)
    if a:
        if a["orcid"] and 'href="https://orcid.org/%s"' % a["orcid"] not in page:
            bad.append("%s: no ORCID link" % aid)
        named = [i for i in a["institutions"] if i["display_name"]]
        current = [i for i in named if i["from"] != "affiliations"]
        if named and "Affiliation not imported" in t:
            bad.append("%s: affiliation named, page says not imported" % aid)
        badges = [html.unescape(b) for b in
                  re.findall(r'<li class="badge badge-affiliation">(.*?)</li>', page)]
        for i in current:
            if i["display_name"] not in badges:
                bad.append("%s: no badge for %s" % (aid, i["display_name"]))
        for i in named:
            if i["from"] == "affiliations" and i["years"]:
                y = (str(min(i["years"])) if min(i["years"]) == max(i["years"])
                     else "%d\u2013%d" % (min(i["years"]), max(i["years"])))
                if i["display_name"] + " " + y not in t:
                    bad.append("%s: %s without its years %s" % (aid, i["display_name"], y))
    # Counts by year: the drawing's table holds the latest 20 years.
    if a and a["counts_by_year"] and (w["citations"] > 0 or oa_known):
        want = sorted({c["year"]: c for c in reversed(a["counts_by_year"])}.values(),
                      key=lambda c: c["year"])[-20:]
        got = [tuple(map(int, r)) for r in re.findall(
            r'<tr><th scope="row">(\d+)</th><td>(\d+)</td><td>(\d+)</td></tr>', page)]
        if got != [(c["year"], c["cited_by_count"], c["works_count"]) for c in want]:
            bad.append("%s: counts by year %s, want %s" % (aid, got[:3], want[:3]))
        svg = re.search(r'<svg class="by-year-svg".*?</svg>', page, re.S)
        try:
            import xml.dom.minidom
            d = xml.dom.minidom.parseString(svg.group(0))
            if len(d.getElementsByTagName("rect")) != 2 * len(want):
                bad.append("%s: %d bars for %d years" % (aid, len(d.getElementsByTagName("rect")), len(want)))
        except Exception as e:
            bad.append("%s: the drawing is not well-formed: %s" % (aid, e))
    # The works, most cited first, all pages.
    cites, p = [], 1
    while True:
        st, _, wp = get("/researchers/%s/works?sort=cited&page=%d" % (short(loc), p))
        if st != 200:
            bad.append("%s: works page %d answers %s" % (aid, p, st)); break
        items = wp.count('<li class="work')
        for m in re.finditer(r'<li class="work[^"]*">(.*?)</li>\n(?=<li class="work|</ol>)', wp, re.S):
            c = re.search(r"Cited by (\d+)", m.group(1))
            cites.append(int(c.group(1)) if c else 0)
        if items < 20:
            break
        p += 1
    want = sorted((x["cited_by_count"] or 0 for x in w["works"]), reverse=True)
    if cites != want:
        bad.append("%s: most cited first gives %s, want %s" % (aid, cites[:8], want[:8]))
    # The JSON: the same figures, each work's citations.
    st, _, js = get("/researchers/%s.json" % short(loc))
    d = json.loads(js)
    f = d["figures"]
    if (f["works"], f["citations"], f["h_index"], f["i10_index"]) != \
       (n, w["citations"], w["h_index"], w["i10_index"]):
        bad.append("%s: JSON figures %s" % (aid, f))
    if oa_known and d["openalex_figures"] != {"citations": a["cited_by_count"] or 0,
            "h_index": stats and stats["h_index"], "i10_index": stats and stats["i10_index"]}:
        bad.append("%s: JSON openalex_figures %s" % (aid, d["openalex_figures"]))
    byid = {short(x["id"]): x for x in w["works"]}
    for x in d["works"]:
        e = byid.get(x["id"])
        if e is None:
            bad.append("%s: JSON lists %s, not the author's" % (aid, x["id"])); continue
        if (x["cited_by_count"], x["publication_date"], x["oa_url"]) != \
           (e["cited_by_count"] or 0, e["publication_date"], e["oa_url"]):
            bad.append("%s: JSON work %s differs" % (aid, x["id"]))

for b in bad[:40]:
    print(b)
print("%d profiles, %d differences" % (pages, len(bad)))
sys.exit(1 if bad or pages < 200 else 0)
EOF
rc=$?
check "every profile, works list and JSON matches expect.py ($(tail -n1 "$T_DIR/pages.out"))" [ $rc = 0 ] ||
	cat "$T_DIR/pages.out"

# ---- what real records hold, one by one ------------------------------------------------
http GET /researchers/A5317838346
check "the placeholder \"Deleted Author\" has no profile" [ "$STATUS" = 404 ]
for form in a5023888391 https:%2F%2Fopenalex.org%2FA5023888391 https:%2F%2Fopenalex.org%2Fa5023888391; do
	http GET "/researchers/$form"
	check "the id as $form answers 301 to the slug URL" \
		eval '[ "$STATUS" = 301 ] && [ "$(header Location)" = /researchers/jason-priem-2 ]'
done
# Pasted as it is, slashes and all: browsers send it so.
for form in https://openalex.org/A5023888391 http://openalex.org/A5023888391 HTTPS://OpenAlex.org/a5023888391; do
	http GET "/researchers/$form" --path-as-is
	check "the id pasted as $form answers 301 to the slug URL" \
		eval '[ "$STATUS" = 301 ] && [ "$(header Location)" = /researchers/jason-priem-2 ]'
done
http GET /researchers/https://openalex.org/A5023888391/works?sort=cited --path-as-is
check "and with a page behind it, the query kept" \
	eval '[ "$STATUS" = 301 ] && [ "$(header Location)" = "/researchers/jason-priem-2/works?sort=cited" ]'
http GET /researchers/https://example.org/A5023888391 --path-as-is
check "another host's URL is no id: 400 as any empty segment" [ "$STATUS" = 400 ]
http GET /researchers/jason-priem-2
TEXT=$(visible)
check "Jason Priem: every current institution and the past ones with years" \
	eval 'grep -q "badge-affiliation\">OurResearch<" "$BODY" && grep -q "University of North Carolina at Chapel Hill <span class=\"meta\">2010–2014" "$BODY"'
check "the ORCID iD is a visible link" grep -q '<a class="orcid" href="https://orcid.org/0000-0001-6187-6610" rel="noopener">https://orcid.org/0000-0001-6187-6610</a>' "$BODY"
check "the sort links offer the most cited first" grep -q 'works?sort=cited">Most cited</a>' "$BODY"
check "the JSON-LD names the affiliation" grep -q '"affiliation":\[{"@type":"Organization","name":"OurResearch"}' "$BODY"

# W4234567890 is paratext with an unnamed author: on nobody's list.
slug_of() { "$BUILD/bzpeer-admin" --store "$STORE" dump | awk -v id="$1" '$1 == "researchers" && $2 == id { sub(/.*slug="/, ""); sub(/".*/, ""); print }'; }
check "the paratext work is in the store" bash -c "'$BUILD/bzpeer-admin' --store '$STORE' dump | grep -q '^works W4234567890 .* paratext'"
check "and on no researcher's list" bash -c "! '$BUILD/bzpeer-admin' --store '$STORE' dump | grep -q '^rworks .* W4234567890'"

# A MAG-era work (2021) with its abstract rebuilt from {IndexLength, InvertedIndex}.
wid=$(python3 -c '
import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["abstract_form"] == "IndexLength" and r["authors"] and r["authors"][0]["id"]:
        print(r["id"].rsplit("/",1)[-1], r["authors"][0]["id"].rsplit("/",1)[-1]); break' "$T_DIR/works.jsonl")
set -- $wid
abstract=$(python3 -c '
import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["id"].endswith("/" + sys.argv[2]): print(r["abstract"][:60])' "$T_DIR/works.jsonl" "$1")
http GET "/researchers/$2"
http GET "$(header Location).json"
check "a MAG-form abstract is imported and shown ($1)" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(w["id"]==sys.argv[2] and (w["abstract"] or "").startswith(sys.argv[3]) for w in d["works"]) else 1)' "$BODY" "$1" "$abstract"

# Authors OpenAlex could not tell apart keep their names on the work (in
# these records only on works without an author that has an id: in the
# store, on no page).
check "authors without an id keep their names on the work (W6885490810)" \
	bash -c "'$BUILD/bzpeer-admin' --store '$STORE' dump | grep '^works W6885490810 ' | grep -qF ':\"Mihai G Netea (15649)\"'"

# Untitled works say so, as Atom does.
python3 -c '
import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if not r["title"] and not r["display_name"]:
        for a in r["authors"]:
            if a["id"]: print(a["id"].rsplit("/",1)[-1]); sys.exit(0)' "$T_DIR/works.jsonl" >"$T_DIR/untitled"
if [ -s "$T_DIR/untitled" ]; then
	http GET "/researchers/$(cat "$T_DIR/untitled")"
	http GET "$(header Location)"
	check "an untitled work reads \"Untitled work\"" grep -q '<span class="untitled">Untitled work</span>' "$BODY"
fi

# The Atom feed: each entry published on its publication_date.
http GET /researchers/heather-a-piwowar/works.atom
check "Atom: published is the publication_date of every entry" python3 -c '
import json, sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
want = {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    if r["id"].endswith("/A1969205032"):
        want = {w["id"]: w["publication_date"] for w in r["works"]}
es = ET.parse(sys.argv[1]).getroot().findall(A + "entry")
assert len(es) == len(want) == 24, (len(es), len(want))
for e in es:
    assert e.find(A + "published").text == want[e.find(A + "id").text] + "T00:00:00Z", e.find(A + "id").text
' "$BODY" "$T_DIR/author-works.jsonl"

# BibTeX of real records: the old and the new type words give the same
# entry types, each with its venue in the field that type has.
python3 - "$BASE" "$T_DIR" >"$T_DIR/bib.out" 2>&1 <<'EOF'
import json, re, sys, urllib.request
base, tdir = sys.argv[1], sys.argv[2]
want = {"journal-article": ("article", "journal"), "article": ("article", "journal"),
        "proceedings-article": ("inproceedings", "booktitle"),
        "conference-paper": ("inproceedings", "booktitle"),
        "book-chapter": ("incollection", "booktitle"), "book": ("book", "publisher"),
        "dissertation": ("phdthesis", "school"), "posted-content": ("misc", "howpublished"),
        "preprint": ("misc", "howpublished"), "dataset": ("misc", "howpublished")}
seen, types, bad = set(), set(), []
for r in map(json.loads, open(tdir + "/author-works.jsonl")):
    if not r["works"]:
        continue
    aid = r["id"].rsplit("/", 1)[-1]
    slug = urllib.request.urlopen(base + "/researchers/" + aid).geturl().rsplit("/", 1)[-1]
    bib = urllib.request.urlopen(base + "/researchers/%s/works.bib" % slug).read().decode()
    entries = re.findall(r"@([a-z]+)\{[^,]+,(.*?)\n\}\n", bib, re.S)
    if len(entries) != len(r["works"]):
        bad.append("%s: %d entries for %d works" % (aid, len(entries), len(r["works"])))
    for w in r["works"]:
        t, doi = w["type"], w["doi_bare"]
        if t not in want or w["id"] in seen or not doi:
            continue
        got = [e for e in entries if "doi = {%s}" % doi in e[1]]
        if not got:
            bad.append("%s: no entry with doi %s" % (aid, doi))
            continue
        entry, field = want[t]
        if got[0][0] != entry or (w["venue"] and "\n  %s = {" % field not in got[0][1]):
            bad.append("%s: %s (%s) is @%s" % (aid, w["id"], t, got[0][0]))
        seen.add(w["id"])
        types.add(t)
for b in bad[:20]:
    print(b)
print("%d works checked, %d types, %d differences" % (len(seen), len(types), len(bad)))
sys.exit(1 if bad or len(types) < 5 else 0)
EOF
rc=$?
check "BibTeX entry types of real records, old and new vocabulary ($(tail -n1 "$T_DIR/bib.out"))" [ $rc = 0 ]

# RIS and CSL-JSON of every researcher with works against what expect.py
# computes from the JSON; the CSL-JSON also against the CSL schema.
python3 "$F/expect.py" citations >"$T_DIR/citations.jsonl"
python3 - "$BASE" "$T_DIR" "$ROOT/tests/fixtures/csl/csl-data.json" >"$T_DIR/cite.out" 2>&1 <<'EOF'
import json, re, sys, urllib.request
base, tdir, schema_path = sys.argv[1:4]
try:
    import jsonschema
    schema = json.load(open(schema_path))
except ImportError:
    jsonschema = None
squeeze = lambda s: re.sub(r"\s+", " ", s).strip()
bad, nris, ncsl = [], 0, 0

def spelled(parts):
    """A name as its parts spell it: given, family, suffix."""
    return squeeze(" ".join(p for p in parts if p))

def get(url):
    with urllib.request.urlopen(url) as r:
        return r.headers.get("Content-Type"), r.read()

for row in map(json.loads, open(tdir + "/citations.jsonl")):
    aid = row["id"].rsplit("/", 1)[-1]
    slug = urllib.request.urlopen(base + "/researchers/" + aid).geturl().rsplit("/", 1)[-1]
    ctype, body = get(base + "/researchers/%s/works.ris" % slug)
    if not ctype.startswith("application/x-research-info-systems"):
        bad.append("%s: RIS served as %s" % (aid, ctype))
    text = body.decode()
    if re.search(r"(?<!\r)\n|\r(?!\n)", text):
        bad.append("%s: a RIS line not ended by CR LF" % aid)
    recs = []
    for chunk in text.split("ER  - \r\n"):
        if not chunk.strip():
            continue
        rec = {}
        for line in chunk.strip("\r\n").split("\r\n"):
            m = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
            if not m:
                bad.append("%s: RIS line %r" % (aid, line[:60]))
                continue
            rec.setdefault(m.group(1), []).append(m.group(2))
        recs.append(rec)
    got = {r.get("ID", [""])[0]: r for r in recs}
    if len(recs) != len(row["ris"]) or len(got) != len(recs):
        bad.append("%s: %d RIS records for %d works" % (aid, len(recs), len(row["ris"])))
    # newest first: by year (the store's order within a year is its own)
    if recs and [r.get("PY") for r in recs] != [r.get("PY") for r in row["ris"]]:
        bad.append("%s: RIS records not newest first" % aid)
    for want in row["ris"]:
        g = got.get(want["ID"][0])
        if g is None:
            bad.append("%s: no RIS record %s" % (aid, want["ID"][0]))
            continue
        if list(g)[0] != "TY":
            bad.append("%s: %s does not start with TY" % (aid, want["ID"][0]))
        for tag, vals in want.items():
            gv = g.get(tag, [])
            if tag == "AU":
                # "Family, Given[, Suffix]" or the name whole
                gv = [spelled([p[1], p[0]] + p[2:]) if len(p) >= 2 else v
                      for v in gv for p in [v.split(", ")]]
                vals = [squeeze(v) for v in vals]
            if gv != vals:
                bad.append("%s: %s %s is %r, not %r" % (aid, want["ID"][0], tag, gv[:3], vals[:3]))
        extra = set(g) - set(want) - {"UR"}
        if extra:
            bad.append("%s: %s has %s" % (aid, want["ID"][0], sorted(extra)))
        nris += 1

    ctype, body = get(base + "/researchers/%s/works.csl.json" % slug)
    if ctype != "application/vnd.citationstyles.csl+json":
        bad.append("%s: CSL-JSON served as %s" % (aid, ctype))
    items = json.loads(body)
    if jsonschema is not None:
        for e in jsonschema.Draft7Validator(schema).iter_errors(items):
            bad.append("%s: CSL schema: %s at %s" % (aid, e.message[:80], list(e.path)))
    elif not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("id"), str) and isinstance(i.get("type"), str)
            for i in items):
        bad.append("%s: CSL-JSON items without id or type" % aid)
    byid = {i.get("id"): i for i in items}
    year = lambda i: (i.get("issued") or {}).get("date-parts", [[None]])[0][0]
    if [year(i) for i in items] != [year(c) for c in row["csl"]] or \
            sorted(byid) != sorted(c["id"] for c in row["csl"]):
        bad.append("%s: CSL items are not the works newest first" % aid)
    for want in row["csl"]:
        g = byid.get(want["id"])
        if g is None:
            continue
        names = [a["literal"] if "literal" in a else
                 spelled([a.get("given"), a.get("family"), a.get("suffix")])
                 for a in g.get("author", [])]
        if names != [squeeze(n) for n in want["author_names"]]:
            bad.append("%s: %s authors %r, not %r" % (aid, want["id"], names[:3], want["author_names"][:3]))
        for k, v in want.items():
            if k != "author_names" and g.get(k) != v:
                bad.append("%s: %s %s is %r, not %r" % (aid, want["id"], k, g.get(k), v))
        extra = set(g) - set(want) - {"author", "URL"}
        if extra:
            bad.append("%s: %s has %s" % (aid, want["id"], sorted(extra)))
        ncsl += 1
for b in bad[:20]:
    print(b)
print("%d RIS records, %d CSL items, %s, %d differences" % (
    nris, ncsl, "schema checked" if jsonschema else "no jsonschema: fields checked", len(bad)))
sys.exit(1 if bad or nris == 0 or nris != ncsl else 0)
EOF
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$T_DIR/cite.out"
check "RIS and CSL-JSON of real records match expect.py ($(tail -n1 "$T_DIR/cite.out"))" [ $rc = 0 ]

# Alternative names: on the profile ("Also published as", escaped), in
# the .json and the JSON-LD, as expect.py reads them from the author
# records: not blank, not the display name, each once, at most 10.
python3 - "$BASE" "$T_DIR" >"$T_DIR/alts.out" 2>&1 <<'EOF'
import html, json, re, sys, urllib.error, urllib.request
base, tdir = sys.argv[1], sys.argv[2]
bad, shown, capped = [], 0, 0
for a in map(json.loads, open(tdir + "/authors.jsonl")):
    aid = a["id"].rsplit("/", 1)[-1]
    want = []
    for n in a["display_name_alternatives"] or []:
        if isinstance(n, str) and n.strip(" ") and n.strip(" ") != a["display_name"] and n.strip(" ") not in want:
            want.append(n.strip(" "))
    capped += len(want) > 10
    want = want[:10]
    try:
        page = urllib.request.urlopen(base + "/researchers/" + aid).read().decode()
    except urllib.error.HTTPError:
        continue      # no profile (a placeholder)
    slug = re.search(r'<link rel="canonical" href="[^"]*/researchers/([^"]+)"', page).group(1)
    got = json.loads(urllib.request.urlopen(base + "/researchers/%s.json" % slug).read())
    if got["alternative_names"] != want:
        bad.append("%s: .json %r, not %r" % (aid, got["alternative_names"][:3], want[:3]))
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    if ld["mainEntity"].get("alternateName", []) != want:
        bad.append("%s: JSON-LD %r" % (aid, ld["mainEntity"].get("alternateName")))
    m = re.search(r'<p class="alt-names meta">Also published as (.*?)</p>', page)
    if bool(m) != bool(want):
        bad.append("%s: 'Also published as' %s" % (aid, "missing" if want else "shown for nothing"))
    elif m and m.group(1) != "; ".join('<span class="alt-name">%s</span>' % html.escape(n, quote=True).replace("&#x27;", "&#39;") for n in want):
        bad.append("%s: shown as %r" % (aid, m.group(1)[:120]))
    shown += bool(want)
for b in bad[:20]:
    print(b)
print("%d profiles with alternative names (%d over 10), %d differences" % (shown, capped, len(bad)))
sys.exit(1 if bad or shown == 0 or capped == 0 else 0)
EOF
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$T_DIR/alts.out"
check "alternative names on the profile, in .json and JSON-LD ($(tail -n1 "$T_DIR/alts.out"))" [ $rc = 0 ]

# Atom's updated is when the researcher's record or works last changed:
# the same files imported again leave it; a changed work of theirs moves
# it, and leaves it for a researcher not on that work.
feed_updated() {
	http GET "/researchers/$1/works.atom"
	python3 -c 'import sys, xml.etree.ElementTree as ET
print(ET.parse(sys.argv[1]).getroot().find("{http://www.w3.org/2005/Atom}updated").text)' "$BODY"
}
slug_of() { curl -s -o /dev/null -w '%{redirect_url}' "$BASE/researchers/$1" | sed 's|.*/||'; }
reimport() {
	"$BUILD/bzpeer-import" --store "$STORE" \
		--authors "$F/authors-2022.jsonl" --authors "$F/authors-2023.jsonl" \
		--authors "$F/authors-2025.jsonl" --authors "$F/authors-2026.jsonl" \
		--works "$F/works-2021.jsonl" --works "$F/works-2022.jsonl" \
		--works "$F/works-2023.jsonl" --works "$F/works-2025.jsonl" \
		--works "$F/works-2026.jsonl" "$@" >>"$T_DIR/reimport.log" 2>&1
}
S1=$(slug_of A1969205032)
# a researcher with works, none of them shared with A1969205032
OTHER=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
mine = {w["id"] for r in rows if r["id"].endswith("/A1969205032") for w in r["works"]}
for r in rows:
    if r["works"] and not mine & {w["id"] for w in r["works"]}:
        print(r["id"].rsplit("/", 1)[-1]); break' "$T_DIR/author-works.jsonl")
S2=$(slug_of "$OTHER")
u1=$(feed_updated "$S1"); o1=$(feed_updated "$S2")
# A second on the clock between the imports (change times are in seconds),
# and past the micro-cache: nginx counts its 1 s validity in whole seconds,
# so an anonymous answer can be served for up to 2 s.
sleep 2.1
reimport
check "the same data imported again" [ $? = 0 ]
u2=$(feed_updated "$S1"); o2=$(feed_updated "$S2")
check "Atom updated stays when the same data is imported again ($u1, $u2)" [ -n "$u1" -a "$u1" = "$u2" -a "$o1" = "$o2" ]
# one of A1969205032's works, its title changed, as a later file
python3 -c '
import json, sys
for f in sys.argv[1:]:       # the latest file first: its version is the one imported
    for l in open(f):
        w = json.loads(l)
        if any(((a.get("author") or {}).get("id") or "").endswith("/A1969205032") for a in w.get("authorships") or []):
            w["title"] = (w.get("title") or "") + " (corrected)"
            print(json.dumps(w)); sys.exit(0)' "$F/works-2026.jsonl" "$F/works-2025.jsonl" \
	"$F/works-2023.jsonl" "$F/works-2022.jsonl" "$F/works-2021.jsonl" >"$T_DIR/changed-work.jsonl"
check "a work of A1969205032 to change" [ -s "$T_DIR/changed-work.jsonl" ]
sleep 2.1   # as above
reimport --works "$T_DIR/changed-work.jsonl"
u3=$(feed_updated "$S1"); o3=$(feed_updated "$S2")
check "Atom updated moves when a work of theirs changed ($u2 -> $u3)" [ -n "$u3" -a "$u3" \> "$u2" ]
check "... and stays for a researcher not on that work ($OTHER)" [ -n "$o3" -a "$o3" = "$o2" ]

finish
