/* session.c: HMAC-signed session cookies with their issue time and id, CSRF tokens (libsodium), the secret file. */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- base64url (libsodium's: URL-safe alphabet, no padding) ---------------- */

void
b64url_encode(struct buf *out, const unsigned char *p, size_t n)
{
	size_t len = sodium_base64_encoded_len(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	/* len counts the NUL that sodium writes; buf keeps one past len. */
	buf_reserve(out, len);
	sodium_bin2base64(out->p + out->len, len, p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out->len += len - 1;
}

int
b64url_decode(struct buf *out, struct sv in)
{
	size_t got = 0, max = in.n / 4 * 3 + 3;
	const char *end;

	/* Strict: no padding, no characters outside the alphabet, and the
	 * unused bits of the last character zero (one encoding per value).
	 * The alphabet is checked here: Debian 12's libsodium (1.0.18) reads
	 * some bytes above 0x7f as '_' (0x9f decodes like "_"), so a cookie
	 * would have more than one spelling. */
	for (size_t i = 0; i < in.n; i++) {
		unsigned char c = (unsigned char)in.p[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;
	}
	buf_reserve(out, max);
	if (sodium_base642bin((unsigned char *)out->p + out->len, max, in.p, in.n,
	    NULL, &got, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    end != in.p + in.n)
		return -1;
	out->len += got;
	out->p[out->len] = '\0';
	return 0;
}

/* ---- the secret --------------------------------------------------------------- */

int
session_key_load(const char *path, struct session_key *key, struct buf *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	if (sodium_init() < 0) {
		buf_puts(err, "libsodium cannot be initialised");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		unsigned char k[SESSION_KEY_LEN];

		/* First start: a new secret, readable by this user only.
		 * O_EXCL: two processes racing here agree on one file. */
		randombytes_buf(k, sizeof(k));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (write(fd, k, sizeof(k)) != (ssize_t)sizeof(k) ||
			    fsync(fd) < 0) {
				buf_puts(err, path);
				buf_puts(err, ": cannot write the new secret");
				close(fd);
				unlink(path);
				return -1;
			}
			close(fd);
		} else if (errno != EEXIST) {
			buf_puts(err, path);
			buf_puts(err, ": ");
			buf_puts(err, strerror(errno));
			return -1;
		}
		sodium_memzero(k, sizeof(k));
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		buf_puts(err, path);
		buf_puts(err, ": ");
		buf_puts(err, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || (st.st_mode & 077) != 0) {
		buf_puts(err, path);
		buf_puts(err, ": the secret must be readable by its owner only (chmod 600)");
		close(fd);
		return -1;
	}
	n = read(fd, key->k, sizeof(key->k));
	close(fd);
	if (n != (ssize_t)sizeof(key->k)) {
		buf_puts(err, path);
		buf_puts(err, ": the secret must hold 32 bytes");
		return -1;
	}
	return 0;
}

/* ---- cookies -------------------------------------------------------------------- */

_Static_assert(STORE_SESSION_ID_LEN >= crypto_generichash_BYTES_MIN &&
    STORE_SESSION_ID_LEN <= crypto_generichash_BYTES_MAX,
    "a session id is a BLAKE2b hash");

static void
mac(const struct session_key *key, const char *label, struct sv a, struct sv b,
    unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key->k, sizeof(key->k));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)a.p, a.n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)b.p, b.n);
	crypto_auth_hmacsha256_final(&st, out);
}

void
session_issue(const struct session_key *key, struct sv user, uint64_t issued_ms,
    uint64_t expires, struct buf *out)
{
	unsigned char m[crypto_auth_hmacsha256_BYTES];
	char times[48];
	int n = snprintf(times, sizeof(times), "%llu.%llu",
	    (unsigned long long)issued_ms, (unsigned long long)expires);

	mac(key, "bzs2|", user, (struct sv){ times, (size_t)n }, m);
	b64url_encode(out, (const unsigned char *)user.p, user.n);
	buf_putc(out, '.');
	buf_put(out, times, (size_t)n);
	buf_putc(out, '.');
	b64url_encode(out, m, sizeof(m));
}

/*
 * A number as session_issue writes it: 1..19 decimal digits, no leading
 * zero (one spelling per value, and never 0). 0 or -1.
 */
static int
parse_dec(struct sv s, uint64_t *out)
{
	uint64_t v = 0;

	if (s.n == 0 || s.n > 19 || s.p[0] == '0')
		return -1;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	*out = v;
	return 0;
}

int
session_verify(const struct session_key *key, struct sv value, uint64_t now,
    struct buf *user, struct session_info *info)
{
	unsigned char m[crypto_auth_hmacsha256_BYTES];
	const char *d1, *d2, *d3, *end = value.p + value.n;
	struct buf given = BUF_INIT;
	struct sv times;
	uint64_t issued = 0, expires = 0;
	size_t ulen0 = user->len;
	int rc = -1;

	if (value.n == 0 || value.n > 512)
		return -1;
	if ((d1 = memchr(value.p, '.', value.n)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL ||
	    (d3 = memchr(d2 + 1, '.', (size_t)(end - d2 - 1))) == NULL)
		return -1;
	if (parse_dec((struct sv){ d1 + 1, (size_t)(d2 - d1 - 1) }, &issued) < 0 ||
	    parse_dec((struct sv){ d2 + 1, (size_t)(d3 - d2 - 1) }, &expires) < 0)
		return -1;
	/* The MAC covers "issued.expiry" as written. */
	times = (struct sv){ d1 + 1, (size_t)(d3 - d1 - 1) };
	if (b64url_decode(user, (struct sv){ value.p, (size_t)(d1 - value.p) }) < 0 ||
	    user->len - ulen0 == 0 || user->len - ulen0 > SESSION_USER_MAX)
		goto out;
	/* A '.' after the third makes the MAC's base64url fail here. */
	if (b64url_decode(&given, (struct sv){ d3 + 1, (size_t)(end - d3 - 1) }) < 0 ||
	    given.len != sizeof(m))
		goto out;
	mac(key, "bzs2|", (struct sv){ user->p + ulen0, user->len - ulen0 }, times, m);
	if (sodium_memcmp(m, given.p, sizeof(m)) != 0)
		goto out;
	/* Only the key signs these, but a life longer than any session's
	 * would outlast the store's not-before entries (store.h). */
	if (issued / 1000 >= expires ||
	    expires - issued / 1000 > STORE_SESSION_TTL_MAX || expires <= now)
		goto out;
	if (info != NULL) {
		info->issued_ms = issued;
		info->expires = expires;
		crypto_generichash(info->id, sizeof(info->id), m, sizeof(m),
		    NULL, 0);
	}
	rc = 0;
out:
	if (rc < 0) {
		user->len = ulen0;
		if (user->cap)
			user->p[ulen0] = '\0';
	}
	buf_free(&given);
	return rc;
}

/* The session's token: HMAC-SHA-256(secret, "csrf1|" value "|"). */
static void
csrf_mac(const struct session_key *key, struct sv value,
    unsigned char m[crypto_auth_hmacsha256_BYTES])
{
	mac(key, "csrf1|", value, (struct sv){ "", 0 }, m);
}

/*
 * The pads: ChaCha20 under a key of this process's own, one 64-byte block
 * per pad (counter as nonce), so a page costs no getrandom(2). The key is
 * drawn at the first pad and again by session_pads_reseed() in each new
 * worker: a fork must not hand two processes the same stream.
 */
static struct {
	unsigned char key[crypto_stream_chacha20_KEYBYTES];
	uint64_t      next;
	int           keyed;
} pads;

void
session_pads_reseed(void)
{
	randombytes_buf(pads.key, sizeof(pads.key));
	pads.next = 0;
	pads.keyed = 1;
}

static void
pad_next(unsigned char *pad, size_t n)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

	if (!pads.keyed || pads.next == UINT64_MAX)
		session_pads_reseed();
	_Static_assert(sizeof(nonce) == sizeof(pads.next), "a nonce per pad");
	memcpy(nonce, &pads.next, sizeof(nonce));   /* any byte order: unique */
	pads.next++;
	crypto_stream_chacha20(pad, n, nonce, pads.key);
}

_Static_assert(SESSION_TOKEN_LEN == crypto_auth_hmacsha256_BYTES,
    "a token is an HMAC-SHA-256");

void
session_csrf_token(const struct session_key *key, struct sv value,
    unsigned char token[SESSION_TOKEN_LEN])
{
	csrf_mac(key, value, token);
}

void
session_csrf_mask(const unsigned char token[SESSION_TOKEN_LEN],
    struct buf *out)
{
	unsigned char t[2 * SESSION_TOKEN_LEN];
	unsigned char *pad = t, *m = t + SESSION_TOKEN_LEN;

	pad_next(pad, SESSION_TOKEN_LEN);
	for (size_t i = 0; i < SESSION_TOKEN_LEN; i++)
		m[i] = token[i] ^ pad[i];
	b64url_encode(out, t, sizeof(t));
}

void
session_csrf(const struct session_key *key, struct sv value, struct buf *out)
{
	unsigned char m[SESSION_TOKEN_LEN];

	csrf_mac(key, value, m);
	session_csrf_mask(m, out);
}

int
session_csrf_ok(const struct session_key *key, struct sv value, struct sv token)
{
	unsigned char m[crypto_auth_hmacsha256_BYTES];
	struct buf got = BUF_INIT;
	int ok = 0;

	if (token.n > SESSION_CSRF_MAX || b64url_decode(&got, token) < 0)
		goto out;
	csrf_mac(key, value, m);
	if (got.len == 2 * sizeof(m)) {
		/* Masked: pad, then the token XOR the pad. */
		for (size_t i = 0; i < sizeof(m); i++)
			got.p[sizeof(m) + i] ^= got.p[i];
		ok = sodium_memcmp(got.p + sizeof(m), m, sizeof(m)) == 0;
	} else if (got.len == sizeof(m))
		ok = sodium_memcmp(got.p, m, sizeof(m)) == 0;
out:
	buf_free(&got);
	return ok;
}

int
cookie_get(const char *header, const char *name, struct sv *out)
{
	size_t nlen = strlen(name);
	const char *p = header;

	if (p == NULL)
		return -1;
	while (*p != '\0') {
		const char *end;

		while (*p == ' ' || *p == ';' || *p == '\t')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			const char *v = p + nlen + 1, *e = end;

			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			*out = (struct sv){ v, (size_t)(e - v) };
			return 0;
		}
		p = end;
	}
	return -1;
}
