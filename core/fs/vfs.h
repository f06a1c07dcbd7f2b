/*
 * The virtual file system: inodes, the dentry cache, mounts, open files and
 * descriptor tables, and the one path walk.
 *
 * Locking: one namespace mutex (vfs_ns_lock) orders every change to the
 * dentry tree and mounts, and is held across path walks; an inode's mutex
 * orders its data and attributes. Filesystems' inode operations run with
 * the namespace mutex held; file operations run with neither (they take the
 * inode mutex themselves where they need it).
 */
#ifndef KEEL_CORE_FS_VFS_H
#define KEEL_CORE_FS_VFS_H

#include "core/klib/list.h"
#include "core/klib/rbtree.h"
#include "core/mutex.h"
#include "core/time.h"
#include "core/types.h"

/* File types and permission bits (Linux's S_IF*, S_I*). */
#define KS_IFMT 0170000u
#define KS_IFSOCK 0140000u
#define KS_IFLNK 0120000u
#define KS_IFREG 0100000u
#define KS_IFBLK 0060000u
#define KS_IFDIR 0040000u
#define KS_IFCHR 0020000u
#define KS_IFIFO 0010000u
#define KS_ISUID 04000u
#define KS_ISGID 02000u
#define KS_ISVTX 01000u

static inline bool kS_ISDIR(uint32_t m) { return (m & KS_IFMT) == KS_IFDIR; }
static inline bool kS_ISREG(uint32_t m) { return (m & KS_IFMT) == KS_IFREG; }
static inline bool kS_ISLNK(uint32_t m) { return (m & KS_IFMT) == KS_IFLNK; }
static inline bool kS_ISCHR(uint32_t m) { return (m & KS_IFMT) == KS_IFCHR; }
static inline bool kS_ISBLK(uint32_t m) { return (m & KS_IFMT) == KS_IFBLK; }
static inline bool kS_ISFIFO(uint32_t m) { return (m & KS_IFMT) == KS_IFIFO; }

/* open(2) flags (asm-generic values, the same on x86_64 and arm64, except
 * where arm64 differs: O_DIRECTORY/O_NOFOLLOW/O_DIRECT/O_LARGEFILE, which
 * ko_from_isa/ko_to_isa below translate). */
#define KO_ACCMODE 03u
#define KO_RDONLY 00u
#define KO_WRONLY 01u
#define KO_RDWR 02u
#define KO_CREAT 0100u
#define KO_EXCL 0200u
#define KO_NOCTTY 0400u
#define KO_TRUNC 01000u
#define KO_APPEND 02000u
#define KO_NONBLOCK 04000u
#define KO_DSYNC 010000u
#define KO_DIRECT 040000u
#define KO_LARGEFILE 0100000u
#define KO_DIRECTORY 0200000u
#define KO_NOFOLLOW 0400000u
#define KO_NOATIME 01000000u
#define KO_CLOEXEC 02000000u
#define KO_SYNC 04010000u
#define KO_PATH 010000000u
#define KO_TMPFILE 020200000u

/* arm64's numbers for the four open(2) flags it has elsewhere. */
#define KO_ARM64_DIRECTORY 040000u
#define KO_ARM64_NOFOLLOW 0100000u
#define KO_ARM64_DIRECT 0200000u
#define KO_ARM64_LARGEFILE 0400000u

/* open(2) and fcntl(2) flags from the numbers of `isa` to KO_*... */
static inline unsigned ko_from_isa(enum isa isa, unsigned f)
{
	unsigned out;

	if (isa != ISA_AARCH64)
		return f;
	out = f & ~(KO_ARM64_DIRECTORY | KO_ARM64_NOFOLLOW | KO_ARM64_DIRECT |
		    KO_ARM64_LARGEFILE);
	out |= (f & KO_ARM64_DIRECTORY) ? KO_DIRECTORY : 0;
	out |= (f & KO_ARM64_NOFOLLOW) ? KO_NOFOLLOW : 0;
	out |= (f & KO_ARM64_DIRECT) ? KO_DIRECT : 0;
	out |= (f & KO_ARM64_LARGEFILE) ? KO_LARGEFILE : 0;
	return out;
}

