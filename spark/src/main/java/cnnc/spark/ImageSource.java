package cnnc.spark;

import cnnc.runtime.data.Dataset;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A labelled image set that every JVM of a job can read by itself: IDX files ({@link IdxSource}),
 * an image folder ({@link FolderSource}) or CIFAR binaries ({@link CifarSource}), on the local disk
 * or on any file system Hadoop reads ({@code file:}, {@code hdfs:}, {@code s3a:}). The driver keeps
 * only where the images are; an executor reads and decodes the images of its own partition, through
 * the runtime's readers and conversions ({@code Idx}, {@code Images}, {@code Cifar}), as unsigned
 * bytes that {@link Dataset#ofBytes} turns into the network's floats, the same as on one machine.
 */
public interface ImageSource extends Serializable {

    /** Some images of a split: their indices in the split, {@code C x H x W} bytes each, their labels. */
    record Part(int[] ids, byte[] pixels, int[] labels, int channels, int height, int width, List<String> skipped)
            implements Serializable {

        /** As a data set of {@code classes} classes (pixels {@code byte / 255}, not copied). */
        public Dataset dataset(String name, int classes) {
            return Dataset.ofBytes(name, ByteBuffer.wrap(pixels), labels, channels, height, width, classes);
        }

        public int size() {
            return ids.length;
        }
    }

    /** The directory, file or URI the user gave, for messages. */
    String where();

    /** What kind of data it is ("IDX", "image folder", "CIFAR-10", ...), for messages. */
    String kind();

    /** What the test split is: "test", or the held-out part of an image folder's train/. */
    default String testName() {
        return "test";
    }

    /** Class names by label, or null when the data has none (IDX). */
    default List<String> classNames() {
        return null;
    }

    /**
     * Reads the images {@code ids.apply(n)} of the training ({@code train}) or test split of
     * {@code n} images, in that order.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    Part read(boolean train, IntFunction<int[]> ids) throws IOException;

    /** Every image of a split, in order. */
    default Part readAll(boolean train) throws IOException {
        return read(train, n -> {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        });
    }
}
