/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Is an executable statically linked?  Programs we copy into guests or run
 * inside them (the init helper, busybox) must not depend on a dynamic
 * loader, which the guest may not have — or may have replaced. */
#include "internal.h"

#include <elf.h>

int vs_elf_is_static(int fd)
{
	Elf64_Ehdr eh;
	Elf32_Ehdr eh32;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (eh.e_ident[EI_CLASS] == ELFCLASS64) {
		if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 512)
			return -ENOEXEC;
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
			    (ssize_t)sizeof(ph))
				return -ENOEXEC;
			if (ph.p_type == PT_INTERP)
				return 0;
		}
		return 1;
	}
	if (eh.e_ident[EI_CLASS] == ELFCLASS32) {
		if (pread(fd, &eh32, sizeof(eh32), 0) != (ssize_t)sizeof(eh32) ||
		    eh32.e_phentsize != sizeof(Elf32_Phdr) || eh32.e_phnum > 512)
			return -ENOEXEC;
		for (unsigned i = 0; i < eh32.e_phnum; i++) {
			Elf32_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh32.e_phoff + i * sizeof(ph))) !=
			    (ssize_t)sizeof(ph))
				return -ENOEXEC;
			if (ph.p_type == PT_INTERP)
				return 0;
		}
		return 1;
	}
	return -ENOEXEC;
}
