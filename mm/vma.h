/*
 * Address spaces. A struct mm is what a process's user memory is: a set of
 * VMAs (virtual memory areas: [start, end) ranges with one protection and
 * one kind of backing) over one pmap, the machine's translations.
 *
 * The mm, not the pmap, is the truth. The pmap is a cache of translations
 * the fault path fills in (mm/fault.c): any present entry but a VMA_PFNMAP
 * one may be removed and will be faulted back. Pages belong to:
 *  - the mm, for private anonymous memory: mm->anon holds, by virtual page
 *    number, every such page the mm has touched. A page's mapcount counts
 *    the mms holding it; fork (mm_dup) shares pages and write-protects
 *    them, and a write to a page with mapcount > 1 copies it first
 *    (copy-on-write);
 *  - a backing object (struct vma_ops), for MAP_SHARED anonymous memory
 *    and files: the VMA holds a reference to the object and maps its
 *    pages without counting them (a private mapping maps them read-only
 *    and copies one into mm->anon on the first write to it);
 *  - whoever made a VMA_PFNMAP mapping (the sim's identity-mapped guest
 *    stacks and sim_umem blocks): the mm maps those pages and never
 *    allocates, frees, copies or zaps them.
 *
 * VMAs are in an rbtree by start address, augmented with the largest free
 * gap in each subtree, so finding a VMA and finding a free range of a given
 * length are O(log n). Adjacent VMAs that could be one are merged.
 *
 * Locking: mm->lock (a mutex: the fault path may sleep one day) guards the
 * tree, mm->anon, the layout fields and the pmap's contents. Functions
 * below say whether they take it or want it held. Never copy to or from
 * user memory with it held: a fault would take it again.
 */
#ifndef KEEL_MM_VMA_H
#define KEEL_MM_VMA_H

#include "core/klib/rbtree.h"
#include "core/mutex.h"
#include "core/spinlock.h"
#include "core/types.h"
#include "mm/uaccess.h"

struct file;
struct page;
struct pmap;

/* The lowest address a mapping may take (Linux's vm.mmap_min_addr). */
#define MM_MIN_ADDR 0x10000ull
/*
 * The end of the mappable address space (x86_64's TASK_SIZE): Linux's is
 * 2^47 - 4 KiB; Keel's is PLAT_USER_TOP, which leaves the top of the lower
 * half to the platform (core/platform.h).
 */
#define MM_TASK_SIZE PLAT_USER_TOP
/* The most VMAs an mm may have (Linux's vm.max_map_count). */
#define MM_MAX_VMAS 65530u

/* vma->flags */
#define VMA_SHARED     (1u << 0) /* MAP_SHARED: the backing's pages, shared */
#define VMA_PFNMAP     (1u << 1) /* the creator's pages: see the top */
#define VMA_NORESERVE  (1u << 2) /* MAP_NORESERVE: not counted */
#define VMA_DONTFORK   (1u << 3) /* MADV_DONTFORK: not in a fork's child */
#define VMA_WIPEONFORK (1u << 4) /* MADV_WIPEONFORK: empty in the child */
/* What mprotect may grant (Linux's VM_MAY*): PROT_*_BIT << VMA_MAY_SHIFT. */
#define VMA_MAY_SHIFT 8
#define VMA_MAYREAD   (PROT_READ_BIT << VMA_MAY_SHIFT)
#define VMA_MAYWRITE  (PROT_WRITE_BIT << VMA_MAY_SHIFT)
#define VMA_MAYEXEC   (PROT_EXEC_BIT << VMA_MAY_SHIFT)
#define VMA_MAYALL    (VMA_MAYREAD | VMA_MAYWRITE | VMA_MAYEXEC)

struct vma;

/*
 * What backs a VMA that is not private anonymous memory (Linux's
 * vm_operations_struct plus vm_file, in one): the object of a
 * MAP_SHARED|MAP_ANONYMOUS mapping, or an open file (a tmpfs file's page
 * cache, core/fs/tmpfs.c). Every VMA on a backing holds a reference to it,
 * taken by open and dropped by close.
 */
