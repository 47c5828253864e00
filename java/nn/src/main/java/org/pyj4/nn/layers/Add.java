package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import java.util.List;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/** Sums its input tensors elementwise, with broadcasting (Keras Add); residual connections use Add. */
public final class Add extends Merge {
    public Add(Config c) { super(c); }

    public Add() { this(named("Add", null, null)); }

    @Override public String className() { return "Add"; }

    @Override Variable merge(List<Variable> inputs) {
        Variable out = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) out = ElementwiseOps.add(out, inputs.get(i));
        return out;
    }

    @Override long[] mergeShape(List<long[]> shapes) { return broadcast(className() + " '" + name() + "'", shapes); }

    @Override protected void addConfig(JsonObject c) {}
}
