// The one place that turns C++ exceptions into FAISS C API status codes.
//
// Every exported function runs its body through nh_faiss::guarded(): nothing ever unwinds into the caller (the CLR
// cannot unwind C++ frames), and the message is kept per thread for faiss_get_last_error(), so two threads that fail
// at once each read their own message.
#pragma once

#include <faiss/c_api/error_c.h>
#include <faiss/impl/FaissException.h>

#include <exception>
#include <new>
#include <string>

namespace nh_faiss {

void set_last_error(const char* message) noexcept;

template <typename Body>
int guarded(Body&& body) noexcept {
    try {
        body();
        return OK;
    } catch (const faiss::FaissException& e) {
        set_last_error(e.what());
        return FAISS_EXCEPT;
    } catch (const std::exception& e) {
        set_last_error(e.what());
        return STD_EXCEPT;
    } catch (...) {
        set_last_error("unknown C++ exception");
        return UNKNOWN_EXCEPT;
    }
}

} // namespace nh_faiss
