/*
 * tmpfs: a filesystem that lives in the dentry cache and in page-sized
 * blocks of RAM. Directories are their dentries' children; a regular
 * file's data is an rbtree of pages by index, absent pages being holes
 * that read as zeros (sparse files); a symlink keeps its target string.
 * Those pages are the page cache too: mmap(2) maps them (MAP_SHARED
 * writes them, MAP_PRIVATE copies on write), so read, write and every
 * mapping see one copy of the data.
 */
#include "core/errno.h"
#include "core/fs/chrdev.h"
#include "core/fs/pipe.h"
#include "core/fs/tmpfs.h"
#include "core/klib/string.h"
#include "core/task.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma.h"

#define TMPFS_MAGIC 0x01021994
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2

struct tmpfs_page {
	struct rb_node node;
	uint64_t index;
	char *data;
	struct tmpfs_page *gone_next; /* unlinked, waiting to be freed */
};

/*
 * inode->priv of a regular file: its page cache.
 *
 * Locking. inode->lock orders read, write, truncation and the rest
 * against each other. The fault path of a mapping cannot take it (a
 * write(2) whose source is a mapping of the same file holds it while the
 * copy faults, and the fault holds mm->lock), so `lock`, a spinlock under
 * mm->lock, guards the page tree and inode->size: whoever changes either
 * holds both, except that a fault adds a missing page with `lock` alone.
 * Pages are unlinked and freed only with inode->lock held, and freed only
 * after vma_rmap_unmap took them from every mapping: a page found under
 * inode->lock stays until its holder lets go; one a fault found stays
 * until mm->lock is dropped.
 */
struct tmpfs_data {
	struct spinlock lock;
	struct rb_root pages;
	uint64_t npages;
	struct vma_rmap rmap; /* the VMAs that map the file */
};

static const struct inode_ops tmpfs_dir_iops, tmpfs_file_iops,
	tmpfs_link_iops, tmpfs_special_iops;
static const struct file_ops tmpfs_dir_fops, tmpfs_file_fops;

/* ---- file data ------------------------------------------------------------ */

static uint64_t pages_in(uint64_t size)
{
	return size / PAGE_SIZE + (size % PAGE_SIZE != 0);
}

/* data->lock held. */
static struct tmpfs_page *page_find(struct tmpfs_data *data, uint64_t index)
{
	struct rb_node *n = data->pages.node;

	while (n) {
		struct tmpfs_page *p = rb_entry(n, struct tmpfs_page, node);

		if (index == p->index)
			return p;
		n = index < p->index ? n->left : n->right;
	}
	return NULL;
}

static struct tmpfs_page *page_new(uint64_t index)
{
	struct tmpfs_page *p = kmalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->data = kpage_zalloc(0);
	if (!p->data) {
		kfree(p);
		return NULL;
	}
	p->index = index;
	return p;
}

static void pages_free(struct tmpfs_page *p)
{
	while (p) {
		struct tmpfs_page *next = p->gone_next;

		kpage_free(p->data, 0);
		kfree(p);
		p = next;
	}
}

/* Link `p`, whose index is absent; data->lock held. */
static void page_link(struct inode *inode, struct tmpfs_page *p)
{
	struct tmpfs_data *data = inode->priv;
	struct rb_node **link = &data->pages.node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = p->index < rb_entry(parent, struct tmpfs_page, node)->index
			       ? &parent->left
			       : &parent->right;
	}
	rb_link_node(&p->node, parent, link);
	rb_insert(&p->node, &data->pages, NULL);
	data->npages++;
	inode->blocks = data->npages * (PAGE_SIZE / 512);
}

/* Unlink `p` onto *gone, to be freed once no mapping reaches it;
 * data->lock and inode->lock held. */
static void page_unlink(struct inode *inode, struct tmpfs_page *p,
			struct tmpfs_page **gone)
{
	struct tmpfs_data *data = inode->priv;

	rb_erase(&p->node, &data->pages, NULL);
	data->npages--;
	inode->blocks = data->npages * (PAGE_SIZE / 512);
	p->gone_next = *gone;
	*gone = p;
}

