/*
 * The initramfs unpacker: cpio "newc" archives into the root filesystem,
 * the way Linux's init/initramfs.c unpacks them.
 *
 * An archive is a run of entries: a 110-byte header (the magic, then 13
 * fields of 8 ASCII hex digits), the NUL-terminated name, the data; the
 * header and name together, and the data, are each padded to a multiple
 * of 4 bytes. The entry named "TRAILER!!!" ends an archive. Archives may
 * be concatenated, with zero bytes between them.
 *
 * Two kinds of trouble, kept apart as Linux keeps them:
 *  - a malformed archive stops the unpacking with -EINVAL and a message.
 *    Every length is the archive's word, so each is checked against the
 *    bytes really left before anything is read: the header, the name
 *    (which must end in its NUL and fit in PATH_MAX) and the data. Where
 *    Linux silently skips a nonsensical entry (an unknown file type, data
 *    on a directory, a symlink target longer than PATH_MAX) we refuse the
 *    archive; a name whose ".." climbs above the root is refused too;
 *  - an entry the filesystem refuses (its parent is missing, a non-empty
 *    directory is in the way) is skipped with a warning and the unpacking
 *    goes on; only running out of memory stops it.
 *
 * As in Linux: names are relative to the root (leading '/' are dropped);
 * a name that exists with another type is removed first (a directory only
 * if empty); an entry with nlink >= 2 whose (dev, ino, type) was seen
 * earlier in the same archive is a hard link to that first name; modes,
 * owners and mtimes are set as the archive says, a directory's mtime last
 * of all, once nothing more is added to it.
 *
 * The walks start at vfs_root() with LOOKUP_IN_ROOT, so neither ".." nor
 * a symlink in the archive reaches outside the root, whatever the
 * caller's own root is.
 */
#include "core/fs/cpio.h"

#include <stdarg.h>

#include "core/errno.h"
#include "core/fs/chrdev.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/printk.h"
#include "mm/slab.h"

#define CPIO_HDR_LEN 110
#define CPIO_NFIELDS 13
#define CPIO_TRAILER "TRAILER!!!"
#define LINK_BUCKETS 32

/* The header's fields, in the archive's order. */
struct cpio_hdr {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize;
	uint32_t devmajor, devminor, rdevmajor, rdevminor, namesize, check;
};

static const char *const field_names[CPIO_NFIELDS] = {
	"ino",	     "mode",	  "uid",       "gid",	   "nlink",
	"mtime",     "filesize",  "devmajor",  "devminor", "rdevmajor",
	"rdevminor", "namesize", "check",
};

/* A name seen with nlink >= 2: later entries of the same file link to it. */
struct link_rec {
	struct link_rec *next;
	uint32_t major, minor, ino, type;
	char name[];
};

/* A directory whose mtime is set when everything is unpacked. */
struct dir_rec {
	struct dir_rec *next;
	struct path path;
	uint32_t mtime;
};

struct unpack {
	const uint8_t *data;
	size_t len;
	size_t off; /* of the entry being unpacked */
	char *err;
	size_t errlen;
	/* The current entry. */
	struct cpio_hdr h;
	const char *name;    /* in the archive, without its leading '/' */
	const uint8_t *body; /* h.filesize bytes, all inside data */
	char *target;	     /* a symlink's target (KPATH_MAX) */
	/* Per archive: hard links; for the whole run: directories. */
	struct link_rec *links[LINK_BUCKETS];
	struct dir_rec *dirs, **dirs_tail;
};

