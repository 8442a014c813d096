/* form.c (fuzz): query strings and form bodies through the real handlers, so form_parse() meets the real field declarations; and whole requests. */
/*
 * The declarations are static in the handlers (home, works, login, follow,
 * claim, invite, invitation answers, logout), so this harness reaches them the way a request does:
 * req_begin(), router_dispatch(), resp_serialize(), on a worker-like
 * struct request reused from input to input, over a store holding the
 * sample catalog (made once, in a temporary directory) and no Redis.
 *
 * The first byte says what the rest is:
 *   low 3 bits  0 GET /?Q            1 GET /researchers?Q
 *               2 GET /researchers/sanjeev-arora/works?Q
 *               3 GET /login?Q (as nginx's auth would pass REMOTE_USER)
 *               4 POST .../sanjeev-arora/follow, body B
 *               5 POST .../sanjeev-arora/claim, body B
 *               6 POST /logout, body B
 *               7 a whole request: "METHOD URI\nCookie\nContent-Type\n" then the body
 *   0x08        Content-Length one more than the body (truncated)
 *   0x10        Accept: application/json
 *   0x20        with 5: POST .../sanjeev-arora/invite instead; with 6: POST
 *               /me/invitations instead (the invitation's two forms)
 *
 * Nobody can sign in here (the fuzzer cannot make an HMAC), so no input may
 * write to the store: every answer is checked, and the store's last
 * transaction id must never move.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../fcgi-app/app.h"
#include "../../fcgi-app/config.h"
#include "../../store/log.h"
#include "../../store/utf8.h"
#include "../../fcgi-app/request.h"
#include "../../fcgi-app/router.h"
#include "../../store/import.h"
#include "../../views/views.h"
#include "fuzz.h"

static struct config form_cfg;
static struct app form_app;
static struct request form_req;
static uint64_t form_txn0;
static char form_dir[64];

/* ---- the body, as FastCGI stdin ------------------------------------------ */

struct body {
	const char *p;
	size_t n;
};

/* ---- once ------------------------------------------------------------------ */

