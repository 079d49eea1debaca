/*
 * readahead.c - inputs read on a second thread (see readahead.h).
 *
 * The reader thread fills batches of events and hands each over whole;
 * the caller walks a batch without locking and gives it back when done.
 * A ring of RA_BATCHES batches bounds how far the reader runs ahead.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "gapflow.h"
#include "log.h"
#include "readahead.h"

#define RA_BATCH   512                  /* events per batch */
#define RA_BATCHES 8
/*
 * The reader thread passes records as their bytes; the caller decodes
 * and selects them.  That splits the work in two about equal halves
 * (read and inflate | decode, select and print) instead of leaving the
 * caller idle while one thread does all but the printing.  When the
 * caller is the slower one (the ring is at least half full when a batch
 * is started: printing every record, say), the reader decodes and
 * selects that batch itself, taking on the half it has time for.
 */
#define RA_RAW     100                  /* item kind: undecoded bytes */
#define RA_RAW_MAX 400                  /* larger records are decoded */

struct ra_item {
	int kind;                       /* enum ra_event, or RA_RAW */
	union {
		struct gf_record rec;
		struct gf_stream_info info;
		struct {
			uint16_t len;
			uint32_t input;         /* for the error message */
			uint64_t blockoff;
			uint8_t bytes[RA_RAW_MAX];
		} raw;
	} u;
};

struct ra_batch {
	int n;
	struct ra_item item[RA_BATCH];
};

struct readahead {
	const struct input_list *in;
	int (*select)(void *ctx, const struct gf_record *r);
	void *ctx;
	int threaded;
	/* caller's thread only: inline reading */
	size_t next_input;
	struct gf_reader *rd;
	struct gf_record rec;
	/* threaded: the ring; full counts batches handed to the caller */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ra_batch *ring;
	unsigned fill, take, full;
	int stop;
	int reader_decodes;             /* reader thread: for this batch */
	struct ra_batch *cur;           /* the caller's batch */
	struct gf_record dec;           /* the caller's decoded RA_RAW item */
	int pos;
	int ended;
};

/* ---- inline ------------------------------------------------------------- */

static enum ra_event
next_inline(struct readahead *ra, const struct gf_record **r,
    const struct gf_stream_info **info)
{
	for (;;) {
		int rc;
		if (ra->rd == NULL) {
			if (ra->next_input == ra->in->n)
				return RA_END;
			ra->rd = gf_reader_open_path(
			    ra->in->path[ra->next_input++]);
			if (ra->rd == NULL)
				return RA_UNREADABLE;
			*info = gf_reader_info(ra->rd);
			return RA_INPUT;
		}
		rc = gf_reader_next(ra->rd, &ra->rec);
		if (rc < 0)
			return RA_DAMAGED;
		if (rc == 0) {
			gf_reader_close(ra->rd);
			ra->rd = NULL;
			continue;
		}
		if (ra->select(ra->ctx, &ra->rec)) {
			*r = &ra->rec;
			return RA_RECORD;
		}
	}
}

/* ---- the reader thread -------------------------------------------------- */

/* The batch being filled; NULL once the caller asked to stop. */
static struct ra_batch *
filling(struct readahead *ra)
{
	struct ra_batch *b;

	pthread_mutex_lock(&ra->mu);
	while (ra->full == RA_BATCHES && !ra->stop)
		pthread_cond_wait(&ra->cv, &ra->mu);
	b = ra->stop ? NULL : &ra->ring[ra->fill % RA_BATCHES];
	ra->reader_decodes = ra->full >= RA_BATCHES / 2;
	pthread_mutex_unlock(&ra->mu);
	return b;
}

static void
hand_over(struct readahead *ra)
{
	pthread_mutex_lock(&ra->mu);
	ra->fill++;
	ra->full++;
	pthread_cond_broadcast(&ra->cv);
	pthread_mutex_unlock(&ra->mu);
}

/* Room for one more event: the batch's next item, or NULL to stop. */
static struct ra_item *
slot(struct readahead *ra, struct ra_batch **b)
{
	if (*b != NULL && (*b)->n == RA_BATCH) {
		hand_over(ra);
		*b = NULL;
	}
	if (*b == NULL) {
		if ((*b = filling(ra)) == NULL)
			return NULL;
		(*b)->n = 0;
	}
	return &(*b)->item[(*b)->n];
}

