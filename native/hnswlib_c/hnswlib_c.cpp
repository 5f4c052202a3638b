#include "hnswlib_c.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct nh_hnsw {
    // Declared before the index: members are destroyed in reverse order and the index reads the space's parameters.
    std::unique_ptr<hnswlib::SpaceInterface<float>> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
    int dim = 0;
    // Shared by add/search, exclusive for resizeIndex and saveIndex, which hnswlib does not synchronise.
    std::shared_mutex resize_lock;
};

namespace {

thread_local std::string t_last_error;
std::atomic<int64_t> s_live_indexes{0};

void set_last_error(const char* message) noexcept {
    try {
        t_last_error = message;
    } catch (...) {
        t_last_error.clear();
    }
}

template <typename Body>
int guarded(Body&& body) noexcept {
    try {
        body();
        return NH_HNSW_OK;
    } catch (const std::invalid_argument& e) {
        set_last_error(e.what());
        return NH_HNSW_INVALID_ARGUMENT;
    } catch (const std::bad_alloc&) {
        set_last_error("hnswlib: out of memory");
        return NH_HNSW_OUT_OF_MEMORY;
    } catch (const std::runtime_error& e) {
        set_last_error(e.what());
        return NH_HNSW_RUNTIME_ERROR;
    } catch (const std::exception& e) {
        set_last_error(e.what());
        return NH_HNSW_STD_EXCEPTION;
    } catch (...) {
        set_last_error("hnswlib: unknown C++ exception");
        return NH_HNSW_UNKNOWN_EXCEPTION;
    }
}

void require(bool condition, const char* message) {
    if (!condition)
        throw std::invalid_argument(message);
}

std::unique_ptr<hnswlib::SpaceInterface<float>> make_space(int space, int dim) {
    require(dim > 0, "hnswlib: dim must be positive");
    switch (space) {
    case NH_HNSW_SPACE_L2:
        return std::make_unique<hnswlib::L2Space>(static_cast<size_t>(dim));
    case NH_HNSW_SPACE_IP:
        return std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(dim));
    default:
        throw std::invalid_argument("hnswlib: space must be NH_HNSW_SPACE_L2 (0) or NH_HNSW_SPACE_IP (1)");
    }
}

