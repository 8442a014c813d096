/*
 * gencat.c: a synthetic OpenAlex-shaped catalog for the scale benchmark
 * (`make bench-scale`): N researchers and 10*N works, as JSON Lines,
 * gzipped (level 1) or plain.
 *
 *   gencat N OUTDIR [--plain]   writes OUTDIR/authors.jsonl.gz, works.jsonl.gz
 *
 * Deterministic (a fixed xorshift seed): the same N gives the same bytes.
 * Ids never meet the sample catalog's: authors A6xxxxxxxxx, works
 * W7xxxxxxxxxx, topics T6xxxx, institutions I6xxxxxxxxx.
 *
 * Shape: work j's first author is researcher j/10; half the works have a
 * second author and a quarter a third, picked from the first author's
 * neighbourhood (the next 1..40 researchers), so co-authors share several
 * works and "close collaborators" exist; about 15 works per researcher on
 * average. Two topics per work from a pool of 4,500 (OpenAlex has about
 * that many), a year 1990-2025, a title of 6-12 words, an abstract of
 * 40 words as an inverted index, a DOI, a venue. A line is about 1.6 KB,
 * less than a real OpenAlex work (often 5-10 KB with every field), so works
 * per second here flatter the importer a little; bytes per second is printed
 * too.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(next() % n);
}

static const char *first[] = {
	"Ada", "Alan", "Amara", "Ana", "Andrei", "Anika", "Arjun", "Beatriz",
	"Bo", "Camille", "Carlos", "Chen", "Chiara", "Daniel", "Dmitri", "Elena",
	"Emeka", "Fatima", "Felix", "Grace", "Hana", "Hiro", "Ines", "Ivan",
	"Jae", "Jamal", "Jonas", "Julia", "Kai", "Kavya", "Lars", "Leila", "Li",
	"Lucia", "Malik", "Maria", "Mateo", "Mei", "Nadia", "Nikhil", "Noor",
	"Olga", "Omar", "Paolo", "Priya", "Rafael", "Rin", "Sara", "Sofia",
	"Tariq", "Thomas", "Uma", "Victor", "Wei", "Xin", "Yara", "Yusuf", "Zo\xc3\xab",
	"Ren\xc3\xa9", "J\xc3\xbcrgen", "Ma\xc3\xaf" "a", "S\xc3\xb8ren",
};
static const char *last[] = {
	"Abe", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Bianchi", "Chen",
	"Costa", "Dubois", "Eriksson", "Fischer", "Garcia", "Gupta", "Haddad",
	"Hansen", "Ito", "Ivanova", "Jensen", "Kim", "Kowalski", "Kumar", "Lee",
	"Lopez", "Martin", "M\xc3\xbcller", "Nakamura", "Nguyen", "Novak", "Okafor",
	"Olsen", "Patel", "Perez", "Petrov", "Rossi", "Sato", "Schmidt", "Silva",
	"Singh", "Smith", "Suzuki", "Tanaka", "Torres", "Wang", "Weber", "Wong",
	"Yamamoto", "Yilmaz", "Zhang", "Zhou", "\xc3\x85str\xc3\xb6m", "Nu\xc3\xb1""ez",
	"Gonz\xc3\xa1lez", "Dvo\xc5\x99\xc3\xa1k", "O'Brien",
};
static const char *words[] = {
	"learning", "graph", "neural", "quantum", "protein", "network", "model",
	"analysis", "optimal", "stochastic", "bounds", "sparse", "robust",
	"inference", "dynamics", "climate", "cell", "signal", "theory", "data",
	"adaptive", "efficient", "scalable", "private", "causal", "spectral",
	"kernel", "random", "linear", "convex", "deep", "language", "vision",
	"memory", "protocol", "distributed", "energy", "material", "genome",
	"imaging", "policy", "market", "social", "urban", "soil", "ocean",
	"catalysis", "transport", "structure", "estimation",
};
static const char *venues[] = {
	"arXiv", "Nature", "Science", "NeurIPS", "ICML", "STOC", "FOCS",
	"Physical Review Letters", "Cell", "PLOS ONE", "IEEE Transactions on Information Theory",
	"Journal of the ACM", "The Lancet", "Bioinformatics", "ACL",
};
static const char *types[] = { "article", "article", "article", "preprint",
	"book-chapter", "dissertation" };

#define NW (sizeof(words) / sizeof(words[0]))
#define NF (sizeof(first) / sizeof(first[0]))
#define NL (sizeof(last) / sizeof(last[0]))

/* Researcher a's display name (deterministic from a, not from the rng). */
static void
name_of(unsigned long a, char *out, size_t n)
{
	uint64_t h = (uint64_t)a * 0x9e3779b97f4a7c15ULL;

	h ^= h >> 29;
	snprintf(out, n, "%s %s", first[h % NF], last[(h >> 17) % NL]);
}

