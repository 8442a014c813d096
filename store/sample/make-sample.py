#!/usr/bin/env python3
"""Build the BZPEER sample catalog (authors.jsonl, works.jsonl) from the seeds.

Standard library only. Usage, from anywhere:

    python3 store/sample/make-sample.py [--seed PATH_TO_SEED_000] [--check]

Without --check it (re)writes authors.jsonl and works.jsonl beside this file,
then verifies them. With --check it only verifies the files already there
against seed 000 and prints the derived figures (exit 1 on any mismatch).

The seed 000 text (the profile page) gives the 13 works of the sample
researcher: type, year, venue, title and abstract are parsed from it, never
typed in here. Authorships come from seeds 001 and 003 (tables below); topics
and all ids are sample data (see README.md beside this file).
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The seed profile page, as a visitor sees it (text), kept in the tree.
DEFAULT_SEED = os.path.join(REPO, "docs", "seeds", "000-profile.txt")

OA = "https://openalex.org/"
SEED_RESEARCHER = "Sanjeev Arora"

# ---------------------------------------------------------------- institutions
# Sample ids. Names as seed 003 writes them ("Princeton" for Jason Lee is the
# same institution as "Princeton University"; one institution record, one name).
PRINCETON = {"id": OA + "I9000000001", "display_name": "Princeton University",
             "country_code": "US", "type": "education"}
YALE = {"id": OA + "I9000000002", "display_name": "Yale University",
        "country_code": "US", "type": "education"}

# ------------------------------------------------------------------- authors
# Author records written to authors.jsonl, in id order. Everyone else named in
# an authorship below gets a sample id too, but no record: the importer makes
# them from the authorship alone (on purpose: see README.md).
AUTHOR_RECORDS = [
    ("Sanjeev Arora", []),                 # seed 000: "Affiliation not imported"
    ("Zhiyuan Li", [PRINCETON]),           # seed 003 Author Information
    ("Tianhao Wang", [YALE]),              # seed 003 Author Information
    ("Jason Lee", [PRINCETON]),            # seed 003 Author Information ("Princeton")
    ("Nikunj Umesh Saunshi", []),          # seeds 001/003, no affiliation stated
    ("Sham Kakade", []),                   # seeds 001/003, no affiliation stated
    ("Yi Zhang", []),                      # seeds 001/003, no affiliation stated
]

# ------------------------------------------------------------------- topics
DOMAIN = {"id": OA + "domains/3", "display_name": "Physical Sciences"}
FIELD = {"id": OA + "fields/17", "display_name": "Computer Science"}
SUB_AI = {"id": OA + "subfields/1702", "display_name": "Artificial Intelligence"}
SUB_IS = {"id": OA + "subfields/1710", "display_name": "Information Systems"}

TOPICS = {  # key: (sample id, name, subfield)
    "opt":  ("T90001", "Stochastic Gradient Optimization Techniques", SUB_AI),
    "gen":  ("T90002", "Generalization Theory of Deep Networks", SUB_AI),
    "rep":  ("T90003", "Representation and Contrastive Learning", SUB_AI),
    "priv": ("T90004", "Privacy-Preserving Machine Learning", SUB_IS),
    "rl":   ("T90005", "Reinforcement Learning and Imitation Learning", SUB_AI),
    "adv":  ("T90006", "Adversarial Robustness in Machine Learning", SUB_AI),
    # Only on co-authors' works, never on the seed researcher's:
    "lm":   ("T90007", "Transformer Language Models and Reasoning", SUB_AI),
    "ot":   ("T90008", "Optimal Transport and Generative Models", SUB_AI),
}

# ------------------------------------------- the 13 works of seed 000
# Keyed by the exact seed 000 title. Authors in published order.
SOLO = [SEED_RESEARCHER]
SEED_WORKS = {
    "When Errors Can Be Beneficial: A Categorization of Imperfect Rewards for Policy Gradient":
        (SOLO, [("rl", 0.99), ("opt", 0.81)]),
    "Understanding the Generalization Benefit of Normalization Layers: Sharpness Reduction":
        (SOLO, [("gen", 0.99), ("opt", 0.95)]),
    # seed 003 (and 001): the four authors
    "Implicit Bias of Gradient Descent on Reparametrized Models: On Equivalence to Mirror Descent":
        (["Zhiyuan Li", "Tianhao Wang", "Jason Lee", "Sanjeev Arora"], [("opt", 0.99)]),
    "On Predicting Generalization using GANs":
        (SOLO, [("gen", 0.99)]),
    # seeds 001 and 003
    "Understanding Contrastive Learning Requires Incorporating Inductive Biases":
        (["Nikunj Umesh Saunshi", "Jordan Ash", "Surbhi Goel", "Dipendra Kumar Misra",
          "Cyril Zhang", "Sanjeev Arora", "Sham Kakade", "Akshay Krishnamurthy"],
         [("rep", 0.99), ("gen", 0.83)]),
    "What Happens after SGD Reaches Zero Loss? --A Mathematical Framework":
        (SOLO, [("opt", 0.99), ("gen", 0.86)]),
    # seeds 001 and 003 (year 2020 there; seed 000's 2021 wins)
    "InstaHide: Instance-hiding Schemes for Private Distributed Learning":
        (["Yangsibo Huang", "Zhao Song", "Kai Li", "Sanjeev Arora"], [("priv", 0.99)]),
    "Rip van Winkle's Razor: A Simple Estimate of Overfit to Test Data":
        (SOLO, [("gen", 0.97)]),
    # seeds 001 and 003
    "A Sample Complexity Separation between Non-Convex and Convex Meta-Learning":
        (["Nikunj Umesh Saunshi", "Yi Zhang", "Mikhail Khodak", "Sanjeev Arora"],
         [("rep", 0.95), ("opt", 0.90)]),
    # seed 001 "(joint with Kuditipudi, Wang, Hu, Lee, Zhang, Li, Ge)", resolved
    # to the published author list
    "Explaining Landscape Connectivity of Low-cost Solutions for Multilayer Nets":
        (["Rohith Kuditipudi", "Xiang Wang", "Holden Lee", "Yi Zhang", "Zhiyuan Li",
          "Wei Hu", "Sanjeev Arora", "Rong Ge"], [("opt", 0.98), ("gen", 0.80)]),
    "Over-parameterized Adversarial Training: An Analysis Overcoming the Curse of Dimensionality":
        (SOLO, [("adv", 0.99), ("opt", 0.85)]),
    "Privacy-preserving Learning via Deep Net Pruning":
        (SOLO, [("priv", 0.99)]),
    # seeds 001 and 003
    "Provable Representation Learning for Imitation Learning via Bi-level Optimization":
        (["Sanjeev Arora", "Simon Du", "Sham Kakade", "Yuping Luo", "Nikunj Umesh Saunshi"],
         [("rl", 0.97), ("rep", 0.95)]),
}

# ------------------------------- co-authors' other works (seed 003 only)
# Rows of seed 003 "More from the Same Authors" whose author list does not
# contain Sanjeev Arora; Poster/Spotlight/Oral repeats folded into one work.
# (Every such row of seed 001 contains Sanjeev Arora, so none come from 001.)
# (year, title, authors, topics). Venue, DOI, abstract: not stated -> null.
OTHER_WORKS = [
    (2023, "The Marginal Value of Momentum for Small Learning Rate SGD",
     ["Runzhe Wang", "Sadhika Malladi", "Tianhao Wang", "Kaifeng Lyu", "Zhiyuan Li"],
     [("opt", 0.99)]),
    (2023, "Sharpness Minimization Algorithms Do Not Only Minimize Sharpness To Achieve Better Generalization",
     ["Kaiyue Wen", "Tengyu Ma", "Zhiyuan Li"], [("gen", 0.99), ("opt", 0.90)]),
    (2023, "Chain of Thought Empowers Transformers to Solve Inherently Serial Problems",
     ["Zhiyuan Li", "Hong Liu", "Denny Zhou", "Tengyu Ma"], [("lm", 0.99)]),
    (2023, "Cooperative Multi-Agent Reinforcement Learning: Asynchronous Communication and Linear Function Approximation",
     ["Yifei Min", "Jiafan He", "Tianhao Wang", "Quanquan Gu"], [("rl", 0.99)]),
    (2022, "Learning Stochastic Shortest Path with Linear Function Approximation",
     ["Yifei Min", "Jiafan He", "Tianhao Wang", "Quanquan Gu"], [("rl", 0.99)]),
    (2022, "Robust Training of Neural Networks Using Scale Invariant Architectures",
     ["Zhiyuan Li", "Srinadh Bhojanapalli", "Manzil Zaheer", "Sashank Jakkam Reddi", "Sanjiv Kumar"],
     [("opt", 0.98)]),
    (2021, "Label Noise SGD Provably Prefers Flat Global Minimizers",
     ["Alex Damian", "Tengyu Ma", "Jason Lee"], [("opt", 0.99), ("gen", 0.88)]),
    (2021, "A Short Note on the Relationship of Information Gain and Eluder Dimension",
     ["Kaixuan Huang", "Sham Kakade", "Jason Lee", "Qi Lei"], [("rl", 0.96)]),
    (2021, "Near-Optimal Linear Regression under Distribution Shift",
     ["Qi Lei", "Wei Hu", "Jason Lee"], [("gen", 0.95)]),
    (2021, "A Theory of Label Propagation for Subpopulation Shift",
     ["Tianle Cai", "Ruiqi Gao", "Jason Lee", "Qi Lei"], [("gen", 0.94), ("rep", 0.80)]),
    (2021, "How Important is the Train-Validation Split in Meta-Learning?",
     ["Yu Bai", "Minshuo Chen", "Pan Zhou", "Tuo Zhao", "Jason Lee", "Sham Kakade",
      "Huan Wang", "Caiming Xiong"], [("rep", 0.93), ("gen", 0.85)]),
    (2021, "Bilinear Classes: A Structural Framework for Provable Generalization in RL",
     ["Simon Du", "Sham Kakade", "Jason Lee", "Shachar Lovett", "Gaurav Mahajan",
      "Wen Sun", "Ruosong Wang"], [("rl", 0.99)]),
    (2021, "Risk Bounds and Rademacher Complexity in Batch Reinforcement Learning",
     ["Yaqi Duan", "Chi Jin", "Zhiyuan Li"], [("rl", 0.98), ("gen", 0.82)]),
    (2020, "SGD Learns One-Layer Networks in WGANs",
     ["Qi Lei", "Jason Lee", "Alexandros Dimakis", "Constantinos Daskalakis"],
     [("ot", 0.97), ("opt", 0.90)]),
    (2020, "Optimal transport mapping via input convex neural networks",
     ["Ashok Vardhan Makkuva", "Amirhossein Taghvaei", "Sewoong Oh", "Jason Lee"],
     [("ot", 0.99)]),
    (2018, "Continuous and Discrete-time Accelerated Stochastic Mirror Descent for Strongly Convex Functions",
     ["Pan Xu", "Tianhao Wang", "Quanquan Gu"], [("opt", 0.99)]),
]


# ------------------------------------------------------------------ helpers
def parse_seed_000(path):
    """Return [(type, year, venue, title, abstract)] from the profile page."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = None
    for i, line in enumerate(lines):
        m = re.fullmatch(r"(\d+) published item\(s\)", line)
        if m:
            start, expect = i + 1, int(m.group(1))
            break
    if start is None:
        sys.exit("seed 000: no 'N published item(s)' line")
    body = [l for l in lines[start:] if l != ""]
    if len(body) != 3 * expect:
        sys.exit("seed 000: expected %d works in 3-line blocks, got %d lines" % (expect, len(body)))
    out = []
    for k in range(expect):
        meta, title, abstract = body[3 * k: 3 * k + 3]
        m = re.fullmatch(r"([a-z-]+?)(\d{4})(.+)", meta)
        if not m:
            sys.exit("seed 000: bad meta line %r" % meta)
        out.append((m.group(1), int(m.group(2)), m.group(3), title, abstract))
    return out


