/* /proc/PID/stat parsing (command names may contain anything), ELF
 * static-link detection, interface formatting. */
#include "testutil.h"

#include <elf.h>
#include <sys/mman.h>
#include <sys/socket.h>

static void stat_parse(void **state)
{
	struct vs_procstat st;
	const char *line = "1234 (we) ird) ) S 1 1234 1234 0 -1 4194560 100 0 0 0 "
			   "7 3 0 0 20 0 1 0 98765 1048576 256 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
			   "0 17 0 0 0 0 0 0\n";
	(void)state;
	assert_int_equal(vs_proc_stat_parse(line, &st), 0);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.utime, 7);
	assert_int_equal(st.stime, 3);
	assert_int_equal(st.starttime, 98765);
	assert_int_equal(st.vsize, 1048576);
	assert_int_equal(st.rss, 256);
	const char *bad[] = { "", "1234 no paren", "1 (x)", "1 (x) S", "1 (x) S 1 2 3",
			      "1 (x)S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21",
			      "1 (x) S a b c" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vs_proc_stat_parse(bad[i], &st), -EINVAL);
	/* our own process */
	assert_int_equal(vs_proc_stat(getpid(), &st), 0);
	assert_int_equal(st.ppid, getppid());
	assert_true(vs_proc_alive(getpid(), st.starttime));
	assert_false(vs_proc_alive(getpid(), st.starttime + 1));
	assert_false(vs_proc_alive(0, 0));
}

static int elf_file(bool interp, bool is64)
{
	int fd = memfd_create("elf", 0);
	if (is64) {
		Elf64_Ehdr eh = { 0 };
		Elf64_Phdr ph = { 0 };
		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		eh.e_phoff = sizeof(eh);
		eh.e_phentsize = sizeof(ph);
		eh.e_phnum = 1;
		ph.p_type = interp ? PT_INTERP : PT_LOAD;
		assert_int_equal(write(fd, &eh, sizeof(eh)), sizeof(eh));
		assert_int_equal(write(fd, &ph, sizeof(ph)), sizeof(ph));
	} else {
		Elf32_Ehdr eh = { 0 };
		Elf32_Phdr ph = { 0 };
		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS32;
		eh.e_phoff = sizeof(eh);
		eh.e_phentsize = sizeof(ph);
		eh.e_phnum = 1;
		ph.p_type = interp ? PT_INTERP : PT_LOAD;
		assert_int_equal(write(fd, &eh, sizeof(eh)), sizeof(eh));
		assert_int_equal(write(fd, &ph, sizeof(ph)), sizeof(ph));
	}
	return fd;
}

static void elf_static(void **state)
{
	int fd;
	(void)state;
	fd = elf_file(false, true);
	assert_int_equal(vs_elf_is_static(fd), 1);
	close(fd);
	fd = elf_file(true, true);
	assert_int_equal(vs_elf_is_static(fd), 0);
	close(fd);
	fd = elf_file(false, false);
	assert_int_equal(vs_elf_is_static(fd), 1);
	close(fd);
	fd = elf_file(true, false);
	assert_int_equal(vs_elf_is_static(fd), 0);
	close(fd);
	fd = memfd_create("x", 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	assert_int_equal(vs_elf_is_static(fd), -ENOEXEC);
	close(fd);
	fd = memfd_create("x", 0);
	assert_int_equal(vs_elf_is_static(fd), -ENOEXEC);
	close(fd);
}

static void iface_roundtrip(void **state)
{
	const char *specs[] = { "10.0.0.1/8", "eth0:192.168.1.5/24", "web=br0:2001:db8::1/64",
				"lbl=172.16.0.1/32" };
	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct vs_iface a, b;
		char buf[128];
		assert_int_equal(vs_iface_parse(specs[i], &a, NULL, 0), 0);
		assert_int_equal(vs_iface_format(&a, buf, sizeof(buf)), 0);
		assert_string_equal(buf, specs[i]);
		assert_int_equal(vs_iface_parse(buf, &b, NULL, 0), 0);
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

static void env_and_term(void **state)
{
	char **env;
	(void)state;
	assert_true(vs_term_valid("xterm-256color"));
	assert_true(vs_term_valid("screen.linux"));
	assert_false(vs_term_valid("x$(id)"));
	assert_false(vs_term_valid("a b"));
	assert_false(vs_term_valid(""));
	assert_false(vs_term_valid(NULL));
	env = vs_guest_env("vt100");
	assert_int_equal(vs_strv_len(env), 5);
	assert_string_equal(env[4], "TERM=vt100");
	vs_strv_free(env);
	env = vs_guest_env("bad;term");
	assert_int_equal(vs_strv_len(env), 4);
	for (char **e = env; *e; e++)
		assert_null(strstr(*e, "TERM"));
	vs_strv_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_parse),
		cmocka_unit_test(elf_static),
		cmocka_unit_test(iface_roundtrip),
		cmocka_unit_test(env_and_term),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
