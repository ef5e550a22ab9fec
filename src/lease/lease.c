/*
 * lease — the lease table (see include/lease/lease.h).
 *
 * Each lease lives in its own heap-allocated entry, so pointers handed to
 * observers and returned by lookups stay put while other leases come and
 * go.  Four open-addressing hash indexes (linear probing, backward-shift
 * deletion, so no tombstones) point at the entries: by address, by client
 * identity, by hardware address and by lower-cased hostname (several
 * entries may share a hardware address or a name).  Keys start with the
 * family, so an IPv4 and an IPv6 key never meet.  Each entry remembers its hashes, so removing it
 * never recomputes a key.  A binary min-heap on `expires`, in which every
 * entry knows its position, gives the next expiry in O(1) and removal in
 * O(log n).  Quarantined addresses sit in a small map of their own whose
 * stale entries are dropped when lease_expire() (or a search asking for
 * the quarantine bitmap) runs past them.  A tracked IPv4 range has two
 * bitmaps for the free-address search: its held addresses (following the
 * address index) and its quarantined ones (following the map).
 */
#include "lease/lease.h"
#include "lease/pool.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define NOT_IN_HEAP SIZE_MAX
/* Identity key: a tag byte, then client-id, (htype, hwaddr) or (IA, IAID, DUID). */
#define KEY_MAX (8 + LEASE_CLIENT_ID_MAX)

enum index_kind {
	IDX_ADDR,
	IDX_CLIENT,
	IDX_HWADDR,
	IDX_NAME,
	IDX_COUNT,
};

struct entry {
	struct lease l;
	size_t heap_pos;
	uint64_t hash[IDX_COUNT];
	bool indexed[IDX_COUNT];
};

struct slot {
	uint64_t hash;
	struct entry *e;
};

struct index {
	enum index_kind kind;
	struct slot *slots;
	size_t cap; /* a power of two */
	size_t used;
};

struct quarantine_slot {
	struct lease_addr addr; /* family 0 marks a free slot */
	time_t until;
};

struct lease_table {
	uint64_t seed;
	struct index idx[IDX_COUNT];
	struct entry **heap;
	size_t heap_len, heap_cap;
	struct observer {
		lease_observer_fn fn;
		void *ctx;
	} *observers;              /* as many as the daemon wires up */
	size_t n_observers;
	uint32_t generation;       /* bumped by every change observers see */
	struct quarantine_slot *quarantine;
	size_t q_cap, q_used;
	time_t q_earliest; /* no entry ends before this */
	struct tracked4 {
		struct in_addr first, last;
		struct pool4 *pool;        /* held addresses */
		struct pool4 *quarantined; /* addresses in the quarantine map */
	} *tracked;                /* IPv4 ranges whose addresses are kept in bitmaps */
	size_t ntracked;
};

/* ---- addresses ----------------------------------------------------- */

bool lease_addr_equal(const struct lease_addr *a, const struct lease_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET6)
		return memcmp(&a->v6, &b->v6, sizeof(a->v6)) == 0;
	return a->v4.s_addr == b->v4.s_addr;
}

const char *lease_addr_str(const struct lease_addr *a, char *buf, size_t len)
{
	const void *p = a->family == AF_INET6 ? (const void *)&a->v6 : (const void *)&a->v4;

	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, p, buf, (socklen_t)len))
		str_copy(buf, "?", len);
	return buf;
}

bool lease_addr_parse(const char *s, struct lease_addr *out)
{
	struct lease_addr a = { 0 };

	if (!s)
		return false;
	if (inet_pton(AF_INET, s, &a.v4) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a.v6) == 1)
		a.family = AF_INET6;
	else
		return false;
	*out = a;
	return true;
}

bool lease_addr_usable(const struct lease_addr *a)
{
	if (a->family == AF_INET)
		return a->v4.s_addr != 0;
	if (a->family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&a->v6);
	return false;
}

/* ---- keys ---------------------------------------------------------- */

static uint8_t family_tag(int family)
{
	return family == AF_INET6 ? 6 : 4;
}