static void *
reader_main(void *arg)
{
	struct readahead *ra = arg;
	struct ra_batch *b = NULL;
	struct ra_item *it;

	for (size_t i = 0; i < ra->in->n; i++) {
		struct gf_reader *rd;
		const uint8_t *raw;
		size_t rawlen;
		int rc;

		if ((it = slot(ra, &b)) == NULL)
			goto stopped;
		if ((rd = gf_reader_open_path(ra->in->path[i])) == NULL) {
			it->kind = RA_UNREADABLE;
			b->n++;
			continue;
		}
		it->kind = RA_INPUT;
		it->u.info = *gf_reader_info(rd);
		b->n++;
		for (;;) {
			if ((it = slot(ra, &b)) == NULL) {
				gf_reader_close(rd);
				goto stopped;
			}
			rc = gf_reader_next_raw(rd, &raw, &rawlen);
			if (rc == 0)
				break;
			if (rc < 0) {
				it->kind = RA_DAMAGED;
				b->n++;
			} else if (rawlen <= RA_RAW_MAX && !ra->reader_decodes) {
				it->kind = RA_RAW;
				it->u.raw.len = (uint16_t)rawlen;
				it->u.raw.input = (uint32_t)i;
				it->u.raw.blockoff = gf_reader_block_offset(rd);
				memcpy(it->u.raw.bytes, raw, rawlen);
				b->n++;
			} else if (gf_record_decode(raw, rawlen, &it->u.rec) < 0) {
				gf_record_malformed(ra->in->path[i],
				    gf_reader_block_offset(rd));
				it->kind = RA_DAMAGED;
				b->n++;
			} else {
				if (ra->select(ra->ctx, &it->u.rec)) {
					it->kind = RA_RECORD;
					b->n++;
				}
			}
		}
		gf_reader_close(rd);
	}
	if ((it = slot(ra, &b)) != NULL) {
		it->kind = RA_END;
		b->n++;
		hand_over(ra);
	}
stopped:
	return NULL;
}

static enum ra_event
next_threaded(struct readahead *ra, const struct gf_record **r,
    const struct gf_stream_info **info)
{
	for (;;) {
		struct ra_item *it;

		if (ra->ended)
			return RA_END;
		if (ra->cur != NULL && ra->pos == ra->cur->n) {
			/* give the batch back */
			pthread_mutex_lock(&ra->mu);
			ra->take++;
			ra->full--;
			pthread_cond_broadcast(&ra->cv);
			pthread_mutex_unlock(&ra->mu);
			ra->cur = NULL;
		}
		if (ra->cur == NULL) {
			pthread_mutex_lock(&ra->mu);
			while (ra->full == 0)
				pthread_cond_wait(&ra->cv, &ra->mu);
			ra->cur = &ra->ring[ra->take % RA_BATCHES];
			pthread_mutex_unlock(&ra->mu);
			ra->pos = 0;
			continue;
		}
		it = &ra->cur->item[ra->pos++];
		if (it->kind == RA_RAW) {
			if (gf_record_decode(it->u.raw.bytes, it->u.raw.len,
			    &ra->dec) < 0) {
				gf_record_malformed(
				    ra->in->path[it->u.raw.input],
				    it->u.raw.blockoff);
				return RA_DAMAGED;
			}
			if (!ra->select(ra->ctx, &ra->dec))
				continue;
			*r = &ra->dec;
			return RA_RECORD;
		}
		switch (it->kind) {
		case RA_RECORD:
			*r = &it->u.rec;
			break;
		case RA_INPUT:
			*info = &it->u.info;
			break;
		case RA_END:
			ra->ended = 1;
			break;
		default:
			break;
		}
		return (enum ra_event)it->kind;
	}
}

/* ---- set-up ------------------------------------------------------------- */

/* Only files are read ahead (see readahead.h); one that cannot be
 * looked at will not open either, and is reported as it is read. */
static int
all_regular_files(const struct input_list *in)
{
	for (size_t i = 0; i < in->n; i++) {
		struct stat sb;
		int rc = strcmp(in->path[i], "-") == 0 ?
		    fstat(STDIN_FILENO, &sb) : stat(in->path[i], &sb);
		if (rc == 0 && !S_ISREG(sb.st_mode))
			return 0;
	}
	return 1;
}

struct readahead *
readahead_open(const struct input_list *in,
    int (*select)(void *ctx, const struct gf_record *r), void *ctx)
{
	struct readahead *ra = gf_xcalloc(1, sizeof(*ra));

	ra->in = in;
	ra->select = select;
	ra->ctx = ctx;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || !all_regular_files(in))
		return ra;
	ra->ring = gf_xcalloc(RA_BATCHES, sizeof(*ra->ring));
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->cv, NULL);
	if (pthread_create(&ra->thread, NULL, reader_main, ra) != 0) {
		/* no thread: read inline, as with a pipe */
		pthread_mutex_destroy(&ra->mu);
		pthread_cond_destroy(&ra->cv);
		free(ra->ring);
		ra->ring = NULL;
		return ra;
	}
	ra->threaded = 1;
	return ra;
}

enum ra_event
readahead_next(struct readahead *ra, const struct gf_record **r,
    const struct gf_stream_info **info)
{
	return ra->threaded ? next_threaded(ra, r, info) :
	    next_inline(ra, r, info);
}

int
readahead_threaded(const struct readahead *ra)
{
	return ra->threaded;
}

void
readahead_close(struct readahead *ra)
{
	if (ra == NULL)
		return;
	if (ra->threaded) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = 1;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->thread, NULL);
		pthread_mutex_destroy(&ra->mu);
		pthread_cond_destroy(&ra->cv);
		free(ra->ring);
	}
	gf_reader_close(ra->rd);
	free(ra);
}
