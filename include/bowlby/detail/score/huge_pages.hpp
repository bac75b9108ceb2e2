// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Large score tables on Linux: asks the kernel for transparent huge pages (2 MiB) for the
// whole 2 MiB pages inside a buffer that has not been written yet. A table of 10 million rows
// is 260 MB; with 4 KiB pages, writing it for the first time takes 63,000 page faults, which
// cost more than scoring the rows. Where the system does not have them (or is set to `never`),
// the request is ignored and nothing changes.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#endif

namespace bowlby::detail {

// Buffers smaller than this keep the pages they have.
inline constexpr std::size_t huge_page_threshold = std::size_t{8} << 20;

inline void advise_huge_pages(void* data, std::size_t bytes) noexcept {
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
    if (data == nullptr || bytes < huge_page_threshold) return;
    constexpr std::uintptr_t page = std::uintptr_t{2} << 20;
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + page - 1) & ~(page - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(page - 1);
    if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
    (void)data;
    (void)bytes;
#endif
}

}  // namespace bowlby::detail