static size_t addr_key(const struct lease_addr *a, uint8_t *buf)
{
	buf[0] = family_tag(a->family);
	if (a->family == AF_INET6) {
		memcpy(buf + 1, &a->v6, sizeof(a->v6));
		return 1 + sizeof(a->v6);
	}
	memcpy(buf + 1, &a->v4.s_addr, sizeof(a->v4.s_addr));
	return 1 + sizeof(a->v4.s_addr);
}

static size_t identity_key(const struct lease *l, uint8_t *buf)
{
	if (l->addr.family == AF_INET6) {
		if (l->client_id_len == 0)
			return 0;
		buf[0] = 'D';
		buf[1] = l->ia;
		put_be32(buf + 2, l->iaid);
		memcpy(buf + 6, l->client_id, l->client_id_len);
		return 6 + (size_t)l->client_id_len;
	}
	if (l->client_id_len > 0) {
		buf[0] = 'C';
		memcpy(buf + 1, l->client_id, l->client_id_len);
		return 1 + (size_t)l->client_id_len;
	}
	if (l->hwlen > 0) {
		buf[0] = 'H';
		buf[1] = l->htype;
		memcpy(buf + 2, l->hwaddr, l->hwlen);
		return 2 + (size_t)l->hwlen;
	}
	return 0; /* no identity at all: never matched, never displaced */
}

static size_t hwaddr_key(int family, uint8_t htype, const uint8_t *hw, size_t hwlen,
			 uint8_t *buf)
{
	if (hwlen == 0 || hwlen > LEASE_HWADDR_MAX)
		return 0;
	buf[0] = family_tag(family);
	buf[1] = htype;
	memcpy(buf + 2, hw, hwlen);
	return 2 + hwlen;
}

static size_t name_key(const char *name, uint8_t *buf)
{
	size_t n = strnlen(name, LEASE_NAME_MAX);

	if (n >= LEASE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)tolower((unsigned char)name[i]);
	return n;
}

/* The key an entry has in one index; 0 means "not in this index". */
static size_t entry_key(enum index_kind kind, const struct lease *l, uint8_t *buf)
{
	switch (kind) {
	case IDX_ADDR:
		return addr_key(&l->addr, buf);
	case IDX_CLIENT:
		return identity_key(l, buf);
	case IDX_HWADDR:
		return hwaddr_key(l->addr.family, l->htype, l->hwaddr, l->hwlen, buf);
	case IDX_NAME:
		return name_key(l->hostname, buf);
	case IDX_COUNT:
		break;
	}
	return 0;
}

static uint64_t key_hash(const struct lease_table *t, const uint8_t *key, size_t len)
{
	uint64_t h = hash_bytes(key, len, t->seed);

	/* FNV leaves the high bits poorly mixed; the slot uses the low ones,
	 * but a finaliser costs nothing and guards against clustering. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* ---- hash index ---------------------------------------------------- */

static void index_init(struct index *x, enum index_kind kind)
{
	x->kind = kind;
	x->cap = 16;
	x->used = 0;
	x->slots = xcalloc(x->cap, sizeof(*x->slots));
}

static void index_place(struct index *x, uint64_t hash, struct entry *e)
{
	size_t mask = x->cap - 1;
	size_t i = hash & mask;

	while (x->slots[i].e)
		i = (i + 1) & mask;
	x->slots[i].hash = hash;
	x->slots[i].e = e;
}

static void index_grow(struct index *x)
{
	struct slot *old = x->slots;
	size_t old_cap = x->cap;

	x->cap *= 2;
	x->slots = xcalloc(x->cap, sizeof(*x->slots));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].e)
			index_place(x, old[i].hash, old[i].e);
	free(old);
}

static void index_insert(struct index *x, uint64_t hash, struct entry *e)
{
	/* Keep the load under 70%: linear probing degrades fast past that. */
	if ((x->used + 1) * 10 > x->cap * 7)
		index_grow(x);
	index_place(x, hash, e);
	x->used++;
}

/*
 * The entries whose key is key, one per call: *pos starts at hash's home
 * slot (index_home) and moves past each entry returned.  The index must
 * not change between calls.
 */
static size_t index_home(const struct index *x, uint64_t hash)
{
	return hash & (x->cap - 1);
}

