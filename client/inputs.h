/*
 * inputs.h - the list of record streams gapdump reads, in order.
 *
 * Promise: -r paths are kept as given ("-" is stdin).  -R DIR walks the
 * tree below DIR (symbolic links are not followed) and adds every regular
 * file that starts with the gapflow magic, as it is or after gzip
 * decompression, ordered by the start time in its stream header, then by
 * path; files that are not record streams (pcaps, notes) are passed over
 * quietly, and so are files whose names start with a dot (the sensor's
 * ".NAME.part" files still being written).  A file that looks like a
 * damaged record stream (empty, named *.gf or *.gf.gz, or most of the
 * magic right) is added first, so that the reader reports it as for -r.  Only the first 40 bytes of each file are read here; the
 * reader checks the rest.
 */
#ifndef GF_INPUTS_H
#define GF_INPUTS_H

#include <stddef.h>

struct input_list {
	char **path;
	size_t n, cap;
};

void inputs_add(struct input_list *l, const char *path);
/*
 * Add the record files under dir.  Returns the number added (0 is not
 * an error here), or -1 with a message naming dir in err.
 */
long inputs_add_tree(struct input_list *l, const char *dir, char *err,
    size_t errlen);
void inputs_free(struct input_list *l);

#endif /* GF_INPUTS_H */
