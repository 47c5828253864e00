#include "error.h"

namespace {
thread_local std::string last_error;
}

namespace pj {
void set_last_error(const char* msg) {
    try {
        last_error = msg;
    } catch (...) {
        last_error.clear();  // out of memory while storing the message: an empty text beats a crash
    }
}
}  // namespace pj

extern "C" const char* pj_last_error(void) { return last_error.c_str(); }
