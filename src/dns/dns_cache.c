/*
 * dns_cache — upstream answers kept for their TTL (see include/dns/dns_cache.h).
 *
 * Each entry is a single allocation: the entry, its records (answer
 * section first, then authority), its links into the name index, and the
 * bytes those point at (question key, owner names, RDATA).  Two
 * open-addressing hash tables (linear probing, backward-shift deletion,
 * so no tombstones) find things: entries by question, and name nodes by
 * every name an entry mentions.  A name node heads a doubly linked list
 * of the entries that mention it, so purging a name visits only those
 * entries, and dropping an entry unlinks each mention in O(1).  A doubly
 * linked list in use order picks the entry to evict.
 *
 * The additional section is not kept.  RFC 2181 §5.4.1 ranks it the
 * least trustworthy part of a reply (it is where glue and poisoning
 * attempts travel), resolvers do not need it, dns_write_reply() drops
 * it first anyway, and leaving it out keeps its names out of the purge
 * index.  The OPT record is per-hop and never cached.
 */
#include "dns/dns_cache.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* A question key: the lower-cased name, then type and class. */
#define QKEY_MAX (DNS_NAME_STR + 4)
/* RFC 2181 §8: a TTL with the top bit set is to be read as zero. */
#define TTL_MAX 0x7fffffffU
/* Smallest SOA RDATA: two root names and five 32-bit fields. */
#define SOA_RDATA_MIN 22
/* Entries the question table is sized for up front; beyond, it grows. */
#define PRESIZE_MAX 4096

#define ALIGN_UP(n, a) (((n) + (a) - 1) / (a) * (a))
#define container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

struct hkey {
	uint64_t hash;
	const uint8_t *bytes;
	size_t len;
};

struct slot {
	uint64_t hash;
	struct hkey *k;
};

struct table {
	struct slot *slots;
	size_t cap; /* a power of two */
	size_t used;
};

struct entry;
struct name_node;

/* One entry's place in one name node's list. */
struct mention {
	struct mention *prev, *next;
	struct name_node *node;
	struct entry *e;
};

struct name_node {
	struct hkey key;        /* the lower-cased name */
	struct mention *head;   /* never empty: the node goes with its last mention */
	uint8_t bytes[];
};

struct entry {
	struct hkey key;        /* question: lower-cased name, type, class */
	struct entry *newer, *older;
	uint64_t stored, expires;
	int rcode;
	bool negative;
	size_t n_an, n_ns;
	struct dns_rr *rrs;     /* n_an answer records, then n_ns authority */
	struct mention *mentions;
	size_t n_mentions;
};

struct dns_cache {
	struct dns_cache_policy p;
	uint64_t seed;
	struct table entries;
	struct table names;
	struct entry *newest, *oldest;
	size_t count;
	struct dns_rr *scratch; /* the records of the last hit */
	size_t scratch_cap;
	char peek_name[DNS_NAME_STR]; /* the name of the last peek */
	uint64_t hits, misses, inserts, evictions, purged;
};

/* What a reply holds worth keeping, measured before the entry is allocated. */
struct shape {
	size_t n_an, n_ns;
	size_t bytes;           /* owner names with their NULs, and RDATA */
	bool ext_rcode;         /* the OPT record carried upper RCODE bits */
};

/* ---- keys ---------------------------------------------------------- */

static void key_set(const struct dns_cache *c, struct hkey *k, const uint8_t *bytes,
		    size_t len)
{
	uint64_t h = hash_bytes(bytes, len, c->seed);

	/* FNV leaves the high bits poorly mixed; a finaliser is cheap. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	k->hash = h;
	k->bytes = bytes;
	k->len = len;
}

/*
 * The lower-cased name into buf (DNS_NAME_STR bytes): its length, -1 if
 * too long.  dns_name_lower() also makes the escapes canonical, so the
 * key can be shorter than the name.
 */
static int name_key(const char *name, uint8_t *buf)
{
	if (strnlen(name, DNS_NAME_STR) >= DNS_NAME_STR)
		return -1;
	dns_name_lower(name, (char *)buf, DNS_NAME_STR);
	return (int)strlen((const char *)buf);
}

/* buf holds QKEY_MAX bytes. */
static int question_key(const char *qname, uint16_t qtype, uint16_t qclass, uint8_t *buf)
{
	int n = name_key(qname, buf);

	if (n < 0)
		return -1;
	buf[n] = (uint8_t)(qtype >> 8);
	buf[n + 1] = (uint8_t)qtype;
	buf[n + 2] = (uint8_t)(qclass >> 8);
	buf[n + 3] = (uint8_t)qclass;
	return n + 4;
}

/* ---- hash table ---------------------------------------------------- */

static void table_init(struct table *t, size_t expect)
{
	t->cap = 16;
	while (t->cap * 7 < expect * 10)
		t->cap *= 2;
	t->used = 0;
	t->slots = xcalloc(t->cap, sizeof(*t->slots));
}

static void table_place(struct table *t, struct hkey *k)
{
	size_t mask = t->cap - 1;
	size_t i = k->hash & mask;

	while (t->slots[i].k)
		i = (i + 1) & mask;
	t->slots[i].hash = k->hash;
	t->slots[i].k = k;
}

static void table_grow(struct table *t)
{
	struct slot *old = t->slots;
	size_t old_cap = t->cap;

	t->cap *= 2;
	t->slots = xcalloc(t->cap, sizeof(*t->slots));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].k)
			table_place(t, old[i].k);
	free(old);
}

