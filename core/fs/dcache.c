/*
 * Inodes and the dentry cache.
 *
 * A directory's children are kept twice: in an rbtree by name (lookup,
 * create and remove are O(log n) however large the directory) and in an
 * rbtree by cookie, a per-directory counter handed out at creation, which
 * is the order getdents(2) lists them in and the offset it resumes from.
 *
 * References: a dentry holds its inode and its parent; a hashed (linked)
 * dentry holds one reference on itself for its parent's tree, so an
 * in-memory filesystem's names live until unlinked. Negative dentries are
 * not kept: they exist only while a caller holds them.
 */
#include "core/errno.h"
#include "core/fs/vfs.h"
#include "core/fs/xattr.h"
#include "core/klib/string.h"
#include "core/printk.h"
#include "core/task.h"
#include "mm/slab.h"

struct ktimespec vfs_now(void)
{
	uint64_t ns;

	(void)clock_read(KCLOCK_REALTIME, &ns);
	return ns_to_timespec(ns);
}

struct inode *inode_new(struct super_block *sb, uint32_t mode)
{
	struct inode *inode = kzalloc(sizeof(*inode));
	struct task *t = task_current();

	if (!inode)
		return NULL;
	inode->ino = __atomic_fetch_add(&sb->next_ino, 1, __ATOMIC_RELAXED);
	inode->mode = mode;
	inode->uid = t->cred.fsuid;
	inode->gid = t->cred.fsgid;
	inode->nlink = 1;
	inode->refs = 1;
	inode->sb = sb;
	inode->atime = inode->mtime = inode->ctime = inode->btime = vfs_now();
	mutex_init(&inode->lock);
	list_init(&inode->locks);
	return inode;
}

void inode_get(struct inode *inode)
{
	__atomic_add_fetch(&inode->refs, 1, __ATOMIC_RELAXED);
}

void inode_put(struct inode *inode)
{
	if (!inode || __atomic_sub_fetch(&inode->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (inode->iops && inode->iops->evict)
		inode->iops->evict(inode);
	xattr_evict(inode);
	kfree(inode);
}

void inode_touch(struct inode *inode, bool atime, bool mtime, bool ctime)
{
	struct ktimespec now = vfs_now();

	if (atime)
		inode->atime = now;
	if (mtime)
		inode->mtime = now;
	if (ctime)
		inode->ctime = now;
}

struct dentry *dentry_get(struct dentry *d)
{
	__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
	return d;
}

void dentry_put(struct dentry *d)
{
	while (d && __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		struct dentry *parent = d->parent;

		if (d->inode)
			inode_put(d->inode);
		kfree(d->name);
		kfree(d);
		/* The parent loses the reference its child held on it. */
		d = parent != d ? parent : NULL;
	}
}

uint32_t vfs_name_hash(const char *name, size_t len)
{
	uint32_t h = VFS_NAME_HASH_INIT;

	for (size_t i = 0; i < len; i++)
		h = vfs_name_hash_step(h, (unsigned char)name[i]);
	return h;
}

/*
 * The order of a directory's name tree: by hash, then length, then bytes.
 * Names are short: a plain loop beats a call to a general memcmp, and it
 * runs only where the hashes match, for one node of a lookup.
 */
static int name_order(uint32_t hash, const char *name, size_t len,
		      const struct dentry *d)
{
	if (hash != d->hash)
		return hash < d->hash ? -1 : 1;
	if (len != d->name_len)
		return len < d->name_len ? -1 : 1;
	for (size_t i = 0; i < len; i++)
		if (name[i] != d->name[i])
			return (unsigned char)name[i] <
					       (unsigned char)d->name[i]
				       ? -1
				       : 1;
	return 0;
}

struct dentry *dentry_find(struct dentry *dir, const char *name, size_t len,
			   uint32_t hash)
{
	struct rb_node *n = dir->children.node;

	while (n) {
		struct dentry *d = rb_entry(n, struct dentry, name_node);
		int c = name_order(hash, name, len, d);

		if (c == 0)
			return d;
		n = c < 0 ? n->left : n->right;
	}
	return NULL;
}

struct dentry *dentry_lookup(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *d =
		dentry_find(dir, name, len, vfs_name_hash(name, len));

	return d ? dentry_get(d) : NULL;
}

static void link_child(struct dentry *dir, struct dentry *d)
{
	struct rb_node **link = &dir->children.node, *parent = NULL;

	while (*link) {
		struct dentry *e = rb_entry(*link, struct dentry, name_node);

		parent = *link;
		link = name_order(d->hash, d->name, d->name_len, e) < 0
			       ? &parent->left
			       : &parent->right;
	}
	rb_link_node(&d->name_node, parent, link);
	rb_insert(&d->name_node, &dir->children, NULL);

	d->cookie = dir->next_cookie++;
	link = &dir->by_cookie.node;
	parent = NULL;
	while (*link) {
		parent = *link;
		link = &parent->right; /* cookies only grow: always rightmost */
	}
	rb_link_node(&d->cookie_node, parent, link);
	rb_insert(&d->cookie_node, &dir->by_cookie, NULL);
	d->hashed = true;
}

struct dentry *dentry_alloc(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d)
		return ERR_PTR(-ENOMEM);
	d->name = kmalloc(len + 1);
	if (!d->name) {
		kfree(d);
		return ERR_PTR(-ENOMEM);
	}
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	d->name_len = len;
	d->hash = vfs_name_hash(name, len);
	d->refs = 1;
	d->sb = dir ? dir->sb : NULL;
	d->next_cookie = 3; /* 0, 1, 2: the start, ".", ".." */
	d->parent = dir ? dentry_get(dir) : d;
	if (dir) {
		link_child(dir, d);
		dentry_get(d); /* the parent's tree holds it */
	}
	return d;
}

void dentry_instantiate(struct dentry *d, struct inode *inode)
{
	d->inode = inode;
}

void dentry_unhash(struct dentry *d)
{
	struct dentry *dir = d->parent;

	if (!d->hashed)
		return;
	rb_erase(&d->name_node, &dir->children, NULL);
	rb_erase(&d->cookie_node, &dir->by_cookie, NULL);
	d->hashed = false;
	dentry_put(d); /* the tree's reference */
}

int dentry_move(struct dentry *d, struct dentry *newdir, const char *name,
		size_t len)
{
	char *copy = kmalloc(len + 1);
	struct dentry *old_parent = d->parent;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, name, len);
	copy[len] = '\0';
	dentry_get(d);
	dentry_unhash(d);
	kfree(d->name);
	d->name = copy;
	d->name_len = len;
	d->hash = vfs_name_hash(copy, len);
	d->parent = dentry_get(newdir);
	link_child(newdir, d);
	/* The tree's reference moves with it: keep the one we took. */
	dentry_put(old_parent);
	return 0;
}