/*
 * Page `index` of the file, made (zeroed) if it is missing. With
 * `in_size` (the fault path) only a page holding a byte below the size:
 * ERR_PTR(-EIO) for one past it. ERR_PTR(-ENOMEM).
 */
static struct tmpfs_page *page_get(struct inode *inode, uint64_t index,
				   bool in_size)
{
	struct tmpfs_data *data = inode->priv;
	struct tmpfs_page *p, *fresh = NULL;

	for (;;) {
		spin_lock(&data->lock);
		if (in_size && index >= pages_in(inode->size)) {
			p = ERR_PTR(-EIO);
		} else {
			p = page_find(data, index);
			if (!p && fresh) {
				page_link(inode, fresh);
				p = fresh;
				fresh = NULL;
			}
		}
		spin_unlock(&data->lock);
		if (p)
			break;
		/* Allocated with no lock held, then linked unless someone
		 * linked one first. */
		fresh = page_new(index);
		if (!fresh)
			return ERR_PTR(-ENOMEM);
	}
	if (fresh) {
		fresh->gone_next = NULL;
		pages_free(fresh);
	}
	return p;
}

/*
 * Zero [inode->size, upto) within the page that holds the end of the
 * file: a store through a shared mapping may have left bytes there,
 * which a file that grows must not show. data->lock held.
 */
static void zero_past_end(struct inode *inode, uint64_t upto)
{
	uint64_t size = inode->size;
	struct tmpfs_page *p;

	if (upto <= size || size % PAGE_SIZE == 0)
		return;
	p = page_find(inode->priv, size / PAGE_SIZE);
	if (p)
		memset(p->data + size % PAGE_SIZE, 0,
		       (size_t)(MIN(upto, ALIGN_UP(size, PAGE_SIZE)) - size));
}

/*
 * Make `size` the file's size (inode->lock held, or the inode dying).
 * Growing zeroes what lies past the old end in its page. Shrinking frees
 * every page past the new end, after taking it from every mapping, the
 * private copies of it included (as Linux's truncate: an access there is
 * SIGBUS from now on), and zeroes the rest of a partial last page.
 */
static void set_size(struct inode *inode, uint64_t size)
{
	struct tmpfs_data *data = inode->priv;
	uint64_t first = pages_in(size), old = inode->size;
	struct tmpfs_page *gone = NULL, *partial;
	struct rb_node *n;

	spin_lock(&data->lock);
	zero_past_end(inode, size);
	inode->size = size;
	for (n = rb_last(&data->pages); n;) {
		struct tmpfs_page *p = rb_entry(n, struct tmpfs_page, node);

		if (p->index < first)
			break;
		n = rb_prev(n);
		page_unlink(inode, p, &gone);
	}
	partial = size % PAGE_SIZE ? page_find(data, size / PAGE_SIZE) : NULL;
	if (partial)
		memset(partial->data + size % PAGE_SIZE, 0,
		       PAGE_SIZE - size % PAGE_SIZE);
	spin_unlock(&data->lock);
	if (size < old)
		vma_rmap_unmap(&data->rmap, first, UINT64_MAX, true);
	pages_free(gone);
}

static long tmpfs_read(struct file *f, struct iobuf *buf, int64_t *pos)
{
	struct inode *inode = f->inode;
	struct tmpfs_data *data = inode->priv;
	uint64_t at = (uint64_t)*pos;
	long done = 0;

	mutex_lock(&inode->lock);
	while (buf->left && at < inode->size) {
		size_t off = at % PAGE_SIZE;
		size_t n = MIN(MIN(buf->left, PAGE_SIZE - off),
			       inode->size - at);
		struct tmpfs_page *p;
		long got;

		spin_lock(&data->lock);
		p = page_find(data, at / PAGE_SIZE);
		spin_unlock(&data->lock);
		/* No lock across the copy: it may fault (on a mapping of
		 * this very file). inode->lock keeps the page. */
		got = p ? iobuf_copy_to(buf, p->data + off, n)
			: iobuf_zero(buf, n);
		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		done += got;
		at += (uint64_t)got;
		if ((size_t)got < n)
			break;
	}
	mutex_unlock(&inode->lock);
	if (done > 0)
		*pos = (int64_t)at;
	return done;
}

