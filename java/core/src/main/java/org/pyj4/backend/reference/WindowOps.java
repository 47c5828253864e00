package org.pyj4.backend.reference;

import org.pyj4.backend.PoolKind;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.Window;

/**
 * The reference of the sliding-window primitives (im2col, col2im, pool): plain loops over every
 * output position and window tap, in row-major order, reading and writing one element at a time.
 */
final class WindowOps {
    private WindowOps() {}

    /** cols[n, oh, ow, kh, kw, c] = x[n, h, w, c] or 0 in the padding. */
    static void im2col(Tensor x, Window win, Tensor cols) {
        long[] xs = x.shape(), cs = cols.shape();
        for (long n = 0; n < cs[0]; n++) {
            for (long oh = 0; oh < cs[1]; oh++) {
                for (long ow = 0; ow < cs[2]; ow++) {
                    for (long kh = 0; kh < cs[3]; kh++) {
                        long h = row(win, oh, kh);
                        for (long kw = 0; kw < cs[4]; kw++) {
                            long w = column(win, ow, kw);
                            boolean inside = h >= 0 && h < xs[1] && w >= 0 && w < xs[2];
                            for (long c = 0; c < cs[5]; c++) {
                                double v = inside ? Floats.get(x, Floats.at(x, n, h, w, c)) : 0.0;
                                Floats.set(cols, Floats.at(cols, n, oh, ow, kh, kw, c), v);
                            }
                        }
                    }
                }
            }
        }
    }

    /** x[n, h, w, c] += cols[n, oh, ow, kh, kw, c] for every tap that reads (h, w), in row-major order of cols. */
    static void col2im(Tensor cols, Window win, Tensor x) {
        long[] xs = x.shape(), cs = cols.shape();
        for (long n = 0; n < cs[0]; n++) {
            for (long oh = 0; oh < cs[1]; oh++) {
                for (long ow = 0; ow < cs[2]; ow++) {
                    for (long kh = 0; kh < cs[3]; kh++) {
                        long h = row(win, oh, kh);
                        if (h < 0 || h >= xs[1]) continue;
                        for (long kw = 0; kw < cs[4]; kw++) {
                            long w = column(win, ow, kw);
                            if (w < 0 || w >= xs[2]) continue;
                            for (long c = 0; c < cs[5]; c++) {
                                long at = Floats.at(x, n, h, w, c);
                                Floats.set(x, at, Floats.get(x, at) + Floats.get(cols, Floats.at(cols, n, oh, ow, kh, kw, c)));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * MAX: the first largest tap (NaN beats everything, the first NaN wins), and its row-major index
     * into x's elements; AVG: the sum in double over the taps inside x, divided by their count.
     */
    static void pool(PoolKind kind, Tensor x, Window win, Tensor out, Tensor argmax) {
        long[] xs = x.shape(), os = out.shape();
        for (long n = 0; n < os[0]; n++) {
            for (long oh = 0; oh < os[1]; oh++) {
                for (long ow = 0; ow < os[2]; ow++) {
                    for (long c = 0; c < os[3]; c++) {
                        double best = 0, sum = 0;
                        long bestIndex = -1, count = 0;
                        for (long kh = 0; kh < win.kernelH(); kh++) {
                            long h = row(win, oh, kh);
                            if (h < 0 || h >= xs[1]) continue;
                            for (long kw = 0; kw < win.kernelW(); kw++) {
                                long w = column(win, ow, kw);
                                if (w < 0 || w >= xs[2]) continue;
                                double v = Floats.get(x, Floats.at(x, n, h, w, c));
                                if (bestIndex < 0 || (!Double.isNaN(best) && (Double.isNaN(v) || v > best))) {
                                    best = v;
                                    bestIndex = ((n * xs[1] + h) * xs[2] + w) * xs[3] + c;
                                }
                                sum += v;
                                count++;
                            }
                        }
                        Floats.set(out, Floats.at(out, n, oh, ow, c), kind == PoolKind.MAX ? best : sum / count);
                        if (argmax != null) Elements.storeLongs(argmax, new long[] {Floats.at(argmax, n, oh, ow, c)}, 1, new long[] {bestIndex});
                    }
                }
            }
        }
    }

    /** out[n, oh, ow, f] = bias[f] + sum over (kh, kw, c), row-major, of x[n, h, w, c] * kernel[kh, kw, c, f] (in double). */
    static void conv2d(Tensor x, Tensor kernel, Tensor bias, Window win, Tensor out) {
        long[] xs = x.shape(), ks = kernel.shape(), os = out.shape();
        for (long n = 0; n < os[0]; n++) {
            for (long oh = 0; oh < os[1]; oh++) {
                for (long ow = 0; ow < os[2]; ow++) {
                    for (long f = 0; f < os[3]; f++) {
                        double sum = bias == null ? 0.0 : Floats.get(bias, Floats.at(bias, f));
                        for (long kh = 0; kh < ks[0]; kh++) {
                            long h = row(win, oh, kh);
                            if (h < 0 || h >= xs[1]) continue;
                            for (long kw = 0; kw < ks[1]; kw++) {
                                long w = column(win, ow, kw);
                                if (w < 0 || w >= xs[2]) continue;
                                for (long c = 0; c < ks[2]; c++) {
                                    sum += Floats.get(x, Floats.at(x, n, h, w, c)) * Floats.get(kernel, Floats.at(kernel, kh, kw, c, f));
                                }
                            }
                        }
                        Floats.set(out, Floats.at(out, n, oh, ow, f), sum);
                    }
                }
            }
        }
    }

    /** dkernel[kh, kw, c, f] = sum over (n, oh, ow), row-major, of x[n, h, w, c] * dy[n, oh, ow, f]; dbias[f] = sum of dy (in double). */
    static void conv2dKernelGrad(Tensor x, Tensor dy, Window win, Tensor dkernel, Tensor dbias) {
        long[] xs = x.shape(), ks = dkernel.shape(), ys = dy.shape();
        for (long kh = 0; kh < ks[0]; kh++) {
            for (long kw = 0; kw < ks[1]; kw++) {
                for (long c = 0; c < ks[2]; c++) {
                    for (long f = 0; f < ks[3]; f++) {
                        double sum = 0.0;
                        for (long n = 0; n < ys[0]; n++) {
                            for (long oh = 0; oh < ys[1]; oh++) {
                                long h = row(win, oh, kh);
                                if (h < 0 || h >= xs[1]) continue;
                                for (long ow = 0; ow < ys[2]; ow++) {
                                    long w = column(win, ow, kw);
                                    if (w < 0 || w >= xs[2]) continue;
                                    sum += Floats.get(x, Floats.at(x, n, h, w, c)) * Floats.get(dy, Floats.at(dy, n, oh, ow, f));
                                }
                            }
                        }
                        Floats.set(dkernel, Floats.at(dkernel, kh, kw, c, f), sum);
                    }
                }
            }
        }
        if (dbias == null) return;
        for (long f = 0; f < ys[3]; f++) {
            double sum = 0.0;
            for (long n = 0; n < ys[0]; n++)
                for (long oh = 0; oh < ys[1]; oh++)
                    for (long ow = 0; ow < ys[2]; ow++) sum += Floats.get(dy, Floats.at(dy, n, oh, ow, f));
            Floats.set(dbias, Floats.at(dbias, f), sum);
        }
    }

    private static long row(Window win, long oh, long kh) { return oh * win.strideH() - win.padTop() + kh * win.dilationH(); }

    private static long column(Window win, long ow, long kw) { return ow * win.strideW() - win.padLeft() + kw * win.dilationW(); }
}