struct out {
	gzFile gz;
	FILE  *f;
};

static void
emit(struct out *o, const char *s, size_t n)
{
	if (o->gz != NULL) {
		if (gzwrite(o->gz, s, (unsigned)n) != (int)n) {
			fprintf(stderr, "gencat: gzwrite failed\n");
			exit(1);
		}
	} else if (fwrite(s, 1, n, o->f) != n) {
		perror("gencat: write");
		exit(1);
	}
}

static int
out_open(struct out *o, const char *dir, const char *name, int plain)
{
	char path[4096];

	memset(o, 0, sizeof(*o));
	snprintf(path, sizeof(path), "%s/%s%s", dir, name, plain ? "" : ".gz");
	if (plain)
		o->f = fopen(path, "w");
	else
		o->gz = gzopen(path, "wb1");
	if (o->f == NULL && o->gz == NULL) {
		perror(path);
		return -1;
	}
	if (o->gz != NULL)
		gzbuffer(o->gz, 1 << 20);
	return 0;
}

static void
out_close(struct out *o)
{
	if (o->gz != NULL && gzclose(o->gz) != Z_OK) {
		fprintf(stderr, "gencat: gzclose failed\n");
		exit(1);
	}
	if (o->f != NULL && fclose(o->f) != 0) {
		perror("gencat: close");
		exit(1);
	}
}

static char line[65536];
static size_t len;

static void
put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
put(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - len) {
		fprintf(stderr, "gencat: line too long\n");
		exit(1);
	}
	len += (size_t)n;
}

static void
authorship(unsigned long a, int pos, int last_pos)
{
	char nm[96];

	name_of(a, nm, sizeof(nm));
	put("%s{\"author_position\":\"%s\",\"author\":{\"id\":\"https://openalex.org/A6%09lu\","
	    "\"display_name\":\"%s\",\"orcid\":null},\"institutions\":[]}",
	    pos ? "," : "", pos == 0 ? "first" : last_pos ? "last" : "middle",
	    a, nm);
}

static void
topic(unsigned t, double score, int comma)
{
	put("%s{\"id\":\"https://openalex.org/T6%04u\",\"display_name\":\"%s %s and %s\","
	    "\"score\":%.2f,\"subfield\":{\"id\":\"https://openalex.org/subfields/%u\","
	    "\"display_name\":\"Subfield %u\"},\"field\":{\"id\":\"https://openalex.org/fields/%u\","
	    "\"display_name\":\"Field %u\"},\"domain\":{\"id\":\"https://openalex.org/domains/%u\","
	    "\"display_name\":\"Domain %u\"}}",
	    comma ? "," : "", t, words[t % NW], words[(t / NW) % NW],
	    words[(t * 7) % NW], score, 1000 + t % 250, 1000 + t % 250,
	    10 + t % 26, 10 + t % 26, 1 + t % 4, 1 + t % 4);
}