def check_abstract_text(title, text):
    bad = []
    if "  " in text:
        bad.append("double space")
    if re.search(r"[\t\r\n\v\f]", text):
        bad.append("tab/newline")
    if text != text.strip(" "):
        bad.append("leading/trailing space")
    if bad:
        print("WARNING: abstract of %r has %s: the inverted index cannot rebuild it exactly"
              % (title, ", ".join(bad)), file=sys.stderr)
    return not bad


def invert(text):
    idx = {}
    for pos, word in enumerate(text.split(" ")):
        idx.setdefault(word, []).append(pos)
    return idx


def rebuild(idx):
    if idx is None:
        return None
    slots = {}
    for word, positions in idx.items():
        for p in positions:
            if p in slots:
                raise ValueError("position %d used twice" % p)
            slots[p] = word
    n = len(slots)
    if sorted(slots) != list(range(n)):
        raise ValueError("positions not 0..n-1")
    return " ".join(slots[p] for p in range(n))


def topic_obj(key, score):
    tid, name, sub = TOPICS[key]
    return {"id": OA + tid, "display_name": name, "score": score,
            "subfield": sub, "field": FIELD, "domain": DOMAIN}


def authorships(names, ids):
    out = []
    for i, name in enumerate(names):
        pos = "first" if i == 0 else ("last" if i == len(names) - 1 else "middle")
        out.append({"author_position": pos,
                    "author": {"id": OA + ids[name], "display_name": name, "orcid": None},
                    "institutions": []})
    return out


