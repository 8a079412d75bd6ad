package cnnc.front;

/** Whether the language has an operation of a given name (for importers mapping other formats onto it). */
public final class OperationNames {

    private OperationNames() {}

    public static boolean exists(String op) {
        return Operations.NODES.containsKey(op);
    }
}