int
main(int argc, char **argv)
{
	unsigned long n, nworks;
	struct out oa, ow;
	int plain;

	if (argc < 3 || (n = strtoul(argv[1], NULL, 10)) < 2 || n > 999999999UL) {
		fprintf(stderr, "usage: gencat N OUTDIR [--plain]   (2 <= N < 1e9)\n");
		return 2;
	}
	plain = argc > 3 && strcmp(argv[3], "--plain") == 0;
	nworks = n * 10;
	if (out_open(&oa, argv[2], "authors.jsonl", plain) < 0 ||
	    out_open(&ow, argv[2], "works.jsonl", plain) < 0)
		return 1;

	for (unsigned long a = 0; a < n; a++) {
		char nm[96];

		name_of(a, nm, sizeof(nm));
		len = 0;
		put("{\"id\":\"https://openalex.org/A6%09lu\",\"display_name\":\"%s\",", a, nm);
		if (a % 3 == 0) {
			char d[16];
			unsigned tot = 0, r;

			snprintf(d, sizeof(d), "00000001%07lu", a % 10000000UL);
			for (int k = 0; k < 15; k++)
				tot = (tot + (unsigned)(d[k] - '0')) * 2;
			r = (12 - tot % 11) % 11;
			put("\"orcid\":\"https://orcid.org/%.4s-%.4s-%.4s-%.3s%c\",",
			    d, d + 4, d + 8, d + 12, r == 10 ? 'X' : (char)('0' + r));
		} else
			put("\"orcid\":null,");
		if (a % 2 == 0)
			put("\"last_known_institutions\":[{\"id\":\"https://openalex.org/I6%09lu\","
			    "\"display_name\":\"University of %s\",\"country_code\":\"US\","
			    "\"type\":\"education\"}],", a % 5000, words[a % NW]);
		else
			put("\"last_known_institutions\":[],");
		put("\"works_count\":15,\"cited_by_count\":%lu,\"display_name_alternatives\":[]}\n",
		    a % 997);
		emit(&oa, line, len);
	}

	for (unsigned long j = 0; j < nworks; j++) {
		unsigned long a = j / 10, co[2];
		unsigned nauth = 1, nt = 5 + pick(8);
		unsigned year = 1990 + pick(36), t1 = pick(4500), t2 = pick(4500);

		if (pick(2) == 0)
			nauth++;
		if (pick(4) == 0)
			nauth++;
		for (unsigned k = 0; k + 1 < nauth; k++) {
			co[k] = (a + 1 + pick(40)) % n;
			if (co[k] == a || (k == 1 && co[1] == co[0]))
				co[k] = (a + 41 + k) % n;
		}
		len = 0;
		put("{\"id\":\"https://openalex.org/W7%010lu\",\"doi\":\"https://doi.org/10.5555/syn.%lu\","
		    "\"title\":\"", j, j);
		for (unsigned k = 0; k < nt; k++)
			put("%s%s", k ? " " : "", words[pick(NW)]);
		put("\",\"display_name\":null,\"publication_year\":%u,\"type\":\"%s\","
		    "\"primary_location\":{\"source\":{\"display_name\":\"%s\"},"
		    "\"landing_page_url\":\"https://example.org/w/%lu\"},\"authorships\":[",
		    year, types[pick(6)], venues[pick(sizeof(venues) / sizeof(venues[0]))], j);
		authorship(a, 0, nauth == 1);
		for (unsigned k = 0; k + 1 < nauth; k++)
			authorship(co[k], 1, k + 2 == nauth);
		put("],\"topics\":[");
		topic(t1, 0.9, 0);
		if (t2 != t1)
			topic(t2, 0.7, 1);
		put("],\"abstract_inverted_index\":{");
		for (unsigned k = 0; k < 40; k++)
			put("%s\"%s%u\":[%u]", k ? "," : "", words[pick(NW)], k, k);
		put("}}\n");
		emit(&ow, line, len);
	}
	out_close(&oa);
	out_close(&ow);
	fprintf(stderr, "gencat: %lu researchers, %lu works in %s\n", n, nworks, argv[2]);
	return 0;
}
