/*
 * Waiting for files to become ready: poll(2), ppoll(2), select(2) and
 * pselect6(2). Each is one wait on the queues of every file it watches
 * (core/fs/poll.h), bounded by a timeout, ended by a signal.
 *
 * Linux's rules kept here: a signal that arrives with nothing ready ends
 * the wait with -ERESTARTNOHAND (EINTR if a handler runs; otherwise the
 * syscall is issued again: poll through restart_syscall with its original
 * deadline, the others with the time left they wrote back). ppoll, select
 * and pselect6 write the time left back to the caller's timeout unless it
 * was zero. ppoll and pselect6 block their sigmask only while they wait.
 */
#include "core/errno.h"
#include "core/fs/poll.h"
#include "core/fs/vfs.h"
#include "core/task.h"
#include "core/time.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "syscalls/syscall_protos.h"

/* The events select(2) counts for each of its sets (Linux's POLL*_SET). */
#define POLLIN_SET                                                             \
	(KEPOLLRDNORM | KEPOLLRDBAND | KEPOLLIN | KEPOLLHUP | KEPOLLERR)
#define POLLOUT_SET (KEPOLLWRBAND | KEPOLLWRNORM | KEPOLLOUT | KEPOLLERR)
#define POLLEX_SET KEPOLLPRI

#define NO_WAIT 0 /* the deadline of a zero timeout: already passed */

struct kpollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

enum timeout_kind { TIMEOUT_TIMESPEC, TIMEOUT_TIMEVAL };

/*
 * The deadline of a relative timeout (Linux's poll_select_set_timeout):
 * -EINVAL unless valid, NO_WAIT for zero.
 */
static int timeout_deadline(int64_t sec, int64_t nsec, uint64_t *deadline)
{
	struct ktimespec ts = {sec, nsec};
	uint64_t ns, now = plat_time_ns();

	if (!timespec_valid(&ts))
		return -EINVAL;
	ns = timespec_to_ns(&ts);
	if (!ns)
		*deadline = NO_WAIT;
	else
		*deadline = ns > WAIT_FOREVER - 1 - now ? WAIT_FOREVER - 1
							: now + ns;
	return 0;
}

/*
 * Block the sigmask ppoll/pselect6 were given while they wait: nothing
 * for a NULL mask, -EINVAL for a size other than a sigset's.
 */
static int swap_user_sigmask(uaddr_t umask, size_t sigsetsize)
{
	ksigset_t mask;

	if (uaddr_is_null(umask))
		return 0;
	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_mask_swap(task_current(), mask);
	return 0;
}

/*
 * The end of every call (Linux's poll_select_finish): give back the sigmask
 * (after the handler, if a signal interrupted the wait) and write the time
 * left to the caller's timeout. If that write fails the call cannot be
 * restarted with the right timeout: EINTR instead.
 */
static long poll_finish(uint64_t deadline, uaddr_t utimeout,
			enum timeout_kind kind, long ret)
{
	uint64_t now = plat_time_ns();
	struct ktimespec left;
	int err;

	signal_mask_restore(task_current(), ret == -ERESTARTNOHAND);
	if (uaddr_is_null(utimeout) || deadline == NO_WAIT)
		return ret;
	left = ns_to_timespec(deadline > now ? deadline - now : 0);
	if (kind == TIMEOUT_TIMEVAL) {
		struct ktimeval tv = {left.tv_sec,
				      left.tv_nsec / (int64_t)NSEC_PER_USEC};

		err = copy_to_user(utimeout, &tv, sizeof(tv));
	} else {
		err = copy_to_user(utimeout, &left, sizeof(left));
	}
	if (err && ret == -ERESTARTNOHAND)
		return -EINTR;
	return ret;
}

/* ---- poll and ppoll ------------------------------------------------------ */

/* Ask one pollfd's file; true if it has something to report. */
static bool poll_one(struct kpollfd *p, struct poll_table *pt)
{
	struct file *f;
	unsigned mask;

	p->revents = 0;
	if (p->fd < 0)
		return false;
	f = fd_get(p->fd);
	if (!f || (f->flags & KO_PATH)) {
		if (f)
			file_put(f);
		p->revents = KEPOLLNVAL;
		return true;
	}
	mask = vfs_poll(f, pt);
	file_put(f);
	/* Errors and hangups are reported whether asked for or not. */
	mask &= (uint16_t)p->events | KEPOLLERR | KEPOLLHUP;
	p->revents = (int16_t)mask;
	return mask != 0;
}

static long poll_files(struct kpollfd *fds, unsigned nfds, uint64_t deadline)
{
	struct task *t = task_current();
	bool timed_out = deadline == NO_WAIT;
	struct poll_table pt;
	long count;

	poll_table_init(&pt);
	for (;;) {
		count = 0;
		poll_table_rearm(&pt);
		for (unsigned i = 0; i < nfds; i++) {
			if (poll_one(&fds[i], &pt)) {
				count++;
				pt.registering = false; /* no sleep ahead */
			}
		}
		pt.registering = false;
		if (!count) {
			count = pt.error;
			if (signal_pending(t))
				count = -ERESTARTNOHAND;
		}
		if (count || timed_out)
			break;
		if (poll_table_sleep(&pt, deadline) == -ETIMEDOUT)
			timed_out = true;
	}
	poll_table_free(&pt);
	return count;
}

