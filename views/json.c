/* json.c: the JSON writer (json.h). */
#include "json.h"

#include "html.h"

void
jw_init(struct jw *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->in_obj = j->has_value = 0;
	j->bad = 0;
}

/* The comma before a value, and its key where it lands in an object. */
static void
lead(struct jw *j, const char *key)
{
	uint32_t bit;

	if (j->depth == 0) {
		if (key != NULL || j->has_value & 1u)
			j->bad = 1;       /* one value at the top, without a key */
		j->has_value |= 1u;
		return;
	}
	bit = 1u << j->depth;
	if ((key != NULL) != ((j->in_obj & bit) != 0))
		j->bad = 1;
	if (j->has_value & bit)
		buf_putc(j->out, ',');
	j->has_value |= bit;
	if (key != NULL) {
		json_str(j->out, sv_cstr(key));
		buf_putc(j->out, ':');
	}
}

static void
open_(struct jw *j, const char *key, int obj)
{
	lead(j, key);
	if (j->depth + 1 >= JSON_DEPTH) {
		j->bad = 1;
		return;
	}
	j->depth++;
	j->has_value &= ~(1u << j->depth);
	if (obj)
		j->in_obj |= 1u << j->depth;
	else
		j->in_obj &= ~(1u << j->depth);
	buf_putc(j->out, obj ? '{' : '[');
}

static void
close_(struct jw *j, int obj)
{
	if (j->depth == 0 || ((j->in_obj >> j->depth) & 1u) != (unsigned)obj) {
		j->bad = 1;
		return;
	}
	j->depth--;
	buf_putc(j->out, obj ? '}' : ']');
}

void jw_obj_open(struct jw *j, const char *key)  { open_(j, key, 1); }
void jw_obj_close(struct jw *j)                  { close_(j, 1); }
void jw_arr_open(struct jw *j, const char *key)  { open_(j, key, 0); }
void jw_arr_close(struct jw *j)                  { close_(j, 0); }

void
jw_str(struct jw *j, const char *key, struct sv v)
{
	lead(j, key);
	json_str(j->out, v);
}

void
jw_null(struct jw *j, const char *key)
{
	lead(j, key);
	buf_puts(j->out, "null");
}

void
jw_str_or_null(struct jw *j, const char *key, struct sv v)
{
	if (v.n)
		jw_str(j, key, v);
	else
		jw_null(j, key);
}

void
jw_uint(struct jw *j, const char *key, uint64_t v)
{
	lead(j, key);
	buf_putu64(j->out, v);
}

void
jw_int(struct jw *j, const char *key, int64_t v)
{
	lead(j, key);
	buf_puti64(j->out, v);
}

void
jw_int_or_null(struct jw *j, const char *key, int64_t v)
{
	if (v > 0)
		jw_int(j, key, v);
	else
		jw_null(j, key);
}

void
jw_bool(struct jw *j, const char *key, int v)
{
	lead(j, key);
	buf_puts(j->out, v ? "true" : "false");
}

int
jw_done(struct jw *j)
{
	return j->depth == 0 && !j->bad ? 0 : -1;
}