static void table_insert(struct table *t, struct hkey *k)
{
	/* Keep the load under 70%: linear probing degrades fast past that. */
	if ((t->used + 1) * 10 > t->cap * 7)
		table_grow(t);
	table_place(t, k);
	t->used++;
}

static struct hkey *table_find(const struct table *t, const struct hkey *probe)
{
	size_t mask = t->cap - 1;

	for (size_t i = probe->hash & mask; t->slots[i].k; i = (i + 1) & mask) {
		struct hkey *k = t->slots[i].k;

		if (t->slots[i].hash == probe->hash && k->len == probe->len &&
		    memcmp(k->bytes, probe->bytes, k->len) == 0)
			return k;
	}
	return NULL;
}

/* Backward-shift deletion: pull later members of the cluster into the hole. */
static void table_delete(struct table *t, const struct hkey *k)
{
	size_t mask = t->cap - 1;
	size_t hole = k->hash & mask;

	while (t->slots[hole].k != k) {
		if (!t->slots[hole].k)
			return; /* not here */
		hole = (hole + 1) & mask;
	}
	for (size_t j = hole;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!t->slots[j].k)
			break;
		home = t->slots[j].hash & mask;
		/* Slot j stays when its home lies cyclically in (hole, j]. */
		if (hole <= j ? (home > hole && home <= j) : (home > hole || home <= j))
			continue;
		t->slots[hole] = t->slots[j];
		hole = j;
	}
	t->slots[hole].k = NULL;
	t->used--;
}

/* ---- use order ----------------------------------------------------- */

static void lru_unlink(struct dns_cache *c, struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct dns_cache *c, struct entry *e)
{
	e->newer = NULL;
	e->older = c->newest;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
}

/* ---- names an entry mentions --------------------------------------- */

/* The domain name inside RDATA of the types that carry one as a target. */
static int rdata_target(const struct dns_rr *rr, char *out, size_t outlen)
{
	size_t off;

	switch (rr->type) {
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		off = 0;
		break;
	case DNS_T_MX:
		off = 2; /* preference */
		break;
	case DNS_T_SRV:
		off = 6; /* priority, weight, port */
		break;
	default:
		return -1;
	}
	if (off >= rr->rdlen)
		return -1;
	return dns_name_read(rr->rdata, rr->rdlen, &off, out, outlen);
}

static void mention_add(struct dns_cache *c, struct entry *e, const char *name)
{
	uint8_t buf[DNS_NAME_STR];
	struct hkey probe, *k;
	struct name_node *node;
	struct mention *m;
	int n = name_key(name, buf);

	if (n < 0)
		return;
	key_set(c, &probe, buf, (size_t)n);
	k = table_find(&c->names, &probe);
	if (k) {
		node = container_of(k, struct name_node, key);
		/* An entry's mentions go in one after another, each at the head,
		 * so a name it already mentions has it there: once is enough. */
		if (node->head->e == e)
			return;
	} else {
		node = xmalloc(sizeof(*node) + (size_t)n);
		memcpy(node->bytes, buf, (size_t)n);
		node->key = probe;
		node->key.bytes = node->bytes;
		node->head = NULL;
		table_insert(&c->names, &node->key);
	}
	m = &e->mentions[e->n_mentions++];
	m->node = node;
	m->e = e;
	m->prev = NULL;
	m->next = node->head;
	if (node->head)
		node->head->prev = m;
	node->head = m;
}