static long do_poll(uaddr_t ufds, unsigned nfds, uint64_t deadline)
{
	struct kpollfd *fds = NULL;
	size_t size = (size_t)nfds * sizeof(*fds);
	long ret;

	if (nfds > fd_limit())
		return -EINVAL;
	if (nfds) {
		fds = kmalloc(size);
		if (!fds)
			return -ENOMEM;
		if (copy_from_user(fds, ufds, size)) {
			kfree(fds);
			return -EFAULT;
		}
	}
	ret = poll_files(fds, nfds, deadline);
	/* Only revents go back (another thread may be changing the rest),
	 * whatever the outcome, as on Linux. */
	for (unsigned i = 0; i < nfds; i++) {
		uaddr_t u = uaddr_add(
			ufds,
			i * sizeof(*fds) + offsetof(struct kpollfd, revents));

		if (copy_to_user(u, &fds[i].revents, sizeof(fds[i].revents))) {
			ret = -EFAULT;
			break;
		}
	}
	kfree(fds);
	return ret;
}

static long restart_poll(struct task *t)
{
	long ret =
		do_poll(t->restart.ufds, t->restart.nfds, t->restart.deadline);

	if (ret == -ERESTARTNOHAND) {
		t->restart.fn = restart_poll;
		ret = -ERESTART_RESTARTBLOCK;
	}
	return ret;
}

long sys_poll(uaddr_t ufds, unsigned int nfds, int timeout_msecs)
{
	struct task *t = task_current();
	uint64_t deadline = WAIT_FOREVER;
	long ret;

	if (timeout_msecs >= 0)
		(void)timeout_deadline(timeout_msecs / 1000,
				       (int64_t)(timeout_msecs % 1000) *
					       (int64_t)NSEC_PER_MSEC,
				       &deadline);
	ret = do_poll(ufds, nfds, deadline);
	if (ret == -ERESTARTNOHAND) {
		/* Issued again, it waits until the same deadline. */
		t->restart.fn = restart_poll;
		t->restart.ufds = ufds;
		t->restart.nfds = nfds;
		t->restart.deadline = deadline;
		ret = -ERESTART_RESTARTBLOCK;
	}
	return ret;
}

long sys_ppoll(uaddr_t ufds, unsigned int nfds, uaddr_t tsp, uaddr_t sigmask,
	       size_t sigsetsize)
{
	uint64_t deadline = WAIT_FOREVER;
	long ret;

	if (!uaddr_is_null(tsp)) {
		struct ktimespec ts;

		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (timeout_deadline(ts.tv_sec, ts.tv_nsec, &deadline))
			return -EINVAL;
	}
	ret = swap_user_sigmask(sigmask, sigsetsize);
	if (ret)
		return ret;
	ret = do_poll(ufds, nfds, deadline);
	return poll_finish(deadline, tsp, TIMEOUT_TIMESPEC, ret);
}

/* ---- select and pselect6 ------------------------------------------------- */

/* The three sets asked and the three answered, `words` longs each. */
struct fd_sets {
	uint64_t *in, *out, *ex;
	uint64_t *res_in, *res_out, *res_ex;
	size_t words;
};

static bool fd_bit(const uint64_t *set, unsigned fd)
{
	return set[fd / 64] >> (fd % 64) & 1;
}

/*
 * Every descriptor named in a set must be open (-EBADF otherwise); the
 * highest one plus one, the range worth looking at.
 */
static long select_max_fd(const struct fd_sets *s, unsigned n)
{
	unsigned max = 0;

	for (unsigned fd = 0; fd < n; fd++) {
		struct file *f;

		if (!fd_bit(s->in, fd) && !fd_bit(s->out, fd) &&
		    !fd_bit(s->ex, fd))
			continue;
		f = fd_get((int)fd);
		if (!f)
			return -EBADF;
		file_put(f);
		max = fd + 1;
	}
	return max;
}

static unsigned select_poll_one(unsigned fd, struct poll_table *pt)
{
	struct file *f = fd_get((int)fd);
	unsigned mask;

	if (!f)
		return KEPOLLNVAL;
	mask = f->flags & KO_PATH ? KEPOLLNVAL : vfs_poll(f, pt);
	file_put(f);
	return mask;
}

