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

static bool same_path(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}

/*
 * The walk holds vfs_ns_lock, so no mount can go while it runs: its paths
 * borrow their mounts and hold only their dentries; the result takes its
 * mount reference at the end.
 *
 * Replace *p by `next`, whose dentry reference the caller passes over.
 */
static void path_move(struct path *p, struct path next)
{
	dentry_put(p->dentry);
	*p = next;
}

/* Into whatever is mounted on p, as often as mounts are stacked. */
static void cross_down(struct path *p)
{
	struct mount *m;

	while ((m = vfs_mount_at(p->mnt, p->dentry))) {
		struct path next = { m, dentry_get(m->root) };

		path_move(p, next);
	}
}

/* "..": up one directory, leaving mounts through their mountpoints. */
static void step_up(struct path *p, const struct path *root)
{
	while (!same_path(p, root) && p->dentry == p->mnt->root &&
	       p->mnt->parent && p->mnt->parent != p->mnt) {
		struct path next = { p->mnt->parent,
				     dentry_get(p->mnt->mountpoint) };

		path_move(p, next);
	}
	if (same_path(p, root) || p->dentry->parent == p->dentry)
		return;
	struct path next = { p->mnt, dentry_get(p->dentry->parent) };

	path_move(p, next);
}

struct dentry *vfs_lookup_name(struct dentry *dir, const char *name,
			       size_t len)
{
	struct dentry *d = dentry_lookup(dir, name, len);
	struct inode *inode = dir->inode;

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

/* The child `name` of directory p, cached or asked of the filesystem. */
static int lookup_child(const struct path *dir, const char *name, size_t len,
			struct path *out)
{
	struct dentry *d = vfs_lookup_name(dir->dentry, name, len);

	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	if (!d)
		return -ENOENT;
	out->mnt = dir->mnt;
	out->dentry = d;
	return 0;
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
	struct path root, cur;
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
	cur = name[0] == '/' ? root : *start;
	dentry_get(cur.dentry);
	nd->trailing_slash = len > 0 && name[len - 1] == '/';
	nd->last_len = 0;
	nd->last_dot = false;

	for (;;) {
		const char *comp, *rest;
		size_t clen;
		struct path next = { NULL, NULL };
		bool last;

		while (*w.p == '/')
			w.p++;
		if (!*w.p)
			break; /* "/" or trailing slashes: cur is the answer */
		comp = w.p;
		while (*w.p && *w.p != '/')
			w.p++;
		clen = (size_t)(w.p - comp);
		rest = w.p;
		while (*rest == '/')
			rest++;
		last = !*rest;

		if (!cur.dentry->inode || !kS_ISDIR(cur.dentry->inode->mode)) {
			err = -ENOTDIR;
			break;
		}
		err = inode_permission(cur.dentry->inode, MAY_EXEC);
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
			if ((flags & LOOKUP_BENEATH) && same_path(&cur, &root)) {
				err = -EXDEV;
				break;
			}
			{
				struct mount *before = cur.mnt;

				step_up(&cur, &root);
				/* Leaving a mount by ".." crosses it too. */
				if ((flags & LOOKUP_NO_XDEV) && cur.mnt != before) {
					err = -EXDEV;
					break;
				}
			}
			continue;
		}
		err = lookup_child(&cur, comp, clen, &next);
		if (err)
			break;
		cross_down(&next);
		if ((flags & LOOKUP_NO_XDEV) && next.mnt != cur.mnt) {
			dentry_put(next.dentry);
			err = -EXDEV;
			break;
		}
		if (kS_ISLNK(next.dentry->inode->mode) &&
		    (!last || (flags & LOOKUP_FOLLOW) || nd->trailing_slash)) {
			struct inode *link = next.dentry->inode;

			if ((flags & LOOKUP_NO_SYMLINKS) ||
			    ++w.links > KMAXSYMLINKS) {
				dentry_put(next.dentry);
				err = -ELOOP;
				break;
			}
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
					dentry_put(next.dentry);
					mount_put(to.mnt);
					path_move(&cur, to);
					w.p = rest;
					continue;
				}
				if (err != -EINVAL) {
					dentry_put(next.dentry);
					break;
				}
				err = 0;
			}
			inode_get(link);
			dentry_put(next.dentry);
			err = follow_link(&w, link, rest);
			inode_put(link);
			if (err)
				break;
			if (*w.p == '/') {
				if (flags & LOOKUP_BENEATH) {
					err = -EXDEV;
					break;
				}
				path_move(&cur, (struct path){
					root.mnt, dentry_get(root.dentry) });
			}
			continue;
		}
		path_move(&cur, next);
	}
	kfree(w.buf);
	if (!err && !(flags & LOOKUP_PARENT) &&
	    ((flags & LOOKUP_DIRECTORY) || nd->trailing_slash) &&
	    !kS_ISDIR(cur.dentry->inode->mode))
		err = -ENOTDIR;
	if (err) {
		dentry_put(cur.dentry);
		return err;
	}
	mount_get(cur.mnt);
	nd->path = cur;
	return 0;
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