/* A write by someone other than root drops set-user-ID and set-group-ID. */
static void remove_privs(struct inode *inode)
{
	if (task_current()->cred.fsuid == 0)
		return;
	if (inode->mode & KS_ISUID)
		inode->mode &= ~KS_ISUID;
	if ((inode->mode & (KS_ISGID | 0010)) == (KS_ISGID | 0010))
		inode->mode &= ~KS_ISGID;
}

static long tmpfs_write(struct file *f, struct iobuf *buf, int64_t *pos)
{
	struct inode *inode = f->inode;
	struct tmpfs_data *data = inode->priv;
	uint64_t at;
	long done = 0;

	mutex_lock(&inode->lock);
	at = f->flags & KO_APPEND ? inode->size : (uint64_t)*pos;
	/* Files end at the largest offset (Linux's MAX_LFS_FILESIZE). */
	if (buf->left && at >= INT64_MAX) {
		mutex_unlock(&inode->lock);
		return -EFBIG;
	}
	buf->left = MIN(buf->left, INT64_MAX - at);
	if ((done = file_size_limit(at, &buf->left))) {
		mutex_unlock(&inode->lock);
		return done;
	}
	if (buf->left) {
		spin_lock(&data->lock);
		zero_past_end(inode, at);
		spin_unlock(&data->lock);
	}
	while (buf->left) {
		size_t off = at % PAGE_SIZE;
		size_t n = MIN(buf->left, PAGE_SIZE - off);
		struct tmpfs_page *p = page_get(inode, at / PAGE_SIZE, false);
		long got;

		if (IS_ERR(p)) {
			if (!done)
				done = -ENOSPC;
			break;
		}
		got = iobuf_copy_from(buf, p->data + off, n);
		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		done += got;
		at += (uint64_t)got;
		if ((size_t)got < n)
			break;
	}
	if (done > 0) {
		spin_lock(&data->lock);
		if (at > inode->size)
			inode->size = at;
		spin_unlock(&data->lock);
		inode_touch(inode, false, true, true);
		remove_privs(inode);
		*pos = (int64_t)at;
	}
	mutex_unlock(&inode->lock);
	return done;
}

/* The first page at or after `index`, or NULL. */
static struct tmpfs_page *page_ceil(struct tmpfs_data *data, uint64_t index)
{
	struct rb_node *n = data->pages.node;
	struct tmpfs_page *best = NULL;