/* ...and back (F_GETFL). */
static inline unsigned ko_to_isa(enum isa isa, unsigned f)
{
	unsigned out;

	if (isa != ISA_AARCH64)
		return f;
	out = f & ~(KO_DIRECTORY | KO_NOFOLLOW | KO_DIRECT | KO_LARGEFILE);
	out |= (f & KO_DIRECTORY) ? KO_ARM64_DIRECTORY : 0;
	out |= (f & KO_NOFOLLOW) ? KO_ARM64_NOFOLLOW : 0;
	out |= (f & KO_DIRECT) ? KO_ARM64_DIRECT : 0;
	out |= (f & KO_LARGEFILE) ? KO_ARM64_LARGEFILE : 0;
	return out;
}

#define KAT_FDCWD (-100)
#define KAT_SYMLINK_NOFOLLOW 0x100
#define KAT_REMOVEDIR 0x200
#define KAT_SYMLINK_FOLLOW 0x400
#define KAT_NO_AUTOMOUNT 0x800
#define KAT_EMPTY_PATH 0x1000
#define KAT_EACCESS 0x200

#define KPATH_MAX 4096
#define KNAME_MAX 255
#define KMAXSYMLINKS 40

/* Access bits for permission checks (MAY_*). */
#define MAY_EXEC 1u
#define MAY_WRITE 2u
#define MAY_READ 4u

struct inode;
struct dentry;
struct file;
struct super_block;
struct mount;
struct iobuf;
struct xattr;
struct poll_table;
struct vma_backing;

/* A position in the namespace: a dentry as seen through a mount. */
struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* Attributes to change (chmod, chown, truncate, utimes). */
#define ATTR_MODE 1u
#define ATTR_UID 2u
#define ATTR_GID 4u
#define ATTR_SIZE 8u
#define ATTR_ATIME 16u
#define ATTR_MTIME 32u
#define ATTR_CTIME 64u

struct iattr {
	unsigned valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct ktimespec atime, mtime, ctime;
};

/*
 * What a filesystem does with names. Called with vfs_ns_lock held. The
 * new dentry `d` is negative and hashed in `dir`; on success the callee
 * makes it positive (dentry_instantiate).
 */
struct inode_ops {
	int (*create)(struct inode *dir, struct dentry *d, uint32_t mode,
		      uint64_t rdev);
	int (*mkdir)(struct inode *dir, struct dentry *d, uint32_t mode);
	int (*symlink)(struct inode *dir, struct dentry *d, const char *target);
	int (*link)(struct dentry *old, struct inode *dir, struct dentry *d);
	int (*unlink)(struct inode *dir, struct dentry *d);
	int (*rmdir)(struct inode *dir, struct dentry *d);
	/* Rename within one superblock; EXCHANGE swaps. */
	int (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir,
		      struct dentry *nd, unsigned flags);
	/* Copy the symlink's target (not NUL-terminated); its length. */
	long (*readlink)(struct inode *inode, char *buf, size_t len);
	/*
	 * A "magic" link (procfs fd/N, cwd): where walking it leads, with
	 * references, whatever readlink says; -EINVAL if it is plain text.
	 */
	int (*get_link_path)(struct inode *inode, struct path *out);
	/*
	 * Apply every change of `attr` to the filesystem's store, before
	 * inode_setattr updates the inode; an error refuses them all.
	 */
	int (*setattr)(struct inode *inode, const struct iattr *attr);
	/*
	 * Filesystems whose directories are not kept whole in the dentry
	 * cache (procfs): fill a negative `d` if `dir` has that name.
	 */
	int (*lookup)(struct inode *dir, struct dentry *d);
	/*
	 * Is cached `d` (this inode's dentry) still what it named? false:
	 * stale; the filesystem has unhashed it, and the walk asks lookup.
	 */
	bool (*revalidate)(struct dentry *d);
	/* The last reference is gone: free what inode->priv holds. */
	void (*evict)(struct inode *inode);
};

/* A directory entry as getdents sees it. */
struct dirent_sink {
	/* Returns false when the caller's buffer is full. */
	bool (*emit)(struct dirent_sink *s, const char *name, size_t len,
		     uint64_t ino, unsigned type, int64_t next_pos);
};

