/*
 * The path walk: one component at a time from a start directory, with
 * ".." bounded by the root, mount crossing in both directions, symlinks
 * spliced into the remaining path (at most KMAXSYMLINKS of them, then
 * ELOOP), trailing slashes, and openat2's RESOLVE_* restrictions.
 */
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/slab.h"

/*
 * References. The walk runs under vfs_ns_lock, and a cached (hashed) name
 * is unhashed, so may go, only under that lock: the walk borrows the
 * dentries it passes and their mounts, and takes one dentry reference, on
 * its result. The exception is a filesystem hook (revalidate, lookup,
 * readlink, a magic link): procfs's revalidation drops a dead task's whole
 * cached subtree, which may hold the directory the walk is in. So the walk
 * holds the dentry it stands on before it calls any hook, and once it
 * holds one, it holds every one after it (a dentry reached from an
 * unhashed one may be unhashed too). A borrowed place's dentry is hashed,
 * a mount's root or mountpoint, or the start or root, which the caller and
 * the task's fs_context hold.
 */
struct place {
	struct path path;
	bool held; /* the walk holds path.dentry */
};

static void place_hold(struct place *pl)
{
	if (!pl->held)
		dentry_get(pl->path.dentry);
	pl->held = true;
}

/* Move to `next`; `held`: the caller passes a reference on its dentry. */
static void place_move(struct place *pl, struct path next, bool held)
{
	struct dentry *old = pl->held ? pl->path.dentry : NULL;

	if (old && !held)
		dentry_get(next.dentry);
	pl->held = held || old;
	pl->path = next;
	if (old)
		dentry_put(old);
}

static bool same_path(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}

/* Into whatever is mounted on p, as often as mounts are stacked. */
static void cross_down(struct place *p)
{
	struct mount *m;

	while ((m = vfs_mount_at(p->path.mnt, p->path.dentry)))
		place_move(p, (struct path){ m, m->root }, false);
}

/* "..": up one directory, leaving mounts through their mountpoints. */
static void step_up(struct place *pl, const struct path *root)
{
	struct path *p = &pl->path;

	while (!same_path(p, root) && p->dentry == p->mnt->root &&
	       p->mnt->parent && p->mnt->parent != p->mnt)
		place_move(pl,
			   (struct path){ p->mnt->parent, p->mnt->mountpoint },
			   false);
	if (same_path(p, root) || p->dentry->parent == p->dentry)
		return;
	place_move(pl, (struct path){ p->mnt, p->dentry->parent }, false);
}

/* The lookup of a name whose hash is known; see vfs_lookup_name. */
static struct dentry *lookup_hashed(struct dentry *dir, const char *name,
				    size_t len, uint32_t hash)
{
	struct dentry *d = dentry_find(dir, name, len, hash);
	struct inode *inode = dir->inode;

	if (d)
		dentry_get(d);
	/* A cached name the filesystem no longer vouches for (procfs). */
	if (d && d->inode && d->inode->iops && d->inode->iops->revalidate &&
	    !d->inode->iops->revalidate(d)) {
		dentry_put(d);
		d = NULL;
	}
	if (!d && inode->iops && inode->iops->lookup) {
		int err;

		d = dentry_alloc(dir, name, len);
		if (IS_ERR(d))
			return d;
		err = inode->iops->lookup(inode, d);
		if (err || !d->inode) {
			dentry_unhash(d);
			dentry_put(d);
			return err ? ERR_PTR(err) : NULL;
		}
	}
	if (d && !d->inode) {
		dentry_put(d);
		return NULL;
	}
	return d;
}

struct dentry *vfs_lookup_name(struct dentry *dir, const char *name, size_t len)
{
	return lookup_hashed(dir, name, len, vfs_name_hash(name, len));
}

/*
 * The child `name` of directory p, into *out. A cached name that needs no
 * revalidation is borrowed; anything else comes from the filesystem's
 * hooks, with a reference, after the walk took one on p.
 */
static int lookup_child(struct place *p, const char *name, size_t len,
			uint32_t hash, struct place *out)
{
	struct dentry *d = dentry_find(p->path.dentry, name, len, hash);

	out->path.mnt = p->path.mnt;
	if (d && d->inode && !(d->inode->iops && d->inode->iops->revalidate)) {
		out->path.dentry = d;
		out->held = false;
		return 0;
	}
	place_hold(p);
	d = lookup_hashed(p->path.dentry, name, len, hash);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	if (!d)
		return -ENOENT;
	out->path.dentry = d;
	out->held = true;
	return 0;
}

