/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device filter of a container whose cgroup is on cgroup v2 without a
 * v1 devices controller: linux.resources.devices as a
 * BPF_PROG_TYPE_CGROUP_DEVICE program (devices-bpf.c).
 *
 * Errors follow oci.h: a negative errno and oci_errmsg. */
#ifndef VS_OCI_DEVICES_BPF_H
#define VS_OCI_DEVICES_BPF_H

#include <stddef.h>
#include <linux/bpf.h>

#include "oci.h"

/* Which mechanism enforces linux.resources.devices.  VSERVER_OCI_DEVICES
 * (auto, v1, ebpf) overrides the choice; auto is v1 where the host has the
 * v1 devices controller, else eBPF. */
enum oci_devmode { OCI_DEV_AUTO, OCI_DEV_V1, OCI_DEV_EBPF };
int oci_devices_mode(enum oci_devmode *mode);

/* Translates rules (in spec order: the last one that matches a device and
 * an access decides; none matching denies) into a program.  *insns is
 * malloc'd; *n its length. */
int oci_devbpf_build(const struct oci_devrule *rules, size_t n_rules,
		     struct bpf_insn **insns, size_t *n);

/* Loads the program and attaches it to the cgroup directory cgfd
 * (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI); programs attached there before
 * are detached afterwards, so the new rules replace them. */
int oci_devbpf_attach(int cgfd, const struct bpf_insn *insns, size_t n);

/* 0 when this process can load a device program, else -errno and
 * oci_errmsg saying why. */
int oci_devbpf_probe(void);

#endif
