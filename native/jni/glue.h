// What both JNI files share: descriptor parsing and turning a failed status into a Java exception.
// Tensors arrive packed in a long[]: per tensor [address, byteSize, dtype, rank, offset, flags,
// shape[rank]..., strides[rank]...]. Parsing is defensive; the C ABI then validates everything
// before touching memory. No C++ exception crosses into the JVM (PJ_JNI_BODY).
#pragma once

#include <jni.h>

#include <string>

#include "pyj4_cpu.h"

namespace pj::jni {

/** The most tensors one call takes (GRU_BACKWARD's operand count). */
constexpr int kMaxTensors = 10;

/** Throws the Java exception of `status`'s kind, unless one is already pending. */
void throw_java(JNIEnv* env, int status, const std::string& message);

/** A failed status of the C ABI becomes a Java exception carrying the native message. */
inline void check(JNIEnv* env, int status) {
    if (status != PJ_OK) throw_java(env, status, pj_last_error());
}

/** Unpacks exactly `count` (<= kMaxTensors) tensors; false (with a pending IllegalArgumentException) if malformed. */
bool unpack(JNIEnv* env, const char* op, jlongArray desc, int count, pj_tensor* out);

/** A dense run of n elements from element `offset` of a buffer: rank 1, stride 1 (the C ABI validates it). */
void dense(pj_tensor& t, jlong address, jlong byte_size, jint dtype, jlong offset, jint flags, jlong n);

}  // namespace pj::jni

// Every body is wrapped: a C++ exception here (none is expected) becomes a BackendException.
#define PJ_JNI_BODY(op, ...)                                                                    \
    try {                                                                                       \
        __VA_ARGS__;                                                                            \
    } catch (...) {                                                                             \
        pj::jni::throw_java(env, PJ_ERR_BACKEND, op ": unexpected native failure in the JNI glue"); \
    }
