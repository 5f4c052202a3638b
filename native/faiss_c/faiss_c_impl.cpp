// The subset of FAISS's C API that NativeHnsw calls, implemented over the C++ library Debian ships (libfaiss-dev
// provides the C API headers but not the compiled libfaiss_c). The declarations come from FAISS's own headers, so a
// definition whose signature drifts from them is a compile error ("conflicting declaration of C function"), and a
// real libfaiss_c.so from a FAISS build is a drop-in replacement for this one.
#include "guard.h"
#include "nh_faiss_ext.h"

#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <faiss/c_api/AutoTune_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>

#include <atomic>
#include <string>

namespace {

thread_local std::string t_last_error;
// Indexes handed out by the factory or the reader and not yet freed: lets tests prove handles are released.
std::atomic<int64_t> s_live_indexes{0};

faiss::Index* unwrap(FaissIndex* index) { return reinterpret_cast<faiss::Index*>(index); }
const faiss::Index* unwrap(const FaissIndex* index) { return reinterpret_cast<const faiss::Index*>(index); }
FaissIndex* wrap(faiss::Index* index) { return reinterpret_cast<FaissIndex*>(index); }

const faiss::ParameterSpace* unwrap(const FaissParameterSpace* space) {
    return reinterpret_cast<const faiss::ParameterSpace*>(space);
}

} // namespace

void nh_faiss::set_last_error(const char* message) noexcept {
    try {
        t_last_error = message;
    } catch (...) {
        // Out of memory while recording the message: keep the status code, lose the text.
        t_last_error.clear();
    }
}

extern "C" {

const char* faiss_get_last_error() {
    return t_last_error.empty() ? nullptr : t_last_error.c_str();
}

// ---- Index -------------------------------------------------------------------------------------------------------

void faiss_Index_free(FaissIndex* obj) {
    if (obj == nullptr)
        return;
    delete unwrap(obj);
    s_live_indexes.fetch_sub(1, std::memory_order_relaxed);
}

int faiss_Index_d(const FaissIndex* index) {
    return unwrap(index)->d;
}

int faiss_Index_is_trained(const FaissIndex* index) {
    return unwrap(index)->is_trained ? 1 : 0;
}

idx_t faiss_Index_ntotal(const FaissIndex* index) {
    return unwrap(index)->ntotal;
}

FaissMetricType faiss_Index_metric_type(const FaissIndex* index) {
    return static_cast<FaissMetricType>(unwrap(index)->metric_type);
}

int faiss_Index_add(FaissIndex* index, idx_t n, const float* x) {
    return nh_faiss::guarded([&] { unwrap(index)->add(n, x); });
}

int faiss_Index_add_with_ids(FaissIndex* index, idx_t n, const float* x, const idx_t* xids) {
    return nh_faiss::guarded([&] { unwrap(index)->add_with_ids(n, x, xids); });
}

int faiss_Index_search(
        const FaissIndex* index,
        idx_t n,
        const float* x,
        idx_t k,
        float* distances,
        idx_t* labels) {
    return nh_faiss::guarded([&] { unwrap(index)->search(n, x, k, distances, labels); });
}

int faiss_Index_reset(FaissIndex* index) {
    return nh_faiss::guarded([&] { unwrap(index)->reset(); });
}

// ---- index_factory, index_io -------------------------------------------------------------------------------------

int faiss_index_factory(FaissIndex** p_index, int d, const char* description, FaissMetricType metric) {
    return nh_faiss::guarded([&] {
        *p_index = wrap(faiss::index_factory(d, description, static_cast<faiss::MetricType>(metric)));
        s_live_indexes.fetch_add(1, std::memory_order_relaxed);
    });
}

int faiss_write_index_fname(const FaissIndex* idx, const char* fname) {
    return nh_faiss::guarded([&] { faiss::write_index(unwrap(idx), fname); });
}

int faiss_read_index_fname(const char* fname, int io_flags, FaissIndex** p_out) {
    return nh_faiss::guarded([&] {
        *p_out = wrap(faiss::read_index(fname, io_flags));
        s_live_indexes.fetch_add(1, std::memory_order_relaxed);
    });
}

// ---- ParameterSpace (the C API's way to set efSearch) --------------------------------------------------------------

void faiss_ParameterSpace_free(FaissParameterSpace* obj) {
    delete reinterpret_cast<faiss::ParameterSpace*>(obj);
}

int faiss_ParameterSpace_new(FaissParameterSpace** space) {
    return nh_faiss::guarded([&] { *space = reinterpret_cast<FaissParameterSpace*>(new faiss::ParameterSpace()); });
}

int faiss_ParameterSpace_set_index_parameter(
        const FaissParameterSpace* space,
        FaissIndex* index,
        const char* name,
        double value) {
    return nh_faiss::guarded([&] { unwrap(space)->set_index_parameter(unwrap(index), name, value); });
}

// ---- NativeHnsw's addition (nh_faiss_ext.h), here because the counter is -------------------------------------------

int64_t nh_faiss_live_indexes(void) {
    return s_live_indexes.load(std::memory_order_relaxed);
}

} // extern "C"