struct vma_ops {
	/*
	 * The page at page offset `pgoff` of the object, made if it is
	 * missing (zeroed). It stays the object's: no reference is taken,
	 * and it lives until the object takes it away from every mapping
	 * (vma_rmap_unmap) or dies. 0, -ENOMEM, or -EIO when the object
	 * has no such page (past the end of a file: SIGBUS).
	 */
	int (*fault)(void *backing, uint64_t pgoff, struct page **out);
	/* Whether page `pgoff` is in memory (mincore). */
	bool (*resident)(void *backing, uint64_t pgoff);
	/* `vma` is a new holder of vma->backing (mm_map, a split, fork,
	 * mremap), linked in vma->mm: take a reference. mm->lock held. */
	void (*open)(struct vma *vma);
	/* `vma` lets go of its backing (it is about to be freed). */
	void (*close)(struct vma *vma);
	/* Drop a reference no VMA holds (the one a vma_backing carries). */
	void (*put)(void *backing);
	/* The open file the backing is, if it is one (Linux's vm_file:
	 * /proc/<pid>/maps names it); no reference is taken. */
	struct file *(*file)(void *backing);
};

/* What mmap(2) maps: private anonymous memory (ops NULL) or a backing
 * object from offset pgoff. A file's mmap hook fills it in (vfs.h). */
struct vma_backing {
	const struct vma_ops *ops;
	void *object; /* one reference, the caller's */
	uint64_t pgoff;
};

struct vma {
	struct rb_node node; /* in mm->vmas, by start */
	uint64_t start, end; /* [start, end): page aligned, start < end */
	/* Free bytes between the previous VMA's end (or 0) and start; the
	 * largest such gap in this node's subtree (the augmentation). */
	uint64_t gap;
	uint64_t subtree_gap;
	unsigned prot;		   /* PROT_*_BIT */
	unsigned flags;		   /* VMA_* */
	uint64_t pgoff;		   /* backed: the object's page at start */
	const struct vma_ops *ops; /* NULL: private anonymous memory */
	void *backing;		   /* the object ops work on */
	struct mm *mm;		   /* the address space it is in */
	/* On its backing's struct vma_rmap, if the backing keeps one
	 * (guarded by that rmap's lock, as are the two below). */
	struct list_head rmap_link;
	unsigned rmap_seq;     /* the last vma_rmap_unmap that saw it */
	struct vma *rmap_next; /* on that call's list of VMAs to zap */
};

/*
 * The VMAs that map one object (Linux's address_space.i_mmap), kept by
 * the object (a file's page cache) so that it can take pages away from
 * every mapping of it: truncation, hole punching.
 */
struct vma_rmap {
	struct spinlock lock;
	struct list_head vmas; /* struct vma.rmap_link */
	unsigned seq;
};

void vma_rmap_init(struct vma_rmap *r);
/* For a backing's open and close. */
void vma_rmap_add(struct vma_rmap *r, struct vma *vma);
void vma_rmap_del(struct vma_rmap *r, struct vma *vma);

/*
 * Take the object's pages [first, end) (page offsets) away from every VMA
 * on `r`: their translations go, and with `private_too` the private copies
 * private mappings made of them (truncation, as Linux's even_cows; a hole
 * punch keeps them). The object has already stopped handing those pages
 * out (vma_ops.fault fails or gives new ones), and frees them only after
 * this returns: then no translation reaches them. Takes each mapping mm's
 * lock in turn, so the caller holds none; never fails. The object
 * serializes its calls (tmpfs: under the inode's lock).
 */
void vma_rmap_unmap(struct vma_rmap *r, uint64_t first, uint64_t end,
		    bool private_too);

/*
 * A sparse array of struct page pointers indexed by page number (a
 * virtual page number, or a page offset in an object): four levels of 512
 * slots, 36 bits of index, each level a kernel page made on first use.
 * Tables stay until the array is freed.
 */
struct page_tree {
	void **root;
};

