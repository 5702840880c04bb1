/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-fwd end to end on files: the test writes a pcap of varied frames
 * (IPv4/IPv6, TCP/UDP/ICMP, VLAN, 60..1514 bytes), runs the pk-fwd binary
 * (argv[1]) from a net_pcap RX file to a net_pcap TX file, and checks every
 * frame that comes out with libpcap. Also: io with a demux of flows, a bad
 * option (exit 2), SIGINT (clean stop, testpmd's final statistics). Every
 * run's final statistics add up in each direction (RX + generated = TX +
 * dropped + TX errors).
 * pk-fwd runs as a child process with its own EAL; this binary starts an
 * EAL too (the shared fixture) but owns no mbuf.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "pk_test.h"

#define NB_FRAMES 300
#define MAX_FRAME 1514
#define NB_FLOWS 16

struct frame {
	uint16_t len;
	uint8_t data[MAX_FRAME];
};

static const char *fwd_bin;
static const char *fwd_lcores = "0,1"; /* -l, or --lcores when it has @ */
static const char *fwd_vdev2;          /* a second --vdev, or NULL */
static char fwd_dir[128];
static struct frame frames[NB_FRAMES];

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Frame i: a protocol mix, a VLAN tag on some, sizes over 60..1514. */
static void
frame_build(struct frame *f, unsigned int i)
{
	static const uint8_t l4[3] = { 6, 17, 1 }; /* TCP, UDP, ICMP */
	bool v6 = (i / 3) % 2, vlan = i % 4 == 1;
	uint8_t *d = f->data, *l3;
	unsigned int off = 12, j, l3len;

	f->len = 60 + (i * 97) % (MAX_FRAME - 60 + 1);
	if (i == NB_FRAMES - 1)
		f->len = MAX_FRAME;
	for (j = 0; j < f->len; j++)
		d[j] = (uint8_t)(i * 7 + j);
	memcpy(d, (uint8_t[]){ 0x02, 0xdd, 0, 0, i >> 8, i & 0xff }, 6);
	memcpy(d + 6, (uint8_t[]){ 0x02, 0x55, 0, 0, i >> 8, i & 0xff }, 6);
	if (vlan) {
		put16(d + off, 0x8100);
		put16(d + off + 2, i & 0xfff);
		off += 4;
	}
	put16(d + off, v6 ? 0x86dd : 0x0800);
	l3 = d + off + 2;
	l3len = f->len - (off + 2);
	if (v6) {
		l3[0] = 0x60;
		put16(l3 + 4, l3len - 40);
		l3[6] = l4[i % 3] == 1 ? 58 : l4[i % 3];
		l3[7] = 64;
	} else {
		l3[0] = 0x45;
		put16(l3 + 2, l3len);
		l3[8] = 64;
		l3[9] = l4[i % 3];
	}
}

/* UDP 10.254.0.0:9 -> 10.253.0.<i % 2 * NB_FLOWS>:9: half match a key. */
static void
frame_flow(struct frame *f, unsigned int i)
{
	uint8_t *d = f->data, *ip = d + 14;

	memset(d, 0, 60);
	f->len = 60;
	put16(d + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 46);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (uint8_t[]){ 10, 254, 0, 0 }, 4);
	memcpy(ip + 16, (uint8_t[]){ 10, 253, 0, i % (2 * NB_FLOWS) }, 4);
	put16(ip + 20, 9);
	put16(ip + 22, 9);
	put16(ip + 24, 26);
}

static int
pcap_write(const char *path, unsigned int n)
{
	struct pcap_pkthdr h = { 0 };
	pcap_dumper_t *dump;
	pcap_t *dead;
	unsigned int i;

	dead = pcap_open_dead(DLT_EN10MB, 65535);
	dump = dead != NULL ? pcap_dump_open(dead, path) : NULL;
	if (dump == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		h.caplen = h.len = frames[i].len;
		h.ts.tv_usec = i;
		pcap_dump((u_char *)dump, &h, frames[i].data);
	}
	pcap_dump_close(dump);
	pcap_close(dead);
	return 0;
}

