/*
 * daemon.h - what a long-running sensor does to its process and threads:
 * give up root, place threads on CPUs, raise the packet threads'
 * priority.
 *
 * Promises: each call either does all it says or reports why not in err
 * and changes nothing the caller relies on; nothing here forks (systemd
 * runs the sensor as Type=simple) or touches the terminal.
 */
#ifndef GF_DAEMON_H
#define GF_DAEMON_H

#include <pthread.h>
#include <sched.h>
#include <stddef.h>

/*
 * Become user (name or numeric id): its groups, then its gid, then its
 * uid, and check that root cannot be regained.  -1 with a message in err
 * if any step fails; the caller must then stop.
 */
int daemon_drop_privileges(const char *user, char *err, size_t errlen);

/* Pin th to cpu.  -1 with a message in err. */
int daemon_pin_cpu(pthread_t th, int cpu, char *err, size_t errlen);
/* Keep th off cpu (every CPU the process may use but that one), if any
 * other is left.  0 also when nothing was left to choose. */
int daemon_avoid_cpu(pthread_t th, int cpu, char *err, size_t errlen);
/* Real-time (SCHED_FIFO) scheduling for th.  -1 with a message in err
 * (typically: not permitted). */
int daemon_realtime(pthread_t th, char *err, size_t errlen);

#endif /* GF_DAEMON_H */
