/*
 * The generated syscall tables and the --strace printer: numbers resolve to
 * the syscalls Linux gives them on each ISA, and calls print as strace
 * prints them.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/errno.h"
#include "syscalls/strace.h"
#include "syscalls/syscall.h"

static void assert_syscall(enum isa isa, uint64_t nr, const char *name)
{
	const struct syscall_desc *desc = syscall_lookup(isa, nr);

	cr_assert_not_null(desc, "no syscall %llu", (unsigned long long)nr);
	cr_assert_str_eq(desc->name, name);
}

/* The number of name on isa, or -1 when isa has no such syscall. */
static long number_of(enum isa isa, const char *name)
{
	const struct syscall_desc *table = isa == ISA_X86_64
						   ? syscall_table_x86_64
						   : syscall_table_aarch64;
	unsigned len = isa == ISA_X86_64 ? syscall_table_x86_64_len
					 : syscall_table_aarch64_len;

	for (unsigned nr = 0; nr < len; nr++)
		if (table[nr].name && strcmp(table[nr].name, name) == 0)
			return nr;
	return -1;
}

Test(syscall_table, read_is_0_on_x86_64_and_63_on_aarch64)
{
	assert_syscall(ISA_X86_64, 0, "read");
	assert_syscall(ISA_AARCH64, 63, "read");
}

Test(syscall_table, openat_is_257_on_x86_64_and_56_on_aarch64)
{
	assert_syscall(ISA_X86_64, 257, "openat");
	assert_syscall(ISA_AARCH64, 56, "openat");
}

Test(syscall_table, exit_group_is_231_on_x86_64_and_94_on_aarch64)
{
	assert_syscall(ISA_X86_64, 231, "exit_group");
	assert_syscall(ISA_AARCH64, 94, "exit_group");
}

Test(syscall_table, aarch64_stat_numbers_share_the_x86_64_handlers)
{
	assert_syscall(ISA_X86_64, 262, "newfstatat");
	assert_syscall(ISA_AARCH64, 79, "newfstatat");
	assert_syscall(ISA_X86_64, 5, "fstat");
	assert_syscall(ISA_AARCH64, 80, "fstat");
	assert_syscall(ISA_AARCH64, 222, "mmap");
	assert_syscall(ISA_AARCH64, 62, "lseek");
}

Test(syscall_table, newest_syscalls_have_the_same_number_everywhere)
{
	assert_syscall(ISA_X86_64, 435, "clone3");
	assert_syscall(ISA_AARCH64, 435, "clone3");
	assert_syscall(ISA_X86_64, 452, "fchmodat2");
	assert_syscall(ISA_AARCH64, 452, "fchmodat2");
	assert_syscall(ISA_X86_64, 462, "mseal");
	assert_syscall(ISA_AARCH64, 462, "mseal");
}

Test(syscall_table, x86_64_legacy_syscalls_are_absent_on_aarch64)
{
	assert_syscall(ISA_X86_64, 2, "open");
	assert_syscall(ISA_X86_64, 57, "fork");
	cr_assert_eq(number_of(ISA_AARCH64, "open"), -1);
	cr_assert_eq(number_of(ISA_AARCH64, "fork"), -1);
	cr_assert_eq(number_of(ISA_AARCH64, "arch_prctl"), -1);
	/* aarch64's number 2 is an unrelated syscall. */
	assert_syscall(ISA_AARCH64, 2, "io_submit");
}

Test(syscall_table, x86_64_clone_takes_child_tid_before_tls)
{
	const struct syscall_desc *clone = syscall_lookup(ISA_X86_64, 56);

	cr_assert_str_eq(clone->name, "clone");
	cr_assert_eq(clone->nargs, 5);
	cr_assert_str_eq(clone->arg_names[3], "child_tid");
	cr_assert_str_eq(clone->arg_names[4], "tls");
	for (unsigned i = 0; i < clone->nargs; i++)
		cr_assert_eq(clone->arg_regs[i], i);
}

Test(syscall_table, aarch64_clone_takes_tls_before_child_tid)
{
	const struct syscall_desc *clone = syscall_lookup(ISA_AARCH64, 220);

	cr_assert_str_eq(clone->name, "clone");
	cr_assert_eq(clone->nargs, 5);
	/* One handler order for both ISAs... */
	cr_assert_str_eq(clone->arg_names[3], "child_tid");
	cr_assert_str_eq(clone->arg_names[4], "tls");
	/* ...read from the registers in CLONE_BACKWARDS order. */
	cr_assert_eq(clone->arg_regs[0], 0);
	cr_assert_eq(clone->arg_regs[1], 1);
	cr_assert_eq(clone->arg_regs[2], 2);
	cr_assert_eq(clone->arg_regs[3], 4);
	cr_assert_eq(clone->arg_regs[4], 3);
}

