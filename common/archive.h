/*
 * archive.h - the record stream written to disk: one file, or a series of
 * files rotated by time and size, written so that a reader never sees a
 * half-written file and a crash loses only the block being filled.
 *
 * Promises:
 *   - Three kinds of path: "-" is standard output; a path without '%'
 *     and without rotation is one file written directly (truncated at
 *     open, as gapflow always did); anything else is a pattern, expanded
 *     with strftime(3) in UTC each time a file is started.  The time is
 *     the one passed with the file's first record: the wall clock for
 *     live capture, the record's own time for capture files.
 *   - A pattern's file is written as ".NAME.part" next to NAME, locked
 *     with flock(2) while open, and renamed to NAME only when complete
 *     (after fsync).  A name already taken gets "_001", "_002", ...
 *     before its extension, so that names sort in the order of the files.
 *     Missing directories are created.  A ".part" file that nobody holds
 *     locked (a sensor killed with -9) is cut back to its last complete
 *     block and renamed into place when a file is next started in its
 *     directory.
 *   - Records are collected into blocks; every block is complete on disk
 *     or absent.  With GF_AR_LIVE, a block is also written once its first
 *     record is a second old, so a crash loses at most that second.
 *   - Write errors (disk full, directory not writable) never stop the
 *     caller.  With GF_AR_LIVE the blocks are kept in memory, up to
 *     GF_AR_MAX_PENDING bytes, and retried every GF_AR_RETRY_NS; one
 *     message per episode names the file and the error, another says when
 *     writing works again and how many records were lost.  Without it (a
 *     capture file as input, or stdout) a block that cannot be written is
 *     lost at once.  Every record not written is counted.
 *   - Every file carries the same stream header (the run's start time, so
 *     that readers can tell the files of one run and merge its flows).
 * Not thread-safe: one thread owns an archive.
 */
#ifndef GF_ARCHIVE_H
#define GF_ARCHIVE_H

#include <stdint.h>

#include "record.h"
#include "stream.h"

#define GF_AR_LIVE              0x0001
#define GF_AR_MAX_PENDING       (64u << 20)
#define GF_AR_RETRY_NS          (5ull * 1000000000ull)
#define GF_AR_FLUSH_NS          (1ull * 1000000000ull)

struct gf_archive;

/*
 * Open.  For "-" and a plain file the descriptor is opened now (NULL with
 * "PATH: cannot open for writing: ..." in err on failure); a pattern's
 * files are created as records come.  rotate_interval (ns) and
 * rotate_size (bytes) are 0 for none; level -1 stores blocks
 * uncompressed.  info->start may be set later with gf_archive_set_start()
 * but before the first record.
 */
struct gf_archive *gf_archive_open(const char *path,
    const struct gf_stream_info *info, int level, uint64_t rotate_interval,
    uint64_t rotate_size, int flags, char *err, size_t errlen);
void gf_archive_set_start(struct gf_archive *a, uint64_t start);
/* The whole header (a collector copying its one sensor's); before the
 * first record. */
void gf_archive_set_info(struct gf_archive *a,
    const struct gf_stream_info *info);
/* New rotation settings (configuration reload); apply from the next file
 * on for the interval, at once for the size. */
void gf_archive_set_rotation(struct gf_archive *a, uint64_t rotate_interval,
    uint64_t rotate_size);

/* Add a record at time now.  0, or -1 if records were lost by this call
 * (already counted and reported). */
int gf_archive_put(struct gf_archive *a, const struct gf_record *r,
    uint64_t now);
/* Time passes without records: flush a block that is due, rotate when the
 * interval is over, retry writes.  Cheap; call at least once a second. */
void gf_archive_tick(struct gf_archive *a, uint64_t now);
/* Finish the current file now (SIGHUP); the next record starts another. */
void gf_archive_rotate(struct gf_archive *a, uint64_t now);
/* Write what is pending, finish the file (a header-only file if no record
 * came), free.  0, or -1 if any record was lost during the archive's
 * life or the last file could not be finished.  The final counts of
 * records written and lost go to *written and *lost unless NULL. */
int gf_archive_close(struct gf_archive *a, uint64_t now, uint64_t *written,
    uint64_t *lost);

/* Free without writing anything more (an error at start-up). */
void gf_archive_discard(struct gf_archive *a);

uint64_t gf_archive_records(const struct gf_archive *a);   /* written */
uint64_t gf_archive_lost(const struct gf_archive *a);
uint64_t gf_archive_files(const struct gf_archive *a);     /* finished */
/* Whether writes are failing now (an episode is open). */
int gf_archive_failing(const struct gf_archive *a);

#endif /* GF_ARCHIVE_H */
