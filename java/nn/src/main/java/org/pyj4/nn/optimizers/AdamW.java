package org.pyj4.nn.optimizers;

import org.pyj4.nn.config.Config;

/** Adam with decoupled weight decay: p -= p * weight_decay * lr before each update (Keras default weight_decay 0.004). */
public final class AdamW extends Adam {
    public AdamW(Config c) { super(c, 0.004); }

    public AdamW(double learningRate, double weightDecay) { this(Optimizers.config("AdamW", learningRate, "weight_decay", weightDecay)); }

    @Override public String className() { return "AdamW"; }

    @Override protected String kerasName() { return "adamw"; }
}
