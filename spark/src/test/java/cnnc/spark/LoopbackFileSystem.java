package cnnc.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the URI scheme {@code loop:} (registered in the tests' core-site.xml): a
 * file system Hadoop reads that is not {@code file:}, so the tests take the path an {@code hdfs:} or
 * {@code s3a:} URI takes (listing through Hadoop, files copied to the executor before decoding).
 */
public class LoopbackFileSystem extends RawLocalFileSystem {

    @Override
    public URI getUri() {
        return URI.create("loop:///");
    }

    @Override
    public String getScheme() {
        return "loop";
    }
}
