/* test_pcache.c: the node's page cache: round trip, keys and versions, expiry, clear and epochs, eviction and its bound, concurrent workers, a writer killed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../fcgi-app/pcache.h"
#include "check.h"

/* The page of researcher id at version v: its bytes tell both apart. */
static void
make_page(struct page *pg, unsigned id, unsigned v, size_t size)
{
	char word[48];
	int n = snprintf(word, sizeof(word), "<p>page %u version %u</p>\n", id, v);

	page_reset(pg);
	buf_puts(&pg->slug, "researcher-");
	buf_putu64(&pg->slug, id);
	while (pg->body.len + (size_t)n <= size) {
		buf_put(&pg->body, word, (size_t)n);
		if (pg->nholes < 3 && pg->body.len > (size_t)(pg->nholes + 1) * 1000)
			(void)page_hole(pg, (enum hole)(pg->nholes + 1));
	}
}

static void
key_of(struct buf *k, unsigned id, unsigned v)
{
	buf_reset(k);
	buf_puts(k, "bzpeer:page:g1:t7:A");
	buf_putu64(k, id);
	buf_puts(k, ":v");
	buf_putu64(k, v);
}

static int
same_page(const struct page *a, const struct page *b)
{
	if (a->status != b->status || a->nholes != b->nholes ||
	    a->body.len != b->body.len || a->slug.len != b->slug.len ||
	    memcmp(a->body.p, b->body.p, a->body.len) != 0 ||
	    memcmp(a->slug.p, b->slug.p, a->slug.len) != 0)
		return 0;
	for (uint32_t i = 0; i < a->nholes; i++)
		if (a->holes[i].off != b->holes[i].off ||
		    a->holes[i].kind != b->holes[i].kind)
			return 0;
	return 1;
}

static struct sv
sv_of(const struct buf *b)
{
	return (struct sv){ b->p, b->len };
}

static void
basics(void)
{
	struct pcache *pc;
	struct page pg, view, v2;
	struct pcache_ref ref;
	struct buf k = BUF_INIT, k2 = BUF_INIT, scratch = BUF_INIT;

	errno = 0;
	CHECK(pcache_new(0) == NULL);
	CHECK(pcache_new(PCACHE_MIN_BYTES - 1) == NULL && errno == EINVAL);
	REQUIRE((pc = pcache_new(4 << 20)) != NULL);
	CHECK(pcache_capacity(pc) > (3 << 20) && pcache_capacity(pc) <= (4 << 20));

	page_init(&pg);
	page_init(&v2);
	make_page(&pg, 1, 1, 30000);
	pg.status = 404;
	key_of(&k, 1, 1);
	CHECK(pcache_get(pc, sv_of(&k), &view, &ref) == -1);
	CHECK(pcache_put(pc, sv_of(&k), &pg, 60, &scratch) == 0);
	CHECK(pcache_get(pc, sv_of(&k), &view, &ref) == 0);
	CHECK(same_page(&view, &pg));
	CHECK(view.body.cap == 0 && view.slug.cap == 0);   /* in place, not copied */
	CHECK(pcache_valid(pc, &ref));

	/* A claim decision bumps the record's version: the key of the next
	 * request names v2, and v1's page is never what it gets. */
	key_of(&k2, 1, 2);
	CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == -1);
	make_page(&v2, 1, 2, 30000);
	CHECK(pcache_put(pc, sv_of(&k2), &v2, 60, &scratch) == 0);
	CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == 0 && same_page(&view, &v2));
	CHECK(!same_page(&v2, &pg));
	/* A key that is a prefix of another is another key. */
	k2.len--;
	CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == -1);

	/* Stored again while fresh: kept as it is. */
	CHECK(pcache_put(pc, sv_of(&k), &v2, 60, &scratch) == 0);
	CHECK(pcache_get(pc, sv_of(&k), &view, &ref) == 0 && same_page(&view, &pg));

	/* Expired entries are misses; a fresh put replaces them. */
	key_of(&k2, 9, 1);
	CHECK(pcache_put(pc, sv_of(&k2), &pg, 0, &scratch) == 0);
	CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == -1);
	CHECK(pcache_put(pc, sv_of(&k2), &v2, 60, &scratch) == 0);
	CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == 0 && same_page(&view, &v2));

	/* clear: every entry gone at once, and the cache works on. */
	pcache_clear(pc);
	CHECK(pcache_get(pc, sv_of(&k), &view, &ref) == -1);
	CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == -1);
	CHECK(pcache_put(pc, sv_of(&k), &pg, 60, &scratch) == 0);
	CHECK(pcache_get(pc, sv_of(&k), &view, &ref) == 0 && same_page(&view, &pg));

	/* A reload: a worker of the old generation (forked before the clear)
	 * writes after it; the new generation, attached after it, never
	 * sees that page, and sees its own. */
	{
		int fds[2];
		char go;
		pid_t pid;

		REQUIRE(pipe(fds) == 0);
		REQUIRE((pid = fork()) >= 0);
		if (pid == 0) {
			close(fds[1]);
			if (read(fds[0], &go, 1) != 1)
				_exit(1);
			key_of(&k2, 3, 1);
			_exit(pcache_put(pc, sv_of(&k2), &pg, 60, &scratch) == 0 ? 0 : 1);
		}
		close(fds[0]);
		pcache_clear(pc);
		REQUIRE(write(fds[1], "g", 1) == 1);
		close(fds[1]);
		{
			int st;

			REQUIRE(waitpid(pid, &st, 0) == pid);
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
		pcache_attach(pc);
		key_of(&k2, 3, 1);
		CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == -1);
		CHECK(pcache_put(pc, sv_of(&k2), &v2, 60, &scratch) == 0);
		CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == 0 && same_page(&view, &v2));
	}

	/* A page larger than a quarter of the ring is not kept. */
	make_page(&v2, 2, 1, pcache_capacity(pc) / 4 + 1);
	key_of(&k2, 2, 1);
	errno = 0;
	CHECK(pcache_put(pc, sv_of(&k2), &v2, 60, &scratch) == -1 && errno == EFBIG);
	CHECK(pcache_get(pc, sv_of(&k2), &view, &ref) == -1);

	/* No cache: every call a miss, nothing crashes. */
	CHECK(pcache_put(NULL, sv_of(&k), &pg, 60, &scratch) == -1);
	CHECK(pcache_get(NULL, sv_of(&k), &view, &ref) == -1);
	CHECK(!pcache_valid(NULL, &ref));
	pcache_clear(NULL);
	pcache_free(NULL);

	pcache_free(pc);
	page_free(&pg);
	page_free(&v2);
	buf_free(&k);
	buf_free(&k2);
	buf_free(&scratch);
}