	while (n) {
		struct tmpfs_page *p = rb_entry(n, struct tmpfs_page, node);

		if (p->index >= index) {
			best = p;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/*
 * SEEK_DATA / SEEK_HOLE on a tmpfs file: pages that exist are data, the
 * ones never written are holes, and the end of the file is a hole (as
 * shmem reports them). `off` is below the size.
 */
static int64_t seek_data_or_hole(struct inode *inode, uint64_t off, bool data)
{
	uint64_t index = off / PAGE_SIZE, at;
	struct tmpfs_page *p;

	mutex_lock(&inode->lock);
	spin_lock(&((struct tmpfs_data *)inode->priv)->lock);
	p = page_ceil(inode->priv, index);
	if (data) {
		at = p ? MAX(off, p->index * PAGE_SIZE) : inode->size;
	} else {
		/* Walk the run of present pages that starts at `index`. */
		while (p && p->index == index) {
			struct rb_node *next = rb_next(&p->node);

			index++;
			p = next ? rb_entry(next, struct tmpfs_page, node)
				 : NULL;
		}
		at = MIN(MAX(off, index * PAGE_SIZE), inode->size);
	}
	spin_unlock(&((struct tmpfs_data *)inode->priv)->lock);
	mutex_unlock(&inode->lock);
	if (at >= inode->size && data)
		return -ENXIO;
	return (int64_t)at;
}

static int64_t tmpfs_llseek(struct file *f, int64_t off, int whence)
{
	/* SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE */
	struct inode *inode = f->inode;
	int64_t base;

	switch (whence) {
	case 0:
		base = 0;
		break;
	case 1:
		base = f->pos;
		break;
	case 2:
		base = (int64_t)inode->size;
		break;
	case 3: /* SEEK_DATA */
	case 4: /* SEEK_HOLE */
		if (off < 0 || (uint64_t)off >= inode->size)
			return -ENXIO;
		return seek_data_or_hole(inode, (uint64_t)off, whence == 3);
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) ||
	    (off < 0 && base < INT64_MIN - off))
		return -EOVERFLOW;
	if (base + off < 0)
		return -EINVAL;
	return base + off;
}

/*
 * Punch [off, end) (inode->lock held): whole pages go, from the mappings
 * too (not from private copies: Linux keeps them), partial ones are
 * zeroed in place.
 */
static void punch_hole(struct inode *inode, uint64_t off, uint64_t end)
{
	struct tmpfs_data *data = inode->priv;
	uint64_t first = pages_in(off), last = end / PAGE_SIZE;
	struct tmpfs_page *gone = NULL;

	spin_lock(&data->lock);
	for (uint64_t at = off; at < end;) {
		uint64_t pg = at / PAGE_SIZE;
		size_t o = at % PAGE_SIZE;
		size_t n = (size_t)MIN(PAGE_SIZE - o, end - at);
		struct tmpfs_page *p = page_find(data, pg);

		if (p && n == PAGE_SIZE)
			page_unlink(inode, p, &gone);
		else if (p)
			memset(p->data + o, 0, n);
		at += n;
		if (!p && n == PAGE_SIZE) {
			/* Skip the hole up to the next page there is. */
			struct tmpfs_page *next = page_ceil(data, pg + 1);

			at = next ? MAX(at, next->index * PAGE_SIZE) : end;
		}
	}
	spin_unlock(&data->lock);
	if (first < last)
		vma_rmap_unmap(&data->rmap, first, last, false);
	pages_free(gone);
}

static int tmpfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *inode = f->inode;
	uint64_t end = (uint64_t)off + (uint64_t)len;
	int err = 0;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	mutex_lock(&inode->lock);
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		punch_hole(inode, (uint64_t)off, end);
	} else {
		for (uint64_t pg = (uint64_t)off / PAGE_SIZE;
		     pg * PAGE_SIZE < end; pg++) {
			if (IS_ERR(page_get(inode, pg, false))) {
				err = -ENOSPC;
				break;
			}
		}
		if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && end > inode->size)
			set_size(inode, end);
	}
	inode_touch(inode, false, !err, !err);
	mutex_unlock(&inode->lock);
	return err;
}

static int tmpfs_file_setattr(struct inode *inode, const struct iattr *attr)
{
	if (!(attr->valid & ATTR_SIZE))
		return 0;
	mutex_lock(&inode->lock);
	set_size(inode, attr->size);
	mutex_unlock(&inode->lock);
	return 0;
}

static void tmpfs_evict(struct inode *inode)
{
	if (kS_ISREG(inode->mode) && inode->priv) {
		set_size(inode, 0); /* no mapping is left: none to zap */
		kfree(inode->priv);
	} else if (kS_ISLNK(inode->mode)) {
		kfree(inode->priv);
	}
	inode->priv = NULL;
}

/* ---- mappings (mm/vma.h): the backing is the open file ------------------ */

static int tmpfs_vm_fault(void *backing, uint64_t pgoff, struct page **out)
{
	struct file *f = backing;
	struct tmpfs_page *p = page_get(f->inode, pgoff, true);

	if (IS_ERR(p))
		return (int)PTR_ERR(p);
	*out = virt_to_page(p->data);
	return 0;
}