/* Run pk-fwd with EAL args and options; stdout+stderr to log. */
static int
fwd_run(const char *prefix, const char *vdev, const char *const *opts,
	const char *log, int sig_after_s)
{
	char fp[64];
	const char *argv[32] = { fwd_bin, "--no-huge", "--no-shconf",
		"--no-pci", "-m", "256",
		strchr(fwd_lcores, '@') != NULL ? "--lcores" : "-l", fwd_lcores,
		"--log-level=lib.eal:error", fp };
	unsigned int n = 10, i;
	int status;
	pid_t pid;

	snprintf(fp, sizeof(fp), "--file-prefix=%s_%d", prefix, getpid());
	if (vdev != NULL) {
		argv[n++] = "--vdev";
		argv[n++] = vdev;
	}
	if (fwd_vdev2 != NULL) {
		argv[n++] = "--vdev";
		argv[n++] = fwd_vdev2;
	}
	argv[n++] = "--";
	for (i = 0; opts[i] != NULL && n < 31; i++)
		argv[n++] = opts[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		if (freopen(log, "w", stdout) == NULL ||
		    dup2(fileno(stdout), 2) < 0)
			_exit(126);
		execv(fwd_bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	assert_true(pid > 0);
	if (sig_after_s > 0) {
		sleep(sig_after_s);
		kill(pid, SIGINT);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	pk_test_rm_runtime_dir(fp + strlen("--file-prefix="));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool
log_has(const char *log, const char *what)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(log, "r");

	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, what) != NULL;
	if (f != NULL)
		fclose(f);
	return found;
}

/*
 * Every direction of pk-fwd's final statistics adds up: RX + generated =
 * TX + dropped + TX errors (ethdev's counters against PathKit's drops);
 * at least one direction.
 */
static void
assert_balanced(const char *log)
{
	unsigned long long rx, gen, tx, drop, err;
	unsigned int a, b, n = 0;
	char line[512];
	FILE *f = fopen(log, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "  Balance P=%u -> P=%u: RX %llu + generated "
			   "%llu = TX %llu + dropped %llu + TX errors %llu",
			   &a, &b, &rx, &gen, &tx, &drop, &err) != 7)
			continue;
		if (rx + gen != tx + drop + err) {
			fclose(f);
			fail_msg("%s: P=%u -> P=%u: RX %llu + generated %llu "
				 "!= TX %llu + dropped %llu + TX errors %llu",
				 log, a, b, rx, gen, tx, drop, err);
		}
		n++;
	}
	fclose(f);
	assert_true(n > 0);
}

/* Every frame out, in order, MACs swapped, the rest unchanged. */
static void
test_macswap_pcap(void **state)
{
	const char *opts[] = { "--forward-mode=macswap", "--no-flush-rx",
			       "--duration=1", NULL };
	char in[192], out[192], log[192], vdev[512], err[PCAP_ERRBUF_SIZE];
	const uint8_t *data;
	struct pcap_pkthdr *h;
	unsigned int i, n = 0;
	pcap_t *pc;
	int rc;

	(void)state;
	for (i = 0; i < NB_FRAMES; i++)
		frame_build(&frames[i], i);
	snprintf(in, sizeof(in), "%s/in.pcap", fwd_dir);
	snprintf(out, sizeof(out), "%s/out.pcap", fwd_dir);
	snprintf(log, sizeof(log), "%s/macswap.log", fwd_dir);
	assert_int_equal(pcap_write(in, NB_FRAMES), 0);
	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,tx_pcap=%s", in,
		 out);
	assert_int_equal(fwd_run("pk_fwd_pcap1", vdev, opts, log, 0), 0);
	assert_true(log_has(log, "Accumulated forward statistics"));
	assert_balanced(log);
	snprintf(vdev, sizeof(vdev), "Balance P=0 -> P=0: RX %u + generated 0 "
		 "= TX %u + dropped 0 + TX errors 0", NB_FRAMES, NB_FRAMES);
	assert_true(log_has(log, vdev));

	pc = pcap_open_offline(out, err);
	assert_non_null(pc);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		const struct frame *f = &frames[n];

		assert_true(n < NB_FRAMES);
		assert_int_equal(h->caplen, f->len);
		assert_memory_equal(data, f->data + 6, 6);
		assert_memory_equal(data + 6, f->data, 6);
		assert_memory_equal(data + 12, f->data + 12, f->len - 12);
		n++;
	}
	pcap_close(pc);
	assert_int_equal(n, NB_FRAMES);
}

/* io with a demux: matching and unmatched frames all come out, counted. */
static void
test_io_demux_pcap(void **state)
{
	const char *opts[] = { "--forward-mode=io", "--no-flush-rx",
			       "--duration=1", "--flows=16", NULL };
	char in[192], out[192], log[192], vdev[512], err[PCAP_ERRBUF_SIZE];
	const uint8_t *data;
	struct pcap_pkthdr *h;
	unsigned int i, n = 0;
	char want[64];
	pcap_t *pc;

	(void)state;
	for (i = 0; i < 4 * NB_FLOWS; i++)
		frame_flow(&frames[i], i);
	snprintf(in, sizeof(in), "%s/flows.pcap", fwd_dir);
	snprintf(out, sizeof(out), "%s/flows_out.pcap", fwd_dir);
	snprintf(log, sizeof(log), "%s/demux.log", fwd_dir);
	assert_int_equal(pcap_write(in, 4 * NB_FLOWS), 0);
	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,tx_pcap=%s", in,
		 out);
	assert_int_equal(fwd_run("pk_fwd_pcap2", vdev, opts, log, 0), 0);
	pc = pcap_open_offline(out, err);
	assert_non_null(pc);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		assert_int_equal(h->caplen, 60);
		n++;
	}
	pcap_close(pc);
	assert_int_equal(n, 4 * NB_FLOWS);
	assert_balanced(log);
	/* half the frames match one of the 16 keys, the others miss (and
	 * go to the miss stage, TX: the demux hands on all of them, and
	 * neither drops nor refuses one) */
	snprintf(want, sizeof(want), "in=%u out=%u\n", 4 * NB_FLOWS,
		 4 * NB_FLOWS);
	assert_true(log_has(log, want));
}