static void mention_del(struct dns_cache *c, struct mention *m)
{
	struct name_node *node = m->node;

	if (m->prev)
		m->prev->next = m->next;
	else
		node->head = m->next;
	if (m->next)
		m->next->prev = m->prev;
	if (!node->head) {
		table_delete(&c->names, &node->key);
		free(node);
	}
}

static void mentions_link(struct dns_cache *c, struct entry *e, const char *qname)
{
	char target[DNS_NAME_STR];

	mention_add(c, e, qname);
	for (size_t i = 0; i < e->n_an + e->n_ns; i++) {
		mention_add(c, e, e->rrs[i].owner);
		if (rdata_target(&e->rrs[i], target, sizeof(target)) == 0)
			mention_add(c, e, target);
	}
}

/* ---- entries in and out -------------------------------------------- */

static void entry_drop(struct dns_cache *c, struct entry *e)
{
	table_delete(&c->entries, &e->key);
	lru_unlink(c, e);
	for (size_t i = 0; i < e->n_mentions; i++)
		mention_del(c, &e->mentions[i]);
	c->count--;
	free(e);
}

static void entry_insert(struct dns_cache *c, struct entry *e, const char *qname)
{
	struct hkey *old = table_find(&c->entries, &e->key);

	if (old) {
		entry_drop(c, container_of(old, struct entry, key));
	} else if (c->count >= c->p.size) {
		entry_drop(c, c->oldest);
		c->evictions++;
	}
	table_insert(&c->entries, &e->key);
	lru_push(c, e);
	c->count++;
	mentions_link(c, e, qname);
	c->inserts++;
}

/* ---- reading the reply --------------------------------------------- */

/*
 * 1 for a reply that may be cached, 0 for one that never is, -1 for
 * something that is not a reply to this question.
 */
static int check_header(const struct dns_reader *r, const char *qname, uint16_t qtype,
			uint16_t qclass)
{
	unsigned rcode = r->flags & DNS_F_RCODE_MASK;

	if (!(r->flags & DNS_F_QR) || DNS_OPCODE(r->flags) != 0 || r->count[0] != 1)
		return -1;
	if (!dns_name_equal(r->qname, qname) || r->qtype != qtype || r->qclass != qclass)
		return -1;
	/* RFC 2181 §9: "When a DNS client receives a reply with TC set, it
	 * should ignore that response, and query again". */
	if (r->flags & DNS_F_TC)
		return 0;
	if (rcode != DNS_R_NOERROR && rcode != DNS_R_NXDOMAIN)
		return 0;
	return 1;
}

/* The next answer or authority record; the additional section is read (so
 * a malformed one is noticed) but not returned. */
static int next_kept(struct dns_reader *r, struct dns_rr_buf *b, bool *ext_rcode)
{
	int rc;

	while ((rc = dns_reader_next(r, b)) == 1) {
		if (b->rr.type == DNS_T_OPT) {
			/* RFC 6891 §6.1.3: the TTL's top byte extends the RCODE;
			 * BADVERS and friends look like NOERROR in the header. */
			if (b->rr.ttl >> 24)
				*ext_rcode = true;
			continue;
		}
		if (b->section != DNS_SEC_ADDITIONAL)
			return 1;
	}
	return rc;
}

/* r is past the question. */
static int measure(struct dns_reader *r, struct shape *s)
{
	struct dns_rr_buf b;
	int rc;

	memset(s, 0, sizeof(*s));
	while ((rc = next_kept(r, &b, &s->ext_rcode)) == 1) {
		if (b.section == DNS_SEC_ANSWER)
			s->n_an++;
		else
			s->n_ns++;
		s->bytes += strlen(b.rr.owner) + 1 + b.rr.rdlen;
	}
	return rc;
}

/* An entry sized for s, with the key copied in; *data is where the
 * owners and RDATA go. */
static struct entry *entry_alloc(const struct shape *s, const uint8_t *key, size_t keylen,
				 uint8_t **data)
{
	size_t nrr = s->n_an + s->n_ns;
	/* The question, and at most an owner and a target per record. */
	size_t nmen = 1 + 2 * nrr;
	size_t off_rrs = ALIGN_UP(sizeof(struct entry), _Alignof(struct dns_rr));
	size_t off_men = ALIGN_UP(off_rrs + nrr * sizeof(struct dns_rr), _Alignof(struct mention));
	size_t off_bytes = off_men + nmen * sizeof(struct mention);
	uint8_t *block = xcalloc(1, off_bytes + keylen + s->bytes);
	struct entry *e = (struct entry *)(void *)block;

	e->rrs = (struct dns_rr *)(void *)(block + off_rrs);
	e->mentions = (struct mention *)(void *)(block + off_men);
	memcpy(block + off_bytes, key, keylen);
	e->key.bytes = block + off_bytes;
	e->key.len = keylen;
	*data = block + off_bytes + keylen;
	e->n_an = s->n_an;
	e->n_ns = s->n_ns;
	return e;
}