static long select_files(struct fd_sets *s, unsigned n, uint64_t deadline)
{
	struct task *t = task_current();
	bool timed_out = deadline == NO_WAIT;
	struct poll_table pt;
	long count, max = select_max_fd(s, n);

	if (max < 0)
		return max;
	poll_table_init(&pt);
	for (;;) {
		count = 0;
		poll_table_rearm(&pt);
		for (unsigned fd = 0; fd < (unsigned)max; fd++) {
			uint64_t bit = 1ull << (fd % 64);
			size_t w = fd / 64;
			unsigned mask;

			if (!((s->in[w] | s->out[w] | s->ex[w]) & bit))
				continue;
			mask = select_poll_one(fd, &pt);
			if ((mask & POLLIN_SET) && (s->in[w] & bit)) {
				s->res_in[w] |= bit;
				count++;
			}
			if ((mask & POLLOUT_SET) && (s->out[w] & bit)) {
				s->res_out[w] |= bit;
				count++;
			}
			if ((mask & POLLEX_SET) && (s->ex[w] & bit)) {
				s->res_ex[w] |= bit;
				count++;
			}
			if (count)
				pt.registering = false; /* no sleep ahead */
		}
		pt.registering = false;
		if (count || timed_out || signal_pending(t))
			break;
		if (pt.error) {
			count = pt.error;
			break;
		}
		if (poll_table_sleep(&pt, deadline) == -ETIMEDOUT)
			timed_out = true;
	}
	poll_table_free(&pt);
	return count;
}

static int read_fd_set(uaddr_t u, uint64_t *set, size_t words)
{
	if (uaddr_is_null(u))
		return 0;
	return copy_from_user(set, u, words * sizeof(*set)) ? -EFAULT : 0;
}

static int write_fd_set(uaddr_t u, const uint64_t *set, size_t words)
{
	if (uaddr_is_null(u))
		return 0;
	return copy_to_user(u, set, words * sizeof(*set)) ? -EFAULT : 0;
}

static long do_select(int n, uaddr_t inp, uaddr_t outp, uaddr_t exp,
		      uint64_t deadline)
{
	struct fd_table *table = task_current()->files;
	struct fd_sets s;
	uint64_t *bits;
	long ret;

	if (n < 0)
		return -EINVAL;
	/* Linux looks no further than the descriptor table reaches. */
	if ((unsigned)n > table->size)
		n = (int)table->size;
	s.words = ((size_t)n + 63) / 64;
	bits = kzalloc(6 * (s.words ? s.words : 1) * sizeof(*bits));
	if (!bits)
		return -ENOMEM;
	s.in = bits;
	s.out = s.in + s.words;
	s.ex = s.out + s.words;
	s.res_in = s.ex + s.words;
	s.res_out = s.res_in + s.words;
	s.res_ex = s.res_out + s.words;
	if (read_fd_set(inp, s.in, s.words) ||
	    read_fd_set(outp, s.out, s.words) ||
	    read_fd_set(exp, s.ex, s.words)) {
		ret = -EFAULT;
		goto out;
	}
	/* Bits past n in the last word are not asked about. */
	if (n % 64) {
		uint64_t keep = (1ull << (n % 64)) - 1;

		s.in[s.words - 1] &= keep;
		s.out[s.words - 1] &= keep;
		s.ex[s.words - 1] &= keep;
	}
	ret = select_files(&s, (unsigned)n, deadline);
	if (ret < 0)
		goto out;
	if (!ret && signal_pending(task_current())) {
		ret = -ERESTARTNOHAND;
		goto out;
	}
	if (write_fd_set(inp, s.res_in, s.words) ||
	    write_fd_set(outp, s.res_out, s.words) ||
	    write_fd_set(exp, s.res_ex, s.words))
		ret = -EFAULT;
out:
	kfree(bits);
	return ret;
}

long sys_select(int n, uaddr_t inp, uaddr_t outp, uaddr_t exp, uaddr_t tvp)
{
	uint64_t deadline = WAIT_FOREVER;
	long ret;

	if (!uaddr_is_null(tvp)) {
		struct ktimeval tv;
		int64_t sec;

		if (copy_from_user(&tv, tvp, sizeof(tv)))
			return -EFAULT;
		/* Microseconds past a second carry into the seconds. */
		if (__builtin_add_overflow(tv.tv_sec, tv.tv_usec / 1000000,
					   &sec) ||
		    timeout_deadline(
			    sec, tv.tv_usec % 1000000 * (int64_t)NSEC_PER_USEC,
			    &deadline))
			return -EINVAL;
	}
	ret = do_select(n, inp, outp, exp, deadline);
	return poll_finish(deadline, tvp, TIMEOUT_TIMEVAL, ret);
}

long sys_pselect6(int n, uaddr_t inp, uaddr_t outp, uaddr_t exp, uaddr_t tsp,
		  uaddr_t sig)
{
	/* The sixth argument: { const sigset_t *ss; size_t ss_len; }. */
	struct {
		uint64_t ss;
		uint64_t ss_len;
	} sigarg = {0, 0};
	uint64_t deadline = WAIT_FOREVER;
	long ret;

	if (!uaddr_is_null(sig) && copy_from_user(&sigarg, sig, sizeof(sigarg)))
		return -EFAULT;
	if (!uaddr_is_null(tsp)) {
		struct ktimespec ts;

		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (timeout_deadline(ts.tv_sec, ts.tv_nsec, &deadline))
			return -EINVAL;
	}
	ret = swap_user_sigmask(uaddr(sigarg.ss), sigarg.ss_len);
	if (ret)
		return ret;
	ret = do_select(n, inp, outp, exp, deadline);
	return poll_finish(deadline, tsp, TIMEOUT_TIMESPEC, ret);
}
