package cnnc.passes;

import cnnc.ir.Model;
import java.util.function.UnaryOperator;

/** A named, pure transformation of a model; {@link Pipeline} lists them in order. */
public record Pass(String name, UnaryOperator<Model> run) {}
