#!/usr/bin/env python3
# bench-works.py: synthetic OpenAlex-shaped works for timing bzpeer-import (standard library only).
#
#   python3 store/bench-works.py 200000 > /tmp/works.jsonl      # about 6.7 KB a line
#   python3 store/bench-works.py 200000 --lean > /tmp/lean.jsonl # no references, no institutions
#   build/bzpeer-import --store /tmp/bench --works /tmp/works.jsonl
#
# Lines carry the members bzpeer-import ignores too (referenced_works, counts_by_year,
# institutions, topic hierarchy), as real snapshot lines do. Deterministic (seeded).
import json
import random
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    lean = "--lean" in sys.argv
    random.seed(7)
    pool = max(1, n // 3)
    oa = "https://openalex.org/"
    words = ["model", "learning", "data", "the", "of", "and", "gradient", "network", "theory",
             "we", "show", "that", "a", "in", "for", "with", "results", "method", "bound", "sample"]
    out = sys.stdout
    for i in range(1, n + 1):
        seen, auths = set(), []
        for _ in range(random.choice([1, 2, 2, 3, 3, 4, 4, 5, 6, 8, 12])):
            a = 5000000000 + int(random.paretovariate(1.2)) % pool
            if a in seen:
                continue
            seen.add(a)
            au = {"author_position": "middle",
                  "author": {"id": oa + "A%d" % a, "display_name": "Author %d Name" % a, "orcid": None},
                  "institutions": [], "is_corresponding": False, "raw_author_name": "A. Name"}
            if not lean:
                au["institutions"] = [{"id": oa + "I1", "display_name": "Some University",
                                       "ror": "https://ror.org/x", "country_code": "US",
                                       "type": "education", "lineage": [oa + "I1"]}]
                au["countries"] = ["US"]
                au["raw_affiliation_strings"] = ["Dept of X, Some University"]
            auths.append(au)
        topics = [{"id": oa + "T%d" % (10000 + random.randint(1, 4000)),
                   "display_name": "Topic name %d" % random.randint(1, 99), "score": 0.9,
                   "subfield": {"id": oa + "subfields/1702", "display_name": "Artificial Intelligence"},
                   "field": {"id": oa + "fields/17", "display_name": "Computer Science"},
                   "domain": {"id": oa + "domains/3", "display_name": "Physical Sciences"}}
                  for _ in range(3)]
        inv = {}
        for p in range(random.randint(80, 250)):
            inv.setdefault(random.choice(words) + str(random.randint(0, 300)), []).append(p)
        w = {"id": oa + "W%d" % (4000000000 + i), "doi": "https://doi.org/10.1234/x.%d" % i,
             "title": "Synthetic title number %d about learning" % i,
             "display_name": "Synthetic title number %d about learning" % i,
             "publication_year": random.randint(1990, 2025), "type": "article",
             "primary_location": {"is_oa": False, "landing_page_url": "https://example.org/%d" % i,
                                  "source": {"id": oa + "S1", "display_name": "Journal of Synthetic Results",
                                             "type": "journal"}},
             "authorships": auths, "topics": topics, "abstract_inverted_index": inv}
        if not lean:
            w["referenced_works"] = [oa + "W%d" % (4000000000 + random.randint(1, n))
                                     for _ in range(random.randint(5, 40))]
            w["related_works"] = [oa + "W%d" % (4000000000 + random.randint(1, n)) for _ in range(10)]
            w["counts_by_year"] = [{"year": 2020 + k, "cited_by_count": random.randint(0, 30)}
                                   for k in range(5)]
            w["cited_by_count"] = random.randint(0, 500)
        out.write(json.dumps(w, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