/*
 * --rxq=2 --txq=2 on two forwarding lcores (sharing one CPU here): four
 * streams, each queue served by one lcore, and both lcores forward.
 */
static void
test_multi_queue_two_lcores(void **state)
{
	const char *opts[] = { "--forward-mode=io", "--rxq=2", "--txq=2",
			       "--nb-cores=2", "--duration=1", NULL };
	static const char *const want[] = {
		"Logical Core 1 (socket 0) forwards packets on stream: "
		"RX P=0/Q=0 -> TX P=1/Q=0",
		"Logical Core 2 (socket 0) forwards packets on stream: "
		"RX P=1/Q=0 -> TX P=0/Q=0",
		"Logical Core 1 (socket 0) forwards packets on stream: "
		"RX P=0/Q=1 -> TX P=1/Q=1",
		"Logical Core 2 (socket 0) forwards packets on stream: "
		"RX P=1/Q=1 -> TX P=0/Q=1",
	};
	char log[192], idle[64], name[16];
	unsigned int i;
	int rc;

	(void)state;
	snprintf(log, sizeof(log), "%s/mq.log", fwd_dir);
	fwd_lcores = "0@0,1@1,2@1";
	fwd_vdev2 = "net_null1";
	rc = fwd_run("pk_fwd_mq", "net_null0", opts, log, 0);
	fwd_lcores = "0,1";
	fwd_vdev2 = NULL;
	assert_int_equal(rc, 0);
	for (i = 0; i < RTE_DIM(want); i++)
		assert_true(log_has(log, want[i]));
	assert_balanced(log);
	for (i = 0; i < 4; i++) { /* every stream's thread forwarded */
		snprintf(name, sizeof(name), "thread%u", i);
		snprintf(idle, sizeof(idle), "%-16s %-14s in=0 ", name,
			 "thread_continuation");
		assert_true(log_has(log, name));
		assert_false(log_has(log, idle));
	}
}

static void
test_bad_option_exits_2(void **state)
{
	const char *bad[][3] = {
		{ "--forward-mode=nosuch", NULL, NULL },
		{ "--burst=0", NULL, NULL },
		{ "--stats-period", "x", NULL },
		{ "--eth-peer=0", NULL, NULL },
		{ "--no-such-option", NULL, NULL },
	};
	char log[192];
	unsigned int i;

	(void)state;
	snprintf(log, sizeof(log), "%s/bad.log", fwd_dir);
	for (i = 0; i < RTE_DIM(bad); i++) {
		assert_int_equal(fwd_run("pk_fwd_bad", "net_null0", bad[i], log,
					 0), 2);
		assert_true(log_has(log, "usage:"));
	}
}

/* SIGINT: a clean stop with testpmd's blocks; stats every period. */
static void
test_sigint_prints_final_stats(void **state)
{
	const char *opts[] = { "--forward-mode=macswap", "--stats-period", "1",
			       NULL };
	char log[192];

	(void)state;
	snprintf(log, sizeof(log), "%s/sigint.log", fwd_dir);
	assert_int_equal(fwd_run("pk_fwd_int", "net_null0", opts, log, 3), 0);
	assert_true(log_has(log, "NIC statistics for port 0"));
	assert_true(log_has(log, "Tx-pps:"));
	assert_true(log_has(log, "Forward statistics for port 0"));
	assert_true(log_has(log, "Accumulated forward statistics for all"));
	assert_true(log_has(log, "proc_macswap"));
	assert_true(log_has(log, "Done."));
	assert_balanced(log);
}

static void
fwd_cleanup(void)
{
	char cmd[160];

	if (fwd_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fwd_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", fwd_dir);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_macswap_pcap,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_io_demux_pcap,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_multi_queue_two_lcores,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bad_option_exits_2,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sigint_prints_final_stats,
					  pk_test_teardown_pools_full),
	};
	int rc;

	if (argc < 2 || access(argv[1], X_OK) != 0) {
		fprintf(stderr, "usage: %s <pk-fwd binary>: not given or not "
			"executable, skipping\n", argv[0]);
		return PK_TEST_SKIP;
	}
	fwd_bin = argv[1];
	snprintf(fwd_dir, sizeof(fwd_dir), "/tmp/pk_fwd_pcap_XXXXXX");
	if (mkdtemp(fwd_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	atexit(fwd_cleanup);
	pk_test_eal_init("test_fwd_pcap", NULL, NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