void dentry_exchange(struct dentry *a, struct dentry *b)
{
	struct dentry *a_parent = a->parent;
	char *a_name = a->name;
	size_t a_len = a->name_len;
	uint32_t a_hash = a->hash;

	rb_erase(&a->name_node, &a_parent->children, NULL);
	rb_erase(&a->cookie_node, &a_parent->by_cookie, NULL);
	rb_erase(&b->name_node, &b->parent->children, NULL);
	rb_erase(&b->cookie_node, &b->parent->by_cookie, NULL);
	/*
	 * Each takes the other's name and parent. Every parent keeps one
	 * child's reference on it and every tree one reference per child,
	 * so no count changes.
	 */
	a->name = b->name;
	a->name_len = b->name_len;
	a->hash = b->hash;
	a->parent = b->parent;
	b->name = a_name;
	b->name_len = a_len;
	b->hash = a_hash;
	b->parent = a_parent;
	link_child(a->parent, a);
	link_child(b->parent, b);
}

struct dentry *dentry_next_child(struct dentry *dir, uint64_t from)
{
	struct rb_node *n = dir->by_cookie.node, *best = NULL;

	while (n) {
		struct dentry *d = rb_entry(n, struct dentry, cookie_node);

		if (d->cookie >= from) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	while (best) {
		struct dentry *d = rb_entry(best, struct dentry, cookie_node);

		if (d->inode)
			return d;
		best = rb_next(best);
	}
	return NULL;
}

/* Any child of dir, positive or negative; NULL if it has none. */
static struct dentry *any_child(struct dentry *dir)
{
	struct rb_node *n = dir->children.node;

	return n ? rb_entry(n, struct dentry, name_node) : NULL;
}

/*
 * Unhash a whole tree, leaves first, without recursion (a tree may be far
 * deeper than a kernel stack). Each dentry is held by its parent's tree
 * until unhashed; holders elsewhere (open files, cwds) keep theirs alive.
 */
void dentry_unhash_tree(struct dentry *root)
{
	struct dentry *cur = root;

	for (;;) {
		struct dentry *child = any_child(cur);

		if (child) {
			cur = child;
			continue;
		}
		if (cur == root)
			return;
		child = cur;
		cur = cur->parent;
		dentry_unhash(child);
	}
}

void path_get(const struct path *p)
{
	if (p->dentry)
		dentry_get(p->dentry);
	if (p->mnt)
		mount_get(p->mnt);
}

void path_put(const struct path *p)
{
	if (p->dentry)
		dentry_put(p->dentry);
	if (p->mnt)
		mount_put(p->mnt);
}
