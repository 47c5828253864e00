package org.pyj4.nn.layers;

import org.pyj4.nn.config.Config;

/** Global average pooling (Keras GlobalAveragePooling2D): [batch, rows, cols, channels] to [batch, channels]. */
public final class GlobalAveragePooling2D extends GlobalPooling2D {
    public GlobalAveragePooling2D(Config c) { super(c, false); }

    public GlobalAveragePooling2D() { this(named("GlobalAveragePooling2D", null, null)); }

    @Override public String className() { return "GlobalAveragePooling2D"; }
}