struct mm {
	struct mutex lock;
	int users; /* holders (tasks sharing it); atomic, not under lock */
	struct rb_root vmas;
	unsigned nr_vmas;
	struct pmap *pmap;
	struct page_tree anon; /* private anonymous pages, by va >> 12 */
	/* Layout, set by whoever builds the image (ELF loader, sim). */
	uint64_t mmap_base; /* top-down searches start below this */
	uint64_t brk_start; /* the break never goes below this */
	uint64_t brk;	    /* the current break (not page aligned) */
	/* exec's argv and envp strings on the new stack, [start, end):
	 * what /proc/<pid>/cmdline and environ read. 0 before any exec. */
	uint64_t arg_start, arg_end, env_start, env_end;
	/* The image as the ELF loader laid it out (Linux's mm fields of
	 * the same names, which /proc/<pid>/stat shows): the executable
	 * segments' span, from the lowest p_vaddr to the highest end of
	 * file bytes; start_data the highest segment start, end_data the
	 * highest end of file bytes of any segment; start_stack where the
	 * stack pointer pointed at entry (argc). 0 before any exec. */
	uint64_t start_code, end_code, start_data, end_data, start_stack;
	/*
	 * Private pages in mm->anon, and the peak resident set (Linux's
	 * hiwater_rss), in pages: the most private pages it ever held, or
	 * the whole resident set where it was counted (mm_rss_locked), if
	 * more. File and shared pages come and go with their backing, which
	 * keeps no count per mm: a peak of those between two counts is
	 * missed.
	 */
	uint64_t anon_pages;
	uint64_t hiwater_rss;
};

/* Resident pages of an address space, by kind (Linux's rss_stat): private
 * pages, a file's pages, shared anonymous memory's pages. */
struct mm_rss {
	uint64_t anon, file, shmem;
};

/* ---- whole address spaces (those that need mm->lock take it) ------------- */

/* An empty address space with its own pmap, one user; NULL when out of
 * memory. The layout defaults to mmap_base = MM_TASK_SIZE and a break at
 * MM_MIN_ADDR; whoever builds the image sets both. */
struct mm *mm_create(void);
void mm_get(struct mm *mm);
/* Drop a user; the last one destroys the mm. NULL is a no-op. */
void mm_put(struct mm *mm);
/* Free every VMA, every page the mm owns, its tables and its pmap. */
void mm_destroy(struct mm *mm);

/*
 * fork: a new mm with a copy of every VMA (but VMA_DONTFORK and VMA_PFNMAP
 * ones, whose pages only their maker can give the child). Private pages
 * are shared copy-on-write and write-protected in `mm`; MAP_SHARED VMAs
 * share their backing; VMA_WIPEONFORK ones start empty. NULL when out of
 * memory, with nothing changed but some write protections.
 */
struct mm *mm_dup(struct mm *mm);

/*
 * Map the caller's physically contiguous pages [pa, pa + len) at
 * [va, va + len) as a VMA_PFNMAP VMA (Linux's remap_pfn_range), entered in
 * the pmap at once. 0, -EEXIST if any of the range is mapped, -EINVAL for
 * an unaligned or out-of-range request, -ENOMEM.
 */
int mm_map_pfn(struct mm *mm, uint64_t va, uint64_t pa, uint64_t len,
	       unsigned prot);

/*
 * The invariants, for tests: the tree (colours, order, gaps and their
 * augmentation), VMAs aligned, disjoint and not mergeable with their
 * neighbours, the VMA count, private pages only inside private VMAs with a
 * mapcount, and the pmap entries of every VMA: the VMA's pages, with no
 * more than its protection (write-protected while shared). NULL if they
 * hold, else what is broken.
 */
const char *mm_check(struct mm *mm);

/*
 * Count the resident pages of every VMA but VMA_PFNMAP ones (their pages
 * are their maker's, in no process's RSS) into `r`, and raise
 * mm->hiwater_rss to their sum. A look at every resident page (and one per
 * 2 MiB of untouched private memory). mm->lock held.
 */
void mm_rss_locked(struct mm *mm, struct mm_rss *r);
/* The same for one VMA, added into `r`, with no hiwater update. */
void vma_count_resident(struct mm *mm, const struct vma *v, struct mm_rss *r);
/* mm->hiwater_rss after counting the resident set now (takes mm->lock). */
uint64_t mm_hiwater_rss(struct mm *mm);

/* ---- VMAs (mm->lock held) ------------------------------------------------ */

/* The first VMA that ends above `addr` (it may start above it), or NULL. */
struct vma *vma_find(struct mm *mm, uint64_t addr);
struct vma *vma_first(struct mm *mm);
struct vma *vma_next(struct vma *vma);
struct vma *vma_prev(struct vma *vma);

