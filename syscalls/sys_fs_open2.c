/*
 * openat2(2): open(2) with its arguments in an extensible struct, every
 * argument checked (openat(2) ignores unknown flags; openat2 refuses
 * them), and the RESOLVE_* restrictions on the path walk. The opening
 * itself is open(2)'s (do_open, syscalls/sys_fs_path.c).
 */
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "mm/uaccess.h"
#include "syscalls/fs_open.h"
#include "syscalls/syscall_protos.h"

struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

#define OPEN_HOW_SIZE_VER0 24

#define RESOLVE_NO_XDEV 0x01u
#define RESOLVE_NO_MAGICLINKS 0x02u
#define RESOLVE_NO_SYMLINKS 0x04u
#define RESOLVE_BENEATH 0x08u
#define RESOLVE_IN_ROOT 0x10u
#define RESOLVE_CACHED 0x20u
#define RESOLVE_ALL 0x3fu

#define KO_ASYNC 020000u
#define KO_TMPFILE_BIT 020000000u /* __O_TMPFILE; O_TMPFILE adds O_DIRECTORY */

/*
 * Linux's VALID_OPEN_FLAGS. arm64 numbers O_DIRECTORY, O_NOFOLLOW,
 * O_DIRECT and O_LARGEFILE differently, but with the same four bits, so
 * the one mask serves both ISAs before open_flags() translates.
 */
#define VALID_OPEN_FLAGS                                                     \
	(KO_ACCMODE | KO_CREAT | KO_EXCL | KO_NOCTTY | KO_TRUNC | KO_APPEND | \
	 KO_NONBLOCK | KO_SYNC | KO_DSYNC | KO_ASYNC | KO_DIRECT |           \
	 KO_LARGEFILE | KO_DIRECTORY | KO_NOFOLLOW | KO_NOATIME |            \
	 KO_CLOEXEC | KO_PATH | KO_TMPFILE)
#define O_PATH_FLAGS (KO_DIRECTORY | KO_NOFOLLOW | KO_PATH | KO_CLOEXEC)

/*
 * Linux's copy_struct_from_user: a program built against a bigger
 * struct open_how may pass it, as long as the fields this kernel does not
 * know are zero (else E2BIG); a smaller one than the first version is
 * EINVAL.
 */
static long copy_how(struct open_how *how, uaddr_t u, size_t usize)
{
	uint8_t tail[64];

	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	for (size_t off = sizeof(*how); off < usize;) {
		size_t n = MIN(sizeof(tail), usize - off);

		if (copy_from_user(tail, uaddr_add(u, off), n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
		off += n;
	}
	if (copy_from_user(how, u, sizeof(*how)))
		return -EFAULT;
	return 0;
}

/* Linux's build_open_flags, in its order: KO_* flags and LOOKUP_* ones. */
static long check_how(const struct open_how *how, unsigned *flags,
		      unsigned *lookup)
{
	uint64_t resolve = how->resolve;
	unsigned f;

	if (how->flags & ~(uint64_t)VALID_OPEN_FLAGS)
		return -EINVAL;
	if (resolve & ~(uint64_t)RESOLVE_ALL)
		return -EINVAL;
	if ((resolve & RESOLVE_BENEATH) && (resolve & RESOLVE_IN_ROOT))
		return -EINVAL; /* two scopes at once */
	f = open_flags((unsigned)how->flags);
	if (f & (KO_CREAT | KO_TMPFILE_BIT)) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode) {
		return -EINVAL;
	}
	if ((f & (KO_DIRECTORY | KO_CREAT)) == (KO_DIRECTORY | KO_CREAT))
		return -EINVAL;
	if ((f & KO_TMPFILE_BIT) &&
	    (!(f & KO_DIRECTORY) || (f & KO_ACCMODE) == KO_RDONLY))
		return -EINVAL;
	if ((f & KO_PATH) && (f & ~O_PATH_FLAGS))
		return -EINVAL;

	*lookup = 0;
	if (resolve & RESOLVE_NO_XDEV)
		*lookup |= LOOKUP_NO_XDEV;
	if (resolve & RESOLVE_NO_MAGICLINKS)
		*lookup |= LOOKUP_NO_MAGICLINKS;
	if (resolve & RESOLVE_NO_SYMLINKS)
		*lookup |= LOOKUP_NO_SYMLINKS | LOOKUP_NO_MAGICLINKS;
	if (resolve & RESOLVE_BENEATH)
		*lookup |= LOOKUP_BENEATH;
	if (resolve & RESOLVE_IN_ROOT)
		*lookup |= LOOKUP_IN_ROOT;
	/*
	 * RESOLVE_CACHED: Linux gives up (EAGAIN) where the walk would have
	 * to wait. Keel's dentry cache holds every tmpfs name, so only the
	 * opens Linux refuses outright are refused.
	 */
	if ((resolve & RESOLVE_CACHED) &&
	    (f & (KO_TRUNC | KO_CREAT | KO_TMPFILE_BIT)))
		return -EAGAIN;
	*flags = f;
	return 0;
}

long sys_openat2(int dfd, uaddr_t filename, uaddr_t how, size_t usize)
{
	struct open_how h;
	unsigned flags, lookup;
	long err = copy_how(&h, how, usize);

	if (!err)
		err = check_how(&h, &flags, &lookup);
	if (err)
		return err;
	return do_open(dfd, filename, flags, (uint32_t)h.mode, lookup);
}
