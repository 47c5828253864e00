package org.pyj4.nn.layers;

import org.pyj4.nn.autograd.Variable;

/**
 * A layer that ends with an activation, and can stop before it. A model whose last layer ends in
 * softmax (or sigmoid) trained with cross-entropy computes the loss from the pre-activation logits
 * instead, as Keras does: stable for any logits, and one fused backward step.
 */
public interface OutputActivationLayer {
    ActivationFunction activation();

    /** The layer's output before its activation, built and cast as {@link Layer#apply} does. */
    Variable applyWithoutActivation(Variable x, boolean training);
}