static struct entry *index_next(const struct index *x, uint64_t hash,
				const uint8_t *key, size_t keylen, size_t *pos)
{
	size_t mask = x->cap - 1;
	uint8_t buf[KEY_MAX];

	while (x->slots[*pos].e) {
		struct entry *e = x->slots[*pos].e;
		bool hit = x->slots[*pos].hash == hash;

		*pos = (*pos + 1) & mask;
		if (hit && entry_key(x->kind, &e->l, buf) == keylen && memcmp(buf, key, keylen) == 0)
			return e;
	}
	return NULL;
}

static struct entry *index_find(const struct index *x, uint64_t hash,
				const uint8_t *key, size_t keylen)
{
	size_t pos = index_home(x, hash);

	return index_next(x, hash, key, keylen, &pos);
}

/* Backward-shift deletion: pull later members of the cluster into the hole. */
static void index_delete(struct index *x, uint64_t hash, const struct entry *e)
{
	size_t mask = x->cap - 1;
	size_t i = hash & mask, j;

	while (x->slots[i].e != e) {
		if (!x->slots[i].e)
			return; /* not here: nothing to do */
		i = (i + 1) & mask;
	}
	for (j = i;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!x->slots[j].e)
			break;
		home = x->slots[j].hash & mask;
		/* Leave slot j alone when its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		x->slots[i] = x->slots[j];
		i = j;
	}
	x->slots[i].e = NULL;
	x->used--;
}

/* ---- expiry heap --------------------------------------------------- */

static void heap_set(struct lease_table *t, size_t pos, struct entry *e)
{
	t->heap[pos] = e;
	e->heap_pos = pos;
}

static void heap_sift_up(struct lease_table *t, size_t pos)
{
	struct entry *e = t->heap[pos];

	while (pos > 0) {
		size_t parent = (pos - 1) / 2;

		if (t->heap[parent]->l.expires <= e->l.expires)
			break;
		heap_set(t, pos, t->heap[parent]);
		pos = parent;
	}
	heap_set(t, pos, e);
}

static void heap_sift_down(struct lease_table *t, size_t pos)
{
	struct entry *e = t->heap[pos];

	for (;;) {
		size_t child = 2 * pos + 1;

		if (child >= t->heap_len)
			break;
		if (child + 1 < t->heap_len &&
		    t->heap[child + 1]->l.expires < t->heap[child]->l.expires)
			child++;
		if (e->l.expires <= t->heap[child]->l.expires)
			break;
		heap_set(t, pos, t->heap[child]);
		pos = child;
	}
	heap_set(t, pos, e);
}

static void heap_push(struct lease_table *t, struct entry *e)
{
	if (t->heap_len == t->heap_cap) {
		t->heap_cap = t->heap_cap ? t->heap_cap * 2 : 64;
		t->heap = xrealloc(t->heap, t->heap_cap * sizeof(*t->heap));
	}
	heap_set(t, t->heap_len++, e);
	heap_sift_up(t, e->heap_pos);
}

static void heap_remove(struct lease_table *t, struct entry *e)
{
	size_t pos = e->heap_pos;
	struct entry *last;

	if (pos == NOT_IN_HEAP)
		return;
	e->heap_pos = NOT_IN_HEAP;
	last = t->heap[--t->heap_len];
	if (last == e)
		return;
	heap_set(t, pos, last);
	heap_sift_up(t, pos);
	heap_sift_down(t, last->heap_pos);
}

/* ---- entries in and out of every index ----------------------------- */

/* The held-address bitmaps follow the address index. */
static void track_held(struct lease_table *t, const struct lease *l, bool held)
{
	if (l->addr.family != AF_INET)
		return;
	for (size_t i = 0; i < t->ntracked; i++)
		if (pool4_covers(t->tracked[i].pool, l->addr.v4))
			pool4_set_held(t->tracked[i].pool, l->addr.v4, held);
}

static void entry_link(struct lease_table *t, struct entry *e)
{
	uint8_t buf[KEY_MAX];

	for (int k = 0; k < IDX_COUNT; k++) {
		size_t len = entry_key((enum index_kind)k, &e->l, buf);

		e->indexed[k] = len > 0;
		if (!len)
			continue;
		e->hash[k] = key_hash(t, buf, len);
		index_insert(&t->idx[k], e->hash[k], e);
	}
	e->heap_pos = NOT_IN_HEAP;
	if (e->l.expires != 0)
		heap_push(t, e);
	track_held(t, &e->l, true);
}

static void entry_unlink(struct lease_table *t, struct entry *e)
{
	for (int k = 0; k < IDX_COUNT; k++) {
		if (e->indexed[k])
			index_delete(&t->idx[k], e->hash[k], e);
		e->indexed[k] = false;
	}
	heap_remove(t, e);
	track_held(t, &e->l, false);
}

static void notify(struct lease_table *t, const struct lease *old,
		   const struct lease *new, enum lease_event ev)
{
	t->generation++;
	for (size_t i = 0; i < t->n_observers; i++)
		t->observers[i].fn(t->observers[i].ctx, old, new, ev);
}

static struct entry *find_addr(const struct lease_table *t, const struct lease_addr *addr)
{
	uint8_t key[KEY_MAX];
	size_t len = addr_key(addr, key);

	return index_find(&t->idx[IDX_ADDR], key_hash(t, key, len), key, len);
}

static struct entry *find_identity(const struct lease_table *t, const struct lease *l)
{
	uint8_t key[KEY_MAX];
	size_t len = identity_key(l, key);

	if (!len)
		return NULL;
	return index_find(&t->idx[IDX_CLIENT], key_hash(t, key, len), key, len);
}

/* Walks the leases carrying one name. */
struct name_walk {
	uint8_t key[LEASE_NAME_MAX];
	size_t len;
	uint64_t hash;
	size_t pos;
};

static bool name_walk_start(const struct lease_table *t, const char *name, struct name_walk *w)
{
	w->len = name ? name_key(name, w->key) : 0;
	if (!w->len)
		return false;
	w->hash = key_hash(t, w->key, w->len);
	w->pos = index_home(&t->idx[IDX_NAME], w->hash);
	return true;
}

static struct entry *name_walk_next(const struct lease_table *t, struct name_walk *w)
{
	return index_next(&t->idx[IDX_NAME], w->hash, w->key, w->len, &w->pos);
}

static bool same_identity(const struct lease *a, const struct lease *b)
{
	uint8_t ka[KEY_MAX], kb[KEY_MAX];
	size_t la = identity_key(a, ka), lb = identity_key(b, kb);

	return la == lb && memcmp(ka, kb, la) == 0;
}

static bool same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen > 0 && alen == blen && memcmp(a, b, alen) == 0;
}