def work_obj(wid, title, year, wtype, venue, names, topics, abstract, ids):
    return {
        "id": OA + wid,
        "doi": None,
        "title": title,
        "display_name": title,
        "publication_year": year,
        "type": wtype,
        "primary_location": {
            "source": {"display_name": venue} if venue else None,
            "landing_page_url": None,
        },
        "authorships": authorships(names, ids),
        "topics": [topic_obj(k, s) for k, s in topics],
        "abstract_inverted_index": invert(abstract) if abstract is not None else None,
    }


def dump(path, objs):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for o in objs:
            f.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")


# ------------------------------------------------------------------ build
def build(seed):
    items = parse_seed_000(seed)
    titles = [t for _, _, _, t, _ in items]
    if sorted(titles) != sorted(SEED_WORKS):
        missing = set(SEED_WORKS) ^ set(titles)
        sys.exit("seed 000 titles and SEED_WORKS differ: %r" % sorted(missing))

    # Sample author ids: records first, then everyone else in order of appearance.
    ids = {}
    def give(name):
        if name not in ids:
            ids[name] = "A%010d" % (5000000001 + len(ids))
    for name, _ in AUTHOR_RECORDS:
        give(name)
    for t in titles:
        for n in SEED_WORKS[t][0]:
            give(n)
    for _, _, names, _ in OTHER_WORKS:
        for n in names:
            give(n)

    works = []
    seq = 0
    for wtype, year, venue, title, abstract in items:
        seq += 1
        check_abstract_text(title, abstract)
        names, topics = SEED_WORKS[title]
        works.append(work_obj("W%010d" % (9000000000 + seq), title, year, wtype, venue,
                              names, topics, abstract, ids))
    for year, title, names, topics in OTHER_WORKS:
        if SEED_RESEARCHER in names:
            sys.exit("OTHER_WORKS must not include %s: %r" % (SEED_RESEARCHER, title))
        seq += 1
        works.append(work_obj("W%010d" % (9000000000 + seq), title, year, "article", None,
                              names, topics, None, ids))

    counts = {}
    for w in works:
        for a in w["authorships"]:
            counts[a["author"]["display_name"]] = counts.get(a["author"]["display_name"], 0) + 1
    authors = []
    for name, insts in AUTHOR_RECORDS:
        authors.append({
            "id": OA + ids[name],
            "display_name": name,
            "orcid": None,
            "last_known_institutions": insts,
            "works_count": counts.get(name, 0),
            "cited_by_count": 0,
            "display_name_alternatives": [],
        })
    dump(os.path.join(HERE, "works.jsonl"), works)
    dump(os.path.join(HERE, "authors.jsonl"), authors)