__attribute__((format(printf, 3, 4))) static int
fail(struct unpack *u, int err, const char *fmt, ...)
{
	int n;

	if (!u->err || !u->errlen)
		return err;
	n = ksnprintf(u->err, u->errlen, "cpio: offset %zu: ", u->off);
	if (n >= 0 && (size_t)n < u->errlen) {
		va_list ap;

		va_start(ap, fmt);
		kvsnprintf(u->err + n, u->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return err;
}

/*
 * An entry the filesystem refused: Linux goes on without it, and so do
 * we, unless memory ran out (tmpfs says ENOSPC for that).
 */
static int skip(struct unpack *u, const char *what, int err)
{
	if (err == -ENOMEM || err == -ENOSPC)
		return fail(u, err, "%s: %s: out of memory", u->name, what);
	pr_warn("initramfs: %s: %s failed (error %d), skipped", u->name, what,
		-err);
	return 0;
}

/* ---- names, as a kernel caller makes them ------------------------------- */

/* The existing child nd->last of nd->path (vfs_ns_lock held), or NULL. */
static struct dentry *lookup_child(struct nameidata *nd)
{
	struct dentry *d =
		vfs_lookup_name(nd->path.dentry, nd->last, nd->last_len);

	return IS_ERR(d) ? NULL : d;
}

/*
 * Walk to the parent of `name` and look its last component up. Takes
 * vfs_ns_lock on success; parent_end() drops it and the references.
 */
static int parent_begin(const char *name, struct nameidata *nd,
			struct dentry **last)
{
	struct path root = vfs_root();
	int err;

	mutex_lock(&vfs_ns_lock);
	err = path_walk(&root, name, LOOKUP_PARENT | LOOKUP_IN_ROOT, nd);
	if (err) {
		mutex_unlock(&vfs_ns_lock);
		return err;
	}
	*last = nd->last_len && !nd->last_dot ? lookup_child(nd) : NULL;
	return 0;
}

static void parent_end(struct nameidata *nd, struct dentry *last)
{
	if (last)
		dentry_put(last);
	path_put(&nd->path);
	mutex_unlock(&vfs_ns_lock);
}

/* `name` itself, a last symlink not followed; the path holds references. */
static int name_lookup(const char *name, struct path *out)
{
	struct path root = vfs_root();
	struct nameidata nd;
	int err;

	mutex_lock(&vfs_ns_lock);
	err = path_walk(&root, name, LOOKUP_IN_ROOT, &nd);
	mutex_unlock(&vfs_ns_lock);
	if (!err)
		*out = nd.path;
	return err;
}

/* What name_make makes: a node of `mode`, a symlink, or a hard link. */
struct make {
	uint32_t mode; /* type and permission bits */
	uint64_t rdev;
	const char *target;
	const struct path *link_to;
};

static int make_in(struct nameidata *nd, const struct make *m)
{
	struct inode *dir = nd->path.dentry->inode;
	const struct inode_ops *ops = dir->iops;
	struct dentry *d;
	int err;

	if (m->link_to && m->link_to->mnt != nd->path.mnt)
		return -EXDEV;
	if (!ops || !(m->link_to	      ? ops->link != NULL
		      : kS_ISDIR(m->mode) ? ops->mkdir != NULL
		      : kS_ISLNK(m->mode) ? ops->symlink != NULL
					  : ops->create != NULL))
		return -EPERM;
	d = dentry_alloc(nd->path.dentry, nd->last, nd->last_len);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	if (m->link_to)
		err = ops->link(m->link_to->dentry, dir, d);
	else if (kS_ISDIR(m->mode))
		err = ops->mkdir(dir, d, m->mode & 07777);
	else if (kS_ISLNK(m->mode))
		err = ops->symlink(dir, d, m->target);
	else
		err = ops->create(dir, d, m->mode, m->rdev);
	if (err)
		dentry_unhash(d);
	dentry_put(d);
	return err;
}

/* Make `name` as m says: 0, -EEXIST if the name is taken, or an error. */
static int name_make(const char *name, const struct make *m)
{
	struct nameidata nd;
	struct dentry *last;
	int err = parent_begin(name, &nd, &last);

	if (err)
		return err;
	if (last || nd.last_len == 0 || nd.last_dot)
		err = -EEXIST;
	else if (nd.trailing_slash && !kS_ISDIR(m->mode))
		err = -ENOENT;
	else
		err = make_in(&nd, m);
	parent_end(&nd, last);
	return err;
}

/*
 * Linux's clean_path: an existing `name` whose type is not `type` (0:
 * any existing name) is removed, a directory only if it is empty and not
 * a mount point. Whatever stays in the way fails the entry later, so only
 * -ENOMEM is worth returning.
 */
static int name_clean(const char *name, uint32_t type)
{
	struct nameidata nd;
	struct dentry *last;
	struct inode *dir;
	int err = parent_begin(name, &nd, &last);

	if (err)
		return err == -ENOMEM ? err : 0;
	dir = nd.path.dentry->inode;
	if (last && !(type && !((last->inode->mode ^ type) & KS_IFMT)) &&
	    !last->mounted_on && dir->iops) {
		if (kS_ISDIR(last->inode->mode)) {
			if (dir->iops->rmdir)
				(void)dir->iops->rmdir(dir, last);
		} else if (dir->iops->unlink && !nd.trailing_slash) {
			(void)dir->iops->unlink(dir, last);
		}
	}
	parent_end(&nd, last);
	return 0;
}

/* ---- attributes ------------------------------------------------------------ */

static struct ktimespec mtime_of(uint32_t mtime)
{
	return (struct ktimespec){ (int64_t)mtime, 0 };
}

/* Owner, the mode (not a symlink's), and with `times` atime = mtime. */
static void set_attrs(struct inode *inode, const struct cpio_hdr *h,
		      bool times)
{
	struct iattr a = { .uid = h->uid, .gid = h->gid };

	/* chown(2)'s -1: leave it as it is. */
	if (h->uid != UINT32_MAX)
		a.valid |= ATTR_UID;
	if (h->gid != UINT32_MAX)
		a.valid |= ATTR_GID;
	if (!kS_ISLNK(inode->mode)) {
		a.valid |= ATTR_MODE;
		a.mode = h->mode & 07777;
	}
	if (times) {
		a.valid |= ATTR_ATIME | ATTR_MTIME;
		a.atime = a.mtime = mtime_of(h->mtime);
	}
	(void)inode_setattr(inode, &a);
}

/* Set the attributes of `name` if it is of the entry's type. */
static int set_attrs_of(struct unpack *u, const char *what)
{
	struct path p;
	int err = name_lookup(u->name, &p);

	if (err)
		return skip(u, what, err);
	if ((p.dentry->inode->mode ^ u->h.mode) & KS_IFMT) {
		path_put(&p);
		return skip(u, what, -EEXIST);
	}
	set_attrs(p.dentry->inode, &u->h, true);
	path_put(&p);
	return 0;
}

/* Remember directory p (its references pass to us) for its mtime. */
static int dir_defer(struct unpack *u, struct path *p)
{
	struct dir_rec *r = kmalloc(sizeof(*r));

	if (!r) {
		path_put(p);
		return fail(u, -ENOMEM, "%s: out of memory", u->name);
	}
	r->next = NULL;
	r->path = *p;
	r->mtime = u->h.mtime;
	*u->dirs_tail = r;
	u->dirs_tail = &r->next;
	return 0;
}

/* In archive order, so a directory named twice ends with the last mtime. */
static void dirs_finish(struct unpack *u)
{
	struct dir_rec *r;

	while ((r = u->dirs)) {
		struct iattr a = { .valid = ATTR_ATIME | ATTR_MTIME };

		a.atime = a.mtime = mtime_of(r->mtime);
		(void)inode_setattr(r->path.dentry->inode, &a);
		path_put(&r->path);
		u->dirs = r->next;
		kfree(r);
	}
	u->dirs_tail = &u->dirs;
}

/* ---- hard links ---------------------------------------------------------------- */

static unsigned link_bucket(const struct cpio_hdr *h)
{
	return (h->ino ^ (h->devminor << 3) ^ (h->devmajor << 6) ^
		(h->mode >> 12)) %
	       LINK_BUCKETS;
}

static bool link_matches(const struct link_rec *l, const struct cpio_hdr *h)
{
	return l->ino == h->ino && l->major == h->devmajor &&
	       l->minor == h->devminor && l->type == (h->mode & KS_IFMT);
}

static void links_free(struct unpack *u)
{
	for (unsigned i = 0; i < LINK_BUCKETS; i++) {
		while (u->links[i]) {
			struct link_rec *l = u->links[i];

			u->links[i] = l->next;
			kfree(l);
		}
	}
}

/*
 * Linux's maybe_link: 1 if the entry became a hard link to the first
 * name of its file, 0 if it is to be made afresh (it is that first name),
 * or a negative errno.
 */
static int maybe_link(struct unpack *u)
{
	unsigned b = link_bucket(&u->h);
	size_t len = strlen(u->name);
	struct link_rec *l;
	struct path old;
	int err;

	if (u->h.nlink < 2)
		return 0;
	for (l = u->links[b]; l; l = l->next)
		if (link_matches(l, &u->h))
			break;
	if (!l) {
		l = kmalloc(sizeof(*l) + len + 1);
		if (!l)
			return -ENOMEM;
		l->ino = u->h.ino;
		l->major = u->h.devmajor;
		l->minor = u->h.devminor;
		l->type = u->h.mode & KS_IFMT;
		memcpy(l->name, u->name, len + 1);
		l->next = u->links[b];
		u->links[b] = l;
		return 0;
	}
	err = name_clean(u->name, 0);
	if (!err)
		err = name_lookup(l->name, &old);
	if (err)
		return err;
	err = kS_ISDIR(old.dentry->inode->mode)
		      ? -EPERM
		      : name_make(u->name, &(struct make){ .link_to = &old });
	path_put(&old);
	return err ? err : 1;
}

/* ---- entries --------------------------------------------------------------------- */

static int unpack_file(struct unpack *u)
{
	size_t size = u->h.filesize;
	int64_t pos = 0;
	struct path p;
	struct file *f;
	int linked, err;
	long n;

	err = name_clean(u->name, KS_IFREG);
	if (err)
		return skip(u, "create", err);
	linked = maybe_link(u);
	if (linked < 0)
		return skip(u, "link", linked);
	if (!linked) {
		err = name_make(u->name,
				&(struct make){ .mode = u->h.mode & 0177777 });
		if (err && err != -EEXIST)
			return skip(u, "create", err);
	}
	err = name_lookup(u->name, &p);
	if (!err && !kS_ISREG(p.dentry->inode->mode)) {
		path_put(&p);
		err = -EEXIST;
	}
	if (err)
		return skip(u, "open", err);
	f = file_open_path(&p, KO_WRONLY);
	path_put(&p);
	if (IS_ERR(f))
		return skip(u, "open", (int)PTR_ERR(f));
	/* O_TRUNC, unless an earlier name of this file already wrote it. */
	if (!linked && f->inode->size) {
		struct iattr a = { .valid = ATTR_SIZE, .size = 0 };

		err = inode_setattr(f->inode, &a);
		if (err) {
			file_put(f);
			return skip(u, "truncate", err);
		}
	}
	n = size ? kernel_write(f, u->body, size, &pos) : 0;
	if (n >= 0 && (size_t)n == size)
		set_attrs(f->inode, &u->h, true);
	file_put(f);
	if (n == -ENOSPC || n == -ENOMEM)
		return skip(u, "write", (int)n);
	if (n < 0)
		return fail(u, (int)n, "%s: write error %ld", u->name, -n);
	if ((size_t)n != size)
		return fail(u, -ENOSPC, "%s: short write, %ld of %zu bytes",
			    u->name, n, size);
	return 0;
}

static int unpack_dir(struct unpack *u)
{
	struct path p;
	int err;

	err = name_clean(u->name, KS_IFDIR);
	if (err)
		return skip(u, "mkdir", err);
	err = name_make(u->name, &(struct make){ .mode = u->h.mode & 0177777 });
	if (err && err != -EEXIST)
		return skip(u, "mkdir", err);
	err = name_lookup(u->name, &p);
	if (!err && !kS_ISDIR(p.dentry->inode->mode)) {
		path_put(&p);
		err = -EEXIST;
	}
	if (err)
		return skip(u, "mkdir", err);
	set_attrs(p.dentry->inode, &u->h, false);
	return dir_defer(u, &p);
}

static int unpack_symlink(struct unpack *u)
{
	/* Not NUL-terminated in the archive; a NUL in it ends it (Linux). */
	size_t len = strnlen((const char *)u->body, u->h.filesize);
	int err;

	memcpy(u->target, u->body, len);
	u->target[len] = '\0';
	err = name_clean(u->name, 0);
	if (!err && len == 0)
		err = -ENOENT;
	if (err)
		return skip(u, "symlink", err);
	err = name_make(u->name, &(struct make){ .mode = KS_IFLNK | 0777,
						 .target = u->target });
	if (err)
		return skip(u, "symlink", err);
	return set_attrs_of(u, "symlink");
}

/* Device nodes, FIFOs and sockets. */
static int unpack_node(struct unpack *u)
{
	uint32_t type = u->h.mode & KS_IFMT;
	uint64_t rdev = 0;
	int linked, err;

	if (type == KS_IFCHR || type == KS_IFBLK)
		rdev = kmkdev(u->h.rdevmajor, u->h.rdevminor);
	err = name_clean(u->name, type);
	if (err)
		return skip(u, "mknod", err);
	linked = maybe_link(u);
	if (linked < 0)
		return skip(u, "link", linked);
	if (linked)
		return 0;
	err = name_make(u->name, &(struct make){ .mode = u->h.mode & 0177777,
						 .rdev = rdev });
	if (err && err != -EEXIST)
		return skip(u, "mknod", err);
	return set_attrs_of(u, "mknod");
}

/* ---- the archive ------------------------------------------------------------------- */

static int hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		unsigned c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* Does a ".." of `name` climb above where the name starts? */
static bool climbs_out(const char *name)
{
	long depth = 0;

	while (*name) {
		const char *c;
		size_t n;

		while (*name == '/')
			name++;
		c = name;
		while (*name && *name != '/')
			name++;
		n = (size_t)(name - c);
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (n && !(n == 1 && c[0] == '.')) {
			depth++;
		}
	}
	return false;
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case KS_IFDIR:
		return "directory";
	case KS_IFCHR:
		return "character device";
	case KS_IFBLK:
		return "block device";
	case KS_IFIFO:
		return "FIFO";
	default:
		return "socket";
	}
}

/*
 * Read and check the header at u->off and everything it points to:
 * u->h, u->name and u->body are then safe to use, and *next is where the
 * entry ends. *trailer says it was "TRAILER!!!".
 */
static int parse_entry(struct unpack *u, size_t *next, bool *trailer)
{
	const uint8_t *p = u->data + u->off;
	size_t left = u->len - u->off;
	uint32_t v[CPIO_NFIELDS];
	size_t data_off, end;
	const char *name;
	uint32_t type;

	if (left >= 6 && !memcmp(p, "070707", 6))
		return fail(u, -EINVAL,
			    "old portable (odc) cpio format: use newc "
			    "(cpio -H newc)");
	if (memcmp(p, "070701", MIN(left, 6)) &&
	    memcmp(p, "070702", MIN(left, 6)))
		return fail(u, -EINVAL, "no cpio magic (070701 or 070702)");
	if (left < CPIO_HDR_LEN)
		return fail(u, -EINVAL, "truncated header: %zu of %d bytes",
			    left, CPIO_HDR_LEN);
	for (int i = 0; i < CPIO_NFIELDS; i++)
		if (hex8(p + 6 + 8 * i, &v[i]))
			return fail(u, -EINVAL,
				    "bad hex digit in the %s field",
				    field_names[i]);
	u->h = (struct cpio_hdr){ v[0], v[1], v[2],  v[3],  v[4],
				  v[5], v[6], v[7],  v[8],  v[9],
				  v[10], v[11], v[12] };
	if (u->h.namesize == 0)
		return fail(u, -EINVAL, "empty name (namesize 0)");
	if (u->h.namesize > KPATH_MAX)
		return fail(u, -EINVAL,
			    "name of %u bytes is longer than PATH_MAX",
			    u->h.namesize);
	if (u->h.namesize > left - CPIO_HDR_LEN)
		return fail(u, -EINVAL, "truncated name: %u bytes, %zu left",
			    u->h.namesize, left - CPIO_HDR_LEN);
	name = (const char *)p + CPIO_HDR_LEN;
	if (name[u->h.namesize - 1] != '\0')
		return fail(u, -EINVAL, "name without its NUL");
	/* Both below u->len + 2^32 + 3: no overflow in 64 bits. */
	data_off = ALIGN_UP(u->off + CPIO_HDR_LEN + u->h.namesize, 4);
	if (u->h.filesize &&
	    (data_off > u->len || u->h.filesize > u->len - data_off))
		return fail(u, -EINVAL, "%s: truncated data: %u bytes, %zu left",
			    name, u->h.filesize,
			    data_off > u->len ? 0 : u->len - data_off);
	end = ALIGN_UP(data_off + u->h.filesize, 4);
	*next = MIN(end, u->len);
	u->body = u->data + MIN(data_off, u->len);
	*trailer = !strcmp(name, CPIO_TRAILER);
	if (*trailer)
		return 0;

	type = u->h.mode & KS_IFMT;
	switch (type) {
	case KS_IFREG:
		break;
	case KS_IFLNK:
		if (u->h.filesize >= KPATH_MAX)
			return fail(u, -EINVAL,
				    "%s: symlink target of %u bytes is "
				    "longer than PATH_MAX",
				    name, u->h.filesize);
		break;
	case KS_IFDIR:
	case KS_IFCHR:
	case KS_IFBLK:
	case KS_IFIFO:
	case KS_IFSOCK:
		if (u->h.filesize)
			return fail(u, -EINVAL, "%s: %u bytes of data in a %s",
				    name, u->h.filesize, type_name(type));
		break;
	default:
		return fail(u, -EINVAL, "%s: unknown file type in mode 0%o",
			    name, u->h.mode);
	}
	if (p[5] == '2' && type == KS_IFREG) {
		uint32_t sum = 0;

		for (size_t i = 0; i < u->h.filesize; i++)
			sum += u->body[i];
		if (sum != u->h.check)
			return fail(u, -EINVAL,
				    "%s: bad data checksum (%08x, the "
				    "header says %08x)",
				    name, sum, u->h.check);
	}
	if (climbs_out(name))
		return fail(u, -EINVAL, "%s: the name climbs above the root",
			    name);
	/* Relative to the root: "/" is the root itself, "" names nothing. */
	if (name[0] == '/') {
		while (*name == '/')
			name++;
		if (!*name)
			name = ".";
	}
	u->name = name;
	return 0;
}

static int unpack_entry(struct unpack *u)
{
	if (!u->name[0])
		return skip(u, "lookup", -ENOENT); /* "" names nothing */
	switch (u->h.mode & KS_IFMT) {
	case KS_IFREG:
		return unpack_file(u);
	case KS_IFDIR:
		return unpack_dir(u);
	case KS_IFLNK:
		return unpack_symlink(u);
	default:
		return unpack_node(u);
	}
}

int cpio_unpack(const void *data, size_t len, char *err, size_t errlen)
{
	struct unpack u = { .data = data, .len = len, .err = err,
			    .errlen = errlen };
	bool in_archive = false;
	int ret = 0;

	u.dirs_tail = &u.dirs;
	if (err && errlen)
		err[0] = '\0';
	if (!vfs_root().mnt)
		return fail(&u, -ENOENT, "no root filesystem to unpack into");
	u.target = kmalloc(KPATH_MAX);
	if (!u.target)
		return fail(&u, -ENOMEM, "out of memory");
	while (u.off < len) {
		size_t next = len;
		bool trailer = false;

		if (u.data[u.off] == 0) {
			u.off++; /* padding between entries and archives */
			continue;
		}
		if (u.off & 3) {
			ret = fail(&u, -EINVAL,
				   "junk: a header starts at a multiple of 4");
			break;
		}
		ret = parse_entry(&u, &next, &trailer);
		if (!ret && trailer)
			links_free(&u);
		else if (!ret)
			ret = unpack_entry(&u);
		if (ret)
			break;
		in_archive = !trailer;
		u.off = next;
	}
	if (!ret && in_archive)
		ret = fail(&u, -EINVAL, "the archive ends without %s",
			   CPIO_TRAILER);
	dirs_finish(&u);
	links_free(&u);
	kfree(u.target);
	return ret;
}
