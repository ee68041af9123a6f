// Fused kernels: one pass (or one kernel) where the composite op runs a chain of
// contract kernels.  One body for OpenCL C and CUDA C (KERNEL, GLOBAL, DEVICE,
// GLOBAL_ID, index_t, PYMX_INF come from the dialect prelude; T is the element type).
// Every array is C-contiguous; pymx_kernels/fused.py says which attributes each
// kernel handles and computes its scalar arguments.

DEVICE T pymx_fmax_nan(T a, T b) { return (a != a || a > b) ? a : b; }   // NaN wins

DEVICE T pymx_clip_grad(T g, T c, int on)     // clip to [-c, c] when on; NaN stays NaN
{
    return !on ? g : (g < -c ? -c : (g > c ? c : g));
}

// ---- softmax / log_softmax ------------------------------------------------------------
// x is viewed as (outer, n, inner) with the softmax axis in the middle; one thread per
// (outer, inner) row walks its n elements three times: max, sum of exp, write.
//     softmax:      y = exp(x/t - max) / sum(exp(x/t - max))
//     log_softmax:  y = x/t - max - log(sum(exp(x/t - max)))
#define SOFTMAX_ROW_SETUP                                                       \
    const index_t r = GLOBAL_ID;                                                \
    if (r >= outer * inner) return;                                             \
    const index_t base = (r / inner) * n * inner + r % inner;                   \
    T m = -PYMX_INF;                                                            \
    for (index_t j = 0; j < n; ++j) m = pymx_fmax_nan(m, x[base + j * inner] / t);

KERNEL void softmax_rows(GLOBAL const T* x, GLOBAL T* y, const index_t outer,
                         const index_t n, const index_t inner, const T t)
{
    SOFTMAX_ROW_SETUP
    T s = (T)0;
    for (index_t j = 0; j < n; ++j) {
        const T e = exp(x[base + j * inner] / t - m);
        y[base + j * inner] = e;
        s += e;
    }
    for (index_t j = 0; j < n; ++j) y[base + j * inner] /= s;
}

KERNEL void log_softmax_rows(GLOBAL const T* x, GLOBAL T* y, const index_t outer,
                             const index_t n, const index_t inner, const T t)
{
    SOFTMAX_ROW_SETUP
    T s = (T)0;
    for (index_t j = 0; j < n; ++j) s += exp(x[base + j * inner] / t - m);
    const T log_s = log(s);
    for (index_t j = 0; j < n; ++j) y[base + j * inner] = x[base + j * inner] / t - m - log_s;
}

// ---- optimizer updates: one thread per weight element, states written in place ----------
// g = rescale * grad;  the host folds lr*wd and 1 - lr*wd into one scalar each.
KERNEL void sgd_update(GLOBAL const T* w, GLOBAL const T* grad, GLOBAL T* out,
                       const T lr, const T decay, const T rescale, const T clip,
                       const int clip_on, const index_t total)
{
    const index_t i = GLOBAL_ID;
    if (i >= total) return;
    out[i] = decay * w[i] - lr * pymx_clip_grad(rescale * grad[i], clip, clip_on);
}

KERNEL void sgd_mom_update(GLOBAL const T* w, GLOBAL const T* grad, GLOBAL T* mom,
                           GLOBAL T* out, const T lr, const T lr_wd, const T momentum,
                           const T rescale, const T clip, const int clip_on,
                           const index_t total)
{
    const index_t i = GLOBAL_ID;
    if (i >= total) return;
    const T m = momentum * mom[i] - lr_wd * w[i]
                - lr * pymx_clip_grad(rescale * grad[i], clip, clip_on);
    mom[i] = m;
    out[i] = w[i] + m;
}

KERNEL void adam_update(GLOBAL const T* w, GLOBAL const T* grad, GLOBAL T* mean,
                        GLOBAL T* var, GLOBAL T* out, const T lr, const T beta1,
                        const T one_minus_beta1, const T beta2, const T one_minus_beta2,
                        const T epsilon, const T wd, const T rescale, const T clip,
                        const int clip_on, const index_t total)
{
    const index_t i = GLOBAL_ID;
    if (i >= total) return;
    const T g = pymx_clip_grad(rescale * grad[i] + wd * w[i], clip, clip_on);
    const T m = beta1 * mean[i] + one_minus_beta1 * g;
    const T v = beta2 * var[i] + one_minus_beta2 * (g * g);
    mean[i] = m;
    var[i] = v;
    out[i] = w[i] - lr * m / (sqrt(v) + epsilon);
}

// ---- BatchNorm ----------------------------------------------------------------------------
// x is viewed as (outer, C, inner) with the channel axis in the middle.
// batchnorm_stats: one thread per channel.  Training: the batch mean and biased variance
// (two passes), invstd = 1/sqrt(var + eps).  Otherwise: mean and invstd from the running
// stats.  (The running stats move in the backward, as MXNet's CPU kernels.)
KERNEL void batchnorm_stats(GLOBAL const T* x, GLOBAL T* mean, GLOBAL T* invstd,
                            GLOBAL const T* run_mean, GLOBAL const T* run_var,
                            const index_t outer, const index_t C, const index_t inner,
                            const T eps, const int training)
{
    const index_t c = GLOBAL_ID;
    if (c >= C) return;
    if (!training) {
        mean[c] = run_mean[c];
        invstd[c] = (T)1 / sqrt(run_var[c] + eps);
        return;
    }
    const T count = (T)(outer * inner);          // 0 gives NaN statistics, as NumPy's mean
    T s = (T)0;
    for (index_t o = 0; o < outer; ++o)
        for (index_t i = 0; i < inner; ++i) s += x[(o * C + c) * inner + i];
    const T mu = s / count;
    T ss = (T)0;
    for (index_t o = 0; o < outer; ++o)
        for (index_t i = 0; i < inner; ++i) {
            const T d = x[(o * C + c) * inner + i] - mu;
            ss += d * d;
        }
    const T var = ss / count;
    mean[c] = mu;
    invstd[c] = (T)1 / sqrt(var + eps);
}

// batchnorm_apply: one thread per element, y = (x - mean) * invstd * gamma + beta
// (gamma taken as 1 when fix_gamma).
KERNEL void batchnorm_apply(GLOBAL const T* x, GLOBAL const T* mean, GLOBAL const T* invstd,
                            GLOBAL const T* gamma, GLOBAL const T* beta, GLOBAL T* y,
                            const index_t C, const index_t inner, const int fix_gamma,
                            const index_t total)
{
    const index_t i = GLOBAL_ID;
    if (i >= total) return;
    const index_t c = (i / inner) % C;
    const T scale = fix_gamma ? invstd[c] : invstd[c] * gamma[c];
    y[i] = (x[i] - mean[c]) * scale + beta[c];
}