/*
 * Copy the records of msg into e, their owners and RDATA to cur.  The
 * same walk as measure(), so the counts agree; -1 only if they do not.
 */
static int entry_fill(struct entry *e, uint8_t *cur, const uint8_t *msg, size_t len)
{
	struct dns_reader r;
	struct dns_rr_buf b;
	size_t i_an = 0, i_ns = 0;
	bool ext = false;
	int rc;

	if (dns_reader_init(&r, msg, len) < 0)
		return -1;
	while ((rc = next_kept(&r, &b, &ext)) == 1) {
		bool an = b.section == DNS_SEC_ANSWER;
		struct dns_rr *rr;
		size_t olen = strlen(b.rr.owner) + 1;

		if (an ? i_an >= e->n_an : i_ns >= e->n_ns)
			return -1;
		rr = an ? &e->rrs[i_an++] : &e->rrs[e->n_an + i_ns++];
		*rr = b.rr;
		memcpy(cur, b.rr.owner, olen);
		rr->owner = (const char *)cur;
		cur += olen;
		memcpy(cur, b.rr.rdata, b.rr.rdlen);
		rr->rdata = cur;
		cur += b.rr.rdlen;
		if (rr->ttl > TTL_MAX)
			rr->ttl = 0;
	}
	return rc < 0 || i_an != e->n_an || i_ns != e->n_ns ? -1 : 0;
}

/* ---- what the reply is worth --------------------------------------- */

/*
 * RFC 1034 §3.6.2: the answer may sit at the end of a CNAME chain that
 * starts at qname.  Each step follows one CNAME, so n_an + 1 steps walk
 * any chain the answer can hold, and a CNAME loop ends there.
 */
static bool answers_question(const struct entry *e, const char *qname, uint16_t qtype)
{
	char names[2][DNS_NAME_STR];
	const char *cur = qname;

	if (qtype == DNS_T_ANY)
		return e->n_an > 0;
	for (size_t step = 0; step <= e->n_an; step++) {
		const struct dns_rr *cname = NULL;

		for (size_t i = 0; i < e->n_an; i++) {
			const struct dns_rr *rr = &e->rrs[i];

			if (!dns_name_equal(rr->owner, cur))
				continue;
			if (rr->type == qtype)
				return true;
			if (rr->type == DNS_T_CNAME && !cname)
				cname = rr;
		}
		if (!cname || rdata_target(cname, names[step & 1], DNS_NAME_STR) < 0)
			return false;
		cur = names[step & 1];
	}
	return false;
}

static uint32_t min_ttl_of(const struct dns_rr *rrs, size_t n)
{
	uint32_t m = UINT32_MAX;

	for (size_t i = 0; i < n; i++)
		m = MIN(m, rrs[i].ttl);
	return m;
}

static uint32_t clamp_positive(const struct dns_cache_policy *p, uint32_t ttl)
{
	ttl = MAX(ttl, p->min_ttl);
	if (p->max_ttl > 0)
		ttl = MIN(ttl, p->max_ttl);
	return ttl;
}

static uint32_t positive_ttl(const struct dns_cache_policy *p, struct entry *e)
{
	uint32_t ttl = min_ttl_of(e->rrs, e->n_an);

	/* RFC 1035 §3.2.1: zero means "only for the transaction in
	 * progress"; --min-cache-ttl lengthens short TTLs, not that. */
	if (ttl == 0)
		return 0;
	for (size_t i = 0; i < e->n_an + e->n_ns; i++)
		e->rrs[i].ttl = clamp_positive(p, e->rrs[i].ttl);
	return clamp_positive(p, ttl);
}

static const struct dns_rr *find_soa(const struct entry *e)
{
	for (size_t i = e->n_an; i < e->n_an + e->n_ns; i++)
		if (e->rrs[i].type == DNS_T_SOA && e->rrs[i].rdlen >= SOA_RDATA_MIN)
			return &e->rrs[i];
	return NULL;
}