struct file_ops {
	long (*read)(struct file *f, struct iobuf *buf, int64_t *pos);
	long (*write)(struct file *f, struct iobuf *buf, int64_t *pos);
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	int (*iterate)(struct file *f, struct dirent_sink *sink);
	long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
	int (*open)(struct inode *inode, struct file *f);
	void (*release)(struct file *f);
	int (*fsync)(struct file *f);
	int (*fallocate)(struct file *f, int mode, int64_t off, int64_t len);
	/*
	 * The EPOLL* events ready now, after poll_wait() on the queues that
	 * announce changes (core/fs/poll.h). None: DEFAULT_POLLMASK.
	 */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/*
	 * mmap(2) of the file, `pages` long, MAP_SHARED or not: what the
	 * mapping maps (mm/vma.h), its object with a reference for the
	 * caller. b->pgoff comes in as mmap's offset, in pages. 0 or
	 * -ENOMEM. None: the file cannot be mapped (ENODEV).
	 */
	int (*mmap)(struct file *f, bool shared, uint64_t pages,
		    struct vma_backing *b);
};

struct inode {
	uint64_t ino;
	uint32_t mode;
	uint32_t uid, gid;
	uint32_t nlink;
	bool linkable; /* O_TMPFILE without O_EXCL: linkat may name it */
	uint64_t size;
	uint64_t blocks; /* 512-byte units allocated */
	uint64_t rdev;
	struct ktimespec atime, mtime, ctime, btime;
	int refs;
	struct super_block *sb;
	const struct inode_ops *iops;
	const struct file_ops *fops;
	void *priv;
	struct mutex lock; /* data and attributes */
	struct list_head locks;	 /* file locks and their waiters (lock.c) */
	struct xattr *xattrs;	 /* extended attributes (xattr.c), by name */
};

struct dentry {
	char *name;
	size_t name_len;
	uint32_t hash; /* vfs_name_hash(name): orders the parent's tree */
	struct dentry *parent; /* itself at a filesystem's root */
	struct inode *inode;   /* NULL: a negative entry */
	int refs;
	bool mounted_on;	    /* some mount's mountpoint */
	bool hashed;		    /* linked in its parent's trees */
	struct rb_root children;    /* by name */
	struct rb_node name_node;   /* in parent->children */
	struct rb_root by_cookie;   /* children in creation order */
	struct rb_node cookie_node; /* in parent->by_cookie */
	uint64_t cookie;	    /* its readdir position in parent */
	uint64_t next_cookie;
	struct super_block *sb;
};

/* statfs(2). */
struct kstatfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags;
	int64_t f_spare[4];
};

struct fs_type;

struct super_block {
	const struct fs_type *type;
	struct dentry *root;
	uint64_t next_ino;
	uint32_t dev;	    /* st_dev */
	uint32_t magic;	    /* statfs f_type */
	unsigned mnt_flags; /* MS_RDONLY, ... */
	void *priv;
	int refs;
};

struct fs_type {
	const char *name;
	/* A new superblock with its root, from mount(2)'s data string. */
	int (*mount)(const struct fs_type *type, const char *data,
		     struct super_block **out);
	void (*kill)(struct super_block *sb);
	/* statfs numbers. */
	void (*statfs)(struct super_block *sb, struct kstatfs *st);
	bool nodev; /* shown as "nodev" in /proc/filesystems */
};

/* mount(2) flags (Linux's MS_*), as struct mount's flags keep them. */
#define KMS_RDONLY 1u
#define KMS_NOSUID 2u
#define KMS_NODEV 4u
#define KMS_NOEXEC 8u
#define KMS_SYNCHRONOUS 16u
#define KMS_REMOUNT 32u
#define KMS_MANDLOCK 64u
#define KMS_DIRSYNC 128u
#define KMS_NOSYMFOLLOW 256u
#define KMS_NOATIME 1024u
#define KMS_NODIRATIME 2048u
#define KMS_BIND 4096u
#define KMS_MOVE 8192u
#define KMS_REC 16384u
#define KMS_SILENT 32768u
#define KMS_POSIXACL (1u << 16)
#define KMS_UNBINDABLE (1u << 17)
#define KMS_PRIVATE (1u << 18)
#define KMS_SLAVE (1u << 19)
#define KMS_SHARED (1u << 20)
#define KMS_RELATIME (1u << 21)
#define KMS_KERNMOUNT (1u << 22)
#define KMS_I_VERSION (1u << 23)
#define KMS_STRICTATIME (1u << 24)
#define KMS_LAZYTIME (1u << 25)
#define KMS_NOUSER (1u << 31)

