/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Namespaces, servers and application threads for the netns tests
 * (netns_env.h). The node namespace's kernel must leave up0's frames to the
 * node: no IPv6 on up0, no ARP answers there (arp_ignore=8), and strict
 * reverse-path filtering, so that what arrives on up0 for the node's
 * addresses (which live on the node's TAP) is not taken by the kernel
 * directly. Neither end offloads TX checksums: the frames cross user space,
 * where nobody completes one.
 */
#define _GNU_SOURCE /* setns() */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "netns_env.h"
#include "pk_test.h"

char ne_ns_node[32], ne_ns_client[32];
static pid_t servers[NE_MAX_SERVERS];
static unsigned int nb_servers;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char failure[512];

int
ne_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

void
ne_require(const char *test_name, const char *tools)
{
	if (geteuid() != 0) {
		printf("%s: needs root (network namespaces): skipped\n",
		       test_name);
		exit(PK_TEST_SKIP);
	}
	if (ne_sh("for t in %s; do command -v $t || exit 1; done >/dev/null",
		  tools) != 0) {
		printf("%s: needs %s (devtools/install-deps.sh): skipped\n",
		       test_name, tools);
		exit(PK_TEST_SKIP);
	}
	pk_test_require_cores(test_name, 2);
}

void
ne_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < nb_servers; i++) {
		kill(-servers[i], SIGTERM); /* its group: socat's children */
		waitpid(servers[i], NULL, 0);
	}
	nb_servers = 0;
	if (ne_ns_node[0] != '\0')
		ne_sh("ip netns del %s 2>/dev/null", ne_ns_node);
	if (ne_ns_client[0] != '\0')
		ne_sh("ip netns del %s 2>/dev/null", ne_ns_client);
	ne_ns_node[0] = ne_ns_client[0] = '\0';
}

static void
on_signal(int sig)
{
	ne_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
ne_enter(const char *name)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

int
ne_setup(const char *tag, const char *mac, const char *const *addrs)
{
	const char *n = ne_ns_node, *c = ne_ns_client;
	unsigned int i;

	snprintf(ne_ns_node, sizeof(ne_ns_node), "%sn%d", tag, (int)getpid());
	snprintf(ne_ns_client, sizeof(ne_ns_client), "%sc%d", tag,
		 (int)getpid());
	atexit(ne_cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGABRT, on_signal);
	if (ne_sh("ip netns add %s && ip netns add %s", n, c) != 0 ||
	    ne_sh("ip -n %s link add up0 type veth peer name eth0 netns %s",
		  n, c) != 0 ||
	    ne_sh("ip netns exec %s sysctl -qw "
		  "net.ipv6.conf.up0.disable_ipv6=1 "
		  "net.ipv4.conf.up0.arp_ignore=8 "
		  "net.ipv4.conf.up0.rp_filter=1 "
		  "net.ipv4.conf.all.rp_filter=1", n) != 0 ||
	    ne_sh("ip -n %s link set up0 up && ip -n %s link set lo up", n,
		  n) != 0 ||
	    ne_sh("ip -n %s link set eth0 address %s && ip -n %s link set lo "
		  "up && ip -n %s link set eth0 up", c, mac, c, c) != 0)
		return -1;
	for (i = 0; addrs[i] != NULL; i++)
		if (ne_sh("ip -n %s addr add %s dev eth0%s", c, addrs[i],
			  strchr(addrs[i], ':') != NULL ? " nodad" : "") != 0)
			return -1;
	ne_sh("ip netns exec %s ethtool -K up0 tx off >/dev/null 2>&1", n);
	ne_sh("ip netns exec %s ethtool -K eth0 tx off >/dev/null 2>&1", c);
	return 0;
}

unsigned int
ne_eal_start(const char *test_name, unsigned int n, struct rte_mempool **pool,
	     uint16_t *uplink)
{
	static const char *const vdevs[] = { "net_af_packet0,iface=up0", NULL };
	struct pk_port_conf pc = { 0 };

	pk_test_eal_init(test_name, vdevs, NULL);
	*pool = pk_test_pool(test_name, n);
	pc.mp = *pool;
	if (pk_port_lookup("net_af_packet0", uplink) != 0 ||
	    pk_port_setup(*uplink, &pc) != 0) {
		fprintf(stderr, "%s: cannot set the uplink up\n", test_name);
		exit(1);
	}
	return rte_get_next_lcore(-1, 1, 0);
}

int
ne_server(const char *cmd, char proto, uint16_t port)
{
	pid_t pid;
	int i;

	if (nb_servers == NE_MAX_SERVERS)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid); /* whichever of us runs first */
	servers[nb_servers++] = pid;
	for (i = 0; i < 100; i++) {
		if (ne_sh("ss -Hln%c 'sport = :%u' | grep -q .", proto,
			  port) == 0)
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			nb_servers--;
			return -1;
		}
		usleep(50000);
	}
	return -1;
}

int
ne_fail(int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&fail_lock);
	if (failure[0] == '\0')
		snprintf(failure, sizeof(failure), "line %d: %s", line, msg);
	pthread_mutex_unlock(&fail_lock);
	return -1;
}

uint64_t
ne_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

struct ne_app {
	ne_body_t fn;
	void *arg;
	int rc;
};

static void *
ne_app_main(void *p)
{
	struct ne_app *a = p;

	if (rte_thread_register() != 0) {
		a->rc = ne_fail(__LINE__, "rte_thread_register failed");
		return NULL;
	}
	a->rc = a->fn(a->arg);
	rte_thread_unregister();
	return NULL;
}

int
ne_app_run(unsigned int n, const ne_body_t *fn, void *const *arg)
{
	struct ne_app app[NE_MAX_SERVERS];
	pthread_t tid[NE_MAX_SERVERS];
	unsigned int i, started = 0;
	int rc = 0;

	failure[0] = '\0';
	for (i = 0; i < n && i < NE_MAX_SERVERS; i++) {
		app[i] = (struct ne_app){ fn[i], arg[i], -1 };
		if (pthread_create(&tid[i], NULL, ne_app_main, &app[i]) != 0) {
			rc = ne_fail(__LINE__, "pthread_create failed");
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(tid[i], NULL);
		if (app[i].rc != 0)
			rc = -1;
	}
	if (rc != 0)
		fprintf(stderr, "application thread failed: %s\n", failure);
	return rc;
}
