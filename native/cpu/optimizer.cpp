// Fused optimizer updates (org.pyj4.backend.OptimizerKind): one pass over param, grad and the state
// tensors. float32 tensors run the vector loops of the kernel table (simd/optimizer_loops.cpp), in
// float32; float64 ones (and centered RMSprop, whose v - a * a cancels) go element by element in
// double, each stored value read back as stored, exactly as the reference backend does.
// Memory-bound, so large tensors are split over threads.
#include <math.h>
#include <string.h>

#include <string>

#include "checks.h"
#include "kernels.h"
#include "nd_iter.h"
#include "pyj4_cpu.h"
#include "thread_pool.h"

using namespace pj;
using namespace pj::cpu;

namespace {

enum Kind { SGD = 0, ADAM = 1, RMSPROP = 2, ADAGRAD = 3, KIND_COUNT = 4 };
const int kHyperCount[KIND_COUNT] = {4, 7, 6, 3};
const char* const kKindName[KIND_COUNT] = {"SGD", "ADAM", "RMSPROP", "ADAGRAD"};

int state_count(int kind, const double* h) {
    switch (kind) {
        case SGD: return h[2] != 0 ? 1 : 0;
        case ADAM: return h[6] != 0 ? 3 : 2;
        case RMSPROP: return 1 + (h[3] > 0 ? 1 : 0) + (h[5] != 0 ? 1 : 0);
        default: return 1;
    }
}

/** Stores v rounded to T and returns the stored value, so later math sees what was kept. */
template <class T>
inline double put(T* p, int64_t i, double v) {
    p[i] = (T)v;
    return (double)p[i];
}

template <class T>
struct Step {
    int kind;
    T* p;
    const T* g;
    T* s[3];
    double h[7];
    double alpha;  // Adam's bias-corrected step size

    inline double decayed(int64_t i) const {
        double v = p[i], lr = h[0], wd = h[1];
        return wd == 0 ? v : put(p, i, v - v * wd * lr);
    }

    void run(int64_t begin, int64_t end) const {
        const double lr = h[0];
        switch (kind) {
            case SGD: {
                const double momentum = h[2];
                const bool nesterov = h[3] != 0;
                for (int64_t i = begin; i < end; i++) {
                    double w = decayed(i), gi = g[i];
                    if (momentum == 0) {
                        put(p, i, w - lr * gi);
                        continue;
                    }
                    double v = put(s[0], i, momentum * s[0][i] - lr * gi);
                    put(p, i, nesterov ? w + momentum * v - lr * gi : w + v);
                }
                break;
            }
            case ADAM: {
                const double beta1 = h[2], beta2 = h[3], epsilon = h[4];
                const bool amsgrad = h[6] != 0;
                for (int64_t i = begin; i < end; i++) {
                    double w = decayed(i), gi = g[i];
                    double m = s[0][i], v = s[1][i];
                    m = put(s[0], i, m + (gi - m) * (1 - beta1));
                    v = put(s[1], i, v + (gi * gi - v) * (1 - beta2));
                    if (amsgrad) {
                        double old = s[2][i];
                        v = put(s[2], i, old > v || old != old ? old : v);  // Math.max: NaN propagates
                    }
                    put(p, i, w - alpha * m / (sqrt(v) + epsilon));
                }
                break;
            }
            case RMSPROP: {
                const double rho = h[2], momentum = h[3], epsilon = h[4];
                const bool centered = h[5] != 0;
                T* velocity = s[0];
                T* momentum_buffer = momentum > 0 ? s[1] : nullptr;
                T* average_grad = centered ? s[momentum > 0 ? 2 : 1] : nullptr;
                for (int64_t i = begin; i < end; i++) {
                    double w = decayed(i), gi = g[i];
                    double v = put(velocity, i, rho * velocity[i] + (1 - rho) * gi * gi);
                    double denominator;
                    if (centered) {
                        double a = put(average_grad, i, rho * average_grad[i] + (1 - rho) * gi);
                        denominator = v - a * a + epsilon;
                    } else {
                        denominator = v + epsilon;
                    }
                    double increment = lr * gi / sqrt(denominator);
                    if (momentum_buffer != nullptr) {
                        double mb = put(momentum_buffer, i, momentum * momentum_buffer[i] + increment);
                        put(p, i, w - mb);
                    } else {
                        put(p, i, w - increment);
                    }
                }
                break;
            }
            default: {
                const double epsilon = h[2];
                for (int64_t i = begin; i < end; i++) {
                    double w = decayed(i), gi = g[i];
                    double a = put(s[0], i, s[0][i] + gi * gi);
                    put(p, i, w - lr * gi / sqrt(a + epsilon));
                }
            }
        }
    }
};

bool contiguous(const pj_tensor& t) {
    int64_t expected = 1;
    for (int d = t.rank - 1; d >= 0; d--) {
        if (t.shape[d] != 1 && t.strides[d] != expected) return false;
        expected *= t.shape[d];
    }
    return true;
}

/** Adam's bias-corrected step size, once per update in double. */
double adam_alpha(const double* hyper) { return hyper[0] * sqrt(1 - pow(hyper[3], hyper[5])) / (1 - pow(hyper[2], hyper[5])); }

// Below this many elements an update stays on one thread: waking another costs more than it saves.
constexpr int64_t kParallelUpdate = 1 << 16;

template <class T>
void apply_elementwise(int kind, const pj_tensor* param, const pj_tensor* grad, const pj_tensor* const* state, int nstate,
                       const double* hyper, int64_t n) {
    Step<T> step;
    step.kind = kind;
    step.p = (T*)param->data + param->offset;
    step.g = (const T*)grad->data + grad->offset;
    for (int i = 0; i < 3; i++) step.s[i] = i < nstate ? (T*)state[i]->data + state[i]->offset : nullptr;
    for (int i = 0; i < kHyperCount[kind]; i++) step.h[i] = hyper[i];
    step.alpha = kind == ADAM ? adam_alpha(hyper) : 0;
    auto body = [&](int64_t b, int64_t e) { step.run(b, e); };
    parallel_for(n, kParallelUpdate / 2, body);
}

void apply_vector(int kind, const pj_tensor* param, const pj_tensor* grad, const pj_tensor* const* state, int nstate,
                  const double* hyper, int64_t n) {
    OptimizerStepF32 step{};
    step.kind = kind;
    step.p = (float*)param->data + param->offset;
    step.g = (const float*)grad->data + grad->offset;
    for (int i = 0; i < 3; i++) step.s[i] = i < nstate ? (float*)state[i]->data + state[i]->offset : nullptr;
    for (int i = 0; i < kHyperCount[kind]; i++) step.h[i] = hyper[i];
    step.alpha = kind == ADAM ? adam_alpha(hyper) : 0;
    const OptimizerLoop loop = kernels().optimizer_f32;
    auto body = [&](int64_t b, int64_t e) { loop(&step, b, e); };
    parallel_for(n, kParallelUpdate / 2, body);
}

}  // namespace

