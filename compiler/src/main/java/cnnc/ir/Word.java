package cnnc.ir;

/**
 * An attribute value written as one word in a .cnn file ({@code padding: valid}, {@code init: xavier},
 * {@code per: channel}): an enum constant that knows its word. Binding matches the word; the IR
 * holds the constant.
 */
public interface Word {

    /** The word as written in a .cnn file. */
    String word();
}
