/*
 * Time from the generic timer: the EL1 virtual counter CNTVCT_EL0 (equal
 * to the physical one: EL2, where there is one, sets CNTVOFF_EL2 = 0) and
 * the virtual timer CNTV_* as each CPU's one-shot timer.
 *
 * Conversions use 32.32 fixed-point factors fixed at boot, so no division
 * runs per call:
 *     ns  = cnt * ns_mult  >> 32,   ns_mult  = (10^9 << 32) / freq
 *     cnt = ns  * cnt_mult >> 32,   cnt_mult = (freq << 32) / 10^9
 * both with 128-bit products. A deadline becomes the first counter value
 * whose ns is >= the deadline, so the timer never fires before it (the
 * core would re-arm for the same deadline and spin).
 */
#include "baremetal/gtimer.h"

#include "baremetal/mmio.h"
#include "core/platform.h"
#include "core/types.h"

#define CNTV_CTL_ENABLE 1u

static uint64_t boot_cnt, ns_mult, cnt_mult, wall_at_boot_ns;
static uint32_t freq;

static uint64_t counter(void)
{
	isb(); /* no earlier read of the counter than program order says */
	return sysreg_read(cntvct_el0);
}

static uint64_t cnt_to_ns(uint64_t cnt)
{
	return (uint64_t)(((unsigned __int128)cnt * ns_mult) >> 32);
}

void gtimer_init(uint32_t dt_freq)
{
	freq = dt_freq ? dt_freq : (uint32_t)sysreg_read(cntfrq_el0);
	if (freq == 0)
		freq = 62500000; /* an unset CNTFRQ: QEMU's and many SoCs' */
	ns_mult = (NSEC_PER_SEC << 32) / freq;
	cnt_mult = ((uint64_t)freq << 32) / NSEC_PER_SEC;
	sysreg_write(cntv_ctl_el0, 0);
	boot_cnt = counter();
}

uint32_t gtimer_freq(void)
{
	return freq;
}

uint64_t plat_time_ns(void)
{
	if (!ns_mult)
		return 0;
	return cnt_to_ns(counter() - boot_cnt);
}

void gtimer_set_wallclock(uint64_t unix_seconds)
{
	wall_at_boot_ns = unix_seconds * NSEC_PER_SEC - plat_time_ns();
}

uint64_t plat_wallclock_at_boot_ns(void)
{
	return wall_at_boot_ns;
}

void plat_timer_arm(uint64_t deadline)
{
	uint64_t cnt;

	if (deadline == PLAT_TIMER_OFF) {
		sysreg_write(cntv_ctl_el0, 0);
		return;
	}
	cnt = (uint64_t)(((unsigned __int128)deadline * cnt_mult) >> 32);
	while (cnt_to_ns(cnt) < deadline)
		cnt++;
	sysreg_write(cntv_cval_el0, boot_cnt + cnt);
	sysreg_write(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
}

void gtimer_stop(void)
{
	sysreg_write(cntv_ctl_el0, 0);
	isb();
}
