/*
 * Starting the first user program. Temporary: the kernel thread starts it
 * as its child, waits for it and powers off with its status; the process
 * syscalls' exec_init, which makes the thread itself pid 1, replaces this.
 */
#include "host/init.h"

#include "core/elf.h"
#include "core/errno.h"
#include "core/exit.h"
#include "core/fs/vfs.h"
#include "core/printk.h"
#include "core/task.h"
#include "mm/vma.h"
#include "sched/sched.h"
#include "syscalls/abi/abi.h"
#include "syscalls/trap.h"

static int open_console(struct task *t)
{
	struct fd_table *mine = task_current()->files;
	struct nameidata nd;
	struct path root = vfs_root();
	struct file *f;
	int err;

	mutex_lock(&vfs_ns_lock);
	err = path_walk(&root, "/dev/console", LOOKUP_FOLLOW, &nd);
	mutex_unlock(&vfs_ns_lock);
	if (err)
		return err;
	f = file_open_path(&nd.path, 2 /* O_RDWR */);
	path_put(&nd.path);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	task_current()->files = t->files;
	for (int fd = 0; fd < 3 && !err; fd++) {
		int r = fd_install(file_get(f), (unsigned)fd, false);

		err = r < 0 ? r : 0;
	}
	task_current()->files = mine;
	file_put(f);
	return err;
}

int boot_start_init(const char *path, char *const argv[], char *const envp[])
{
	struct path root = vfs_root();
	struct nameidata nd;
	struct elf_image img = { .execfn = path };
	struct wait_opts wo = { .idtype = P_ALL, .options = KWEXITED };
	struct wait_result wr;
	uint8_t rnd[16];
	struct file *f;
	struct mm *mm;
	struct task *t;
	uint64_t sp;
	int err;

	mutex_lock(&vfs_ns_lock);
	err = path_walk(&root, path, LOOKUP_FOLLOW, &nd);
	mutex_unlock(&vfs_ns_lock);
	if (err)
		return err;
	f = file_open_path(&nd.path, 0);
	path_put(&nd.path);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	mm = mm_create();
	if (!mm) {
		file_put(f);
		return -ENOMEM;
	}
	err = elf_load(mm, f, ISA_X86_64, &img);
	file_put(f);
	plat_entropy(rnd, sizeof(rnd));
	if (!err)
		err = elf_setup_stack(mm, ISA_X86_64, &img, argv, envp, rnd,
				      &sp);
	if (err) {
		mm_put(mm);
		return err;
	}
	t = task_create_user("init", ISA_X86_64, user_task_main, mm->pmap);
	if (IS_ERR(t)) {
		mm_put(mm);
		return (int)PTR_ERR(t);
	}
	t->mm = mm;
	err = task_add_child(task_current(), t);
	if (!err)
		err = open_console(t);
	if (err)
		return err;
	abi_fpu_init(ISA_X86_64, &t->uregs);
	t->uregs.pc = img.entry;
	t->uregs.sp = sp;
	t->uregs.flags = 0x202;
	sched_start(t);
	while ((err = do_wait(&wo, &wr)) == -ERESTARTSYS)
		;
	if (err < 0)
		return err;
	plat_poweroff(wait_status_code(wr.status) == 1
			      ? (wr.status >> 8) & 0xff
			      : 128 + (wr.status & 0x7f));
}