extern "C" int pj_cpu_optimizer_step(int32_t kind, const pj_tensor* param, const pj_tensor* grad, const pj_tensor* const* state,
                                     int32_t nstate, const double* hyper, int32_t nhyper) {
    return guarded("optimizerStep", [&] {
        if (kind < 0 || kind >= KIND_COUNT)
            fail(PJ_ERR_ARGUMENT, "optimizerStep: expected a kind in [0, 4). Received: kind=" + std::to_string(kind));
        const std::string op = std::string("optimizerStep ") + kKindName[kind];
        if (hyper == nullptr || nhyper != kHyperCount[kind])
            fail(PJ_ERR_ARGUMENT, op + ": expected " + std::to_string(kHyperCount[kind]) + " hyperparameters. Received: " +
                                      std::to_string(hyper == nullptr ? 0 : nhyper));
        for (int i = 0; i < nhyper; i++)
            if (!isfinite(hyper[i])) fail(PJ_ERR_ARGUMENT, op + ": expected finite hyperparameters");
        if (kind == ADAM && hyper[5] < 1) fail(PJ_ERR_ARGUMENT, op + ": expected step >= 1 (hyper[5])");
        const int expected = state_count(kind, hyper);
        if (nstate != expected || (nstate > 0 && state == nullptr))
            fail(PJ_ERR_ARGUMENT, op + ": expected " + std::to_string(expected) + " state tensors. Received: " + std::to_string(nstate));
        check_tensor(op.c_str(), "param", param, true);
        check_tensor(op.c_str(), "grad", grad, false);
        const pj_tensor* all[5] = {param, grad, nullptr, nullptr, nullptr};
        for (int i = 0; i < nstate; i++) {
            check_tensor(op.c_str(), "state", state[i], true);
            all[2 + i] = state[i];
        }
        if (param->dtype != PJ_FLOAT32 && param->dtype != PJ_FLOAT64)
            fail_dtype(op, "a float32 or float64 param", {{"param", param}});
        for (int i = 0; i < 2 + nstate; i++) {
            if (!same_shape(*param, *all[i])) fail_shape(op, "param, grad and state of one shape", {{"param", param}, {"other", all[i]}});
            if (all[i]->dtype != param->dtype) fail_dtype(op, "param, grad and state of one dtype", {{"param", param}, {"other", all[i]}});
            if (!contiguous(*all[i])) fail(PJ_ERR_ARGUMENT, op + ": expected contiguous tensors. Received: " + describe(*all[i]));
        }
        const int64_t n = numel(*param);
        if (n == 0) return;
        for (int i = 0; i < 2 + nstate; i++)
            for (int j = i + 1; j < 2 + nstate; j++)
                if (ranges_intersect(*all[i], *all[j]))
                    fail(PJ_ERR_ARGUMENT, op + ": expected param, grad and state in separate memory; two of them overlap");
        const bool centered = kind == RMSPROP && hyper[5] != 0;
        if (param->dtype == PJ_FLOAT64) apply_elementwise<double>(kind, param, grad, state, nstate, hyper, n);
        else if (centered) apply_elementwise<float>(kind, param, grad, state, nstate, hyper, n);
        else apply_vector(kind, param, grad, state, nstate, hyper, n);
    });
}