static uint32_t soa_minimum(const struct dns_rr *soa)
{
	const uint8_t *p = soa->rdata + soa->rdlen - 4;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t negative_ttl(const struct dns_cache_policy *p, struct entry *e)
{
	const struct dns_rr *soa = find_soa(e);
	uint32_t ttl;

	if (p->no_negcache)
		return 0;
	if (soa) {
		/* RFC 2308 §5: "its TTL is taken from the minimum of the
		 * SOA.MINIMUM field and SOA's TTL". */
		ttl = MIN(soa->ttl, soa_minimum(soa));
	} else if (p->has_neg_ttl) {
		ttl = p->neg_ttl;
	} else {
		/* RFC 2308 §5: "Negative responses without SOA records SHOULD
		 * NOT be cached"; dnsmasq caches them only under --neg-ttl. */
		return 0;
	}
	/* A CNAME chain to the missing name goes when its first link does. */
	ttl = MIN(ttl, min_ttl_of(e->rrs, e->n_an));
	ttl = MIN(ttl, p->max_neg_ttl);
	if (p->max_ttl > 0)
		ttl = MIN(ttl, p->max_ttl);
	/* The SOA goes out with the TTL the entry lives for, not its own. */
	for (size_t i = 0; i < e->n_an + e->n_ns; i++)
		e->rrs[i].ttl = MIN(e->rrs[i].ttl, ttl);
	return ttl;
}

/* How long e may live (0: not at all); record TTLs bounded to match. */
static uint32_t entry_ttl(const struct dns_cache *c, struct entry *e, const char *qname,
			  uint16_t qtype)
{
	e->negative = e->rcode == DNS_R_NXDOMAIN || !answers_question(e, qname, qtype);
	return e->negative ? negative_ttl(&c->p, e) : positive_ttl(&c->p, e);
}

/* ---- public interface ---------------------------------------------- */

struct dns_cache *dns_cache_new(const struct dns_cache_policy *p)
{
	struct dns_cache *c;

	if (!p)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->p = *p;
	/* Names come from upstream replies: a random seed keeps anyone who
	 * can make us resolve names from choosing colliding ones. */
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != sizeof(c->seed))
		c->seed = now_mono_ms() * 0x9e3779b97f4a7c15ULL;
	table_init(&c->entries, MIN(p->size, (size_t)PRESIZE_MAX));
	table_init(&c->names, 0);
	c->scratch_cap = 16;
	c->scratch = xcalloc(c->scratch_cap, sizeof(*c->scratch));
	return c;
}

void dns_cache_free(struct dns_cache *c)
{
	if (!c)
		return;
	dns_cache_clear(c);
	free(c->entries.slots);
	free(c->names.slots);
	free(c->scratch);
	free(c);
}

int dns_cache_store(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		    const uint8_t *msg, size_t len, uint64_t now)
{
	struct dns_reader r;
	struct shape s;
	struct entry *e;
	uint8_t key[QKEY_MAX], *data;
	uint32_t ttl;
	int klen, rc;

	if (!c || !qname || !msg)
		return -1;
	klen = question_key(qname, qtype, qclass, key);
	if (klen < 0 || dns_reader_init(&r, msg, len) < 0)
		return -1;
	rc = check_header(&r, qname, qtype, qclass);
	if (rc <= 0)
		return rc;
	if (measure(&r, &s) < 0)
		return -1;
	if (s.ext_rcode || c->p.size == 0)
		return 0;

	e = entry_alloc(&s, key, (size_t)klen, &data);
	key_set(c, &e->key, e->key.bytes, e->key.len);
	e->rcode = r.flags & DNS_F_RCODE_MASK;
	rc = -1;
	if (entry_fill(e, data, msg, len) < 0)
		goto fail;
	rc = 0;
	ttl = entry_ttl(c, e, qname, qtype);
	if (ttl == 0)
		goto fail;
	e->stored = now;
	e->expires = now + ttl;
	entry_insert(c, e, qname);
	return 1;
fail:
	free(e);
	return rc;
}

static void fill_hit(struct dns_cache *c, const struct entry *e, uint64_t now,
		     struct dns_cache_hit *out)
{
	size_t n = e->n_an + e->n_ns;
	uint64_t elapsed = now > e->stored ? now - e->stored : 0;