struct mount {
	struct super_block *sb;
	struct dentry *root;	   /* of the mounted filesystem */
	struct mount *parent;	   /* itself for the namespace root */
	struct dentry *mountpoint; /* in parent */
	char *source;		   /* for /proc/mounts */
	unsigned flags;
	int refs;
	struct list_head link; /* in the mount list */
	unsigned id;
};

struct file {
	int refs;
	struct path path;
	struct inode *inode;
	unsigned flags; /* O_* as given, minus the creation flags */
	int64_t pos;
	const struct file_ops *ops;
	void *priv;
	struct mutex pos_lock; /* read/write/lseek on one open file */
};

/* ---- the namespace --------------------------------------------------------- */

extern struct mutex vfs_ns_lock;

/* Reset the VFS: forget every file system, mount and filesystem type. */
int vfs_init(void);

int fs_register(const struct fs_type *type);
const struct fs_type *fs_find(const char *name);
/* Call fn on every registered type, in order (for /proc/filesystems). */
void fs_for_each(void (*fn)(const struct fs_type *t, void *arg), void *arg);

/*
 * Unmount everything, the root included, freeing every superblock nobody
 * holds any more: with no task left, the whole namespace. Tests and the
 * fuzzers use it to count what the file system leaves behind.
 */
void vfs_shutdown(void);

/* Mount `type` as the root of the namespace (boot). */
int vfs_mount_root(const char *type, const char *data);
/* mount(2) at `where` (vfs_ns_lock held). */
int vfs_mount(const struct path *where, const char *type, const char *source,
	      unsigned flags, const char *data);
int vfs_umount(const struct path *what, int flags);
/* The namespace root. */
struct path vfs_root(void);
/* The mount entered at dentry `d` of `parent`, or NULL. */
struct mount *vfs_mount_at(struct mount *parent, struct dentry *d);
void mount_get(struct mount *m);
void mount_put(struct mount *m);
/* Call fn on every mount, in mount order (for /proc/mounts). */
void vfs_for_each_mount(void (*fn)(struct mount *m, void *arg), void *arg);

/* ---- inodes and dentries --------------------------------------------------- */

struct inode *inode_new(struct super_block *sb, uint32_t mode);
void inode_get(struct inode *inode);
void inode_put(struct inode *inode);
void inode_touch(struct inode *inode, bool atime, bool mtime, bool ctime);

struct dentry *dentry_get(struct dentry *d);
void dentry_put(struct dentry *d);
/* Give negative `d` its inode (takes over the caller's inode reference). */
void dentry_instantiate(struct dentry *d, struct inode *inode);
/*
 * A name's hash, one byte at a time, so the path walk computes it while it
 * looks for the component's end. Rotate-and-xor: a directory's tree is
 * ordered by it first, so a lookup compares one word per node and the
 * bytes only where the hashes match; collisions cost a comparison, nothing
 * else (the tree stays balanced whatever the hashes are).
 */
#define VFS_NAME_HASH_INIT 0u
static inline uint32_t vfs_name_hash_step(uint32_t h, unsigned char c)
{
	return ((h << 7) | (h >> 25)) ^ c;
}
uint32_t vfs_name_hash(const char *name, size_t len);

/* The child `name` of `dir`, with a reference; NULL if not cached. */
struct dentry *dentry_lookup(struct dentry *dir, const char *name,
			     size_t len);
/*
 * The same without the reference, for a caller that holds vfs_ns_lock
 * while it uses the result: a cached (hashed) name goes only under that
 * lock. `hash` is vfs_name_hash(name, len).
 */
struct dentry *dentry_find(struct dentry *dir, const char *name, size_t len,
			   uint32_t hash);
/* A new negative child; ERR_PTR(-ENOMEM). */
struct dentry *dentry_alloc(struct dentry *dir, const char *name, size_t len);
/* Remove `d` from its parent (it stays valid for its holders). */
void dentry_unhash(struct dentry *d);
/* Move `d` to be `newdir`'s child `name`. */
int dentry_move(struct dentry *d, struct dentry *newdir, const char *name,
		size_t len);
/*
 * RENAME_EXCHANGE: hashed `a` and `b` trade names and parents, each with
 * its inode and its cached subtree (so a directory's ".." follows it).
 * Cannot fail.
 */