# ------------------------------------------------------------------ check
def load(path):
    out = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.decode("utf-8")
            if not line.endswith("\n") or line.strip() == "":
                raise SystemExit("%s:%d: not one JSON object per line" % (path, n))
            out.append(json.loads(line))
    return out


def figures(works, author_id):
    mine = [w for w in works if any(a["author"]["id"] == author_id for a in w["authorships"])]
    topics = {t["id"]: t["display_name"] for w in mine for t in w["topics"]}
    shared = {}
    names = {}
    for w in mine:
        for a in {a["author"]["id"]: a for a in w["authorships"]}.values():
            if a["author"]["id"] != author_id:
                shared[a["author"]["id"]] = shared.get(a["author"]["id"], 0) + 1
                names[a["author"]["id"]] = a["author"]["display_name"]
    close = {k: v for k, v in shared.items() if v >= 2}
    return mine, topics, shared, close, names


def trust(level, works, close, topics, claimed=False):
    t = 10 * level + min(25, works // 2) + min(15, close) + min(5, topics // 5) + (25 if claimed else 0)
    band = ("New" if t < 10 else "Emerging" if t < 30 else "Established" if t < 50
            else "Trusted" if t < 70 else "Highly trusted")
    return t, band


def check(seed):
    ok = True
    def fail(msg):
        nonlocal ok
        ok = False
        print("FAIL: " + msg)

    works = load(os.path.join(HERE, "works.jsonl"))
    authors = load(os.path.join(HERE, "authors.jsonl"))
    items = parse_seed_000(seed)
    by_title = {w["title"]: w for w in works}

    wid_re = re.compile(r"https://openalex\.org/W\d{10}")
    aid_re = re.compile(r"https://openalex\.org/A\d{10}")
    tid_re = re.compile(r"https://openalex\.org/T\d{5}")
    if len({w["id"] for w in works}) != len(works):
        fail("duplicate work ids")
    if len({w["title"].casefold() for w in works}) != len(works):
        fail("duplicate work titles")
    aname = {}
    for w in works:
        if not wid_re.fullmatch(w["id"]):
            fail("bad work id %r" % w["id"])
        if w["title"] != w["display_name"]:
            fail("title != display_name: %r" % w["title"])
        if w["doi"] is not None:
            fail("doi set on %r" % w["title"])
        for a in w["authorships"]:
            if not aid_re.fullmatch(a["author"]["id"]):
                fail("bad author id %r" % a["author"]["id"])
            if aname.setdefault(a["author"]["id"], a["author"]["display_name"]) != a["author"]["display_name"]:
                fail("author id %s has two names" % a["author"]["id"])
        pos = [a["author_position"] for a in w["authorships"]]
        if pos and (pos[0] != "first" or (len(pos) > 1 and pos[-1] != "last")
                    or any(p != "middle" for p in pos[1:-1])):
            fail("author positions of %r: %r" % (w["title"], pos))
        for t in w["topics"]:
            if not tid_re.fullmatch(t["id"]):
                fail("bad topic id %r" % t["id"])
            for k in ("subfield", "field", "domain"):
                if not t.get(k, {}).get("id") or not t[k].get("display_name"):
                    fail("topic %s lacks %s" % (t["id"], k))
    for a in authors:
        if not aid_re.fullmatch(a["id"]):
            fail("bad author record id %r" % a["id"])
        if a["id"] in aname and aname[a["id"]] != a["display_name"]:
            fail("author record %s named differently in authorships" % a["id"])

    arora = [a for a in authors if a["display_name"] == SEED_RESEARCHER]
    if len(arora) != 1:
        fail("need exactly one author record for %s" % SEED_RESEARCHER)
        return False
    arora = arora[0]
    if arora["last_known_institutions"] or arora["orcid"] is not None:
        fail("%s must have no institutions and no ORCID" % SEED_RESEARCHER)

    # The 13 works, field by field against seed 000.
    rebuilt_ok = 0
    for wtype, year, venue, title, abstract in items:
        w = by_title.get(title)
        if w is None:
            fail("seed work missing: %r" % title)
            continue
        if w["type"] != wtype or w["publication_year"] != year:
            fail("type/year of %r" % title)
        src = (w["primary_location"] or {}).get("source") or {}
        if src.get("display_name") != venue:
            fail("venue of %r" % title)
        if rebuild(w["abstract_inverted_index"]) != abstract:
            fail("abstract of %r does not rebuild byte for byte" % title)
        else:
            rebuilt_ok += 1
    print("abstracts rebuilt byte-for-byte from the inverted index: %d/%d" % (rebuilt_ok, len(items)))

    mine, topics, shared, close, names = figures(works, arora["id"])
    if sorted(w["title"] for w in mine) != sorted(t for _, _, _, t, _ in items):
        fail("%s's works are not exactly the works of seed 000" % SEED_RESEARCHER)
    t, band = trust(1, len(mine), len(close), len(topics))
    print("%s (%s): works %d, topics %d, close collaborators %d, trust %d - %s"
          % (SEED_RESEARCHER, arora["id"].rsplit("/", 1)[1], len(mine), len(topics), len(close), t, band))
    print("  topics: " + "; ".join(sorted(topics.values())))
    print("  co-authors by shared works:")
    for aid, n in sorted(shared.items(), key=lambda kv: (-kv[1], names[kv[0]])):
        print("    %d  %s (%s)%s" % (n, names[aid], aid.rsplit("/", 1)[1], "  <- close" if n >= 2 else ""))
    if (len(mine), len(topics), len(close), t, band) != (13, 6, 4, 21, "Emerging"):
        fail("sample profile figures differ from seed 000 (13 works, 6 topics, 4 close, 21 Emerging)")

    print("other researchers with their own works:")
    rec = {a["id"]: a for a in authors}
    allids = sorted({a["author"]["id"] for w in works for a in w["authorships"]})
    for aid in allids:
        m, tp, sh, cl, _ = figures(works, aid)
        if aid == arora["id"] or (aid not in rec and len(m) < 3):
            continue
        tt, bb = trust(1, len(m), len(cl), len(tp))
        a = rec.get(aid)
        inst = a["last_known_institutions"][0]["display_name"] if a and a["last_known_institutions"] else "-"
        print("  %-22s %s works %2d topics %d close %d trust %d - %s; institution %s; %s"
              % (aname[aid], aid.rsplit("/", 1)[1], len(m), len(tp), len(cl), tt, bb, inst,
                 "author record" if a else "authorships only"))
        if a and a["works_count"] != len(m):
            fail("works_count of %s" % aname[aid])
    print("%d authors records, %d works, %d distinct authors in authorships, %d topics"
          % (len(authors), len(works), len(allids),
             len({t["id"] for w in works for t in w["topics"]})))
    print("OK" if ok else "FAILED")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", default=DEFAULT_SEED, help="path of seed 000 (the profile page)")
    ap.add_argument("--check", action="store_true", help="only verify the files beside this script")
    args = ap.parse_args()
    if not args.check:
        build(args.seed)
    sys.exit(0 if check(args.seed) else 1)


if __name__ == "__main__":
    main()
