package cnnc.runtime.data;

import cnnc.runtime.io.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an image becomes a model's input, as {@code cnnc train} stores it in a weights file's
 * metadata so that {@code eval}, {@code predict} and {@link cnnc.runtime.Classifier} apply the same
 * steps without being told: {@link Images} decodes and converts to {@code C x H x W} bytes, a byte
 * {@code b} becomes {@code b / 255}, then {@code (v - mean[c]) / std[c]} per channel.
 *
 * <p>Metadata keys: {@value #CLASSES} (JSON array of class names, index order),
 * {@value #MEAN} and {@value #STD} (JSON arrays, one float per channel, absent without
 * normalization), {@value #RESIZE} (the resize filter).
 */
public final class Preprocessing {

    public static final String CLASSES = "classes";
    public static final String MEAN = "input.mean";
    public static final String STD = "input.std";
    public static final String RESIZE = "input.resize";

    private final int channels;
    private final int height;
    private final int width;
    private final float[] mean;
    private final float[] std;
    private final List<String> classNames;

    /** @param mean per channel, or null for none (then {@code std} is ignored) */
    public Preprocessing(int channels, int height, int width, float[] mean, float[] std, List<String> classNames) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.mean = mean == null ? null : mean.clone();
        this.std = mean == null ? null : std.clone();
        this.classNames = Collections.unmodifiableList(new ArrayList<>(classNames));
    }

    /** What a data set carries: its normalization and class names. */
    public static Preprocessing of(Dataset d) {
        return new Preprocessing(d.channels(), d.height(), d.width(), d.mean(), d.std(), d.classNames());
    }

    /**
     * Reads the metadata of a weights file; keys that are absent mean no normalization and class
     * names {@code "0" .. "K-1"}.
     *
     * @throws IllegalArgumentException if a key is present but malformed
     */
    public static Preprocessing fromMetadata(Map<String, String> meta, int channels, int height, int width, int classes) {
        List<String> names = new ArrayList<>();
        String cls = meta.get(CLASSES);
        if (cls != null) {
            for (Object o : list(cls, CLASSES)) {
                names.add(String.valueOf(o));
            }
            if (names.size() != classes) {
                throw new IllegalArgumentException("metadata " + CLASSES + " names " + names.size() + " classes, the model has " + classes);
            }
        } else {
            for (int i = 0; i < classes; i++) {
                names.add(Integer.toString(i));
            }
        }
        float[] mean = floats(meta.get(MEAN), MEAN, channels);
        float[] std = floats(meta.get(STD), STD, channels);
        if ((mean == null) != (std == null)) {
            throw new IllegalArgumentException("metadata has " + (mean == null ? STD : MEAN) + " without " + (mean == null ? MEAN : STD));
        }
        return new Preprocessing(channels, height, width, mean, std, names);
    }

    private static List<?> list(String json, String key) {
        Object o;
        try {
            o = Json.parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("metadata " + key + " is not JSON: " + json);
        }
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException("metadata " + key + " is not a JSON array: " + json);
        }
        return l;
    }

    private static float[] floats(String json, String key, int channels) {
        if (json == null) {
            return null;
        }
        List<?> l = list(json, key);
        if (l.size() != channels) {
            throw new IllegalArgumentException("metadata " + key + " has " + l.size() + " values, the model's input has " + channels
                    + " channels");
        }
        float[] f = new float[channels];
        for (int i = 0; i < channels; i++) {
            if (!(l.get(i) instanceof Number n)) {
                throw new IllegalArgumentException("metadata " + key + " holds a non-number: " + json);
            }
            f[i] = n.floatValue();
        }
        return f;
    }

    /** The metadata entries (class names always; mean and std when normalizing). */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(CLASSES, Json.write(classNames));
        if (mean != null) {
            m.put(MEAN, floatsJson(mean));
            m.put(STD, floatsJson(std));
        }
        m.put(RESIZE, Images.FILTER);
        return m;
    }

    /** Shortest decimal that reads back as the same float (Float.toString), as a JSON array. */
    private static String floatsJson(float[] f) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < f.length; i++) {
            b.append(i == 0 ? "" : ", ").append(Float.toString(f[i]));
        }
        return b.append(']').toString();
    }

    /** Applies the normalization and class names to a data set of the same input shape. */
    public Dataset apply(Dataset d) {
        Dataset out = d.classes() == classNames.size() ? d.withClassNames(classNames) : d;
        return mean == null ? out : out.normalized(mean, std);
    }

    /** The model input of one image: converted (any conversion allowed), scaled to [0, 1], normalized. */
    public float[] input(BufferedImage img, String what) throws IOException {
        return input(Images.toBytes(img, channels, height, width, Images.Policy.ALL, what));
    }

    /** The model input of an image file. */
    public float[] input(Path file) throws IOException {
        return input(Images.read(file), file.toString());
    }

    /** The model input of {@code C x H x W} bytes. */
    public float[] input(byte[] chw) {
        int plane = height * width;
        float[] out = new float[chw.length];
        for (int i = 0; i < chw.length; i++) {
            float v = Dataset.unit(chw[i]);
            int c = i / plane;
            out[i] = mean == null ? v : Dataset.normalize(v, mean[c], std[c]);
        }
        return out;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** The per-channel means, or null without normalization. */
    public float[] mean() {
        return mean == null ? null : mean.clone();
    }

    public float[] std() {
        return std == null ? null : std.clone();
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** E.g. {@code "mean [0.286] std [0.353]"} or {@code "none"}. */
    public String describeNormalization() {
        return mean == null ? "none" : "mean " + floatsJson(mean) + " std " + floatsJson(std);
    }
}
