// Errors inside native code: thrown as pj::Error (a status plus a message), caught at the C ABI
// boundary by guarded(), which stores the message for pj_last_error() and returns the status.
#pragma once

#include <stdexcept>
#include <string>

#include "pyj4_abi.h"

namespace pj {

class Error : public std::runtime_error {
public:
    Error(pj_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
    pj_status status() const { return status_; }

private:
    pj_status status_;
};

[[noreturn]] inline void fail(pj_status status, const std::string& message) { throw Error(status, message); }

/** Stores msg as this thread's last error text. */
void set_last_error(const char* msg);

/** Runs body, turning every exception into a status (and this thread's error text). Never throws. */
template <class Body>
pj_status guarded(const char* op, Body&& body) noexcept {
    try {
        body();
        return PJ_OK;
    } catch (const Error& e) {
        set_last_error(e.what());
        return e.status();
    } catch (const std::bad_alloc&) {
        set_last_error((std::string(op) + ": out of memory for a temporary buffer").c_str());
        return PJ_ERR_MEMORY;
    } catch (const std::exception& e) {
        set_last_error((std::string(op) + ": internal error: " + e.what()).c_str());
        return PJ_ERR_BACKEND;
    } catch (...) {
        set_last_error((std::string(op) + ": internal error of unknown kind").c_str());
        return PJ_ERR_BACKEND;
    }
}

}  // namespace pj
