// Fills this instruction set's kernel table from the loop files compiled with the same flags.
#include "simd.h"

namespace pj::cpu::PJ_ISA_NS {

void fill_cast(KernelTable* t);
void fill_where(KernelTable* t);
void fill_unary(KernelTable* t);
void fill_binary(KernelTable* t);
void fill_reduce(KernelTable* t);
void fill_optimizer(KernelTable* t);
void fill_rnn(KernelTable* t);
void fill_gemm(KernelTable* t);

#define PJ_STRINGIFY2(x) #x
#define PJ_STRINGIFY(x) PJ_STRINGIFY2(x)

void fill_table(KernelTable* t) {
    __builtin_memset(t, 0, sizeof *t);
    t->isa = PJ_STRINGIFY(PJ_ISA_NS);
    fill_cast(t);
    fill_where(t);
    fill_unary(t);
    fill_binary(t);
    fill_reduce(t);
    fill_optimizer(t);
    fill_rnn(t);
    fill_gemm(t);
}

}  // namespace pj::cpu::PJ_ISA_NS
