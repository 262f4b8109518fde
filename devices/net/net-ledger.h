/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The ledger of persistent adapters: <runtime>/owned-netdevs/ENDPOINT, one file per adapter
 * made with persist = yes, holding "vwire-netdev 1 IFINDEX NETNS IFNAME" (NETNS "-" for vwired's
 * own namespace). A persistent adapter outlives a crash of vwired; the next vwired with that
 * runtime directory reads these files and deletes each adapter that is still the one recorded
 * (same ifindex and name, carrying vwire's mark of a vwired that no longer runs).
 */

struct vw_net_record {
        int ifindex;
        char netns[65];  /* "-": vwired's own namespace */
        char ifname[16];
};

/* One record file's text. 0, or -EINVAL for anything that is not exactly a record. */
int vw_net_ledger_parse(const char *text, struct vw_net_record *ret);

int vw_net_ledger_add(const char *runtime_dir, const char *endpoint, const char *netns, const char *ifname,
                      int ifindex);
void vw_net_ledger_remove(const char *runtime_dir, const char *endpoint);
/* At start, before any endpoint: delete what a crashed vwired left, as described above. */
void vw_net_remove_stale(const char *runtime_dir);