/* RFC 4361 section 6.1: client-id type 255, a 4-byte IAID, then the DUID. */
#define RFC4361_TYPE 255
#define RFC4361_DUID_AT 5

static bool v4_v6_same_client(const struct lease *v4, const struct lease *v6)
{
	if (v4->htype == v6->htype && same_bytes(v4->hwaddr, v4->hwlen, v6->hwaddr, v6->hwlen))
		return true;
	return v4->client_id_len > RFC4361_DUID_AT && v4->client_id[0] == RFC4361_TYPE &&
	       same_bytes(v4->client_id + RFC4361_DUID_AT,
			  v4->client_id_len - RFC4361_DUID_AT, v6->client_id, v6->client_id_len);
}

bool lease_same_client(const struct lease *a, const struct lease *b)
{
	if (a->addr.family == AF_INET && b->addr.family == AF_INET)
		return (a->client_id_len > 0 || a->hwlen > 0) && same_identity(a, b);
	if (a->addr.family == AF_INET6 && b->addr.family == AF_INET6)
		return same_bytes(a->client_id, a->client_id_len, b->client_id, b->client_id_len);
	return a->addr.family == AF_INET ? v4_v6_same_client(a, b) : v4_v6_same_client(b, a);
}

/* RFC 8415 section 11: DUID types 1 (LLT: type, time, address) and 3 (LL). */
bool lease_duid_hwaddr(const uint8_t *duid, size_t len, uint8_t *htype,
		       uint8_t *hwaddr, uint8_t *hwlen)
{
	size_t at;
	uint16_t hw_type;

	if (!duid || len < 4)
		return false;
	switch (get_be16(duid)) {
	case 1:
		at = 8;
		break;
	case 3:
		at = 4;
		break;
	default:
		return false;
	}
	hw_type = get_be16(duid + 2);
	if (len <= at || len - at > LEASE_HWADDR_MAX || hw_type > UINT8_MAX)
		return false;
	*htype = (uint8_t)hw_type;
	*hwlen = (uint8_t)(len - at);
	memcpy(hwaddr, duid + at, len - at);
	return true;
}

