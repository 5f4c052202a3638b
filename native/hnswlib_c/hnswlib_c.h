// A C ABI over hnswlib's HierarchicalNSW<float> (hnswlib 0.6.2, header-only), for NativeHnsw's comparison runs.
//
// Every function returns a status (nh_hnsw_status) unless it cannot fail; no C++ exception crosses this boundary.
// After a failure, nh_hnsw_last_error() returns the message of the calling thread's last failure (valid until that
// thread's next failing call).
//
// Threading: add, add_batch and search may run concurrently on one index (hnswlib's own locking; growing the
// capacity takes an exclusive lock here). search uses the ef last given to nh_hnsw_set_ef: hnswlib 0.6.2 keeps ef in
// the index, not per query, so concurrent searches must agree on ef. save takes the exclusive lock. free must not
// race anything (the managed SafeHandle guarantees that).
#ifndef NH_HNSWLIB_C_H
#define NH_HNSWLIB_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nh_hnsw nh_hnsw;

typedef enum nh_hnsw_status {
    NH_HNSW_OK = 0,
    /// An argument was rejected (null pointer, non-positive size, unknown space, dimension mismatch on load).
    NH_HNSW_INVALID_ARGUMENT = -1,
    /// hnswlib raised std::runtime_error: an I/O failure, or more elements than the capacity.
    NH_HNSW_RUNTIME_ERROR = -2,
    /// An allocation failed.
    NH_HNSW_OUT_OF_MEMORY = -3,
    /// Any other std::exception.
    NH_HNSW_STD_EXCEPTION = -4,
    /// Anything that is not a std::exception.
    NH_HNSW_UNKNOWN_EXCEPTION = -5,
} nh_hnsw_status;

typedef enum nh_hnsw_space {
    /// Squared Euclidean distance (hnswlib's L2Space returns no square root).
    NH_HNSW_SPACE_L2 = 0,
    /// 1 - dot(a, b) (hnswlib's InnerProductSpace). Cosine = normalised vectors in this space.
    NH_HNSW_SPACE_IP = 1,
} nh_hnsw_space;

/// Creates an empty index. initial_capacity is hnswlib's max_elements; add_batch grows it on demand.
int nh_hnsw_create(int space, int dim, int m, int ef_construction, uint64_t seed, int64_t initial_capacity,
                   nh_hnsw** out);

/// Loads an index written by nh_hnsw_save. space and dim must be the ones it was built with: hnswlib's file does not
/// record the space, and a dimension that does not match the file fails with NH_HNSW_INVALID_ARGUMENT.
int nh_hnsw_load(int space, int dim, const char* path, nh_hnsw** out);

void nh_hnsw_free(nh_hnsw* index);

int nh_hnsw_add(nh_hnsw* index, int64_t label, const float* vector);

/// Adds n row-major vectors with hnswlib's addPoint on num_threads threads (<= 0: hardware concurrency), the way
/// hnswlib's Python binding does. A label already present is updated in place (hnswlib's semantics).
int nh_hnsw_add_batch(nh_hnsw* index, int64_t n, const int64_t* labels, const float* vectors, int num_threads);

int nh_hnsw_set_ef(nh_hnsw* index, int ef);

/// Writes up to k nearest hits, closest first, into labels/distances; *found receives how many were written.
int nh_hnsw_search(nh_hnsw* index, const float* query, int k, int64_t* labels, float* distances, int* found);

int nh_hnsw_save(nh_hnsw* index, const char* path);

int64_t nh_hnsw_count(const nh_hnsw* index);

int nh_hnsw_dim(const nh_hnsw* index);

/// Heap bytes the index owns: level-0 block, upper-level link lists, per-node locks, levels and the label map
/// (an estimate of the map's node overhead; allocator slack excluded).
int64_t nh_hnsw_memory_bytes(const nh_hnsw* index);

/// Indexes created or loaded and not yet freed, process-wide: lets tests prove handles are released.
int64_t nh_hnsw_live_indexes(void);

const char* nh_hnsw_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
