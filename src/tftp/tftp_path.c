/*
 * tftp_path — a request's file, opened inside the root (see
 * include/tftp/tftp_path.h).
 */
#include "tftp/tftp_path.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether some '/'-separated component of s is exactly "..". */
static bool has_dotdot(const char *s)
{
	for (const char *c = s; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return true;
	}
	return false;
}

/* The root without its trailing slashes is a prefix of name, ending at a '/'. */
static size_t root_prefix(const char *root, const char *name)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n > 1 && strncmp(name, root, n) == 0 && name[n] == '/')
		return n;
	return 0;
}

int tftp_path_relative(const char *root, const char *name, char *out, size_t outlen,
		       const char **why)
{
	char buf[TFTP_NAME_MAX];
	const char *rel;

	if (str_copy(buf, name, sizeof(buf)) >= sizeof(buf)) {
		*why = "file name too long";
		return -1;
	}
	/* dnsmasq always reads '\' as '/' (names from Windows-minded boot ROMs). */
	for (char *c = buf; *c; c++)
		if (*c == '\\')
			*c = '/';
	rel = buf + root_prefix(root, buf);
	while (*rel == '/')
		rel++;
	if (has_dotdot(rel)) {
		*why = "a \"..\" in the file name";
		return -1;
	}
	if (!*rel) {
		*why = "no file name";
		return -1;
	}
	if (str_copy(out, rel, outlen) >= outlen) {
		*why = "file name too long";
		return -1;
	}
	return 0;
}

/* openat2 beneath dirfd; -1 with errno ENOSYS where the kernel has none. */
static int open_beneath(int dirfd, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/* Component by component, no symbolic link anywhere ("" and "." components skipped). */
static int open_walk(int rootfd, const char *rel)
{
	char buf[TFTP_NAME_MAX];
	char *save = NULL, *comp, *next;
	int dfd = rootfd, fd = -1;

	str_copy(buf, rel, sizeof(buf));
	comp = strtok_r(buf, "/", &save);
	while (comp) {
		next = strtok_r(NULL, "/", &save);
		if (strcmp(comp, ".") == 0 && next) {
			comp = next;
			continue;
		}
		fd = openat(dfd, comp, next ? O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
					    : O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (dfd != rootfd)
			close(dfd);
		if (fd < 0 || !next)
			return fd;
		dfd = fd;
		comp = next;
	}
	errno = ENOENT;
	return -1;
}

static int open_failed(enum tftp_error *code, const char **why)
{
	switch (errno) {
	case ENOENT:
	case ENOTDIR:
		*code = TFTP_ENOTFOUND;
		*why = "file not found";
		break;
	case EXDEV:
	case ELOOP:
		*code = TFTP_EACCESS;
		*why = "outside the TFTP root (or a symbolic link leaving it)";
		break;
	case EACCES:
	case EPERM:
		*code = TFTP_EACCESS;
		*why = "permission denied";
		break;
	default:
		*code = TFTP_EUNDEF;
		*why = strerror(errno);
		break;
	}
	return -1;
}

/* dnsmasq's rules: as root only world-readable files; --tftp-secure only the user's own. */
static bool permitted(const struct stat *st, const struct tftp_access *acc, const char **why)
{
	if (!S_ISREG(st->st_mode)) {
		*why = "not a regular file";
		return false;
	}
	if (acc->euid == 0 && !(st->st_mode & S_IROTH)) {
		*why = "not world-readable (leased runs as root)";
		return false;
	}
	if (acc->euid != 0 && acc->secure && st->st_uid != acc->euid) {
		*why = "not owned by the user leased runs as (--tftp-secure)";
		return false;
	}
	return true;
}

int tftp_path_open(int rootfd, const char *rel, const struct tftp_access *acc,
		   uint64_t *size, enum tftp_error *code, const char **why)
{
	struct stat st;
	int fd = acc->walk_only ? -1 : open_beneath(rootfd, rel);

	if (fd < 0 && (acc->walk_only || errno == ENOSYS))
		fd = open_walk(rootfd, rel);
	if (fd < 0)
		return open_failed(code, why);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return open_failed(code, why);
	}
	if (!permitted(&st, acc, why)) {
		close(fd);
		*code = TFTP_EACCESS;
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

int tftp_path_client_root(int rootfd, const char *client)
{
	return openat(rootfd, client, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}