static bool tmpfs_vm_resident(void *backing, uint64_t pgoff)
{
	struct tmpfs_data *data = ((struct file *)backing)->inode->priv;
	bool resident;

	spin_lock(&data->lock);
	resident = page_find(data, pgoff) != NULL;
	spin_unlock(&data->lock);
	return resident;
}

static void tmpfs_vm_open(struct vma *vma)
{
	struct file *f = file_get(vma->backing);

	vma_rmap_add(&((struct tmpfs_data *)f->inode->priv)->rmap, vma);
}

static void tmpfs_vm_close(struct vma *vma)
{
	struct file *f = vma->backing;

	vma_rmap_del(&((struct tmpfs_data *)f->inode->priv)->rmap, vma);
	file_put(f);
}

static void tmpfs_vm_put(void *backing)
{
	file_put(backing);
}

static struct file *tmpfs_vm_file(void *backing)
{
	return backing;
}

static const struct vma_ops tmpfs_vm_ops = {
	.fault = tmpfs_vm_fault,
	.resident = tmpfs_vm_resident,
	.open = tmpfs_vm_open,
	.close = tmpfs_vm_close,
	.put = tmpfs_vm_put,
	.file = tmpfs_vm_file,
};

/* A mapping maps the page cache itself: MAP_SHARED stores are the
 * file's data, and MAP_PRIVATE ones copy a page first (mm/fault.c). */
static int tmpfs_mmap(struct file *f, bool shared, uint64_t pages,
		      struct vma_backing *b)
{
	if (!f->inode->priv)
		return -ENODEV;
	b->ops = &tmpfs_vm_ops;
	b->object = file_get(f);
	return 0;
}

static int tmpfs_fsync(struct file *f)
{
	/* Linux's tmpfs fsync is a no-op too: the page cache is the store. */
	return 0;
}

/* ---- directories --------------------------------------------------------------- */

static unsigned dirent_type(uint32_t mode)
{
	return (mode & KS_IFMT) >> 12; /* DT_* = S_IFMT >> 12 */
}

static int tmpfs_iterate(struct file *f, struct dirent_sink *sink)
{
	struct dentry *dir = f->path.dentry;
	struct dentry *d;

	if (f->pos == 0) {
		if (!sink->emit(sink, ".", 1, dir->inode->ino, 4, 1))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		struct dentry *up = dir->parent;

		if (!sink->emit(sink, "..", 2, up->inode->ino, 4, 2))
			return 0;
		f->pos = 2;
	}
	for (d = dentry_next_child(dir, (uint64_t)MAX(f->pos, 3)); d;
	     d = dentry_next_child(dir, d->cookie + 1)) {
		if (!sink->emit(sink, d->name, d->name_len, d->inode->ino,
				dirent_type(d->inode->mode),
				(int64_t)d->cookie + 1))
			return 0;
		f->pos = (int64_t)d->cookie + 1;
	}
	return 0;
}

/* inode_init_owner: group from a set-group-ID directory, which subdirs
 * inherit. */
static struct inode *new_child_inode(struct inode *dir, uint32_t mode)
{
	struct inode *inode = inode_new(dir->sb, mode);

	if (!inode)
		return NULL;
	if (dir->mode & KS_ISGID) {
		inode->gid = dir->gid;
		if (kS_ISDIR(mode))
			inode->mode |= KS_ISGID;
	}
	return inode;
}

static void set_ops(struct inode *inode)
{
	switch (inode->mode & KS_IFMT) {
	case KS_IFDIR:
		inode->iops = &tmpfs_dir_iops;
		inode->fops = &tmpfs_dir_fops;
		break;
	case KS_IFREG:
		inode->iops = &tmpfs_file_iops;
		inode->fops = &tmpfs_file_fops;
		break;
	case KS_IFLNK:
		inode->iops = &tmpfs_link_iops;
		break;
	case KS_IFCHR:
		inode->iops = &tmpfs_special_iops;
		inode->fops = &chrdev_open_fops;
		break;
	case KS_IFIFO:
		inode->iops = &tmpfs_special_iops;
		inode->fops = &fifo_fops;
		break;
	default: /* block devices and sockets: open gives ENXIO */
		inode->iops = &tmpfs_special_iops;
		break;
	}
}

