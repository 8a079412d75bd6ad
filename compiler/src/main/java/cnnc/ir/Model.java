package cnnc.ir;

import cnnc.diag.Pos;
import cnnc.diag.SourceFile;
import java.util.Map;
import java.util.Optional;

/**
 * A checked network: its forward graph at a fixed batch size, the buffers with special meaning,
 * its training settings, and — once {@code autodiff} ran — its backward graph.
 *
 * @param output   the softmax the loss reads (what a classifier reports)
 * @param loss     the scalar loss buffer
 * @param places   where each input, target and tensor is declared
 */
public record Model(String name, SourceFile source, Pos pos, int batch, Graph forward, Optional<Graph> backward,
                    Buffer input, Buffer target, Buffer output, Buffer loss, Train train, Map<String, Pos> places) {

    public Model {
        places = Map.copyOf(places);
    }

    public Model withBackward(Graph backward) {
        return new Model(name, source, pos, batch, forward, Optional.of(backward), input, target, output, loss, train, places);
    }

    public Model withGraphs(Graph forward, Optional<Graph> backward) {
        return new Model(name, source, pos, batch, forward, backward, input, target, output, loss, train, places);
    }

    /** The declaration of a tensor, or {@link Pos#NONE}. */
    public Pos place(String tensor) {
        return places.getOrDefault(tensor, Pos.NONE);
    }

    public Graph backwardGraph() {
        return backward.orElseThrow(() -> new IllegalStateException("the backward graph of " + name + " was not derived"));
    }
}
