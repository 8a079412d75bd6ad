package cnnc.ir;

/** Element types of buffers: everything is float32 but path tensors. */
public enum DType {
    F32(4), I32(4);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }
}