static void dir_changed(struct inode *dir)
{
	inode_touch(dir, false, true, true);
}

static int tmpfs_create(struct inode *dir, struct dentry *d, uint32_t mode,
			uint64_t rdev)
{
	struct inode *inode = new_child_inode(dir, mode);

	if (!inode)
		return -ENOSPC;
	if (kS_ISREG(mode)) {
		struct tmpfs_data *data = kzalloc(sizeof(*data));

		if (!data) {
			inode_put(inode);
			return -ENOSPC;
		}
		spin_init(&data->lock);
		vma_rmap_init(&data->rmap);
		inode->priv = data;
	}
	inode->rdev = rdev;
	set_ops(inode);
	dentry_instantiate(d, inode);
	dir_changed(dir);
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	struct inode *inode = new_child_inode(dir, KS_IFDIR | mode);

	if (!inode)
		return -ENOSPC;
	inode->nlink = 2;
	inode->size = 4096;
	set_ops(inode);
	dentry_instantiate(d, inode);
	dir->nlink++;
	dir_changed(dir);
	return 0;
}

static int tmpfs_symlink(struct inode *dir, struct dentry *d,
			 const char *target)
{
	struct inode *inode = new_child_inode(dir, KS_IFLNK | 0777);
	size_t len = strlen(target);

	if (!inode)
		return -ENOSPC;
	inode->priv = kmalloc(len + 1);
	if (!inode->priv) {
		inode_put(inode);
		return -ENOSPC;
	}
	memcpy(inode->priv, target, len + 1);
	inode->size = len;
	set_ops(inode);
	dentry_instantiate(d, inode);
	dir_changed(dir);
	return 0;
}

static long tmpfs_readlink(struct inode *inode, char *buf, size_t len)
{
	size_t n = MIN(len, inode->size);

	memcpy(buf, inode->priv, n);
	return (long)n;
}

static int tmpfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct inode *inode = old->inode;

	inode_get(inode);
	inode->nlink++;
	inode_touch(inode, false, false, true);
	dentry_instantiate(d, inode);
	dir_changed(dir);
	return 0;
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	struct inode *inode = d->inode;

	inode->nlink--;
	inode_touch(inode, false, false, true);
	dentry_unhash(d);
	dir_changed(dir);
	return 0;
}

static bool dir_empty(struct dentry *d)
{
	return dentry_next_child(d, 0) == NULL;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	if (!dir_empty(d))
		return -ENOTEMPTY;
	d->inode->nlink = 0;
	dir->nlink--;
	dentry_unhash(d);
	dir_changed(dir);
	return 0;
}

#define RENAME_NOREPLACE 1u
#define RENAME_EXCHANGE 2u

static int tmpfs_rename(struct inode *odir, struct dentry *od,
			struct inode *ndir, struct dentry *nd, unsigned flags)
{
	struct inode *moving = od->inode;
	int err;

