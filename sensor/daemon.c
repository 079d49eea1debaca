/*
 * daemon.c - privileges, CPU placement and priority (see daemon.h).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

/* Low among real-time priorities: above every normal process, below the
 * kernel's own real-time threads (interrupt threads run at 50). */
#define RT_PRIORITY 10

int
daemon_drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[16384], *end;
	unsigned long id;
	int rc;

	rc = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	if (res == NULL) {
		id = strtoul(user, &end, 10);
		if (*user != '\0' && *end == '\0')
			rc = getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &res);
	}
	if (res == NULL) {
		snprintf(err, errlen, "user '%s': %s", user,
		    rc != 0 ? strerror(rc) : "no such user");
		return -1;
	}
	if (initgroups(pw.pw_name, pw.pw_gid) != 0) {
		snprintf(err, errlen, "user '%s': cannot set groups: %s", user,
		    strerror(errno));
		return -1;
	}
	if (setgid(pw.pw_gid) != 0) {
		snprintf(err, errlen, "user '%s': cannot set group id %lu: %s",
		    user, (unsigned long)pw.pw_gid, strerror(errno));
		return -1;
	}
	if (setuid(pw.pw_uid) != 0) {
		snprintf(err, errlen, "user '%s': cannot set user id %lu: %s",
		    user, (unsigned long)pw.pw_uid, strerror(errno));
		return -1;
	}
	/* a half-dropped process is worse than none */
	if (pw.pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		snprintf(err, errlen, "user '%s': root privileges could be "
		    "regained after setuid", user);
		return -1;
	}
	return 0;
}

int
daemon_pin_cpu(pthread_t th, int cpu, char *err, size_t errlen)
{
	cpu_set_t set;
	int rc;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if ((rc = pthread_setaffinity_np(th, sizeof(set), &set)) != 0) {
		snprintf(err, errlen, "cannot pin a packet thread to CPU %d: %s",
		    cpu, strerror(rc));
		return -1;
	}
	return 0;
}

int
daemon_avoid_cpu(pthread_t th, int cpu, char *err, size_t errlen)
{
	cpu_set_t set;
	int rc;

	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		snprintf(err, errlen, "cannot read the CPU affinity: %s",
		    strerror(errno));
		return -1;
	}
	CPU_CLR(cpu, &set);
	if (CPU_COUNT(&set) == 0)
		return 0;
	if ((rc = pthread_setaffinity_np(th, sizeof(set), &set)) != 0) {
		snprintf(err, errlen, "cannot keep a thread off CPU %d: %s",
		    cpu, strerror(rc));
		return -1;
	}
	return 0;
}

int
daemon_realtime(pthread_t th, char *err, size_t errlen)
{
	struct sched_param sp;
	int rc;

	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = RT_PRIORITY;
	if ((rc = pthread_setschedparam(th, SCHED_FIFO, &sp)) != 0) {
		snprintf(err, errlen, "cannot give a packet thread real-time "
		    "priority: %s", strerror(rc));
		return -1;
	}
	return 0;
}
