package cnnc.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads an {@code .onnx} file into ONNX's {@code ModelProto}; anything that is not a model is the user's error. */
public final class OnnxFile {

    private OnnxFile() {}

    public static OnnxMl.ModelProto read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new OnnxError(file.toString(), "no such file");
        } catch (IOException e) {
            throw new OnnxError(file.toString(), "cannot read it: " + e.getMessage());
        }
        return parse(file.toString(), bytes);
    }

    /** Parses a serialized model; {@code name} is only for messages. */
    public static OnnxMl.ModelProto parse(String name, byte[] bytes) {
        OnnxMl.ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(64);
            in.setSizeLimit(Integer.MAX_VALUE);
            model = OnnxMl.ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxError(name, "not an ONNX model (" + bytes.length + " bytes; the protobuf decoder says: "
                    + e.getMessage() + ")" + (bytes.length == 0 ? "" : " — truncated or not a .onnx file"));
        } catch (IOException e) {
            throw new OnnxError(name, "cannot decode it: " + e.getMessage());
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 && model.getGraph().getOutputCount() == 0) {
            throw new OnnxError(name, "not an ONNX model: it decodes as protobuf but holds no graph"
                    + (model.getIrVersion() == 0 ? " and no IR version" : ""));
        }
        if (model.getIrVersion() == 0) {
            throw new OnnxError(name, "not an ONNX model: it has a graph but no IR version (ir_version)");
        }
        return model;
    }

    /** The model's ai.onnx operator set (the default domain), or 0 if none is imported. */
    public static int opset(OnnxMl.ModelProto model) {
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return (int) o.getVersion();
            }
        }
        return 0;
    }
}
