#include "nh_faiss_ext.h"
#include "guard.h"

#include <faiss/IndexFlatCodes.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/utils/random.h>

#include <omp.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace {

template <typename T>
int64_t bytes_of(const std::vector<T>& v) {
    return static_cast<int64_t>(v.size() * sizeof(T));
}

// The index under any IndexIDMap wrappers (the factory's "IDMap," prefix).
const faiss::Index* innermost(const faiss::Index* index) {
    while (auto* map = dynamic_cast<const faiss::IndexIDMap*>(index))
        index = map->index;
    return index;
}

faiss::IndexHNSW& require_hnsw(FaissIndex* index) {
    auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(
            const_cast<faiss::Index*>(innermost(reinterpret_cast<faiss::Index*>(index))));
    if (hnsw == nullptr)
        throw std::invalid_argument("nh_faiss: the index is not an HNSW index (IndexHNSW or IDMap over it)");
    return *hnsw;
}

int64_t memory_bytes(const faiss::Index* index) {
    int64_t total = 0;
    while (auto* map = dynamic_cast<const faiss::IndexIDMap*>(index)) {
        total += bytes_of(map->id_map);
        index = map->index;
    }
    if (auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(index)) {
        total += bytes_of(hnsw->hnsw.neighbors) + bytes_of(hnsw->hnsw.levels) + bytes_of(hnsw->hnsw.offsets);
        index = hnsw->storage;
    }
    if (auto* flat = dynamic_cast<const faiss::IndexFlatCodes*>(index))
        total += bytes_of(flat->codes);
    else if (index != nullptr)
        throw std::invalid_argument("nh_faiss: memory accounting knows IDMap, HNSW and flat-code storage only");
    return total;
}

} // namespace

extern "C" {

int nh_faiss_version(int* major, int* minor, int* patch) {
    *major = FAISS_VERSION_MAJOR;
    *minor = FAISS_VERSION_MINOR;
    *patch = FAISS_VERSION_PATCH;
    return OK;
}

int nh_faiss_hnsw_configure_build(FaissIndex* index, int ef_construction, int64_t seed) {
    return nh_faiss::guarded([&] {
        if (ef_construction < 1)
            throw std::invalid_argument("nh_faiss: efConstruction must be at least 1");
        auto& hnsw = require_hnsw(index).hnsw;
        hnsw.efConstruction = ef_construction;
        hnsw.rng = faiss::RandomGenerator(seed);
    });
}

int nh_faiss_hnsw_get_ef(const FaissIndex* index, int* ef_search, int* ef_construction) {
    return nh_faiss::guarded([&] {
        auto& hnsw = require_hnsw(const_cast<FaissIndex*>(index)).hnsw;
        *ef_search = hnsw.efSearch;
        *ef_construction = hnsw.efConstruction;
    });
}

int nh_faiss_memory_bytes(const FaissIndex* index, int64_t* bytes) {
    return nh_faiss::guarded([&] { *bytes = memory_bytes(reinterpret_cast<const faiss::Index*>(index)); });
}

void nh_faiss_omp_set_num_threads(int n) {
    omp_set_num_threads(n > 0 ? n : omp_get_num_procs());
}

int nh_faiss_omp_get_max_threads(void) {
    return omp_get_max_threads();
}

} // extern "C"