// Runs body(i) for i in [0, n) on up to `threads` threads; the first exception stops the others and is rethrown here.
template <typename Body>
void parallel_for(size_t n, size_t threads, Body&& body) {
    if (threads <= 1 || n <= threads * 4) {
        for (size_t i = 0; i < n; i++)
            body(i);
        return;
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr first_error;
    std::mutex error_lock;
    auto worker = [&] {
        for (;;) {
            size_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= n || failed.load(std::memory_order_relaxed))
                return;
            try {
                body(i);
            } catch (...) {
                std::lock_guard<std::mutex> guard(error_lock);
                if (!first_error)
                    first_error = std::current_exception();
                failed = true;
            }
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    try {
        for (size_t t = 1; t < threads; t++)
            pool.emplace_back(worker);
    } catch (...) {
        // Fewer threads than asked for (thread creation failed): the ones running, and this one, finish the work.
    }
    worker();
    for (auto& thread : pool)
        thread.join();
    if (first_error)
        std::rethrow_exception(first_error);
}

// Grows the capacity so that `extra` more elements fit, doubling to keep repeated small batches amortised.
void ensure_capacity(nh_hnsw& h, size_t extra) {
    std::unique_lock<std::shared_mutex> exclusive(h.resize_lock);
    auto& index = *h.index;
    size_t needed = index.cur_element_count + extra;
    if (needed > index.max_elements_)
        index.resizeIndex(std::max(needed, index.max_elements_ * 2));
}

} // namespace

extern "C" {

int nh_hnsw_create(int space, int dim, int m, int ef_construction, uint64_t seed, int64_t initial_capacity,
                   nh_hnsw** out) {
    return guarded([&] {
        require(out != nullptr, "hnswlib: out must not be null");
        require(m >= 2, "hnswlib: M must be at least 2");
        require(ef_construction >= 1, "hnswlib: ef_construction must be at least 1");
        require(initial_capacity >= 0, "hnswlib: initial_capacity must not be negative");
        auto h = std::make_unique<nh_hnsw>();
        h->space = make_space(space, dim);
        h->dim = dim;
        // hnswlib cannot allocate zero elements' worth of locks usefully; one is the smallest real capacity.
        size_t capacity = std::max<int64_t>(initial_capacity, 1);
        h->index = std::make_unique<hnswlib::HierarchicalNSW<float>>(
                h->space.get(), capacity, static_cast<size_t>(m), static_cast<size_t>(ef_construction),
                static_cast<size_t>(seed));
        *out = h.release();
        s_live_indexes.fetch_add(1, std::memory_order_relaxed);
    });
}

int nh_hnsw_load(int space, int dim, const char* path, nh_hnsw** out) {
    return guarded([&] {
        require(out != nullptr && path != nullptr, "hnswlib: path and out must not be null");
        auto h = std::make_unique<nh_hnsw>();
        h->space = make_space(space, dim);
        h->dim = dim;
        try {
            h->index = std::make_unique<hnswlib::HierarchicalNSW<float>>(h->space.get(), std::string(path));
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(std::string("hnswlib: cannot load '") + path + "': " + e.what());
        }
        // The file records the bytes per element, not the dimension: a mismatch shows as a layout that does not add up.
        auto& index = *h->index;
        size_t expected = index.size_links_level0_ + index.data_size_ + sizeof(hnswlib::labeltype);
        if (index.size_data_per_element_ != expected) {
            size_t file_dim =
                    (index.size_data_per_element_ - index.size_links_level0_ - sizeof(hnswlib::labeltype)) / sizeof(float);
            throw std::invalid_argument("hnswlib: '" + std::string(path) + "' holds " + std::to_string(file_dim) +
                                        "-dimensional vectors, not " + std::to_string(dim));
        }
        *out = h.release();
        s_live_indexes.fetch_add(1, std::memory_order_relaxed);
    });
}

void nh_hnsw_free(nh_hnsw* index) {
    if (index == nullptr)
        return;
    delete index;
    s_live_indexes.fetch_sub(1, std::memory_order_relaxed);
}

int nh_hnsw_add(nh_hnsw* index, int64_t label, const float* vector) {
    return nh_hnsw_add_batch(index, 1, &label, vector, 1);
}

int nh_hnsw_add_batch(nh_hnsw* index, int64_t n, const int64_t* labels, const float* vectors, int num_threads) {
    return guarded([&] {
        require(index != nullptr, "hnswlib: index must not be null");
        require(n >= 0, "hnswlib: n must not be negative");
        if (n == 0)
            return;
        require(labels != nullptr && vectors != nullptr, "hnswlib: labels and vectors must not be null");
        size_t threads = num_threads > 0 ? static_cast<size_t>(num_threads)
                                         : std::max(1u, std::thread::hardware_concurrency());
        ensure_capacity(*index, static_cast<size_t>(n));
        std::shared_lock<std::shared_mutex> shared(index->resize_lock);
        size_t dim = static_cast<size_t>(index->dim);
        parallel_for(static_cast<size_t>(n), threads, [&](size_t i) {
            index->index->addPoint(vectors + i * dim, static_cast<hnswlib::labeltype>(labels[i]));
        });
    });
}

int nh_hnsw_set_ef(nh_hnsw* index, int ef) {
    return guarded([&] {
        require(index != nullptr, "hnswlib: index must not be null");
        require(ef >= 1, "hnswlib: ef must be at least 1");
        index->index->setEf(static_cast<size_t>(ef));
    });
}

int nh_hnsw_search(nh_hnsw* index, const float* query, int k, int64_t* labels, float* distances, int* found) {
    return guarded([&] {
        require(index != nullptr && query != nullptr && labels != nullptr && distances != nullptr && found != nullptr,
                "hnswlib: index, query, labels, distances and found must not be null");
        require(k >= 1, "hnswlib: k must be at least 1");
        std::shared_lock<std::shared_mutex> shared(index->resize_lock);
        auto hits = index->index->searchKnn(query, static_cast<size_t>(k));
        // A max-heap: the farthest hit comes out first, so fill from the back.
        int count = static_cast<int>(hits.size());
        for (int i = count - 1; i >= 0; i--) {
            distances[i] = hits.top().first;
            labels[i] = static_cast<int64_t>(hits.top().second);
            hits.pop();
        }
        *found = count;
    });
}

int nh_hnsw_save(nh_hnsw* index, const char* path) {
    return guarded([&] {
        require(index != nullptr && path != nullptr, "hnswlib: index and path must not be null");
        std::unique_lock<std::shared_mutex> exclusive(index->resize_lock);
        index->index->saveIndex(std::string(path));
    });
}

int64_t nh_hnsw_count(const nh_hnsw* index) {
    return index == nullptr ? 0 : static_cast<int64_t>(index->index->cur_element_count);
}

int nh_hnsw_dim(const nh_hnsw* index) {
    return index == nullptr ? 0 : index->dim;
}

int64_t nh_hnsw_memory_bytes(const nh_hnsw* index) {
    if (index == nullptr)
        return 0;
    const auto& h = *index->index;
    size_t count = h.cur_element_count;
    size_t bytes = h.max_elements_ * h.size_data_per_element_  // level 0: links, vector, label per slot
                   + h.max_elements_ * sizeof(void*)            // linkLists_ pointer table
                   + h.max_elements_ * sizeof(std::mutex)       // link_list_locks_
                   + h.link_list_update_locks_.size() * sizeof(std::mutex)
                   + h.element_levels_.capacity() * sizeof(int);
    for (size_t i = 0; i < count; i++) {
        if (h.element_levels_[i] > 0)
            bytes += h.size_links_per_element_ * static_cast<size_t>(h.element_levels_[i]);
    }
    // label_lookup_: one hash node (key, value, next pointer, cached hash) per element plus the bucket array.
    bytes += count * (sizeof(hnswlib::labeltype) + sizeof(hnswlib::tableint) + 2 * sizeof(void*)) +
             h.label_lookup_.bucket_count() * sizeof(void*);
    return static_cast<int64_t>(bytes);
}

int64_t nh_hnsw_live_indexes(void) {
    return s_live_indexes.load(std::memory_order_relaxed);
}

const char* nh_hnsw_last_error(void) {
    return t_last_error.empty() ? nullptr : t_last_error.c_str();
}

} // extern "C"