/* ---- public interface ---------------------------------------------- */

struct lease_table *lease_table_new(void)
{
	struct lease_table *t = xcalloc(1, sizeof(*t));

	/* A random seed keeps clients from choosing colliding identities. */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)now_mono_ms() * 0x9e3779b97f4a7c15ULL;
	for (int k = 0; k < IDX_COUNT; k++)
		index_init(&t->idx[k], (enum index_kind)k);
	return t;
}

void lease_table_free(struct lease_table *t)
{
	struct index *addrs;

	if (!t)
		return;
	addrs = &t->idx[IDX_ADDR];
	for (size_t i = 0; i < addrs->cap; i++)
		free(addrs->slots[i].e);
	for (int k = 0; k < IDX_COUNT; k++)
		free(t->idx[k].slots);
	free(t->heap);
	free(t->quarantine);
	free(t->observers);
	for (size_t i = 0; i < t->ntracked; i++) {
		pool4_free(t->tracked[i].pool);
		pool4_free(t->tracked[i].quarantined);
	}
	free(t->tracked);
	free(t);
}

static const struct tracked4 *tracked_range(const struct lease_table *t, struct in_addr first,
					     struct in_addr last)
{
	for (size_t i = 0; i < t->ntracked; i++)
		if (t->tracked[i].first.s_addr == first.s_addr &&
		    t->tracked[i].last.s_addr == last.s_addr)
			return &t->tracked[i];
	return NULL;
}

const struct pool4 *lease_table_pool4(const struct lease_table *t, struct in_addr first,
				      struct in_addr last)
{
	const struct tracked4 *r = tracked_range(t, first, last);

	return r ? r->pool : NULL;
}

static void quarantine_purge(struct lease_table *t, time_t now);

const struct pool4 *lease_table_quarantine4(struct lease_table *t, struct in_addr first,
					    struct in_addr last, time_t now)
{
	const struct tracked4 *r = tracked_range(t, first, last);

	if (!r)
		return NULL;
	/* An ended quarantine must not keep its address out of the search. */
	if (t->q_used && now >= t->q_earliest)
		quarantine_purge(t, now);
	return r->quarantined;
}

/* The quarantined addresses already in the map (loaded from the journal) of a new range. */
static struct pool4 *quarantine_bitmap(const struct lease_table *t, struct in_addr first,
				       struct in_addr last)
{
	struct pool4 *q = pool4_new(first, last);

	for (size_t i = 0; q && i < t->q_cap; i++)
		if (t->quarantine[i].addr.family == AF_INET &&
		    pool4_covers(q, t->quarantine[i].addr.v4))
			pool4_set_held(q, t->quarantine[i].addr.v4, true);
	return q;
}

const struct pool4 *lease_table_track4(struct lease_table *t, struct in_addr first,
				       struct in_addr last)
{
	const struct pool4 *have = lease_table_pool4(t, first, last);
	const struct index *x = &t->idx[IDX_ADDR];
	struct tracked4 *r;
	struct pool4 *p;

	if (have)
		return have;
	p = pool4_new(first, last);
	if (!p)
		return NULL;
	/* The leases already in the table (loaded from disk) are held. */
	for (size_t i = 0; i < x->cap; i++)
		if (x->slots[i].e && x->slots[i].e->l.addr.family == AF_INET &&
		    pool4_covers(p, x->slots[i].e->l.addr.v4))
			pool4_set_held(p, x->slots[i].e->l.addr.v4, true);
	r = array_push(&t->tracked, &t->ntracked, sizeof(*r));
	*r = (struct tracked4){ first, last, p, quarantine_bitmap(t, first, last) };
	return p;
}