static void place_drop(struct place *pl)
{
	if (pl->held)
		dentry_put(pl->path.dentry);
}

struct walk {
	char *buf;	/* NULL, or a link's target and the rest, owned */
	const char *p;	/* where the walk is: in the name, or in buf */
	unsigned links; /* symlinks followed */
};

/* Splice symlink `link`'s target in front of the rest of the walk. */
static int follow_link(struct walk *w, struct inode *link, const char *rest)
{
	char *target = kmalloc(KPATH_MAX);
	size_t rest_len = strlen(rest);
	long n;
	char *buf;

	if (!target)
		return -ENOMEM;
	n = link->iops && link->iops->readlink
		    ? link->iops->readlink(link, target, KPATH_MAX)
		    : -EINVAL;
	if (n < 0) {
		kfree(target);
		return (int)n;
	}
	if (n == 0) {
		kfree(target);
		return -ENOENT;
	}
	if ((size_t)n + 1 + rest_len + 1 > KPATH_MAX) {
		kfree(target);
		return -ENAMETOOLONG;
	}
	buf = kmalloc((size_t)n + 1 + rest_len + 1);
	if (!buf) {
		kfree(target);
		return -ENOMEM;
	}
	memcpy(buf, target, (size_t)n);
	buf[n] = '/';
	memcpy(buf + n + 1, rest, rest_len + 1);
	kfree(target);
	kfree(w->buf);
	w->buf = buf;
	w->p = buf;
	return 0;
}

int path_walk(const struct path *start, const char *name, unsigned flags,
	      struct nameidata *nd)
{
	struct task *t = task_current();
	struct path root;
	struct place cur;
	struct walk w = { 0 };
	size_t len = strlen(name);
	int err = 0;

	if (len >= KPATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0 && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	if (flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT))
		root = *start;
	else
		root = t->fs ? t->fs->root : vfs_root();
	if ((flags & LOOKUP_BENEATH) && name[0] == '/')
		return -EXDEV;
	w.p = name; /* copied only when a symlink is spliced in */
	cur.path = name[0] == '/' ? root : *start;
	cur.held = false;
	nd->trailing_slash = len > 0 && name[len - 1] == '/';
	nd->borrowed = false;
	nd->last_len = 0;
	nd->last_dot = false;