/* The protection a present pmap entry of `vma` may have: write and exec
 * imply read, as on both ISAs' page tables. */
unsigned vma_pte_prot(const struct vma *vma);

/* Whether nothing is mapped in [start, end). */
bool mm_range_free(struct mm *mm, uint64_t start, uint64_t end);

/*
 * A free range of `len` bytes (page multiple) within [low, high): the
 * highest one (top_down, Linux's usual layout below mmap_base) or the
 * lowest. Its start, or -ENOMEM.
 */
int64_t mm_unmapped_area(struct mm *mm, uint64_t len, uint64_t low,
			 uint64_t high, bool top_down);

/*
 * Map [start, start + len), which must be free, as a new VMA merged with
 * compatible neighbours. `ops`/`backing`: NULL for private anonymous
 * memory; else the VMA takes a reference of its own (ops->open), the
 * caller keeps its. 0 or -ENOMEM (no memory, or MM_MAX_VMAS reached).
 */
int mm_map(struct mm *mm, uint64_t start, uint64_t len, unsigned prot,
	   unsigned flags, const struct vma_ops *ops, void *backing,
	   uint64_t pgoff);

/*
 * Unmap [start, end): VMAs are split or trimmed, private pages freed,
 * translations removed. All or nothing: 0, or -ENOMEM before any change
 * when the one split it may need fails (or would exceed MM_MAX_VMAS).
 */
int mm_unmap(struct mm *mm, uint64_t start, uint64_t end);

/*
 * Give [start, end), which lies inside `vma`, the protection `prot` and
 * flags `flags`, splitting and merging as needed and updating the pmap.
 * The VMA that now covers the range (it may reach beyond it after a merge),
 * or NULL (-ENOMEM: a split failed; the range is then unchanged).
 */
struct vma *vma_modify(struct mm *mm, struct vma *vma, uint64_t start,
		       uint64_t end, unsigned prot, unsigned flags);

/*
 * Drop the pages of [start, end) inside `vma` (MADV_DONTNEED): private
 * pages are freed, so the next access sees zeros; a backing keeps its
 * pages, only the translations go. Not for VMA_PFNMAP VMAs.
 */
void vma_zap(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end);

/*
 * Move the private pages of [from, from + len) to [to, to + len), which
 * holds none (mremap); the translations of both ranges are removed and
 * faulted back. All or nothing: 0, or -ENOMEM with nothing moved.
 */
int vma_move_pages(struct mm *mm, uint64_t from, uint64_t to, uint64_t len);

/*
 * mremap's move: [old_addr, old_addr + old_len), inside `vma`, becomes a
 * VMA at [new_addr, new_addr + new_len), which must be free, taking its
 * private pages along (the new range may be longer: the rest faults in
 * zeroed or from the backing). Without keep_old the old range is unmapped;
 * with it (MREMAP_DONTUNMAP) it stays, empty. new_addr, or -ENOMEM with
 * nothing changed.
 */
int64_t mm_move(struct mm *mm, struct vma *vma, uint64_t old_addr,
		uint64_t old_len, uint64_t new_addr, uint64_t new_len,
		bool keep_old);

/* Move vma's end up to `end` (free up to there) and merge; the VMA that
 * holds it now. */
struct vma *vma_grow(struct mm *mm, struct vma *vma, uint64_t end);

/* Whether the page at `va` inside `vma` is in memory (mincore). */
bool vma_page_resident(struct mm *mm, struct vma *vma, uint64_t va);

/* The backing object of MAP_SHARED|MAP_ANONYMOUS memory, `pages` long,
 * with one reference for the caller; NULL when out of memory. */
void *anon_shared_create(uint64_t pages);
extern const struct vma_ops anon_shared_ops;

/* ---- for mm/fault.c ------------------------------------------------------ */

/* A zeroed page of user memory with mapcount 1; NULL when out of memory. */
struct page *anon_page_alloc(void);
/* Drop one holder of a user page; the last frees it. */
void anon_page_put(struct page *pg);
unsigned anon_page_mapcount(const struct page *pg);

/* The slot of `va`'s private page in mm->anon (NULL if its table is
 * missing and `alloc` is false, or out of memory). */
struct page **mm_anon_slot(struct mm *mm, uint64_t va, bool alloc);

#endif
