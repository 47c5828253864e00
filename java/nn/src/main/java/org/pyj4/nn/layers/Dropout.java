package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.backend.Backend;
import org.pyj4.backend.RandomKind;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/**
 * During training, zeroes each input element with probability {@code rate} and scales the rest by
 * 1 / (1 - rate) (inverted dropout, as Keras); the identity at inference. Masks come from the
 * counter-based generator under this layer's seed (drawn from the global generator when the config
 * has none), and the counter is saved with the model, so a resumed training draws the same masks.
 */
public final class Dropout extends Layer {
    private final double rate;
    private final Long configSeed;
    private long seed;
    private long counter;

    public Dropout(Config c) {
        super(c);
        this.rate = c.number("rate", -1);
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout: expected 0 <= rate < 1. Received: rate=" + (c.has("rate") ? c.get("rate") : "missing"));
        }
        c.requireUnset("noise_shape");
        this.configSeed = c.nullableLong("seed");
        this.seed = configSeed != null ? configSeed : Draws.seedFromGlobal();
    }

    public Dropout(double rate) { this(withRate(named("Dropout", null, null), rate)); }

    private static Config withRate(Config c, double rate) {
        c.json().addProperty("rate", rate);
        return c;
    }

    @Override public String className() { return "Dropout"; }

    @Override public long[] outputShape(long[] inputShape) { return inputShape.clone(); }

    @Override protected Variable call(Variable x, boolean training) {
        if (!training || rate == 0) return x;
        NDArray v = x.value();
        Backend backend = v.backend();
        NDArray u = NDArray.empty(v.dtype(), v.shape(), backend);
        synchronized (this) { // training is single-threaded; the lock only keeps the counter honest
            backend.random(RandomKind.UNIFORM, seed, counter, 0, 1, u.tensor());
            counter += u.size();
        }
        try (NDArray r = NDArray.scalarOf(rate, v.dtype()); NDArray keep = u.ge(r);
             NDArray scale = NDArray.scalarOf(1 / (1 - rate), v.dtype()); NDArray zero = NDArray.scalarOf(0.0, v.dtype())) {
            NDArray mask = NDArray.where(keep, scale, zero);
            return ElementwiseOps.mul(x, Variable.constant(mask));
        }
    }

    @Override protected void addConfig(JsonObject c) {
        c.addProperty("rate", rate);
        c.add("seed", Config.nullable(configSeed));
    }

    @Override public JsonObject getState() {
        JsonObject s = new JsonObject();
        s.addProperty("seed", seed);
        s.addProperty("counter", counter);
        return s;
    }

    @Override public void setState(JsonObject state) {
        Config c = new Config("Dropout '" + name() + "' state", state);
        Long s = c.nullableLong("seed"), n = c.nullableLong("counter");
        if (s == null || n == null || n < 0) throw new IllegalArgumentException("Dropout '" + name() + "': expected state {seed, counter >= 0}. Received: " + state);
        synchronized (this) {
            seed = s;
            counter = n;
        }
    }
}