int lease_table_add_observer(struct lease_table *t, lease_observer_fn fn, void *ctx)
{
	if (!t || !fn)
		return -1;
	*(struct observer *)array_push(&t->observers, &t->n_observers, sizeof(struct observer)) =
		(struct observer){ .fn = fn, .ctx = ctx };
	return 0;
}

uint32_t lease_table_generation(const struct lease_table *t)
{
	return t ? t->generation : 0;
}

size_t lease_count(const struct lease_table *t)
{
	return t->idx[IDX_ADDR].used;
}

const struct lease *lease_by_addr(const struct lease_table *t, struct lease_addr addr)
{
	struct entry *e = find_addr(t, &addr);

	return e ? &e->l : NULL;
}

const struct lease *lease_by_client(const struct lease_table *t,
				    const uint8_t *client_id, size_t id_len,
				    uint8_t htype, const uint8_t *hwaddr, size_t hwlen)
{
	struct lease probe;
	struct entry *e;

	if (id_len > LEASE_CLIENT_ID_MAX || (id_len && !client_id) ||
	    hwlen > LEASE_HWADDR_MAX || (hwlen && !hwaddr))
		return NULL;
	probe.addr.family = AF_INET;
	probe.client_id_len = (uint8_t)id_len;
	if (id_len)
		memcpy(probe.client_id, client_id, id_len);
	probe.htype = htype;
	probe.hwlen = (uint8_t)hwlen;
	if (hwlen)
		memcpy(probe.hwaddr, hwaddr, hwlen);
	e = find_identity(t, &probe);
	return e ? &e->l : NULL;
}

const struct lease *lease_by_ia(const struct lease_table *t, const uint8_t *duid,
				size_t duid_len, uint32_t iaid, enum lease_ia ia)
{
	struct lease probe;
	struct entry *e;

	if (!duid || duid_len == 0 || duid_len > LEASE_CLIENT_ID_MAX)
		return NULL;
	probe.addr.family = AF_INET6;
	probe.client_id_len = (uint8_t)duid_len;
	memcpy(probe.client_id, duid, duid_len);
	probe.iaid = iaid;
	probe.ia = (uint8_t)ia;
	e = find_identity(t, &probe);
	return e ? &e->l : NULL;
}

const struct lease *lease_by_hwaddr(const struct lease_table *t, int family, uint8_t htype,
				    const uint8_t *hwaddr, size_t hwlen)
{
	uint8_t key[KEY_MAX];
	size_t len;
	struct entry *e;

	if (!hwaddr)
		return NULL;
	len = hwaddr_key(family, htype, hwaddr, hwlen, key);
	if (!len)
		return NULL;
	e = index_find(&t->idx[IDX_HWADDR], key_hash(t, key, len), key, len);
	return e ? &e->l : NULL;
}

static bool family_matches(const struct lease *l, int family)
{
	return family == AF_UNSPEC || l->addr.family == family;
}

const struct lease *lease_by_name(const struct lease_table *t, const char *name, int family)
{
	struct name_walk w;
	struct entry *e;

	if (!name_walk_start(t, name, &w))
		return NULL;
	while ((e = name_walk_next(t, &w)))
		if (family_matches(&e->l, family))
			return &e->l;
	return NULL;
}

size_t lease_each_by_name(const struct lease_table *t, const char *name, int family,
			  lease_visit_fn fn, void *ctx)
{
	struct name_walk w;
	struct entry *e;
	size_t n = 0;

	if (!name_walk_start(t, name, &w))
		return 0;
	while ((e = name_walk_next(t, &w))) {
		if (!family_matches(&e->l, family))
			continue;
		n++;
		if (fn)
			fn(ctx, &e->l);
	}
	return n;
}

void lease_name_holders(const struct lease_table *t, const char *name, struct lease_holders *h)
{
	struct name_walk w;
	struct entry *e;

	*h = (struct lease_holders){ 0 };
	if (!name_walk_start(t, name, &w))
		return;
	while ((e = name_walk_next(t, &w))) {
		if (e->l.addr.family == AF_INET6) {
			h->v6 = h->v6 ? h->v6 : &e->l;
			h->n6++;
		} else {
			h->v4 = h->v4 ? h->v4 : &e->l;
			h->n4++;
		}
	}
}

