// Advice to the kernel about the pages of large, long-lived work buffers (Linux; elsewhere a no-op).
#pragma once

#include <cstddef>

namespace gankit {

// Asks for the whole 2 MiB pages inside [data, data + bytes) to be transparent huge pages (THP in
// "madvise" mode, as Debian ships it); call it before any of them is written. For the few buffers
// streamed through many times: on 4 KiB pages such a pass misses the TLB every 4 KiB and the
// hardware prefetcher stops at each page boundary, and under a hypervisor each miss walks two page
// tables. On the 2-core development VM a streaming read ran at 12-14 GB/s on 2 MiB pages against
// 2.4-7.3 GB/s on 4 KiB ones, and the 1-D passes over SWD's projections 26 % faster
// (docs/results.md). The price is paid when the pages are first touched, and there it depends on
// the machine: 0.14 s per GiB, but 2.7 s where the VM's host had not backed that memory yet (4 KiB
// pages: 0.5-1.1 s). For buffers written once and read a few times it cost more than it saved:
// only for the hot ones.
void advise_huge_pages(void* data, std::size_t bytes);

}  // namespace gankit
