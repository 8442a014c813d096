/*
 * gencat.c: a synthetic OpenAlex-shaped catalog for the benchmarks
 * (`make bench`, `make bench-scale`) and for timing bzpeer-import: N
 * researchers and 10*N works, as JSON Lines, gzipped (level 1) or plain.
 *
 *   gencat N OUTDIR [--plain] [--full] [--scatter] [--only authors|works]
 *          [--progress M]
 *                      writes OUTDIR/authors.jsonl[.gz], works.jsonl[.gz]
 *
 * --only writes one of the two files (the other is not opened: the scale
 * benchmark streams the works through a FIFO the importer opens only once
 * it has read the authors). --progress M prints "gencat: works J at T"
 * (T: unix seconds) to stderr every M works written, so that a reader at
 * the other end of a pipe can be timed per segment.
 *
 * Deterministic (a fixed xorshift seed): the same N and options give the
 * same bytes. Ids never meet the sample catalog's: authors A6xxxxxxxxx,
 * works W7xxxxxxxxxx, topics T6xxxx, institutions I6xxxxxxxxx.
 *
 * Shape: work j's first author is researcher j/10; co-authors are picked
 * from the first author's neighbourhood (the next 1..40 researchers), so
 * co-authors share several works and "close collaborators" exist. Topics
 * come from a pool of 4,500 (OpenAlex has about that many), a year
 * 1990-2025, a title of 6-12 words, a DOI, a venue.
 *
 * --scatter gives ids the way OpenAlex's fall: a researcher's works, and
 * a work's authors, are spread over the whole id range instead of lying
 * next to each other (work j's first author is researcher P(j)/10 for a
 * bijection P of the works, co-authors the neighbours of the first author
 * in a permuted order of the researchers). Files stay in id order. Without
 * it, the works of one first author are adjacent ids and co-authors
 * adjacent researchers, which a B-tree reads in one page: a cold render of
 * such a catalog reads far fewer pages than a real one.
 *
 * Default (lean) lines are about 1.9 KB: half the works have a second
 * author and a quarter a third (about 15 works per researcher), two topics,
 * an abstract of 40 distinct words, no institutions on authorships.
 *
 * --full lines are about 6.7 KB, like real snapshot lines with every field:
 * 1-6 authors (2.7 on average) each with an institution (ROR, lineage),
 * countries, raw affiliation strings; three topics with their hierarchy;
 * an abstract of 70-220 positions whose words repeat (several positions
 * per word); referenced_works (5-40), related_works (10), counts_by_year,
 * cited_by_count, a full primary_location. The importer reads few of
 * these members, but it must scan them all, so works per second here is
 * what a real snapshot gives; bzpeer-import's rate is quoted for both.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* --scatter: x -> x * k mod n, a bijection of [0, n) when gcd(k, n) = 1. */
static unsigned long sc_n, sc_k, sc_kinv;      /* researchers */
static unsigned long sw_n, sw_k;               /* works */

static unsigned long
mulmod(unsigned long a, unsigned long b, unsigned long n)
{
	return (unsigned long)((unsigned __int128)a * b % n);
}

