/*
 * capfile.h - a capture file as a stdio stream for libpcap, whatever its
 * compression.
 *
 * A file that starts with the gzip magic (1f 8b) is read through zlib
 * (gzip, several members concatenated, as gzip(1) writes them); any other
 * is read as it is.  The decision is taken on the file's first two bytes,
 * never on its name.  Standard input and other unseekable files go
 * through zlib's transparent mode, which does the same without seeking.
 * Damage in the compressed data (a bad CRC, a stream cut short) makes the
 * stream's reads fail, which libpcap reports as a read error of the file.
 */
#ifndef GF_CAPFILE_H
#define GF_CAPFILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Open path ("-": standard input) for reading with a stdio buffer of
 * bufsize bytes, allocated into *iobuf (the caller frees it after
 * fclose).  NULL with a message in err on failure.  *gz is set to the
 * zlib handle when the file is read through zlib (for capfile_gzerror;
 * it lives as long as the stream), else NULL.  *regular is set to 1 for
 * a regular file, which can be opened again from its start; a pipe,
 * FIFO or device cannot.
 */
FILE *capfile_open(const char *path, size_t bufsize, char **iobuf, void **gz,
    int *regular, char *err, size_t errlen);

/* zlib's description of its last error on gz, or NULL if none. */
const char *capfile_gzerror(void *gz);

#endif
