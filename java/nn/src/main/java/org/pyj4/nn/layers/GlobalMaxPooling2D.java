package org.pyj4.nn.layers;

import org.pyj4.nn.config.Config;

/** Global max pooling (Keras GlobalMaxPooling2D): [batch, rows, cols, channels] to [batch, channels]. */
public final class GlobalMaxPooling2D extends GlobalPooling2D {
    public GlobalMaxPooling2D(Config c) { super(c, true); }

    public GlobalMaxPooling2D() { this(named("GlobalMaxPooling2D", null, null)); }

    @Override public String className() { return "GlobalMaxPooling2D"; }
}