static bool lease_valid(const struct lease *l)
{
	if (!lease_addr_usable(&l->addr) || l->hwlen > LEASE_HWADDR_MAX ||
	    strnlen(l->hostname, LEASE_NAME_MAX) >= LEASE_NAME_MAX)
		return false;
	if (l->addr.family == AF_INET)
		return l->ia == LEASE_IA_NONE;
	return l->ia == LEASE_IA_NA || l->ia == LEASE_IA_TA;
}

static void entry_remove(struct lease_table *t, struct entry *e, enum lease_event ev)
{
	entry_unlink(t, e);
	notify(t, &e->l, NULL, ev);
	free(e);
}

/* Another client's lease carries the name: it loses the name and keeps its address. */
static void take_name(struct lease_table *t, struct entry *holder)
{
	struct lease before = holder->l;

	entry_unlink(t, holder);
	holder->l.hostname[0] = '\0';
	entry_link(t, holder);
	notify(t, &before, &holder->l, LEASE_EV_RENEWED);
}

/* A lease other than cur carrying nl's name for a different client. */
static struct entry *name_rival(const struct lease_table *t, const struct lease *nl,
				const struct entry *cur)
{
	struct name_walk w;
	struct entry *e;

	if (!name_walk_start(t, nl->hostname, &w))
		return NULL;
	while ((e = name_walk_next(t, &w)))
		if (e != cur && !lease_same_client(&e->l, nl))
			return e;
	return NULL;
}

int lease_commit(struct lease_table *t, const struct lease *l, enum lease_event ev)
{
	struct lease nl;
	struct entry *cur, *other, *rival;

	if (!t || !l || !lease_valid(l))
		return -1;
	/* Copy first: l may point into the table itself. */
	nl = *l;
	memset(nl.hostname + strlen(nl.hostname), 0,
	       sizeof(nl.hostname) - strlen(nl.hostname));

	/* A client has one lease per identity: moving drops the one it had. */
	other = find_identity(t, &nl);
	if (other && !lease_addr_equal(&other->l.addr, &nl.addr))
		entry_remove(t, other, LEASE_EV_DISPLACED);

	/* One lease per address: another client's lease there goes. */
	cur = find_addr(t, &nl.addr);
	if (cur && !same_identity(&cur->l, &nl)) {
		entry_remove(t, cur, LEASE_EV_DISPLACED);
		cur = NULL;
	}

	/* The latest commit carrying a name takes it from other clients. */
	while (nl.hostname[0] && (rival = name_rival(t, &nl, cur)))
		take_name(t, rival);

	if (cur) {
		struct lease before = cur->l;

		entry_unlink(t, cur);
		cur->l = nl;
		entry_link(t, cur);
		notify(t, &before, &cur->l, ev);
	} else {
		struct entry *e = xcalloc(1, sizeof(*e));

		e->l = nl;
		entry_link(t, e);
		notify(t, NULL, &e->l, ev);
	}
	return 0;
}

int lease_remove(struct lease_table *t, struct lease_addr addr, enum lease_event ev)
{
	struct entry *e;

	if (!t)
		return -1;
	e = find_addr(t, &addr);
	if (!e)
		return -1;
	entry_remove(t, e, ev);
	return 0;
}

time_t lease_next_expiry(const struct lease_table *t)
{
	return t->heap_len ? t->heap[0]->l.expires : 0;
}

size_t lease_expire(struct lease_table *t, time_t now)
{
	size_t n = 0;

	while (t->heap_len && t->heap[0]->l.expires <= now) {
		entry_remove(t, t->heap[0], LEASE_EV_EXPIRED);
		n++;
	}
	if (t->q_used && now >= t->q_earliest)
		quarantine_purge(t, now);
	return n;
}

void lease_foreach(const struct lease_table *t, lease_visit_fn fn, void *ctx)
{
	const struct index *x = &t->idx[IDX_ADDR];

	for (size_t i = 0; i < x->cap; i++)
		if (x->slots[i].e)
			fn(ctx, &x->slots[i].e->l);
}

struct unname_walk {
	int family;
	lease_test_fn superseded;
	void *ctx;
	struct lease_addr *addrs;
	size_t n, cap;
};