static void
form_cleanup(void)
{
	char cmd[128];

	app_close(&form_app);
	req_free(&form_req);
	views_unload();
	config_free(&form_cfg);
	/* The directory is ours, made by mkdtemp below. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", form_dir);
	if (form_dir[0] && system(cmd) != 0)
		fprintf(stderr, "fuzz form: could not remove %s\n", form_dir);
}

static void
form_die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz form: %s: %s\n", what, why);
	exit(1);
}

static uint64_t
form_txn_id(void)
{
	struct store_rtxn *t;
	uint64_t id;

	if (store_read_begin(form_app.store, &t) != 0)
		form_die("store", "no read transaction");
	id = store_txn_id(t);
	store_read_end(t);
	return id;
}

FUZZ_INIT(form)
{
	char path[512], views[512], authors[512], works[512];
	const char *a[1] = { authors }, *w[1] = { works };
	static const unsigned char key[32] = "fuzz-fuzz-fuzz-fuzz-fuzz-fuzz-!";
	struct import_opts io;
	struct import_report rep;
	struct store *s;
	struct buf err = BUF_INIT;
	int fd, rc;

	log_setup("fuzz-form", LOGL_ERR);
	snprintf(form_dir, sizeof(form_dir), "/tmp/bzpeer-fuzz-form.XXXXXX");
	if (mkdtemp(form_dir) == NULL)
		form_die("mkdtemp", "failed");
	snprintf(path, sizeof(path), "%s/store", form_dir);
	snprintf(authors, sizeof(authors), "%s/store/sample/authors.jsonl", fuzz_root());
	snprintf(works, sizeof(works), "%s/store/sample/works.jsonl", fuzz_root());
	snprintf(views, sizeof(views), "%s/views", fuzz_root());

	if ((rc = store_open(path, STORE_CREATE, &s)) != 0)
		form_die(path, store_strerror(rc));
	memset(&io, 0, sizeof(io));
	io.authors = a;
	io.n_authors = 1;
	io.works = w;
	io.n_works = 1;
	io.strict = 1;
	io.log = stderr;
	if ((rc = store_import(s, &io, &rep)) != 0)
		form_die("import of store/sample (set BZPEER_ROOT?)", store_strerror(rc));
	store_close(s);

	if (views_load(views, &err) != 0)
		form_die("views", err.p);
	buf_free(&err);

	config_defaults(&form_cfg);
	if (config_set(&form_cfg, "store", path, &err) != 0 ||
	    config_set(&form_cfg, "views", views, &err) != 0 ||
	    config_set(&form_cfg, "redis", "off", &err) != 0)
		form_die("config", err.p);
	snprintf(path, sizeof(path), "%s/secret", form_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    close(fd) != 0)
		form_die(path, "cannot write");
	if (config_set(&form_cfg, "secret_file", path, &err) != 0)
		form_die("config", err.p);
	if (app_open(&form_app, &form_cfg, NULL) != 0 || !form_app.have_key)
		form_die("app_open", "store or key");
	req_init(&form_req, &form_app);
	form_txn0 = form_txn_id();
	atexit(form_cleanup);
	return 0;
}

/* ---- the checks ------------------------------------------------------------ */

static int
allowed_status(int s)
{
	switch (s) {
	case 200: case 301: case 303: case 304: case 400: case 401: case 403:
	case 404: case 405: case 409: case 413: case 415:
		return 1;
	}
	return 0;   /* 500 is a bug; 503 cannot happen with a good store */
}

static const char *
find(const char *p, size_t n, const char *needle)
{
	return n ? memmem(p, n, needle, strlen(needle)) : NULL;
}

/*
 * The CGI answer: a status line, header lines each "Name: value" without a
 * stray CR or LF, the security headers, a right Content-Length, safe
 * Location and cookie attributes, and no tag from the request in the body.
 */
static void
check_answer(const struct request *r, const struct buf *out)
{
	const char *p = out->p, *end = out->p + out->len, *hend, *line;
	size_t body_len;
	int status, is_head = r->method == M_HEAD;

	FUZZ_CHECK(out->len > 12 && memcmp(p, "Status: ", 8) == 0);
	status = atoi(p + 8);
	FUZZ_CHECK(allowed_status(status) && status == r->status);
	hend = find(p, out->len, "\r\n\r\n");
	FUZZ_CHECK(hend != NULL);
	body_len = (size_t)(end - (hend + 4));
	for (line = p; line < hend + 2;) {
		const char *eol = find(line, (size_t)(hend + 2 - line), "\r\n");
		size_t n = (size_t)(eol - line);

		FUZZ_CHECK(eol != NULL && n > 0);
		FUZZ_CHECK(memchr(line, '\r', n) == NULL && memchr(line, '\n', n) == NULL);
		FUZZ_CHECK(find(line, n, ": ") != NULL);
		if (n > 10 && strncmp(line, "Location: ", 10) == 0)
			FUZZ_CHECK(line[10] == '/' && line[11] != '/' && line[11] != '\\');
		if (n > 12 && strncmp(line, "Set-Cookie: ", 12) == 0)
			FUZZ_CHECK(find(line, n, "; HttpOnly; SameSite=Lax") != NULL);
		if (n > 16 && strncmp(line, "Content-Length: ", 16) == 0 &&
		    !is_head && status != 304)
			FUZZ_CHECK((size_t)strtoull(line + 16, NULL, 10) == body_len);
		line = eol + 2;
	}
	FUZZ_CHECK(find(p, (size_t)(hend - p), "\r\nContent-Security-Policy: ") != NULL);
	FUZZ_CHECK(find(p, (size_t)(hend - p), "frame-ancestors 'none'") != NULL);
	FUZZ_CHECK(find(p, (size_t)(hend - p), "\r\nX-Content-Type-Options: nosniff") != NULL);
	FUZZ_CHECK(find(p, (size_t)(hend - p), "\r\nReferrer-Policy: ") != NULL);
	if (is_head || status == 304)
		FUZZ_CHECK(body_len == 0);
	/* No template holds these: they can only come from the request. */
	FUZZ_CHECK(find(hend, (size_t)(end - hend), "<zz") == NULL);
	FUZZ_CHECK(find(hend, (size_t)(end - hend), "<script>") == NULL);
	/* A raw '"' between x and zz: an attribute broken out of. (Not '" zz':
	 * a value starting with " zz legitimately follows a template's '="'.) */
	if (find(p, (size_t)(hend - p), "\r\nContent-Type: text/html") != NULL)
		FUZZ_CHECK(find(hend, (size_t)(end - hend), "x\"zz") == NULL);
}

/* ---- one input -------------------------------------------------------------- */

/* Appends "NAME=" and value (up to a NUL: FastCGI hands C strings over). */
static void
env_add(struct buf *arena, size_t *offs, size_t *n, const char *name,
    const char *v, size_t vn)
{
	const char *nul = vn ? memchr(v, '\0', vn) : NULL;

	if (nul != NULL)
		vn = (size_t)(nul - v);
	offs[(*n)++] = arena->len;
	buf_puts(arena, name);
	buf_putc(arena, '=');
	buf_put(arena, v, vn);
	buf_putc(arena, '\0');
}

/* The next line of [*p, end), without its '\n'. */
static struct sv
next_line(const char **p, const char *end)
{
	const char *s = *p, *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;
	struct sv v = { s, (size_t)((nl ? nl : end) - s) };

	*p = nl ? nl + 1 : end;
	return v;
}

/*
 * The claim form's own parsers, which the requests above cannot reach
 * (nobody is signed in): the same bytes as a claim form read field by
 * field (form_parse_fields), and as a typed ORCID iD (orcid_normalize).
 * A field kept passed its limit in characters and its validator; one
 * refused says why and is not kept; what is given back to show is text
 * the store would keep; a normalised iD is valid and normalises to itself.
 */
static void
claim_parsers(struct sv in)
{
	static const struct field_decl decl[] = {
		{ "csrf", 8, valid_line, NULL },
		{ "orcid", 24, valid_line, NULL },
		{ "email", 40, valid_email, NULL },
		{ "evidence_url", 40, valid_https_url, NULL },
		{ "note", 12, valid_text, NULL },
	};
	struct buf err = BUF_INIT;
	struct form f;
	char id[20], again[20];

	form_init(&f);
	if (form_parse_fields(&f, in, decl, 5, &err) == 0)
		for (size_t i = 0; i < 5; i++) {
			struct sv v = form_get(&f, i), t = form_typed(&f, i);

			FUZZ_CHECK(!form_has(&f, i) || form_error(&f, i) == NULL);
			if (form_has(&f, i)) {
				FUZZ_CHECK(utf8_chars((const unsigned char *)v.p,
				    v.n) <= decl[i].max);
				FUZZ_CHECK(decl[i].valid(v));
			}
			FUZZ_CHECK(t.n == 0 || store_text_valid(t, STORE_TEXT_NOTE));
		}
	else
		for (size_t i = 0; i < 5; i++)
			FUZZ_CHECK(!form_has(&f, i) && form_error(&f, i) == NULL);
	form_free(&f);
	buf_free(&err);
	if (orcid_normalize(in, id)) {
		FUZZ_CHECK(strlen(id) == 19 && valid_orcid(sv_cstr(id)));
		FUZZ_CHECK(orcid_normalize(sv_cstr(id), again) &&
		    strcmp(id, again) == 0);
	} else
		FUZZ_CHECK(id[0] == '\0');
}

FUZZ_ONE(form)
{
	static const char *const paths[] = {
		"/", "/researchers", "/researchers/sanjeev-arora/works", "/login",
		"/researchers/sanjeev-arora/follow", "/researchers/sanjeev-arora/claim",
		"/logout",
	};
	struct buf arena = BUF_INIT, uri = BUF_INIT, out = BUF_INIT;
	size_t offs[16], nenv = 0;
	struct fcgi_param param[16];
	const char *in, *end, *q;
	struct body body = { "", 0 };
	struct sv method = SV_LIT("GET"), cookie = { "", 0 }, ctype = { "", 0 };
	char clen[32];
	unsigned shape, flags;

	if (size == 0)
		return 0;
	claim_parsers((struct sv){ (const char *)data + 1, size - 1 });
	shape = data[0] & 7;
	flags = data[0];
	in = (const char *)data + 1;
	end = (const char *)data + size;

	if (shape <= 3) {
		buf_puts(&uri, paths[shape]);
		buf_putc(&uri, '?');
		buf_put(&uri, in, (size_t)(end - in));
	} else if (shape <= 6) {
		method = SV_LIT("POST");
		if (flags & 0x20)
			buf_puts(&uri, shape == 5 ? "/researchers/sanjeev-arora/invite" :
			    shape == 6 ? "/me/invitations" : paths[shape]);
		else
			buf_puts(&uri, paths[shape]);
		ctype = SV_LIT("application/x-www-form-urlencoded");
		body = (struct body){ in, (size_t)(end - in) };
	} else {
		struct sv l = next_line(&in, end);
		const char *sp = memchr(l.p, ' ', l.n);

		method = (struct sv){ l.p, sp ? (size_t)(sp - l.p) : l.n };
		if (sp)
			buf_put(&uri, sp + 1, (size_t)(l.p + l.n - sp - 1));
		cookie = next_line(&in, end);
		ctype = next_line(&in, end);
		body = (struct body){ in, (size_t)(end - in) };
	}
	buf_putc(&uri, '\0');
	uri.len--;
	env_add(&arena, offs, &nenv, "REQUEST_METHOD", method.p, method.n);
	env_add(&arena, offs, &nenv, "REQUEST_URI", uri.p, uri.len);
	q = memchr(uri.p, '?', uri.len);
	if (q != NULL)
		env_add(&arena, offs, &nenv, "QUERY_STRING", q + 1,
		    (size_t)(uri.p + uri.len - q - 1));
	else
		env_add(&arena, offs, &nenv, "QUERY_STRING", "", 0);
	if (cookie.n)
		env_add(&arena, offs, &nenv, "HTTP_COOKIE", cookie.p, cookie.n);
	if (ctype.n)
		env_add(&arena, offs, &nenv, "CONTENT_TYPE", ctype.p, ctype.n);
	snprintf(clen, sizeof(clen), "%zu", body.n + ((flags & 0x08) ? 1 : 0));
	env_add(&arena, offs, &nenv, "CONTENT_LENGTH", clen, strlen(clen));
	if (flags & 0x10)
		env_add(&arena, offs, &nenv, "HTTP_ACCEPT", "application/json", 16);
	if (shape == 3)
		env_add(&arena, offs, &nenv, "REMOTE_USER", "demo", 4);
	env_add(&arena, offs, &nenv, "REMOTE_ADDR", "127.0.0.1", 9);
	env_add(&arena, offs, &nenv, "HTTP_HOST", "127.0.0.1:8080", 14);
	for (size_t i = 0; i < nenv; i++) {
		const char *e = arena.p + offs[i], *eq = strchr(e, '=');

		param[i].name = (struct sv){ e, (size_t)(eq - e) };
		param[i].value = sv_cstr(eq + 1);
	}

	/* As worker.c's serve() does it: the body kept up to max_body. */
	if (req_begin(&form_req, param, nenv, (struct sv){ body.p,
	    body.n < (size_t)form_cfg.max_body ? body.n : (size_t)form_cfg.max_body },
	    body.n) != 0)
		resp_error(&form_req, form_req.status, "Bad request",
		    "The address of this request is malformed.");
	else
		router_dispatch(&form_req);
	resp_serialize(&form_req, &out);
	req_end(&form_req);
	check_answer(&form_req, &out);
	FUZZ_CHECK(form_txn_id() == form_txn0);

	buf_free(&arena);
	buf_free(&uri);
	buf_free(&out);
	return 0;
}
