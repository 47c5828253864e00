package org.pyj4.backend;

/**
 * The fused recurrent-cell steps of {@link Backend#rnnCell}: one time step of a Keras LSTM or GRU
 * (reset_after=True), forward or backward, for a batch of B rows and H units. The matrix products
 * (x @ kernel for every step at once, h @ recurrent_kernel per step) are the caller's, through
 * {@link Backend#matmul}; a cell step does the gate activations and the state update that follow,
 * in one pass. sigma is the logistic sigmoid; blocks of width H are named in Keras' gate order.
 *
 * <pre>
 * LSTM_FORWARD   in:  xproj [B,4H] (x@W + b), hproj [B,4H] (h_prev@U), cPrev [B,H]
 *                out: gates [B,4H], c [B,H], h [B,H]
 *                z = xproj + hproj;  i = sigma(z_i), f = sigma(z_f), g = tanh(z_g), o = sigma(z_o)
 *                c = f * cPrev + i * g;  h = o * tanh(c);  gates = (i, f, g, o)
 *
 * LSTM_BACKWARD  in:  gates [B,4H], cPrev [B,H], c [B,H], dhOut [B,H], dhRec [B,H], dcNext [B,H]
 *                out: dz [B,4H], dcPrev [B,H]
 *                dh = dhOut + dhRec;  t = tanh(c);  dc = dcNext + dh * o * (1 - t^2)
 *                dz = (dc * g * i(1-i), dc * cPrev * f(1-f), dc * i * (1-g^2), dh * t * o(1-o))
 *                dcPrev = dc * f
 *
 * GRU_FORWARD    in:  xproj [B,3H] (x@W + input bias), hproj [B,3H] (h_prev@U), rbias [B,3H], hPrev [B,H]
 *                out: gates [B,3H], h [B,H]
 *                z = sigma(xz + hz + rbz);  r = sigma(xr + hr + rbr);  n = tanh(xn + r * (hn + rbn))
 *                h = z * hPrev + (1 - z) * n;  gates = (z, r, n)
 *
 * GRU_BACKWARD   in:  gates [B,3H], hproj [B,3H], rbias [B,3H], hPrev [B,H], dhOut [B,H], dhRec [B,H], dhCarry [B,H]
 *                out: dxproj [B,3H], dhproj [B,3H], dhCarryOut [B,H]
 *                dh = dhOut + dhRec + dhCarry;  dn = dh * (1-z) * (1-n^2)
 *                dzp = dh * (hPrev - n) * z(1-z);  drp = dn * (hn + rbn) * r(1-r)
 *                dxproj = (dzp, drp, dn);  dhproj = (dzp, drp, dn * r);  dhCarryOut = dh * z
 * </pre>
 *
 * The gradient reaching h_prev is dhCarryOut (GRU) plus dhproj @ U^T (or dz @ U^T for LSTM): the
 * caller's matmul, passed to the previous step as dhRec. The gradients of the biases, kernels and
 * inputs are sums and products over all steps that the caller makes once, after the loop.
 *
 * <p>Operands are 2-D, of one float dtype (float32 or float64), with any strides (inputs may be
 * broadcast); outputs are not broadcast and do not overlap any other operand. The reference
 * computes each element in double and rounds once when it stores.
 */
public enum RnnCell {
    LSTM_FORWARD(4, 3, 3, new int[] {4, 4, 1}, new int[] {4, 1, 1}),
    LSTM_BACKWARD(4, 6, 2, new int[] {4, 1, 1, 1, 1, 1}, new int[] {4, 1}),
    GRU_FORWARD(3, 4, 2, new int[] {3, 3, 3, 1}, new int[] {3, 1}),
    GRU_BACKWARD(3, 7, 3, new int[] {3, 3, 3, 1, 1, 1, 1}, new int[] {3, 3, 1});

    private final int gates;
    private final int inputs;
    private final int outputs;
    private final int[] widths; // per operand, in units of H: inputs then outputs

    RnnCell(int gates, int inputs, int outputs, int[] inputWidths, int[] outputWidths) {
        this.gates = gates;
        this.inputs = inputs;
        this.outputs = outputs;
        this.widths = new int[inputs + outputs];
        System.arraycopy(inputWidths, 0, widths, 0, inputs);
        System.arraycopy(outputWidths, 0, widths, inputs, outputs);
    }

    /** Gate blocks: 4 for an LSTM, 3 for a GRU. */
    public int gates() { return gates; }

    /** Operands read (they come first in the operand array). */
    public int inputs() { return inputs; }

    /** Operands written (after the inputs). */
    public int outputs() { return outputs; }

    /** Columns of operand i, in units of H. */
    public int width(int operand) { return widths[operand]; }

    /** The operand names of the table above, inputs then outputs (for messages). */
    public String[] names() {
        switch (this) {
            case LSTM_FORWARD: return new String[] {"xproj", "hproj", "cPrev", "gates", "c", "h"};
            case LSTM_BACKWARD: return new String[] {"gates", "cPrev", "c", "dhOut", "dhRec", "dcNext", "dz", "dcPrev"};
            case GRU_FORWARD: return new String[] {"xproj", "hproj", "rbias", "hPrev", "gates", "h"};
            default: return new String[] {"gates", "hproj", "rbias", "hPrev", "dhOut", "dhRec", "dhCarry", "dxproj", "dhproj", "dhCarryOut"};
        }
    }
}