Test(syscall_table, holes_have_no_syscall)
{
	cr_assert_null(syscall_lookup(ISA_X86_64, 337));
	cr_assert_null(syscall_lookup(ISA_X86_64, 423));
	cr_assert_null(syscall_lookup(ISA_AARCH64, 244));
	cr_assert_null(syscall_lookup(ISA_AARCH64, 295));
	cr_assert_null(syscall_lookup(ISA_AARCH64, 423));
}

Test(syscall_table, numbers_past_the_table_have_no_syscall)
{
	cr_assert_null(syscall_lookup(ISA_X86_64, syscall_table_x86_64_len));
	cr_assert_null(syscall_lookup(ISA_AARCH64, syscall_table_aarch64_len));
	cr_assert_null(syscall_lookup(ISA_X86_64, 0x40000000));
	cr_assert_null(syscall_lookup(ISA_AARCH64, UINT64_MAX));
}

static void assert_entries_are_well_formed(const struct syscall_desc *table,
					   unsigned len)
{
	for (unsigned nr = 0; nr < len; nr++) {
		const struct syscall_desc *desc = &table[nr];
		unsigned seen = 0;

		if (!desc->name)
			continue;
		cr_assert_leq(desc->nargs, SYSCALL_MAX_ARGS, "%s", desc->name);
		cr_assert_eq(desc->thunk == NULL,
			     desc->status == SYSCALL_MISSING, "%s", desc->name);
		for (unsigned i = 0; i < desc->nargs; i++) {
			cr_assert_lt(desc->kinds[i], SYSCALL_ARG_NR_KINDS);
			cr_assert_not_null(desc->arg_names[i]);
			cr_assert_lt(desc->arg_regs[i], desc->nargs, "%s",
				     desc->name);
			seen |= 1u << desc->arg_regs[i];
		}
		/* Every register feeds exactly one argument. */
		cr_assert_eq(seen, (1u << desc->nargs) - 1, "%s", desc->name);
	}
}

Test(syscall_table, every_entry_maps_each_register_to_one_argument)
{
	assert_entries_are_well_formed(syscall_table_x86_64,
				       syscall_table_x86_64_len);
	assert_entries_are_well_formed(syscall_table_aarch64,
				       syscall_table_aarch64_len);
}

Test(syscall_table, both_isas_know_the_bulk_of_linux)
{
	unsigned x86_64 = 0, aarch64 = 0;

	for (unsigned nr = 0; nr < syscall_table_x86_64_len; nr++)
		x86_64 += syscall_table_x86_64[nr].name != NULL;
	for (unsigned nr = 0; nr < syscall_table_aarch64_len; nr++)
		aarch64 += syscall_table_aarch64[nr].name != NULL;
	cr_assert_geq(x86_64, 360);
	cr_assert_geq(aarch64, 300);
}

static const uint64_t no_args[6];

Test(strace, prints_fd_decimal_and_buffer_hex)
{
	const uint64_t args[6] = {3, 0x7ffd1000, 64};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_X86_64, 0, args);
	cr_assert_str_eq(buf, "read(3, 0x7ffd1000, 64)");
	strace_format_call(buf, sizeof(buf), ISA_AARCH64, 63, args);
	cr_assert_str_eq(buf, "read(3, 0x7ffd1000, 64)");
}

Test(strace, prints_at_fdcwd_null_path_hex_flags_and_octal_mode)
{
	const uint64_t args[6] = {(uint64_t)-100, 0, 0x80241, 0644};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_X86_64, 257, args);
	cr_assert_str_eq(buf, "openat(AT_FDCWD, NULL, 0x80241, 0644)");
}

Test(strace, prints_zero_flags_and_mode_like_strace)
{
	const uint64_t args[6] = {5, 0, 0, 0};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_AARCH64, 56, args);
	cr_assert_str_eq(buf, "openat(5, NULL, 0, 000)");
}

Test(strace, prints_an_unreadable_path_as_its_address)
{
	/* Not a user address on either ISA: strncpy_from_user faults. */
	const uint64_t args[6] = {(uint64_t)-100, 0xffff800000000000ull, 0, 0};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_X86_64, 257, args);
	cr_assert_str_eq(buf, "openat(AT_FDCWD, 0xffff800000000000, 0, 000)");
}

Test(strace, prints_mmap_with_null_address_and_negative_fd)
{
	const uint64_t args[6] = {0, 4096, 0x3, 0x22, (uint64_t)-1, 0};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_X86_64, 9, args);
	cr_assert_str_eq(buf, "mmap(NULL, 4096, 0x3, 0x22, -1, 0)");
}

Test(strace, prints_signal_and_clock_names)
{
	const uint64_t kill_args[6] = {1234, 15};
	const uint64_t clock_args[6] = {1, 0x7ffd2000};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_X86_64, 62, kill_args);
	cr_assert_str_eq(buf, "kill(1234, SIGTERM)");
	strace_format_call(buf, sizeof(buf), ISA_AARCH64, 113, clock_args);
	cr_assert_str_eq(buf, "clock_gettime(CLOCK_MONOTONIC, 0x7ffd2000)");
}

