// Inner loops of where (out = cond ? a : b), for one instruction set (see simd.h): selection only
// moves bits, so one loop per item size serves every dtype.
#include "simd.h"

namespace pj::cpu::PJ_ISA_NS {
namespace {

// where: out = cond ? a : b, moving bits of one item size.
template <class T>
void where_loop(char* const* p, const int64_t* s, int64_t n) {
    if (s[0] == 1 && s[1] == sizeof(T) && s[2] == sizeof(T) && s[3] == sizeof(T)) {
        const uint8_t* c = (const uint8_t*)p[0];
        const T* a = (const T*)p[1];
        const T* b = (const T*)p[2];
        T* o = (T*)p[3];
        for (int64_t i = 0; i < n; i++) o[i] = c[i] ? a[i] : b[i];
    } else {
        for (int64_t i = 0; i < n; i++) {
            const char* src = *(const uint8_t*)(p[0] + i * s[0]) ? p[1] + i * s[1] : p[2] + i * s[2];
            __builtin_memcpy(p[3] + i * s[3], src, sizeof(T));
        }
    }
}

/** Bools: the selected byte is stored as 0/1 (the reference normalises any nonzero byte). */
void where_bool_loop(char* const* p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const char* src = *(const uint8_t*)(p[0] + i * s[0]) ? p[1] + i * s[1] : p[2] + i * s[2];
        *(uint8_t*)(p[3] + i * s[3]) = *(const uint8_t*)src != 0;
    }
}

}  // namespace

void fill_where(KernelTable* t) {
    t->where[0] = &where_loop<uint8_t>;
    t->where_bool = &where_bool_loop;
    t->where[1] = &where_loop<uint16_t>;
    t->where[2] = &where_loop<uint32_t>;
    t->where[3] = &where_loop<uint64_t>;
}

}  // namespace pj::cpu::PJ_ISA_NS