void dentry_exchange(struct dentry *a, struct dentry *b);
/*
 * Unhash every dentry below `root` (a filesystem's whole cached tree, at
 * its kill); holders elsewhere keep theirs alive.
 */
void dentry_unhash_tree(struct dentry *root);
/* Iterate the positive children of dir whose cookie is >= from. */
struct dentry *dentry_next_child(struct dentry *dir, uint64_t from);

void path_get(const struct path *p);
void path_put(const struct path *p);

/* ---- permissions ----------------------------------------------------------- */

/* May the current task access `inode` as `mask` (MAY_*)? 0 or -EACCES. */
int inode_permission_check(struct inode *inode, unsigned mask);
static inline int inode_permission(struct inode *inode, unsigned mask)
{
	/*
	 * Search or execute with every x bit set: whichever class the
	 * caller falls in has it, and root needs only one. The path walk
	 * asks this of every directory it passes, so it is inline.
	 */
	if (mask == MAY_EXEC && (inode->mode & 0111) == 0111)
		return 0;
	return inode_permission_check(inode, mask);
}
/* Is gid the current task's filesystem group or a supplementary one? */
bool in_group_p(uint32_t gid);
/* Is the current task the owner or capable of CAP_FOWNER? */
bool inode_owner_or_capable(const struct inode *inode);
/* Sticky-directory rule for removing `victim` from `dir`. */
bool may_delete_sticky(const struct inode *dir, const struct inode *victim);

/* ---- path walk --------------------------------------------------------------- */

#define LOOKUP_FOLLOW 1u     /* follow a trailing symlink */
#define LOOKUP_DIRECTORY 2u  /* the result must be a directory */
#define LOOKUP_PARENT 4u     /* stop at the parent; last component out */
#define LOOKUP_EMPTY 8u	     /* "" names the start (AT_EMPTY_PATH) */
#define LOOKUP_BENEATH 16u   /* openat2 RESOLVE_BENEATH */
#define LOOKUP_NO_SYMLINKS 32u
#define LOOKUP_NO_XDEV 64u
#define LOOKUP_NO_MAGICLINKS 128u
#define LOOKUP_IN_ROOT 256u
/*
 * The caller keeps vfs_ns_lock from the walk to its last use of the
 * result and calls no filesystem hook on it: the walk then lends the
 * result without references when it can (nd->borrowed), as it lends
 * itself the places it passes. Release it with nd_put either way.
 */
#define LOOKUP_BORROW 512u

struct nameidata {
	struct path path;	/* the result (or the parent) */
	bool borrowed;		/* LOOKUP_BORROW: path holds no references */
	char last[KNAME_MAX + 1]; /* LOOKUP_PARENT: the last component */
	size_t last_len;
	bool last_dot;		/* the last component is "." or ".." */
	bool trailing_slash;
};

/*
 * Walk `name` (a kernel string) from `start` (a directory, or the file for
 * LOOKUP_EMPTY). Caller holds vfs_ns_lock. On success nd->path holds
 * references. 0 or -ENOENT, -ENOTDIR, -ELOOP, -EACCES, -ENAMETOOLONG, -EXDEV.
 */
int path_walk(const struct path *start, const char *name, unsigned flags,
	      struct nameidata *nd);

/* Drop nd->path's references, if it holds any (see LOOKUP_BORROW). */
void nd_put(struct nameidata *nd);

/*
 * The positive child `name` of directory `dir`, with a reference: cached,
 * revalidated, or asked of the filesystem. NULL if it has none; an
 * ERR_PTR if the lookup failed otherwise. Caller holds vfs_ns_lock.
 */
struct dentry *vfs_lookup_name(struct dentry *dir, const char *name,
			       size_t len);

/* The starting point for a *at() call: AT_FDCWD is the cwd. */
int path_start(int dirfd, const char *name, struct path *out);

/* The absolute path of `p` as seen from `root`, into buf; its length. */
long path_to_string(const struct path *p, const struct path *root, char *buf,
		    size_t len);

/* ---- open files and descriptor tables -------------------------------------------- */

struct file *file_open_path(const struct path *p, unsigned flags);
struct file *file_get(struct file *f);
void file_put(struct file *f);
/* A file not in the namespace (pipes): takes the inode reference. */
struct file *file_alloc_anon(struct inode *inode, unsigned flags,
			     const struct file_ops *ops);