/*
 * Many more pages than fit: the newest are there, the oldest gone, what
 * is found is the right page, and what is kept never exceeds the ring.
 */
static void
eviction(void)
{
	enum { PAGES = 400, SIZE = 20000 };
	struct pcache *pc;
	struct page pg, view;
	struct pcache_ref ref;
	struct buf k = BUF_INIT, scratch = BUF_INIT;
	size_t found = 0, wrong = 0, first_found = PAGES;

	REQUIRE((pc = pcache_new(1 << 20)) != NULL);
	page_init(&pg);
	for (unsigned i = 0; i < PAGES; i++) {
		make_page(&pg, i, 1, SIZE);
		key_of(&k, i, 1);
		CHECK(pcache_put(pc, sv_of(&k), &pg, 60, &scratch) == 0);
	}
	for (unsigned i = 0; i < PAGES; i++) {
		key_of(&k, i, 1);
		if (pcache_get(pc, sv_of(&k), &view, &ref) != 0)
			continue;
		make_page(&pg, i, 1, SIZE);
		if (!same_page(&view, &pg))
			wrong++;
		if (found++ == 0)
			first_found = i;
	}
	printf("# eviction: %zu of %d pages of %d bytes kept in a ring of %zu, oldest kept %zu\n",
	    found, PAGES, SIZE, pcache_capacity(pc), first_found);
	CHECK(wrong == 0);
	CHECK(found * SIZE <= pcache_capacity(pc));
	CHECK(found >= pcache_capacity(pc) / (SIZE + 1024) - 2);
	/* FIFO: what is kept is the newest run of pages. */
	CHECK(first_found + found == PAGES);
	key_of(&k, PAGES - 1, 1);
	CHECK(pcache_get(pc, sv_of(&k), &view, &ref) == 0);
	key_of(&k, 0, 1);
	CHECK(pcache_get(pc, sv_of(&k), &view, &ref) == -1);
	pcache_free(pc);
	page_free(&pg);
	buf_free(&k);
	buf_free(&scratch);
}

/*
 * Worker processes reading and writing one small cache at once, so that
 * the ring overwrites entries while others read them: a read that
 * pcache_valid() accepts always shows the right page.
 */
static int
worker(struct pcache *pc, unsigned seed, int rounds)
{
	struct page pg, view;
	struct pcache_ref ref;
	struct buf k = BUF_INIT, scratch = BUF_INIT, out = BUF_INIT;
	int bad = 0, hits = 0;

	page_init(&pg);
	for (int n = 0; n < rounds; n++) {
		unsigned id;

		seed = seed * 1103515245u + 12345u;
		id = (seed >> 16) % 24;
		key_of(&k, id, 3);
		if (pcache_get(pc, sv_of(&k), &view, &ref) == 0) {
			/* The copy a response makes, then the check. */
			buf_reset(&out);
			buf_put(&out, view.body.p, view.body.len);
			make_page(&pg, id, 3, 8000 + id * 900);
			if (pcache_valid(pc, &ref)) {
				hits++;
				if (out.len != pg.body.len ||
				    memcmp(out.p, pg.body.p, out.len) != 0 ||
				    view.nholes != pg.nholes)
					bad++;
			}
			continue;
		}
		make_page(&pg, id, 3, 8000 + id * 900);
		(void)pcache_put(pc, sv_of(&k), &pg, 60, &scratch);
	}
	page_free(&pg);
	buf_free(&k);
	buf_free(&scratch);
	buf_free(&out);
	/* exit status: 0 right, 1 a wrong page served, 2 never a hit */
	return bad ? 1 : hits == 0 ? 2 : 0;
}

