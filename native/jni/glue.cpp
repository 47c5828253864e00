// See glue.h.
#include "glue.h"

#include <string.h>

namespace pj::jni {

constexpr int kFieldsBeforeDims = 6;
constexpr jsize kMaxDescriptorLongs = kMaxTensors * (kFieldsBeforeDims + 2 * PJ_MAX_RANK);

namespace {

const char* exception_class(int status) {
    switch (status) {
        case PJ_ERR_ARGUMENT: return "java/lang/IllegalArgumentException";
        case PJ_ERR_SHAPE: return "org/pyj4/ndarray/ShapeException";
        case PJ_ERR_DTYPE: return "org/pyj4/ndarray/DTypeException";
        case PJ_ERR_INDEX: return "java/lang/IndexOutOfBoundsException";
        case PJ_ERR_MEMORY: return "java/lang/OutOfMemoryError";
        default: return "org/pyj4/backend/BackendException";
    }
}

}  // namespace

void throw_java(JNIEnv* env, int status, const std::string& message) {
    if (env->ExceptionCheck()) return;  // one is already pending (e.g. from the JVM itself)
    jclass cls = env->FindClass(exception_class(status));
    if (cls == nullptr) {  // a class missing from the class path must not hide the error
        env->ExceptionClear();
        cls = env->FindClass("java/lang/RuntimeException");
        if (cls == nullptr) return;
    }
    env->ThrowNew(cls, message.c_str());
}

// The dims loops below copy or zero a few longs: GCC would turn them into rep movs/stos, whose
// start-up costs more than the loops on every op.
#if defined(__GNUC__) && !defined(__clang__)
#define PJ_PLAIN_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define PJ_PLAIN_LOOPS
#endif

PJ_PLAIN_LOOPS bool unpack(JNIEnv* env, const char* op, jlongArray desc, int count, pj_tensor* out) {
    if (count < 0 || count > kMaxTensors) {
        throw_java(env, PJ_ERR_ARGUMENT, std::string(op) + ": expected at most " + std::to_string(kMaxTensors) + " tensors. Received: " + std::to_string(count));
        return false;
    }
    if (desc == nullptr) {
        throw_java(env, PJ_ERR_ARGUMENT, std::string(op) + ": expected a descriptor array. Received: null");
        return false;
    }
    jsize length = env->GetArrayLength(desc);
    if (length > kMaxDescriptorLongs) {
        throw_java(env, PJ_ERR_ARGUMENT, std::string(op) + ": descriptor array too long: " + std::to_string(length));
        return false;
    }
    jlong words[kMaxDescriptorLongs];
    env->GetLongArrayRegion(desc, 0, length, words);
    if (env->ExceptionCheck()) return false;
    jsize at = 0;
    for (int i = 0; i < count; i++) {
        pj_tensor& t = out[i];
        // Fields are set one by one (unused dims zeroed below), not by a memset of the whole descriptor.
        t.rank = 0;
        t.reserved = 0;
        if (at + kFieldsBeforeDims > length) goto truncated;
        t.data = reinterpret_cast<void*>(static_cast<intptr_t>(words[at]));
        t.byte_size = words[at + 1];
        t.dtype = (int32_t)words[at + 2];
        if (words[at + 2] != t.dtype) t.dtype = -1;  // out of int range: reported as a bad dtype code
        const jlong rank = words[at + 3];
        t.offset = words[at + 4];
        t.flags = (uint32_t)words[at + 5];
        at += kFieldsBeforeDims;
        if (rank < 0 || rank > PJ_MAX_RANK) {
            throw_java(env, PJ_ERR_ARGUMENT,
                       std::string(op) + ": expected a rank in [0, " + std::to_string(PJ_MAX_RANK) +
                           "]. Received: rank=" + std::to_string(rank) + " for operand " + std::to_string(i));
            return false;
        }
        t.rank = (int32_t)rank;
        if (at + 2 * rank > length) goto truncated;
        for (int d = 0; d < rank; d++) t.shape[d] = words[at + d];
        for (int d = 0; d < rank; d++) t.strides[d] = words[at + rank + d];
        for (int d = (int)rank; d < PJ_MAX_RANK; d++) t.shape[d] = t.strides[d] = 0;
        at += 2 * (jsize)rank;
    }
    if (at != length) goto truncated;
    return true;
truncated:
    throw_java(env, PJ_ERR_ARGUMENT,
               std::string(op) + ": malformed descriptor array of " + std::to_string(length) + " longs for " +
                   std::to_string(count) + " tensors");
    return false;
}

PJ_PLAIN_LOOPS void dense(pj_tensor& t, jlong address, jlong byte_size, jint dtype, jlong offset, jint flags, jlong n) {
    t.data = reinterpret_cast<void*>(static_cast<intptr_t>(address));
    t.byte_size = byte_size;
    t.dtype = dtype;
    t.rank = 1;
    t.offset = offset;
    t.flags = (uint32_t)flags;
    t.reserved = 0;
    t.shape[0] = n;
    t.strides[0] = 1;
    for (int d = 1; d < PJ_MAX_RANK; d++) t.shape[d] = t.strides[d] = 0;
}

}  // namespace pj::jni
