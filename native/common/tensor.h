// Descriptor facts and checks shared by the native backends: dtype sizes and names, readable
// descriptions for error messages, and validation that a descriptor stays inside its buffer.
#pragma once

#include <stdint.h>

#include <string>

#include "pyj4_abi.h"

namespace pj {

int itemsize(int32_t dtype);
const char* dtype_name(int32_t dtype);
inline bool is_float(int32_t dt) { return dt >= PJ_FLOAT16 && dt <= PJ_FLOAT64; }
inline bool is_integer(int32_t dt) { return dt >= PJ_UINT8 && dt <= PJ_INT64; }
inline bool is_bool(int32_t dt) { return dt == PJ_BOOL; }

/** "float32[2, 3]" */
std::string shape_str(const pj_tensor& t);
/** "float32[2, 3] (strides [3, 1], offset 0)" */
std::string describe(const pj_tensor& t);

/**
 * Throws PJ_ERR_ARGUMENT unless t is a well-formed descriptor whose every element lies inside its
 * buffer (any stride signs), its data is aligned to its item size, and, if `written`, it is
 * writable. `op` and `role` name the call and the operand in the message.
 */
void check_tensor(const char* op, const char* role, const pj_tensor* t, bool written);

/** Element count of a checked tensor. */
int64_t numel(const pj_tensor& t);

bool same_shape(const pj_tensor& a, const pj_tensor& b);

/** Smallest and largest element index a checked, non-empty tensor reaches (offset included). */
void element_range(const pj_tensor& t, int64_t* lo, int64_t* hi);

/** Whether the byte ranges two non-empty tensors reach intersect (they may still not share elements). */
bool ranges_intersect(const pj_tensor& a, const pj_tensor& b);

}  // namespace pj
