/*
 * The int8 walk's kernel on AVX-512 VNNI: Σ codes[i] · query[i] for a batch of rows, codes unsigned, query signed,
 * exactly as NativeHnsw.Distance.Int8Kernels computes it (vpdpbusd does not saturate, and |255 · -128| · 65,536
 * dimensions stays below 2^31, so the int32 sums are exact in any order).
 *
 * The caller (NativeHnsw.Distance.NativeInt8Kernel) checks nh_kernels_abi() and nh_int8_vnni_supported() once, and then
 * calls nh_int8_dots once per expansion of the walk with every row of the batch: one call amortizes the transition.
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#define NH_EXPORT __attribute__((visibility("default")))

/* Raised when the signature or the meaning of an export changes; the managed side refuses any other value. */
NH_EXPORT int32_t nh_kernels_abi(void) { return 1; }

/* 1 when this CPU and OS run AVX-512F/BW with VNNI (libgcc also checks that the OS saves the zmm state). */
NH_EXPORT int32_t nh_int8_vnni_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vnni");
}

#define NH_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

/* Four rows' lane sums into four int32: two transposing adds leave each 128-bit lane holding a partial of every row. */
static inline NH_AVX512_VNNI __m128i reduce4(__m512i a0, __m512i a1, __m512i a2, __m512i a3)
{
    __m512i t01 = _mm512_add_epi32(_mm512_unpacklo_epi32(a0, a1), _mm512_unpackhi_epi32(a0, a1));
    __m512i t23 = _mm512_add_epi32(_mm512_unpacklo_epi32(a2, a3), _mm512_unpackhi_epi32(a2, a3));
    __m512i u = _mm512_add_epi32(_mm512_unpacklo_epi64(t01, t23), _mm512_unpackhi_epi64(t01, t23));
    __m256i v = _mm256_add_epi32(_mm512_castsi512_si256(u), _mm512_extracti64x4_epi64(u, 1));
    return _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

/*
 * dots[j] = Σ_i codes[nodes[j] · stride + i] · query[i] for j < count, i < dims. The last partial 64-byte chunk is read
 * with a masked load, so no byte past a row's dims is touched (a row's stored norm follows its codes).
 */
NH_EXPORT NH_AVX512_VNNI void nh_int8_dots(const uint8_t *codes, int64_t stride, const int32_t *nodes, int32_t count,
                                          const int8_t *query, int32_t dims, int32_t *dots)
{
    const int64_t full = dims / 64;
    const __mmask64 tail = (__mmask64)((1ULL << (dims % 64)) - 1);
    int32_t j = 0;
    for (; j + 4 <= count; j += 4)
    {
        const uint8_t *r0 = codes + (int64_t)nodes[j] * stride;
        const uint8_t *r1 = codes + (int64_t)nodes[j + 1] * stride;
        const uint8_t *r2 = codes + (int64_t)nodes[j + 2] * stride;
        const uint8_t *r3 = codes + (int64_t)nodes[j + 3] * stride;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
        int64_t at = 0;
        for (int64_t c = 0; c < full; c++, at += 64)
        {
            __m512i q = _mm512_loadu_si512(query + at);
            a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512(r0 + at), q);
            a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512(r1 + at), q);
            a2 = _mm512_dpbusd_epi32(a2, _mm512_loadu_si512(r2 + at), q);
            a3 = _mm512_dpbusd_epi32(a3, _mm512_loadu_si512(r3 + at), q);
        }
        if (tail)
        {
            __m512i q = _mm512_maskz_loadu_epi8(tail, query + at);
            a0 = _mm512_dpbusd_epi32(a0, _mm512_maskz_loadu_epi8(tail, r0 + at), q);
            a1 = _mm512_dpbusd_epi32(a1, _mm512_maskz_loadu_epi8(tail, r1 + at), q);
            a2 = _mm512_dpbusd_epi32(a2, _mm512_maskz_loadu_epi8(tail, r2 + at), q);
            a3 = _mm512_dpbusd_epi32(a3, _mm512_maskz_loadu_epi8(tail, r3 + at), q);
        }
        _mm_storeu_si128((__m128i *)(dots + j), reduce4(a0, a1, a2, a3));
    }
    for (; j < count; j++)
    {
        const uint8_t *r = codes + (int64_t)nodes[j] * stride;
        __m512i a = _mm512_setzero_si512();
        int64_t at = 0;
        for (int64_t c = 0; c < full; c++, at += 64)
            a = _mm512_dpbusd_epi32(a, _mm512_loadu_si512(r + at), _mm512_loadu_si512(query + at));
        if (tail)
            a = _mm512_dpbusd_epi32(a, _mm512_maskz_loadu_epi8(tail, r + at), _mm512_maskz_loadu_epi8(tail, query + at));
        dots[j] = _mm512_reduce_add_epi32(a);
    }
}