static void collect_superseded(void *arg, const struct lease *l)
{
	struct unname_walk *w = arg;

	if (l->addr.family != w->family || !l->hostname[0] || !w->superseded(w->ctx, l))
		return;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->addrs = xrealloc(w->addrs, w->cap * sizeof(w->addrs[0]));
	}
	w->addrs[w->n++] = l->addr;
}

size_t lease_unname_if(struct lease_table *t, int family, lease_test_fn superseded, void *ctx)
{
	struct unname_walk w = { family, superseded, ctx, NULL, 0, 0 };
	size_t done = 0;

	/* Collected first: a commit may rehash the index being walked. */
	lease_foreach(t, collect_superseded, &w);
	for (size_t i = 0; i < w.n; i++) {
		const struct lease *l = lease_by_addr(t, w.addrs[i]);
		struct lease copy;

		if (!l)
			continue;
		copy = *l;
		copy.hostname[0] = '\0';
		if (lease_commit(t, &copy, LEASE_EV_RENEWED) == 0)
			done++;
	}
	free(w.addrs);
	return done;
}

/* ---- quarantine ---------------------------------------------------- */

static size_t quarantine_home(const struct lease_table *t, const struct lease_addr *addr)
{
	uint8_t key[KEY_MAX];
	size_t len = addr_key(addr, key);

	return key_hash(t, key, len) & (t->q_cap - 1);
}

static struct quarantine_slot *quarantine_slot(const struct lease_table *t,
					       const struct lease_addr *addr)
{
	size_t mask = t->q_cap - 1;

	for (size_t i = quarantine_home(t, addr);; i = (i + 1) & mask)
		if (t->quarantine[i].addr.family == 0 ||
		    lease_addr_equal(&t->quarantine[i].addr, addr))
			return &t->quarantine[i];
}

/* The quarantine bitmaps follow the map. */
static void track_quarantined(struct lease_table *t, const struct lease_addr *addr, bool on)
{
	if (addr->family != AF_INET)
		return;
	for (size_t i = 0; i < t->ntracked; i++)
		if (pool4_covers(t->tracked[i].quarantined, addr->v4))
			pool4_set_held(t->tracked[i].quarantined, addr->v4, on);
}

/* Rebuild at cap, keeping entries still in force at now. */
static void quarantine_rebuild(struct lease_table *t, size_t cap, time_t now)
{
	struct quarantine_slot *old = t->quarantine;
	size_t old_cap = t->q_cap;

	t->q_cap = cap;
	t->quarantine = xcalloc(cap, sizeof(*t->quarantine));
	t->q_used = 0;
	t->q_earliest = 0;
	for (size_t i = 0; i < old_cap; i++) {
		struct quarantine_slot *s;

		if (old[i].addr.family == 0)
			continue;
		if (old[i].until <= now) {
			track_quarantined(t, &old[i].addr, false);
			continue;
		}
		s = quarantine_slot(t, &old[i].addr);
		*s = old[i];
		if (t->q_used++ == 0 || s->until < t->q_earliest)
			t->q_earliest = s->until;
	}
	free(old);
}

static void quarantine_purge(struct lease_table *t, time_t now)
{
	quarantine_rebuild(t, t->q_cap, now);
}

void lease_quarantine(struct lease_table *t, struct lease_addr addr, time_t until)
{
	struct quarantine_slot *s;

	if (!t || !lease_addr_usable(&addr))
		return;
	if (!t->quarantine)
		quarantine_rebuild(t, 16, 0);
	else if ((t->q_used + 1) * 2 > t->q_cap)
		quarantine_rebuild(t, t->q_cap * 2, 0);
	s = quarantine_slot(t, &addr);
	if (s->addr.family == 0) {
		s->addr = addr;
		t->q_used++;
		track_quarantined(t, &addr, true);
	}
	s->until = until;
	if (t->q_used == 1 || until < t->q_earliest)
		t->q_earliest = until;
}

bool lease_is_quarantined(const struct lease_table *t, struct lease_addr addr, time_t now)
{
	const struct quarantine_slot *s;

	if (!t || !t->quarantine || !lease_addr_usable(&addr))
		return false;
	s = quarantine_slot(t, &addr);
	return s->addr.family != 0 && now < s->until;
}
