/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_string_fns.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define MAX_EAL_ARGS 64

/* Does the NULL-terminated list args hold arg? */
static bool
has_arg(const char *const *args, const char *arg)
{
	for (; args != NULL && *args != NULL; args++)
		if (strcmp(*args, arg) == 0)
			return true;
	return false;
}

void
pk_test_eal_init(const char *test_name, const char *const *vdevs,
		 const char *const *extra)
{
	static char prefix[96];
	char *argv[MAX_EAL_ARGS];
	int argc = 0, i;

	snprintf(prefix, sizeof(prefix), "--file-prefix=pk_%s_%d", test_name,
		 (int)getpid());
	argv[argc++] = (char *)(uintptr_t)test_name;
	argv[argc++] = "--no-huge";
	argv[argc++] = "--no-shconf";
	argv[argc++] = "--no-pci";
	/* DPDK's --telemetry does not undo a --no-telemetry: leave it out */
	if (!has_arg(extra, "--telemetry"))
		argv[argc++] = "--no-telemetry";
	argv[argc++] = "-m";
	argv[argc++] = "512";
	argv[argc++] = "--log-level=lib.eal:error";
	argv[argc++] = prefix;
	for (i = 0; vdevs != NULL && vdevs[i] != NULL && argc < MAX_EAL_ARGS - 1;
	     i++) {
		argv[argc++] = "--vdev";
		argv[argc++] = (char *)(uintptr_t)vdevs[i];
	}
	for (i = 0; extra != NULL && extra[i] != NULL && argc < MAX_EAL_ARGS;
	     i++)
		argv[argc++] = (char *)(uintptr_t)extra[i];
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: cannot start the EAL: %s\n", test_name,
			rte_errno != 0 ? rte_strerror(rte_errno) :
			"see the EAL's messages above");
		exit(1);
	}
}

void
pk_test_require_cores(const char *test_name, unsigned int n)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	if (online < (long)n) {
		fprintf(stderr, "%s: needs %u cores, this machine has %ld: "
			"skipped\n", test_name, n, online);
		exit(PK_TEST_SKIP);
	}
}

/* Remove a runtime directory and the files in it (sockets, configs). */
static void
rm_dir_files(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

void
pk_test_rm_runtime_dir(const char *prefix)
{
	const char *base = getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR");
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/dpdk/%s", base != NULL ? base : "/tmp",
		 prefix);
	rm_dir_files(dir);
}

void
pk_test_eal_cleanup(void)
{
	char dir[PATH_MAX];

	/*
	 * The EAL leaves its runtime directory (/run/dpdk/<prefix>) behind,
	 * with the telemetry socket in it when telemetry is on.
	 */
	strlcpy(dir, rte_eal_get_runtime_dir(), sizeof(dir));
	/*
	 * A test that failed while a worker lcore still ran its function can
	 * leave the cleanup waiting for ever: let SIGALRM end the process (a
	 * failure for meson) rather than wait for meson's timeout.
	 */
	alarm(PK_TEST_CLEANUP_SECONDS);
	rte_eal_cleanup();
	alarm(0);
	rm_dir_files(dir);
}

struct rte_mempool *
pk_test_pool(const char *name, unsigned int n)
{
	struct rte_mempool *mp;

	mp = rte_pktmbuf_pool_create(name, n, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	assert_non_null(mp);
	return mp;
}

static void
pool_check(struct rte_mempool *mp, void *arg)
{
	unsigned int *bad = arg;

	if (!rte_mempool_full(mp)) {
		fprintf(stderr, "mempool %s: %u of %u mbufs not returned\n",
			mp->name, mp->size - rte_mempool_avail_count(mp),
			mp->size);
		(*bad)++;
	}
}

void
pk_test_assert_pools_full(void)
{
	unsigned int bad = 0;

	rte_mempool_walk(pool_check, &bad);
	assert_int_equal(bad, 0);
}

int
pk_test_teardown_pools_full(void **state)
{
	(void)state;
	pk_test_assert_pools_full();
	return 0;
}

struct rte_mbuf *
pk_test_udp4(struct rte_mempool *mp, uint16_t frame_len, uint8_t ttl,
	     uint32_t seq)
{
	static const struct rte_ether_addr src = {
		.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };
	static const struct rte_ether_addr dst = {
		.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	struct rte_mbuf *m;
	uint32_t *payload;
	char *p;

	assert_true(frame_len >= sizeof(*eh) + sizeof(*ip) + sizeof(*udp) +
					 sizeof(*payload));
	m = rte_pktmbuf_alloc(mp);
	assert_non_null(m);
	p = rte_pktmbuf_append(m, frame_len);
	assert_non_null(p);
	memset(p, 0, frame_len);
	eh = (struct rte_ether_hdr *)p;
	eh->src_addr = src;
	eh->dst_addr = dst;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(frame_len - sizeof(*eh));
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(1024);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(frame_len - sizeof(*eh) -
					  sizeof(*ip));
	payload = (uint32_t *)(udp + 1);
	seq = rte_cpu_to_be_32(seq);
	memcpy(payload, &seq, sizeof(seq)); /* at offset 42: not aligned */
	return m;
}

uint32_t
pk_test_seq(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t v;

	memcpy(&v, p + sizeof(struct rte_ether_hdr) +
			   sizeof(struct rte_ipv4_hdr) +
			   sizeof(struct rte_udp_hdr), sizeof(v));
	return rte_be_to_cpu_32(v);
}

void
pk_test_burst(struct rte_mempool *mp, struct rte_mbuf **pkts, uint16_t n,
	      uint32_t first)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		pkts[i] = pk_test_udp4(mp, 64, 64, first + i);
}

struct pk_acct
pk_test_owner_row(uint32_t owner, enum pk_acct_row row)
{
	struct pk_owner_stats st;

	assert_int_equal(pk_owner_stats_get(owner, &st), 0);
	return st.row[row];
}

struct pk_stage *
pk_test_ring(const char *name, unsigned int size)
{
	struct pk_stage *q = pk_queue_ring_create(name, size, 0, 0,
						  SOCKET_ID_ANY);

	assert_non_null(q);
	return q;
}

void
pk_test_drain_free(struct pk_stage *q, unsigned int expect)
{
	struct rte_mbuf *m[64];
	unsigned int n = 0, k;

	while ((k = pk_stage_pull(q, m, RTE_DIM(m))) != 0) {
		rte_pktmbuf_free_bulk(m, k);
		n += k;
	}
	assert_int_equal(n, expect);
}

int
pk_test_tel_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char greeting[1024];
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    read(fd, greeting, sizeof(greeting)) <= 0) {
		close(fd);
		return -1;
	}
	return fd;
}

const char *
pk_test_tel(int fd, const char *cmd, char *buf, size_t size)
{
	ssize_t n;

	assert_int_equal(write(fd, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	n = read(fd, buf, size - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	print_message("%s -> %s\n", cmd, buf);
	return buf;
}