static unsigned long
gcd(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* A multiplier coprime with n, near n times the golden ratio's fraction. */
static unsigned long
coprime(unsigned long n)
{
	unsigned long k = (unsigned long)((double)n * 0.6180339887) | 1;

	while (k > 1 && gcd(k, n) != 1)
		k += 2;
	return k % n ? k % n : 1;
}

/* The inverse of k mod n (extended Euclid; gcd(k, n) = 1). */
static unsigned long
modinv(unsigned long k, unsigned long n)
{
	__int128 t = 0, nt = 1, r = (__int128)n, nr = (__int128)k, q, x;

	while (nr != 0) {
		q = r / nr;
		x = t - q * nt; t = nt; nt = x;
		x = r - q * nr; r = nr; nr = x;
	}
	if (t < 0)
		t += (__int128)n;
	return (unsigned long)t;
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

static int full;              /* --full: realistic full-size work lines */
static int scatter;           /* --scatter: ids spread as OpenAlex's are */

static void
authorship(unsigned long a, int pos, int last_pos)
{
	char nm[96];

	name_of(a, nm, sizeof(nm));
	put("%s{\"author_position\":\"%s\",\"author\":{\"id\":\"https://openalex.org/A6%09lu\","
	    "\"display_name\":\"%s\",\"orcid\":null},",
	    pos ? "," : "", pos == 0 ? "first" : last_pos ? "last" : "middle",
	    a, nm);
	if (!full) {
		put("\"institutions\":[]}");
		return;
	}
	put("\"institutions\":[{\"id\":\"https://openalex.org/I6%09lu\","
	    "\"display_name\":\"University of %s\",\"ror\":\"https://ror.org/0%06lu\","
	    "\"country_code\":\"US\",\"type\":\"education\","
	    "\"lineage\":[\"https://openalex.org/I6%09lu\"]}],\"countries\":[\"US\"],"
	    "\"is_corresponding\":%s,\"raw_author_name\":\"%s\","
	    "\"raw_affiliation_strings\":[\"Department of %s, University of %s\"]}",
	    a % 5000, words[a % NW], a % 5000, a % 5000,
	    pos == 0 ? "true" : "false", nm, words[(a / 7) % NW], words[a % NW]);
}

/* One abstract position's word: a word and a number (they repeat). */
struct apos {
	unsigned key, pos;
};

static int
cmp_apos(const void *a, const void *b)
{
	const struct apos *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A --full abstract: 70-220 positions, a word often at several. */
static void
full_abstract(void)
{
	static struct apos v[256];
	unsigned n = 70 + pick(151), i;

	for (i = 0; i < n; i++) {
		v[i].key = pick(NW) * 301 + pick(301);
		v[i].pos = i;
	}
	qsort(v, n, sizeof(v[0]), cmp_apos);
	put("\"abstract_inverted_index\":{");
	for (i = 0; i < n; i++) {
		if (i == 0 || v[i].key != v[i - 1].key)
			put("%s\"%s%u\":[%u", i ? "]," : "", words[v[i].key / 301],
			    v[i].key % 301, v[i].pos);
		else
			put(",%u", v[i].pos);
	}
	put("]}");
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
	unsigned long n, nworks, progress = 0;
	struct out oa, ow;
	int plain, do_authors = 1, do_works = 1;

	plain = 0;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--plain") == 0)
			plain = 1;
		else if (strcmp(argv[i], "--full") == 0)
			full = 1;
		else if (strcmp(argv[i], "--scatter") == 0)
			scatter = 1;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc &&
		    (strcmp(argv[i + 1], "authors") == 0 ||
		    strcmp(argv[i + 1], "works") == 0)) {
			do_authors = argv[i + 1][0] == 'a';
			do_works = !do_authors;
			i++;
		} else if (strcmp(argv[i], "--progress") == 0 && i + 1 < argc &&
		    (progress = strtoul(argv[i + 1], NULL, 10)) > 0)
			i++;
		else
			argc = 0;          /* usage */
	}
	/* At least 64 researchers: a work's co-authors are distinct
	 * neighbours among the next 40 or so. */
	if (argc < 3 || (n = strtoul(argv[1], NULL, 10)) < 64 || n > 999999999UL) {
		fprintf(stderr, "usage: gencat N OUTDIR [--plain] [--full] [--scatter] "
		    "[--only authors|works] [--progress M]   (64 <= N < 1e9)\n");
		return 2;
	}
	nworks = n * 10;
	sc_n = n;
	sc_k = coprime(n);
	sc_kinv = modinv(sc_k, n);
	sw_n = nworks;
	sw_k = coprime(nworks);
	if ((do_authors && out_open(&oa, argv[2], "authors.jsonl", plain) < 0))
		return 1;

	for (unsigned long a = 0; a < n && do_authors; a++) {
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
	if (do_authors)
		out_close(&oa);
	if (do_works && out_open(&ow, argv[2], "works.jsonl", plain) < 0)
		return 1;

	for (unsigned long j = 0; j < nworks && do_works; j++) {
		static const unsigned full_authors[] = { 1, 1, 2, 2, 2, 3, 3, 3,
		    4, 6 };
		unsigned long a = scatter ? mulmod(j, sw_k, sw_n) / 10 : j / 10, co[5];
		/* a's place in the order co-authors are drawn from */
		unsigned long ra = scatter ? mulmod(a, sc_k, sc_n) : a;
		unsigned nauth = 1, nt = 5 + pick(8);
		unsigned year = 1990 + pick(36), t1 = pick(4500), t2 = pick(4500);
		unsigned vi;

		if (full)
			nauth = full_authors[pick(10)];
		else {
			if (pick(2) == 0)
				nauth++;
			if (pick(4) == 0)
				nauth++;
		}
		/* Drawn as ranks (places in the co-author order: the
		 * researcher itself without --scatter), then mapped. */
		for (unsigned k = 0; k + 1 < nauth; k++) {
			co[k] = (ra + 1 + pick(40)) % n;
			/* Distinct from the first author and each other. */
			for (unsigned q = 0, clash = 1; clash; q++) {
				clash = co[k] == ra;
				for (unsigned e = 0; e < k && !clash; e++)
					clash = co[e] == co[k];
				if (clash)
					co[k] = (ra + 41 + k + q) % n;
			}
		}
		for (unsigned k = 0; scatter && k + 1 < nauth; k++)
			co[k] = mulmod(co[k], sc_kinv, sc_n);
		len = 0;
		put("{\"id\":\"https://openalex.org/W7%010lu\",\"doi\":\"https://doi.org/10.5555/syn.%lu\","
		    "\"title\":\"", j, j);
		for (unsigned k = 0; k < nt; k++)
			put("%s%s", k ? " " : "", words[pick(NW)]);
		if (full) {
			/* The title again, as OpenAlex repeats it. */
			const char *t = strstr(line, "\"title\":\"") + 9;

			put("\",\"display_name\":\"%.*s", (int)(line + len - t), t);
		}
		/* The venue is drawn before the type: the lean lines stay the
		 * bytes they were before --full existed. */
		vi = pick(sizeof(venues) / sizeof(venues[0]));
		put("\",%s\"publication_year\":%u,\"type\":\"%s\",",
		    full ? "" : "\"display_name\":null,", year, types[pick(6)]);
		if (full)
			put("\"primary_location\":{\"is_oa\":false,\"landing_page_url\":"
			    "\"https://example.org/w/%lu\",\"source\":{\"id\":"
			    "\"https://openalex.org/S6%04u\",\"display_name\":\"%s\","
			    "\"type\":\"journal\"}},", j, vi, venues[vi]);
		else
			put("\"primary_location\":{\"source\":{\"display_name\":\"%s\"},"
			    "\"landing_page_url\":\"https://example.org/w/%lu\"},",
			    venues[vi], j);
		put("\"authorships\":[");
		authorship(a, 0, nauth == 1);
		for (unsigned k = 0; k + 1 < nauth; k++)
			authorship(co[k], 1, k + 2 == nauth);
		put("],\"topics\":[");
		topic(t1, 0.9, 0);
		if (t2 != t1)
			topic(t2, 0.7, 1);
		if (full) {
			unsigned t3 = pick(4500);

			if (t3 != t1 && t3 != t2)
				topic(t3, 0.5, 1);
			put("],");
			full_abstract();
			put(",\"referenced_works\":[");
			for (unsigned k = 0, nr = 5 + pick(36); k < nr; k++)
				put("%s\"https://openalex.org/W7%010lu\"", k ? "," : "",
				    (unsigned long)(next() % nworks));
			put("],\"related_works\":[");
			for (unsigned k = 0; k < 10; k++)
				put("%s\"https://openalex.org/W7%010lu\"", k ? "," : "",
				    (unsigned long)(next() % nworks));
			put("],\"counts_by_year\":[");
			for (unsigned k = 0; k < 5; k++)
				put("%s{\"year\":%u,\"cited_by_count\":%u}", k ? "," : "",
				    2024 - k, pick(31));
			put("],\"cited_by_count\":%u}\n", pick(501));
		} else {
			put("],\"abstract_inverted_index\":{");
			for (unsigned k = 0; k < 40; k++)
				put("%s\"%s%u\":[%u]", k ? "," : "", words[pick(NW)], k, k);
			put("}}\n");
		}
		emit(&ow, line, len);
		if (progress && (j + 1) % progress == 0) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			fprintf(stderr, "gencat: works %lu at %ld.%09ld\n", j + 1,
			    (long)ts.tv_sec, ts.tv_nsec);
		}
	}
	if (do_works)
		out_close(&ow);
	fprintf(stderr, "gencat: %lu researchers, %lu works in %s\n", n, nworks, argv[2]);
	return 0;
}
