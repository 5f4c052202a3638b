// NativeHnsw's own additions to FAISS's C API, for parity with hnswlib and our index where the 1.7.3 C API has no
// entry point. Every name starts with nh_faiss_ so it can never collide with FAISS's. A real libfaiss_c.so from a
// FAISS build does not have them: callers probe for them and degrade (see FaissNative.cs).
//
// Status codes are FAISS's (error_c.h): 0 OK, -1 unknown exception, -2 FaissException, -4 std::exception; the message
// of the last failure on the calling thread is read with faiss_get_last_error().
#ifndef NH_FAISS_EXT_H
#define NH_FAISS_EXT_H

#include <faiss/c_api/Index_c.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// FAISS_VERSION_{MAJOR,MINOR,PATCH} of the headers this library was compiled against.
int nh_faiss_version(int* major, int* minor, int* patch);

/// Sets what the C API cannot: HNSW efConstruction and the seed of the level draw (FAISS 1.7.3 seeds it with a
/// constant). Call before the first add. Looks through IndexIDMap wrappers; fails with -4 on a non-HNSW index.
int nh_faiss_hnsw_configure_build(FaissIndex* index, int ef_construction, int64_t seed);

/// Reads HNSW efSearch and efConstruction. Looks through IndexIDMap wrappers.
int nh_faiss_hnsw_get_ef(const FaissIndex* index, int* ef_search, int* ef_construction);

/// Bytes held by the index's own vectors: codes, graph links, levels, offsets, id map (not allocator slack).
int nh_faiss_memory_bytes(const FaissIndex* index, int64_t* bytes);

/// Indexes created by faiss_index_factory or faiss_read_index_fname and not yet freed by faiss_Index_free.
int64_t nh_faiss_live_indexes(void);

/// omp_set_num_threads for the calling thread: OpenMP's thread count is a per-thread setting, so it must be called
/// on the thread that then calls add or search. n <= 0 restores omp_get_num_procs().
void nh_faiss_omp_set_num_threads(int n);

/// omp_get_max_threads on the calling thread.
int nh_faiss_omp_get_max_threads(void);

#ifdef __cplusplus
}
#endif

#endif