static void
concurrent(void)
{
	enum { WORKERS = 4 };
	struct pcache *pc;
	pid_t pids[WORKERS];
	int ok = 1;

	/* 256 KiB: a few of the 24 pages at a time, overwritten constantly. */
	REQUIRE((pc = pcache_new(PCACHE_MIN_BYTES)) != NULL);
	for (int i = 0; i < WORKERS; i++) {
		REQUIRE((pids[i] = fork()) >= 0);
		if (pids[i] == 0)
			_exit(worker(pc, (unsigned)i * 7919u + 1, 20000));
	}
	for (int i = 0; i < WORKERS; i++) {
		int st;

		REQUIRE(waitpid(pids[i], &st, 0) == pids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("# worker %d: status %d\n", i, st);
			ok = 0;
		}
	}
	CHECK(ok);   /* every valid read the right page, and hits in each */
	pcache_free(pc);
}

/*
 * Writers killed with -9 at random moments, some of them while holding
 * the writers' lock: the next writer takes it over (robust mutex), the
 * cache keeps working and serves only whole pages.
 */
static void
killed_writer(void)
{
	struct pcache *pc;
	struct page pg, view;
	struct pcache_ref ref;
	struct buf k = BUF_INIT, scratch = BUF_INIT;
	int stored = 0, right = 1;

	REQUIRE((pc = pcache_new(PCACHE_MIN_BYTES)) != NULL);
	page_init(&pg);
	for (int round = 0; round < 40; round++) {
		pid_t pid = fork();
		struct timespec ts = { 0, 200000 + (round % 7) * 90000 };

		REQUIRE(pid >= 0);
		if (pid == 0) {
			struct page p;
			struct buf kk = BUF_INIT, s = BUF_INIT;

			page_init(&p);
			for (unsigned i = 0;; i++) {
				make_page(&p, i % 16, 5, 30000);
				key_of(&kk, i % 16, 5);
				(void)pcache_put(pc, sv_of(&kk), &p, 60, &s);
				if (i % 16 == 15)
					pcache_clear(pc);
			}
		}
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		REQUIRE(waitpid(pid, NULL, 0) == pid);
		/* The parent writes and reads after every kill. */
		make_page(&pg, 100 + (unsigned)round, 5, 20000);
		key_of(&k, 100 + (unsigned)round, 5);
		if (pcache_put(pc, sv_of(&k), &pg, 60, &scratch) == 0 &&
		    pcache_get(pc, sv_of(&k), &view, &ref) == 0)
			stored++;
		for (unsigned i = 0; i < 16; i++) {
			struct page want;

			key_of(&k, i, 5);
			if (pcache_get(pc, sv_of(&k), &view, &ref) != 0)
				continue;
			page_init(&want);
			make_page(&want, i, 5, 30000);
			if (!same_page(&view, &want) && pcache_valid(pc, &ref))
				right = 0;
			page_free(&want);
		}
	}
	CHECK(stored == 40);
	CHECK(right);
	pcache_free(pc);
	page_free(&pg);
	buf_free(&k);
	buf_free(&scratch);
}

/*
 * The doorkeeper: a key's first miss says "not yet", its next "keep it",
 * in any process of the node; another key's first is "not yet" again; one
 * forgotten (its slot taken) starts over; no cache: always "keep it".
 */
static void
admit(void)
{
	struct pcache *pc;
	pid_t pid;
	int st, first = 0, again = 0;
	char key[32];

	CHECK(pcache_admit(NULL, SV_LIT("k")) == 1);
	REQUIRE((pc = pcache_new(PCACHE_MIN_BYTES)) != NULL);
	pcache_attach(pc);
	CHECK(pcache_admit(pc, SV_LIT("page:A1:v1")) == 0);
	CHECK(pcache_admit(pc, SV_LIT("page:A1:v2")) == 0);
	REQUIRE((pid = fork()) >= 0);
	if (pid == 0)      /* another worker's miss of the same page */
		_exit(pcache_admit(pc, SV_LIT("page:A1:v1")) == 1 ? 0 : 1);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(pcache_admit(pc, SV_LIT("page:A1:v2")) == 1);
	/* Many more keys than slots: most are first misses, and an early
	 * one is forgotten. */
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "page:A%d:v1", 100 + i);
		first += pcache_admit(pc, sv_cstr(key)) == 0;
	}
	CHECK(first > 19000);
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "page:A%d:v1", 100 + i);
		again += pcache_admit(pc, sv_cstr(key)) == 1;
	}
	CHECK(again < 20000);   /* the table is bounded */
	pcache_free(pc);
}

int
main(void)
{
	basics();
	admit();
	eviction();
	concurrent();
	killed_writer();
	CHECK_DONE();
}