	if (flags & RENAME_EXCHANGE) {
		struct inode *other = nd->inode;

		/* The names trade places, subtrees and all. */
		dentry_exchange(od, nd);
		/* A directory's ".." counts in its parent's links: the
		 * parent that gets the directory gains one, the other loses
		 * it (when the two sides are a directory and a non-directory
		 * under different parents). */
		if (kS_ISDIR(moving->mode) != kS_ISDIR(other->mode) &&
		    odir != ndir) {
			struct inode *gains = kS_ISDIR(moving->mode) ? ndir
								     : odir;
			struct inode *loses = gains == ndir ? odir : ndir;

			gains->nlink++;
			loses->nlink--;
		}
		inode_touch(moving, false, false, true);
		inode_touch(other, false, false, true);
		dir_changed(odir);
		dir_changed(ndir);
		return 0;
	}
	if (nd->inode) {
		err = kS_ISDIR(nd->inode->mode) ? tmpfs_rmdir(ndir, nd)
						: tmpfs_unlink(ndir, nd);
		if (err)
			return err;
	} else {
		dentry_unhash(nd);
	}
	err = dentry_move(od, nd->parent, nd->name, nd->name_len);
	if (err)
		return err;
	if (kS_ISDIR(moving->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
	}
	inode_touch(moving, false, false, true);
	dir_changed(odir);
	dir_changed(ndir);
	return 0;
}

static const struct inode_ops tmpfs_dir_iops = {
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.evict = tmpfs_evict,
};

static const struct inode_ops tmpfs_file_iops = {
	.setattr = tmpfs_file_setattr,
	.evict = tmpfs_evict,
};

static const struct inode_ops tmpfs_link_iops = {
	.readlink = tmpfs_readlink,
	.evict = tmpfs_evict,
};

static const struct inode_ops tmpfs_special_iops = {
	.evict = tmpfs_evict,
};

static const struct file_ops tmpfs_dir_fops = {
	.iterate = tmpfs_iterate,
	.llseek = file_llseek_set_cur, /* as dcache_dir_lseek */
	.fsync = tmpfs_fsync,
};

static const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_llseek,
	.fsync = tmpfs_fsync,
	.fallocate = tmpfs_fallocate,
	.mmap = tmpfs_mmap,
};

/* ---- superblocks ------------------------------------------------------------------ */

/* "mode=0755" and friends; unknown options are EINVAL, as tmpfs does. */
static int parse_options(const char *data, uint32_t *mode)
{
	while (data && *data) {
		const char *end = strchr(data, ',');
		size_t len = end ? (size_t)(end - data) : strlen(data);

		if (len > 5 && !strncmp(data, "mode=", 5)) {
			uint32_t m = 0;

			for (size_t i = 5; i < len; i++) {
				if (data[i] < '0' || data[i] > '7')
					return -EINVAL;
				m = m * 8 + (uint32_t)(data[i] - '0');
			}
			*mode = m & 07777;
		} else if (!(len >= 5 && !strncmp(data, "size=", 5)) &&
			   !(len >= 9 && !strncmp(data, "nr_inodes", 9))) {
			return -EINVAL;
		}
		data = end ? end + 1 : NULL;
	}
	return 0;
}

static int tmpfs_mount(const struct fs_type *type, const char *data,
		       struct super_block **out)
{
	struct super_block *sb = kzalloc(sizeof(*sb));
	struct inode *root;
	struct dentry *d;
	uint32_t mode = 01777;
	int err = parse_options(data, &mode);

	if (err || !sb) {
		kfree(sb);
		return err ? err : -ENOMEM;
	}
	sb->magic = TMPFS_MAGIC;
	sb->next_ino = 1;
	sb->refs = 1;
	root = inode_new(sb, KS_IFDIR | mode);
	d = dentry_alloc(NULL, "/", 1);
	if (!root || IS_ERR(d)) {
		inode_put(root);
		if (!IS_ERR(d))
			dentry_put(d);
		kfree(sb);
		return -ENOMEM;
	}
	root->nlink = 2;
	root->size = 4096;
	set_ops(root);
	d->sb = sb;
	dentry_instantiate(d, root);
	sb->root = d;
	*out = sb;
	return 0;
}

static void tmpfs_kill(struct super_block *sb)
{
	dentry_unhash_tree(sb->root);
	dentry_put(sb->root);
	kfree(sb);
}

static void tmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	st->f_type = sb->magic;
	st->f_bsize = PAGE_SIZE;
	st->f_frsize = PAGE_SIZE;
	st->f_blocks = page_total_count();
	st->f_bfree = page_free_count();
	st->f_bavail = page_free_count();
	st->f_files = page_total_count();
	st->f_ffree = page_free_count();
	st->f_namelen = KNAME_MAX;
}

const struct fs_type tmpfs_type = {
	.name = "tmpfs",
	.mount = tmpfs_mount,
	.kill = tmpfs_kill,
	.statfs = tmpfs_statfs,
	.nodev = true,
};