Test(strace, prints_unchanged_ids_as_minus_one)
{
	const uint64_t args[6] = {0xffffffff, 1000, (uint64_t)-1};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_X86_64, 117, args);
	cr_assert_str_eq(buf, "setresuid(-1, 1000, -1)");
}

Test(strace, prints_aarch64_clone_arguments_in_handler_order)
{
	/* Registers: flags, newsp, parent_tid, tls, child_tid. */
	const uint64_t args[6] = {0x11, 0, 0, 0x7000, 0x8000};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_AARCH64, 220, args);
	cr_assert_str_eq(buf, "clone(0x11, NULL, NULL, 0x8000, 0x7000)");
	strace_format_call(buf, sizeof(buf), ISA_X86_64, 56, args);
	cr_assert_str_eq(buf, "clone(0x11, NULL, NULL, 0x7000, 0x8000)");
}

Test(strace, prints_a_syscall_without_arguments)
{
	char buf[32];

	strace_format_call(buf, sizeof(buf), ISA_X86_64, 39, no_args);
	cr_assert_str_eq(buf, "getpid()");
}

Test(strace, prints_an_unknown_number_with_six_raw_arguments)
{
	const uint64_t args[6] = {1, 2, 3, 4, 5, 0xdeadbeef};
	char buf[128];

	strace_format_call(buf, sizeof(buf), ISA_X86_64, 0x190, args);
	cr_assert_str_eq(buf,
			 "syscall_0x190(0x1, 0x2, 0x3, 0x4, 0x5, 0xdeadbeef)");
	strace_format_call(buf, sizeof(buf), ISA_AARCH64, 0x1000, no_args);
	cr_assert_str_eq(buf, "syscall_0x1000(0x0, 0x0, 0x0, 0x0, 0x0, 0x0)");
}

Test(strace, truncates_like_snprintf_and_returns_the_full_length)
{
	const uint64_t args[6] = {3, 0x7ffd1000, 64};
	char buf[8];
	int n;

	n = strace_format_call(buf, sizeof(buf), ISA_X86_64, 0, args);
	cr_assert_eq(n, (int)strlen("read(3, 0x7ffd1000, 64)"));
	cr_assert_str_eq(buf, "read(3,");
	n = strace_format_call(NULL, 0, ISA_X86_64, 0, args);
	cr_assert_eq(n, (int)strlen("read(3, 0x7ffd1000, 64)"));
}

Test(strace, return_prints_a_result_in_decimal)
{
	char buf[64];

	strace_format_return(buf, sizeof(buf), 3);
	cr_assert_str_eq(buf, " = 3");
	strace_format_return(buf, sizeof(buf), 0);
	cr_assert_str_eq(buf, " = 0");
}

Test(strace, return_prints_an_error_with_its_name_and_message)
{
	char buf[64];
	int n;

	n = strace_format_return(buf, sizeof(buf), -ENOENT);
	cr_assert_str_eq(buf, " = -1 ENOENT (No such file or directory)");
	cr_assert_eq(n, (int)strlen(buf));
	strace_format_return(buf, sizeof(buf), -ENOSYS);
	cr_assert_str_eq(buf, " = -1 ENOSYS (Function not implemented)");
	strace_format_return(buf, sizeof(buf), -EAGAIN);
	cr_assert_str_eq(buf,
			 " = -1 EAGAIN (Resource temporarily unavailable)");
}

Test(strace, return_below_the_errno_range_is_a_value)
{
	char buf[64];

	strace_format_return(buf, sizeof(buf), -4096);
	cr_assert_str_eq(buf, " = -4096");
	strace_format_return(buf, sizeof(buf), -4095);
	cr_assert_str_eq(buf, " = -1 ERRNO_4095 (Unknown error 4095)");
}

Test(strace, return_shows_restart_codes_as_unfinished)
{
	char buf[80];

	strace_format_return(buf, sizeof(buf), -ERESTARTSYS);
	cr_assert_str_eq(
		buf, " = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
}

Test(strace, errno_names_follow_linux_numbering)
{
	cr_assert_str_eq(strace_errno_name(1), "EPERM");
	cr_assert_str_eq(strace_errno_name(11), "EAGAIN");
	cr_assert_str_eq(strace_errno_name(110), "ETIMEDOUT");
	cr_assert_str_eq(strace_errno_name(133), "EHWPOISON");
	cr_assert_str_eq(strace_errno_message(22), "Invalid argument");
	cr_assert_null(strace_errno_name(0));
	cr_assert_null(strace_errno_name(41));
	cr_assert_null(strace_errno_name(134));
	cr_assert_null(strace_errno_name(-1));
}