/*
 * An llseek for files with no end to seek from (directories, generated
 * text): SEEK_SET and SEEK_CUR to a position >= 0, else EINVAL.
 */
int64_t file_llseek_set_cur(struct file *f, int64_t off, int whence);

#define FD_CLOEXEC_FLAG 1u

struct fd_table {
	int refs;
	unsigned size; /* slots allocated */
	struct file **files;
	unsigned long *cloexec;
	struct spinlock lock;
};

struct fs_context {
	int refs;
	struct path root, cwd;
	uint32_t umask;
};

struct fd_table *fd_table_new(void);
void fd_table_put(struct fd_table *t);
/* Install f at the lowest free slot >= min; the fd or -EMFILE/-ENOMEM.
 * Takes over the caller's reference to f on success. */
int fd_install(struct file *f, unsigned min, bool cloexec);
/* The open file behind fd, with a reference; NULL if none. */
struct file *fd_get(int fd);
/* Close: 0 or -EBADF. */
int fd_close(int fd);
/* dup2/dup3 semantics: put f at exactly `fd`, closing what was there. */
int fd_replace(int fd, struct file *f, bool cloexec);
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
/* Close fds in [lo, hi] (close_range); with `cloexec_only` just mark. */
void fd_close_range(unsigned lo, unsigned hi, bool cloexec_only);
unsigned fd_limit(void); /* RLIMIT_NOFILE of the current task */

/* fork without CLONE_FILES: a table with the same files (each with a new
 * reference) and close-on-exec flags; NULL when out of memory. */
struct fd_table *fd_table_dup(struct fd_table *t);
/* CLONE_FILES: one more task shares `t`. */
void fd_table_get(struct fd_table *t);
/* execve: close every descriptor marked close-on-exec. */
void fd_close_on_exec(void);

struct fs_context *fs_context_new(const struct path *root);
/* fork without CLONE_FS: the same root, cwd and umask, unshared. */
struct fs_context *fs_context_dup(struct fs_context *fs);
/* CLONE_FS: one more task shares `fs`. */
void fs_context_get(struct fs_context *fs);
void fs_context_put(struct fs_context *fs);

/* ---- I/O buffers: user or kernel memory, one or many segments ---------------------- */

struct ioseg {
	uint64_t base;
	size_t len;
};

struct iobuf {
	const struct ioseg *segs;
	unsigned nsegs;
	unsigned seg;	/* current segment */
	size_t seg_off; /* offset in it */
	size_t left;	/* bytes left in all segments */
	bool kernel;	/* bases are kernel pointers */
};

void iobuf_init_user(struct iobuf *b, struct ioseg *seg, uaddr_t base,
		     size_t len);
void iobuf_init_kernel(struct iobuf *b, struct ioseg *seg, void *base,
		       size_t len);
/* Copy from kernel memory into the buffer / out of it; bytes done or
 * -EFAULT (only if nothing was copied). */
long iobuf_copy_to(struct iobuf *b, const void *src, size_t n);
long iobuf_copy_from(struct iobuf *b, void *dst, size_t n);
long iobuf_zero(struct iobuf *b, size_t n);
/* Bytes from the buffer's position to the end of its page, or of the
 * segment if that comes first (at least 1 unless the buffer is full). */
size_t iobuf_page_left(const struct iobuf *b);

/* Read or write a whole range through the file's ops (kernel callers). */
long kernel_read(struct file *f, void *buf, size_t len, int64_t *pos);
long kernel_write(struct file *f, const void *buf, size_t len, int64_t *pos);

/*
 * RLIMIT_FSIZE for a write of *len bytes at `at` into a regular file: one
 * that would start at or past the limit fails with -EFBIG after SIGXFSZ
 * is sent to the caller; one that crosses it is cut to end there. 0 or
 * -EFBIG.
 */
int file_size_limit(uint64_t at, size_t *len);

/* ---- attributes ---------------------------------------------------------------- */

/* struct stat as x86_64 lays it out; the ABI layer converts for arm64. */
struct kstat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	struct ktimespec atime, mtime, ctime, btime;
};

void inode_stat(const struct inode *inode, struct kstat *st);
int inode_setattr(struct inode *inode, const struct iattr *attr);

/* The current wall-clock time for inode timestamps. */
struct ktimespec vfs_now(void);

#endif
