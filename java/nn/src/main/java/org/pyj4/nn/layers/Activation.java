package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/** Applies an activation function (Keras' Activation layer). */
public final class Activation extends Layer implements OutputActivationLayer {
    private final ActivationFunction activation;

    public Activation(Config c) {
        super(c);
        if (!c.has("activation")) throw new IllegalArgumentException("Activation: expected an 'activation'. Received: none");
        this.activation = ActivationFunction.of("Activation", Dense.activationName(c));
    }

    public Activation(String activation) {
        this(withActivation(named("Activation", null, null), activation));
    }

    private static Config withActivation(Config c, String activation) {
        c.json().addProperty("activation", activation);
        return c;
    }

    @Override public String className() { return "Activation"; }

    @Override public ActivationFunction activation() { return activation; }

    @Override public long[] outputShape(long[] inputShape) { return inputShape.clone(); }

    @Override protected Variable call(Variable x, boolean training) { return activation.apply(x); }

    @Override public Variable applyWithoutActivation(Variable x, boolean training) { return prepare(x); }

    @Override protected void addConfig(JsonObject c) { c.addProperty("activation", activation.kerasName()); }
}
