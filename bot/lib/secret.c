/* secret.c — see secret.h. */
#include "lib/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int secret_read(const char *path, char **secret, struct error *err)
{
	char buf[8192];
	struct stat st;
	ssize_t n;
	int fd;

	*secret = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, ERR_FATAL, "secret file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set(err, ERR_FATAL, "secret file %s: not a regular file", path);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return error_set(err, ERR_FATAL,
				 "secret file %s is accessible by group or others (mode %03o): run chmod 600 %s",
				 path, (unsigned)(st.st_mode & 0777), path);
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return error_set(err, ERR_FATAL, "secret file %s: %s", path, strerror(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0])
		return error_set(err, ERR_FATAL, "secret file %s is empty", path);
	*secret = strdup(buf);
	explicit_bzero(buf, sizeof buf);
	return *secret ? 0 : error_set(err, ERR_TEMP, "out of memory");
}

int secret_replace(const char *path, const char *value, struct error *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	size_t len = strlen(value);
	int fd, dfd, saved;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return error_set(err, ERR_FATAL, "secret file %s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set(err, ERR_TEMP, "secret file %s: cannot create %s: %s", path, tmp,
				 strerror(errno));
	/* O_CREAT's mode is filtered by the umask and ignored for an old file */
	if (fchmod(fd, 0600) < 0 || write(fd, value, len) != (ssize_t)len ||
	    write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		return error_set(err, ERR_TEMP, "secret file %s: cannot write %s: %s", path, tmp,
				 strerror(saved));
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		return error_set(err, ERR_TEMP, "secret file %s: cannot replace it: %s", path,
				 strerror(saved));
	}
	/* the rename itself is durable only once the folder is synced */
	snprintf(dir, sizeof dir, "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void secret_free(char *secret)
{
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
}