	if (n > c->scratch_cap) {
		c->scratch = xrealloc(c->scratch, n * sizeof(*c->scratch));
		c->scratch_cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		c->scratch[i] = e->rrs[i];
		c->scratch[i].ttl = e->rrs[i].ttl > elapsed ? (uint32_t)(e->rrs[i].ttl - elapsed) : 0;
	}
	memset(out, 0, sizeof(*out));
	out->answer.rcode = e->rcode;
	out->answer.authoritative = false;
	out->answer.rrs[DNS_SEC_ANSWER] = c->scratch;
	out->answer.n[DNS_SEC_ANSWER] = e->n_an;
	out->answer.rrs[DNS_SEC_AUTHORITY] = c->scratch + e->n_an;
	out->answer.n[DNS_SEC_AUTHORITY] = e->n_ns;
	out->negative = e->negative;
}

bool dns_cache_lookup(struct dns_cache *c, const char *qname, uint16_t qtype,
		      uint16_t qclass, uint64_t now, struct dns_cache_hit *out)
{
	uint8_t key[QKEY_MAX];
	struct hkey probe, *k;
	struct entry *e;
	int klen;

	if (!c || !qname || !out)
		return false;
	klen = question_key(qname, qtype, qclass, key);
	if (klen < 0)
		goto miss;
	key_set(c, &probe, key, (size_t)klen);
	k = table_find(&c->entries, &probe);
	if (!k)
		goto miss;
	e = container_of(k, struct entry, key);
	if (now >= e->expires) {
		entry_drop(c, e);
		goto miss;
	}
	lru_unlink(c, e);
	lru_push(c, e);
	fill_hit(c, e, now, out);
	c->hits++;
	return true;
miss:
	c->misses++;
	return false;
}

size_t dns_cache_purge_name(struct dns_cache *c, const char *name)
{
	uint8_t key[DNS_NAME_STR];
	struct hkey probe, *k;
	size_t n = 0;
	int klen;

	if (!c || !name)
		return 0;
	klen = name_key(name, key);
	if (klen < 0)
		return 0;
	key_set(c, &probe, key, (size_t)klen);
	/* Dropping the last entry that mentions the name frees its node,
	 * so look the node up afresh each time round. */
	while ((k = table_find(&c->names, &probe)) != NULL) {
		entry_drop(c, container_of(k, struct name_node, key)->head->e);
		n++;
	}
	c->purged += n;
	return n;
}

void dns_cache_clear(struct dns_cache *c)
{
	if (!c)
		return;
	while (c->oldest)
		entry_drop(c, c->oldest);
}

void dns_cache_stats(const struct dns_cache *c, struct dns_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	out->entries = c->count;
	out->hits = c->hits;
	out->misses = c->misses;
	out->inserts = c->inserts;
	out->evictions = c->evictions;
	out->purged = c->purged;
}

/* ---- looking without touching (leasectl) --------------------------- */

static void fill_info(struct dns_cache *c, const struct entry *e, uint64_t now, char *qname,
		      struct dns_cache_entry_info *out)
{
	struct dns_cache_hit hit;
	size_t nlen = e->key.len - 4;
	const uint8_t *k = e->key.bytes;

	memcpy(qname, k, nlen);
	qname[nlen] = '\0';
	fill_hit(c, e, now, &hit);
	*out = (struct dns_cache_entry_info){
		.qname = qname,
		.qtype = (uint16_t)(k[nlen] << 8 | k[nlen + 1]),
		.qclass = (uint16_t)(k[nlen + 2] << 8 | k[nlen + 3]),
		.rcode = e->rcode, .negative = e->negative,
		.ttl_left = (uint32_t)(e->expires - now), .answer = hit.answer,
	};
}

void dns_cache_foreach(struct dns_cache *c, uint64_t now,
		       void (*fn)(void *ctx, const struct dns_cache_entry_info *e), void *ctx)
{
	char qname[DNS_NAME_STR];
	struct dns_cache_entry_info info;

	for (const struct entry *e = c->newest; e; e = e->older) {
		if (now >= e->expires)
			continue;
		fill_info(c, e, now, qname, &info);
		fn(ctx, &info);
	}
}

bool dns_cache_peek(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		    uint64_t now, struct dns_cache_entry_info *out)
{
	uint8_t key[QKEY_MAX];
	struct hkey probe, *k;
	const struct entry *e;
	int klen = question_key(qname, qtype, qclass, key);

	if (klen < 0)
		return false;
	key_set(c, &probe, key, (size_t)klen);
	k = table_find(&c->entries, &probe);
	if (!k)
		return false;
	e = container_of(k, struct entry, key);
	if (now >= e->expires)
		return false;
	fill_info(c, e, now, c->peek_name, out);
	return true;
}