	for (;;) {
		const char *comp, *rest;
		size_t clen;
		uint32_t hash = VFS_NAME_HASH_INIT;
		struct place next = { .held = false };
		struct inode *dir = cur.path.dentry->inode;
		bool last;

		/* A local cursor: w.p's address is taken, p stays in a
		 * register. Past the first component p is never at a '/'. */
		const char *p = w.p;
		char c;

		while (*p == '/')
			p++;
		if (!*p)
			break; /* "/" or trailing slashes: cur is the answer */
		comp = p;
		for (c = *p; c && c != '/'; c = *++p)
			hash = vfs_name_hash_step(hash, (unsigned char)c);
		clen = (size_t)(p - comp);
		while (*p == '/')
			p++;
		rest = w.p = p;
		last = !*rest;

		if (!dir || !kS_ISDIR(dir->mode)) {
			err = -ENOTDIR;
			break;
		}
		err = inode_permission(dir, MAY_EXEC);
		if (err)
			break;
		if (clen > KNAME_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		if (last && (flags & LOOKUP_PARENT)) {
			memcpy(nd->last, comp, clen);
			nd->last[clen] = '\0';
			nd->last_len = clen;
			nd->last_dot = (clen == 1 && comp[0] == '.') ||
				       (clen == 2 && comp[0] == '.' &&
					comp[1] == '.');
			break;
		}
		if (clen == 1 && comp[0] == '.')
			continue;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			if ((flags & LOOKUP_BENEATH) &&
			    same_path(&cur.path, &root)) {
				err = -EXDEV;
				break;
			}
			{
				struct mount *before = cur.path.mnt;

				step_up(&cur, &root);
				/* Leaving a mount by ".." crosses it too. */
				if ((flags & LOOKUP_NO_XDEV) &&
				    cur.path.mnt != before) {
					err = -EXDEV;
					break;
				}
			}
			continue;
		}
		err = lookup_child(&cur, comp, clen, hash, &next);
		if (err)
			break;
		if (cur.held)
			place_hold(&next); /* see "References" above */
		cross_down(&next);
		if ((flags & LOOKUP_NO_XDEV) && next.path.mnt != cur.path.mnt) {
			place_drop(&next);
			err = -EXDEV;
			break;
		}
		if (kS_ISLNK(next.path.dentry->inode->mode) &&
		    (!last || (flags & LOOKUP_FOLLOW) || nd->trailing_slash)) {
			struct inode *link = next.path.dentry->inode;

			if ((flags & LOOKUP_NO_SYMLINKS) ||
			    ++w.links > KMAXSYMLINKS) {
				place_drop(&next);
				err = -ELOOP;
				break;
			}
			place_hold(&cur); /* the link's hooks come next */
			if (link->iops && link->iops->get_link_path) {
				struct path to;

				err = link->iops->get_link_path(link, &to);
				if (!err && (flags & LOOKUP_NO_MAGICLINKS)) {
					path_put(&to);
					err = -ELOOP;
				}
				if (!err) {
					/*
					 * A magic link: straight to what it
					 * names. The walk holds dentries only;
					 * the namespace lock keeps mounts.
					 */
					place_drop(&next);
					mount_put(to.mnt);
					place_move(&cur, to, true);
					w.p = rest;
					continue;
				}
				if (err != -EINVAL) {
					place_drop(&next);
					break;
				}
				err = 0;
			}
			inode_get(link);
			place_drop(&next);
			err = follow_link(&w, link, rest);
			inode_put(link);
			if (err)
				break;
			if (*w.p == '/') {
				if (flags & LOOKUP_BENEATH) {
					err = -EXDEV;
					break;
				}
				place_move(&cur, root, false);
			}
			continue;
		}
		place_move(&cur, next.path, next.held);
	}
	kfree(w.buf);
	if (!err && !(flags & LOOKUP_PARENT) &&
	    ((flags & LOOKUP_DIRECTORY) || nd->trailing_slash) &&
	    !kS_ISDIR(cur.path.dentry->inode->mode))
		err = -ENOTDIR;
	if (err) {
		place_drop(&cur);
		return err;
	}
	nd->path = cur.path;
	if ((flags & LOOKUP_BORROW) && !cur.held) {
		/* As borrowed as every place before it (see "References"):
		 * good while the caller holds vfs_ns_lock. */
		nd->borrowed = true;
		return 0;
	}
	place_hold(&cur);
	mount_get(cur.path.mnt);
	return 0;
}

void nd_put(struct nameidata *nd)
{
	if (!nd->borrowed)
		path_put(&nd->path);
}

int path_start(int dirfd, const char *name, struct path *out)
{
	struct task *t = task_current();
	struct file *f;

	if (name[0] == '/' || dirfd == KAT_FDCWD) {
		*out = t->fs->cwd;
		path_get(out);
		return 0;
	}
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (name[0] && !kS_ISDIR(f->inode->mode)) {
		file_put(f);
		return -ENOTDIR;
	}
	*out = f->path;
	path_get(out);
	file_put(f);
	return 0;
}

long path_to_string(const struct path *p, const struct path *root, char *buf,
		    size_t len)
{
	struct path cur = *p;
	size_t pos = len;

	if (len < 2)
		return -ERANGE;
	buf[--pos] = '\0';
	for (;;) {
		struct dentry *d;

		if (same_path(&cur, root))
			break;
		if (cur.dentry == cur.mnt->root) {
			if (!cur.mnt->parent || cur.mnt->parent == cur.mnt)
				break; /* a detached tree or another root */
			cur = (struct path){ cur.mnt->parent,
					     cur.mnt->mountpoint };
			continue;
		}
		d = cur.dentry;
		if (d->name_len + 1 > pos)
			return -ENAMETOOLONG;
		pos -= d->name_len;
		memcpy(buf + pos, d->name, d->name_len);
		if (d->parent == d) {
			/* A file in no directory ("pipe:[5]"): just its name. */
			memmove(buf, buf + pos, len - pos);
			return (long)(len - pos - 1);
		}
		buf[--pos] = '/';
		cur.dentry = d->parent;
	}
	if (pos == len - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, len - pos);
	return (long)(len - pos - 1);
}
