// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The instruction sets bowlby's kernels use, and the small tools they share: SSE2 everywhere on
// x86-64; AVX2 (vectors twice as wide) where the compiler can target it (GCC and Clang on x86)
// and the processor has it, chosen once at run time. Kernels are written once over a vector
// type and included twice (see vectors_isa.ipp): once in namespace sse2, once in namespace
// avx2 between BOWLBY_AVX2_REGION_BEGIN and BOWLBY_AVX2_REGION_END.
#pragma once

#include <Eigen/Core>

#if defined(__SSE2__) || defined(_M_X64)
#define BOWLBY_SIMD_SSE2 1
#include <emmintrin.h>
#endif
#if defined(BOWLBY_SIMD_SSE2) && (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || defined(__i386__)) && !defined(BOWLBY_NO_AVX2)
#define BOWLBY_SIMD_AVX2 1
#include <immintrin.h>
// Functions defined between these two are compiled for AVX2, FMA and POPCNT (whatever the
// translation unit targets); they run only where simd_avx2() says the processor has them.
#if defined(__clang__)
#define BOWLBY_AVX2_REGION_BEGIN \
    _Pragma("clang attribute push(__attribute__((target(\"avx2,fma,popcnt\"))), apply_to = function)")
#define BOWLBY_AVX2_REGION_END _Pragma("clang attribute pop")
#else
#define BOWLBY_AVX2_REGION_BEGIN _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma,popcnt\")")
#define BOWLBY_AVX2_REGION_END _Pragma("GCC pop_options")
#endif
#endif

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace bowlby::detail {

// Whether the processor runs AVX2 and FMA (asked once), and a switch that holds the kernel to
// SSE2 (tests use it, to check both against the general code on processors that have AVX2).
inline std::atomic<bool>& simd_sse2_only() {
    static std::atomic<bool> only{false};
    return only;
}
inline bool simd_avx2() {
#if defined(BOWLBY_SIMD_AVX2)
    // Asked of the processor even where the compiler targets AVX2, so that every translation
    // unit has the same definition.
    static const bool has =
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt");
    return has && !simd_sse2_only().load(std::memory_order_relaxed);
#else
    return false;
#endif
}

inline int lowest_bit(std::uint64_t m) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(m);
#else
    int n = 0;
    while (!(m & 1)) {
        m >>= 1;
        ++n;
    }
    return n;
#endif
}
inline int bit_count(std::uint64_t m) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_popcountll(m);
#else
    int n = 0;
    for (; m != 0; m &= m - 1) ++n;
    return n;
#endif
}

// Asks for the cache lines of the `bytes` that lie row_prefetch_distance past `at`, ahead of
// their use. The row loops spend long enough on each row that a processor's own prefetcher does
// not always run far enough ahead of them. Only a hint: the addresses are computed as
// integers, and one past the data's end does not fault.
inline constexpr std::uintptr_t row_prefetch_distance = 2048;  // the best of 1, 2, 4 and 8 KiB measured
inline void prefetch_ahead(const void* at, std::size_t bytes) {
#if defined(__GNUC__) || defined(__clang__)
    const std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(at) + row_prefetch_distance;
    for (std::uintptr_t line = begin & ~std::uintptr_t{63}; line < begin + bytes; line += 64)
        __builtin_prefetch(reinterpret_cast<const void*>(line));
#else
    (void)at;
    (void)bytes;
#endif
}

// After streamed (non-temporal) stores: they are seen before any later store.
inline void stream_fence() {
#if defined(BOWLBY_SIMD_SSE2)
    _mm_sfence();
#endif
}

}  // namespace bowlby::detail

// Complete unrolling of loops with a constant count (GCC does not at -O2).
#if defined(__clang__)
#define BOWLBY_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define BOWLBY_UNROLL _Pragma("GCC unroll 16")
#else
#define BOWLBY_UNROLL
#endif
